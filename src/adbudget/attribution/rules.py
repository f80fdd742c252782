"""Rule-based models: each converting journey spreads one unit of credit over its touches.

All of them are a per-token weight (weights of one path sum to 1) multiplied by the path's
conversions and value, summed per channel with one ``bincount`` — no Python loop over paths.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from adbudget.attribution.base import AttributionModel
from adbudget.attribution.paths import PathTable


class _TokenWeightModel(AttributionModel):
    """Credit = Σ over tokens of weight × path conversions (value)."""

    def weights(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-token weights for conversions (and, if different, for value)."""
        raise NotImplementedError

    def credit_many(self, paths: PathTable, conv: np.ndarray, value: np.ndarray,
                    nulls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Credit for many count vectors at once: a (paths × channels) weight matrix product."""
        w, w_value = self.weights(paths)
        shape = (paths.n_paths, paths.n_channels)
        a = sp.csr_matrix((w, (paths.path_of_token, paths.tokens)), shape=shape)
        out_c = (a.T @ conv).T
        if w_value is None:
            out_v = (a.T @ value).T
        else:  # value weights scale with each path's conversions
            base = paths.conversions[paths.path_of_token]
            wv = np.divide(w_value, base, out=np.zeros_like(w_value), where=base > 0)
            out_v = (sp.csr_matrix((wv, (paths.path_of_token, paths.tokens)), shape=shape).T @ conv).T
        return np.asarray(out_c), np.asarray(out_v)

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        w, w_value = self.weights(paths)
        pot = paths.path_of_token
        c = paths.n_channels
        conv = np.bincount(paths.tokens, w * paths.conversions[pot], c)
        if w_value is None:
            value = np.bincount(paths.tokens, w * paths.value[pot], c)
        else:
            value = np.bincount(paths.tokens, w_value, c)
        return conv, value, {}


class FirstTouch(_TokenWeightModel):
    """All credit to the first touch."""

    name = "first"

    def weights(self, paths: PathTable) -> tuple[np.ndarray, None]:
        return (paths.position == 0).astype(float), None


class LastTouch(_TokenWeightModel):
    """All credit to the last touch (what most platforms report)."""

    name = "last"

    def weights(self, paths: PathTable) -> tuple[np.ndarray, None]:
        last = paths.indptr[1:] - 1
        w = np.zeros(len(paths.tokens))
        w[last[paths.lengths > 0]] = 1.0
        return w, None


class LastNonDirect(_TokenWeightModel):
    """Last touch that is not a direct/organic visit; a path of only direct touches keeps its last."""

    name = "last_non_direct"

    def __init__(self, direct_channels: tuple[str, ...] = ("direct",)) -> None:
        self.direct_channels = tuple(direct_channels)

    def weights(self, paths: PathTable) -> tuple[np.ndarray, None]:
        direct = np.isin(np.asarray(paths.channels, dtype=object), list(self.direct_channels))
        is_direct = direct[paths.tokens] if len(direct) else np.zeros(len(paths.tokens), bool)
        idx = np.arange(len(paths.tokens), dtype=np.int64)
        # last non-direct index per path (-1 if none): max over candidates
        cand = np.where(~is_direct, idx, -1)
        best = np.full(paths.n_paths, -1, dtype=np.int64)
        np.maximum.at(best, paths.path_of_token, cand)
        fallback = paths.indptr[1:] - 1
        best = np.where(best >= 0, best, fallback)
        w = np.zeros(len(paths.tokens))
        w[best[paths.lengths > 0]] = 1.0
        return w, None


class Linear(_TokenWeightModel):
    """Equal credit to every touch."""

    name = "linear"

    def weights(self, paths: PathTable) -> tuple[np.ndarray, None]:
        return 1.0 / paths.lengths[paths.path_of_token], None


class PositionBased(_TokenWeightModel):
    """U-shaped: ``first`` to the first touch, ``last`` to the last, the rest split evenly."""

    name = "position"

    def __init__(self, first: float = 0.4, last: float = 0.4) -> None:
        if first < 0 or last < 0 or first + last > 1:
            raise ValueError("position-based shares must be >= 0 and add to at most 1")
        self.first, self.last = first, last

    def weights(self, paths: PathTable) -> tuple[np.ndarray, None]:
        n = paths.lengths[paths.path_of_token].astype(float)
        pos = paths.position
        is_first = pos == 0
        is_last = pos == n - 1
        middle = 1.0 - self.first - self.last
        inner = middle / np.maximum(n - 2, 1)
        w = np.where(is_first, self.first, np.where(is_last, self.last, inner))
        # two touches: the middle share is split between them in proportion to first/last
        two = n == 2
        f2 = self.first / (self.first + self.last) if self.first + self.last > 0 else 0.5
        w = np.where(two & is_first, f2, np.where(two & is_last, 1 - f2, w))
        w = np.where(n == 1, 1.0, w)
        return w, None


class TimeDecay(_TokenWeightModel):
    """Credit halves every ``half_life_days`` before the order (7 days: Google Ads' default).

    Uses the exact per-journey weights aggregated in SQL when the path table carries them;
    a path table without timestamps (a ChannelAttribution file) falls back to steps: each
    step back from the order counts ``step_days`` days.
    """

    name = "time_decay"

    def __init__(self, half_life_days: float = 7.0, step_days: float = 1.0) -> None:
        if half_life_days <= 0:
            raise ValueError("half-life must be positive")
        self.half_life_days = half_life_days
        self.step_days = step_days

    def weights(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray | None]:
        if paths.decay is not None:
            conv = paths.conversions[paths.path_of_token]
            w = np.divide(paths.decay, conv, out=np.zeros_like(paths.decay), where=conv > 0)
            return w, paths.decay_value
        steps_back = paths.lengths[paths.path_of_token] - 1 - paths.position
        raw = np.power(0.5, steps_back * self.step_days / self.half_life_days)
        total = np.bincount(paths.path_of_token, raw, paths.n_paths)
        return raw / total[paths.path_of_token], None
