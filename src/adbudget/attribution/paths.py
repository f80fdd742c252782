"""The aggregated path table every model consumes: distinct journeys with their counts.

A path is the ordered list of touch units (channels, or channel/campaign) of a journey. The
table holds one row per distinct path with its conversions, conversion value and non-converting
journeys (ChannelAttribution's ``total_conversions``, ``total_conversion_value``,
``total_null``). Paths are stored as CSR arrays (``indptr``/``tokens``) so models work on whole
columns with numpy; derived structures (Markov transition incidences) are cached on the table
and shared by its reweighted copies, which makes bootstrap replicates cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from adbudget.attribution.tokenise import tokenise
from adbudget.errors import InputError

SEP = " > "


@dataclass(frozen=True, eq=False)
class PathTable:
    """Distinct paths as CSR token arrays with per-path conversions, value and nulls.

    ``decay`` (optional, aligned with ``tokens``) is each position's summed time-decay weight
    over the converting journeys of the path (weights of one journey sum to 1); ``decay_value``
    is the same weighted by order value. Both come from the SQL aggregation when timestamps are
    known; time-decay falls back to steps when they are absent.
    """

    channels: tuple[str, ...]
    indptr: np.ndarray  # (P+1,) int64
    tokens: np.ndarray  # (L,) int32, channel index per position
    conversions: np.ndarray  # (P,) float64
    value: np.ndarray  # (P,) float64
    nulls: np.ndarray  # (P,) float64
    decay: np.ndarray | None = None  # (L,) float64
    decay_value: np.ndarray | None = None  # (L,) float64
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- shape ---------------------------------------------------------------------------
    @property
    def n_paths(self) -> int:
        return len(self.indptr) - 1

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def path_of_token(self) -> np.ndarray:
        """Index of the path each token belongs to (cached)."""
        if "path_of_token" not in self._cache:
            self._cache["path_of_token"] = np.repeat(
                np.arange(self.n_paths, dtype=np.int32 if self.n_paths < 2**31 else np.int64),
                self.lengths,
            )
        return self._cache["path_of_token"]

    @property
    def position(self) -> np.ndarray:
        """0-based position of each token inside its path (cached)."""
        if "position" not in self._cache:
            pos = np.arange(len(self.tokens), dtype=np.int64)
            pos -= self.indptr[:-1][self.path_of_token]
            self._cache["position"] = pos.astype(np.int32)
        return self._cache["position"]

    @property
    def total_conversions(self) -> float:
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        return float(self.value.sum())

    @property
    def total_journeys(self) -> float:
        return float(self.conversions.sum() + self.nulls.sum())

    # -- copies --------------------------------------------------------------------------
    def with_counts(self, conversions: np.ndarray, value: np.ndarray, nulls: np.ndarray) -> PathTable:
        """Same paths, new counts (bootstrap replicate); shares the structural cache."""
        scale = np.divide(conversions, self.conversions, out=np.zeros_like(conversions, dtype=float),
                          where=self.conversions > 0)
        decay = decay_value = None
        if self.decay is not None:
            per_token = scale[self.path_of_token]
            decay = self.decay * per_token
            decay_value = None if self.decay_value is None else self.decay_value * per_token
        return PathTable(self.channels, self.indptr, self.tokens, np.asarray(conversions, float),
                         np.asarray(value, float), np.asarray(nulls, float), decay, decay_value,
                         self._cache)

    def drop_empty(self) -> PathTable:
        """Remove zero-length paths (orders without a touch cannot be attributed)."""
        keep = self.lengths > 0
        if keep.all():
            return self
        return self.select(np.flatnonzero(keep))

    def select(self, rows: np.ndarray) -> PathTable:
        """A new table with only the given path rows (fresh cache)."""
        rows = np.asarray(rows, dtype=np.int64)
        lengths = self.lengths[rows]
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        take = _ranges(self.indptr[:-1][rows], lengths)
        decay = None if self.decay is None else self.decay[take]
        decay_value = None if self.decay_value is None else self.decay_value[take]
        return PathTable(self.channels, indptr, self.tokens[take], self.conversions[rows],
                         self.value[rows], self.nulls[rows], decay, decay_value)

    def relabel(self, channels: tuple[str, ...]) -> PathTable:
        """Same table with channel names replaced (used by invariance tests)."""
        if len(channels) != self.n_channels:
            raise ValueError("relabel needs one new name per channel")
        return PathTable(tuple(channels), self.indptr, self.tokens, self.conversions, self.value,
                         self.nulls, self.decay, self.decay_value)

    def _path_hash(self, base: int) -> np.ndarray:
        """A 64-bit polynomial hash of each path's tokens (wrapping arithmetic)."""
        tok = self.tokens.astype(np.uint64) + np.uint64(1)
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(max(int(self.lengths.max(initial=0)), 1),
                                        np.uint64(base), dtype=np.uint64))
            contrib = tok * powers[self.position]
        h = np.zeros(self.n_paths, dtype=np.uint64)
        ne = self.lengths > 0
        if ne.any():  # tokens of a path are contiguous: one reduceat sums them
            h[ne] = np.add.reduceat(contrib, self.indptr[:-1][ne])
        return h

    # -- conversion ----------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """ChannelAttribution's layout: path (``a > b``), total_conversions, value, null."""
        names = np.asarray(self.channels, dtype=object)
        paths = [SEP.join(names[self.tokens[a:b]]) for a, b in zip(self.indptr[:-1], self.indptr[1:], strict=True)]
        return pd.DataFrame({
            "path": paths,
            "total_conversions": self.conversions,
            "total_conversion_value": self.value,
            "total_null": self.nulls,
        })

    @classmethod
    def from_lists(
        cls,
        paths: list[list[str]] | list[tuple[str, ...]],
        conversions: Any,
        value: Any | None = None,
        nulls: Any | None = None,
        channels: tuple[str, ...] | None = None,
    ) -> PathTable:
        """Build from Python lists of channel names (small inputs, tests)."""
        names = channels or tuple(sorted({c for p in paths for c in p}))
        index = {c: i for i, c in enumerate(names)}
        lengths = np.array([len(p) for p in paths], dtype=np.int64)
        indptr = np.zeros(len(paths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        tokens = np.array([index[c] for p in paths for c in p], dtype=np.int32)
        conv = np.asarray(conversions, dtype=float)
        return cls(
            tuple(names), indptr, tokens, conv,
            np.asarray(value if value is not None else conv, dtype=float),
            np.asarray(nulls if nulls is not None else np.zeros(len(paths)), dtype=float),
        )

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        path: str = "path",
        conversions: str = "total_conversions",
        value: str | None = "total_conversion_value",
        nulls: str | None = "total_null",
        sep: str = ">",
        decay: str | None = "decay",
        decay_value: str | None = "decay_value",
    ) -> PathTable:
        """Parse a path table; channel names are stripped around ``sep``. Rows with the same
        path are summed. ``decay``/``decay_value`` columns (lists) are used when present."""
        for col in (path, conversions):
            if col not in df.columns:
                raise InputError(f"path table has no column '{col}'", column=col)
        conv = _numeric(df, conversions)
        val = _numeric(df, value) if value and value in df.columns else conv.copy()
        nul = _numeric(df, nulls) if nulls and nulls in df.columns else np.zeros(len(df))
        if (conv < 0).any() or (nul < 0).any():
            raise InputError("conversions and nulls must not be negative", column=conversions)
        tokens, lengths, uniques = tokenise(df[path], sep)
        indptr = np.zeros(len(df) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        decay_arr = decay_val_arr = None
        if decay and decay in df.columns and len(df):
            decay_arr = _flatten_lists(df[decay], lengths)
            if decay_value and decay_value in df.columns:
                decay_val_arr = _flatten_lists(df[decay_value], lengths)
        table = cls(uniques, indptr, tokens, conv, val, nul, decay_arr, decay_val_arr)
        return table._merge_duplicates()

    def _merge_duplicates(self) -> PathTable:
        """Sum rows that hold the same path (64-bit polynomial hashes of the tokens; a second
        hash and the lengths are checked only when the first finds duplicates)."""
        if self.n_paths < 2:
            return self
        h1 = self._path_hash(1_000_003)
        codes, uniques = pd.factorize(h1)
        if len(uniques) == self.n_paths:
            return self
        keys = [self.lengths.astype(np.int64), h1, self._path_hash(998_244_353)]
        for other in (keys[0], keys[2]):  # a collision of the first hash splits the group
            lo = np.full(len(uniques), np.iinfo(np.int64).max)
            hi = np.full(len(uniques), np.iinfo(np.int64).min)
            as_int = other.view(np.int64)
            np.minimum.at(lo, codes, as_int)
            np.maximum.at(hi, codes, as_int)
            if (lo != hi).any():
                codes, uniques = pd.factorize(pd.MultiIndex.from_arrays(keys))
                break
        first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        conv = np.bincount(codes, self.conversions, len(uniques))
        val = np.bincount(codes, self.value, len(uniques))
        nul = np.bincount(codes, self.nulls, len(uniques))
        out = self.select(first)
        decay = decay_value = None
        if self.decay is not None:
            # sum aligned decay weights of duplicate rows into the first row's positions
            tok_target = self.position + out.indptr[:-1][codes][self.path_of_token]
            decay = np.bincount(tok_target, self.decay, len(out.tokens))
            if self.decay_value is not None:
                decay_value = np.bincount(tok_target, self.decay_value, len(out.tokens))
        return PathTable(out.channels, out.indptr, out.tokens, conv, val, nul, decay, decay_value)


def _numeric(df: pd.DataFrame, col: str | None) -> np.ndarray:
    try:
        return pd.to_numeric(df[col]).fillna(0).to_numpy(dtype=float)
    except (ValueError, TypeError):
        raise InputError("column must be numeric", column=col) from None


def _flatten_lists(col: pd.Series, lengths: np.ndarray) -> np.ndarray | None:
    """Per-path lists to one array aligned with the tokens; a missing list (a path without
    conversions) counts as zeros. Returns None if a list does not match its path's length."""
    parts = []
    for v, n in zip(col.tolist(), lengths, strict=True):
        if v is None or (not hasattr(v, "__len__") and pd.isna(v)):
            parts.append(np.zeros(int(n)))
            continue
        arr = np.asarray(v, dtype=float)
        if arr.shape != (int(n),):
            return None
        parts.append(arr)
    return np.concatenate(parts) if parts else None


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(s, s+n)`` for every (s, n) without a Python loop."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total, dtype=np.int64) + offsets
