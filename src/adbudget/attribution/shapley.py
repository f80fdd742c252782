"""Shapley-value attribution, exact over channel coalitions (≤ 15 channels).

Coalitions are bitmasks. The Shapley value of any coalition's sub-game comes from the
Harsanyi dividends ``m`` (Möbius transform of the worth ``v``): ``φᵢ(T) = Σ_{S⊆T, i∈S} m(S)/|S|``,
so one Möbius transform and one subset-sum (zeta) transform per channel give the exact
Shapley value of *every* journey's channel set in ``O(n² 2ⁿ)`` — no permutation sampling.

- ``shapley`` (data-driven): the worth of a coalition is the conversion rate of journeys that
  saw exactly those channels (unobserved coalitions take the best rate of an observed
  sub-coalition). The conversions of the journeys with set *T* are shared in proportion to
  the Shapley values of the game restricted to *T* (each order ≤ 1 unit).
- ``shapley_simplified``: worth = conversions of journeys whose set is inside the coalition;
  its Shapley value has the closed form ``Σ_{T∋i} conv(T)/|T|`` (Zhao et al. 2018, "Shapley
  value methods for attribution modeling in online advertising", arXiv:1804.05327).
- ``shapley_ordered``: Zhao et al.'s ordered Shapley value — the simplified credit broken down
  by the position at which the channel first appears in the journey.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from adbudget.attribution.base import AttributionModel
from adbudget.attribution.paths import PathTable
from adbudget.errors import InputError

MAX_EXACT_CHANNELS = 15


def channel_sets(paths: PathTable) -> np.ndarray:
    """Bitmask of the distinct channels of every (non-empty) path."""
    if paths.n_channels > 62:
        raise InputError("too many channels for coalition bitmasks")
    bits = np.left_shift(np.int64(1), paths.tokens.astype(np.int64))
    starts = paths.indptr[:-1]
    return np.bitwise_or.reduceat(bits, starts) if len(bits) else np.zeros(0, np.int64)


def mobius(v: np.ndarray) -> np.ndarray:
    """Harsanyi dividends: ``m(S) = Σ_{T⊆S} (−1)^{|S−T|} v(T)`` (fast subset inversion)."""
    m = np.array(v, dtype=float, copy=True)
    n = int(np.log2(len(m)))
    for i in range(n):
        step = 1 << i
        view = m.reshape(-1, 2 * step)
        view[:, step:] -= view[:, :step]
    return m


def zeta(f: np.ndarray) -> np.ndarray:
    """Subset sums ``F(T) = Σ_{S⊆T} f(S)`` along the last axis (fast zeta transform)."""
    out = np.array(f, dtype=float, copy=True)
    n = int(np.log2(out.shape[-1]))
    for i in range(n):
        step = 1 << i
        view = out.reshape(*out.shape[:-1], -1, 2 * step)
        view[..., step:] += view[..., :step]
    return out


def popcount(n_bits: int) -> np.ndarray:
    """Number of set bits of 0..2ⁿ−1."""
    size = np.zeros(1 << n_bits, dtype=np.int64)
    for i in range(n_bits):
        size[1 << i: 1 << (i + 1)] = size[: 1 << i] + 1
    return size


def subgame_shapley(v: np.ndarray) -> np.ndarray:
    """Shapley values of every sub-game: ``phi[i, T]`` for channel i in the game on T."""
    n = int(np.log2(len(v)))
    m = mobius(v)
    size = popcount(n)
    share = np.divide(m, size, out=np.zeros_like(m), where=size > 0)
    members = (np.arange(1 << n)[None, :] >> np.arange(n)[:, None]) & 1
    return zeta(members * share[None, :])


def shapley_values(v: np.ndarray) -> np.ndarray:
    """Exact Shapley value of the grand coalition for a worth vector indexed by bitmask."""
    return subgame_shapley(v)[:, -1]


def _check_exact(paths: PathTable) -> None:
    if paths.n_channels > MAX_EXACT_CHANNELS:
        raise InputError(
            f"exact Shapley needs at most {MAX_EXACT_CHANNELS} channels, the paths have "
            f"{paths.n_channels}; use shapley_simplified or markov, or report by channel"
        )


class Shapley(AttributionModel):
    """Conversion-rate game; journeys' conversions shared by their coalition's Shapley value."""

    name = "shapley"
    data_driven = True

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        _check_exact(paths)
        n = paths.n_channels
        masks = channel_sets(paths)
        size = 1 << n
        conv = np.bincount(masks, paths.conversions, size)
        value = np.bincount(masks, paths.value, size)
        journeys = conv + np.bincount(masks, paths.nulls, size)
        observed = journeys > 0
        rate = np.divide(conv, journeys, out=np.zeros(size), where=observed)
        best = np.where(observed, rate, -np.inf)
        best[0] = 0.0
        # unobserved coalitions: best rate of any observed sub-coalition (max-zeta transform)
        for i in range(n):
            step = 1 << i
            view = best.reshape(-1, 2 * step)
            np.maximum(view[:, step:], view[:, :step], out=view[:, step:])
        v = np.where(observed, rate, best)
        v[0] = 0.0
        phi = np.clip(subgame_shapley(v), 0.0, None)  # (n, 2^n)
        total = phi.sum(axis=0)
        members = ((np.arange(size)[None, :] >> np.arange(n)[:, None]) & 1).astype(float)
        count = members.sum(axis=0)
        share = np.where(total > 0, phi / np.where(total > 0, total, 1.0),
                         members / np.maximum(count, 1))
        credit_conv = share @ conv
        credit_value = share @ value
        return credit_conv, credit_value, {"coalitions_observed": int(observed.sum())}


class ShapleySimplified(AttributionModel):
    """Zhao et al.'s simplified Shapley value: each order split evenly over its distinct channels."""

    name = "shapley_simplified"

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        first = _first_occurrence(paths)
        pot = paths.path_of_token[first]
        n_distinct = np.bincount(pot, minlength=paths.n_paths).astype(float)
        w = 1.0 / n_distinct[pot]
        tok = paths.tokens[first]
        conv = np.bincount(tok, w * paths.conversions[pot], paths.n_channels)
        value = np.bincount(tok, w * paths.value[pot], paths.n_channels)
        return conv, value, {}


class ShapleyOrdered(AttributionModel):
    """Zhao et al.'s ordered Shapley value: simplified credit by first-appearance position."""

    name = "shapley_ordered"

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        first = _first_occurrence(paths)
        pot = paths.path_of_token[first]
        n_distinct = np.bincount(pot, minlength=paths.n_paths).astype(float)
        w = 1.0 / n_distinct[pot]
        tok = paths.tokens[first]
        # rank among distinct channels = number of earlier first-occurrences in the same path
        rank = np.arange(len(first)) - np.searchsorted(pot, pot, side="left")
        conv_w = w * paths.conversions[pot]
        conv = np.bincount(tok, conv_w, paths.n_channels)
        value = np.bincount(tok, w * paths.value[pot], paths.n_channels)
        by_pos = (
            pd.DataFrame({"channel": np.asarray(paths.channels, dtype=object)[tok],
                          "position": rank + 1, "conversions": conv_w})
            .groupby(["channel", "position"], as_index=False)["conversions"].sum()
        )
        return conv, value, {"by_position": by_pos}


def _first_occurrence(paths: PathTable) -> np.ndarray:
    """Token indices of each channel's first appearance in its path, in path order."""
    key = paths.path_of_token * np.int64(paths.n_channels) + paths.tokens
    _, first = np.unique(key, return_index=True)
    return np.sort(first)
