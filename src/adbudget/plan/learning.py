"""Where the plan is unsure: lines whose next unit may or may not beat the plan's cut-off.

The optimizer equalises the value of the last unit of budget across lines (lambda). Each
line's value of one more unit is uncertain (a posterior over curves); where the 80 % band of
that value straddles lambda, the data cannot say whether the line deserves more or less. A
geo scale test (test cells at 1.5-2x budget for four weeks) measures exactly that return of
extra spend, and the response model reads it as such (``baseline_spend``, docs/response.md),
so these are the lines where the test budget buys the most decision value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.curves import ResponseCurves


@dataclass(frozen=True)
class ScaleTestCandidate:
    """A line whose marginal return straddles the plan's cut-off."""

    market: str
    channel: str
    daily_spend: float  # planned
    p_above: float  # P(value of one more unit > lambda) over the posterior draws
    marginal_lo: float  # marginal ROAS (revenue per extra unit), lower end of the band
    marginal_hi: float


def scale_test_candidates(
    curves: ResponseCurves,
    spend: np.ndarray,
    weights: np.ndarray,
    cost: np.ndarray,
    cutoff: float,
    band: tuple[float, float] = (0.2, 0.8),
    interval: float = 0.8,
    top: int = 3,
) -> list[ScaleTestCandidate]:
    """Lines with planned spend whose ``P(weights * R'(spend) / cost > cutoff)`` lies in
    ``band``, most money at stake first (planned spend x closeness of the odds to even).

    ``curves`` hold the optimised lines in order; ``weights`` turn revenue into the objective's
    value (profit per revenue x LTV), ``cost`` is budget per unit of line spend; ``cutoff`` is
    the optimum's lambda in the same units.
    """
    spend = np.asarray(spend, dtype=float)
    if not len(spend) or not cutoff > 0:
        return []
    marginal = np.asarray(curves.marginal(np.maximum(spend, 1e-9)), dtype=float)  # (draws, n)
    value = marginal * np.asarray(weights, float)[None, :] / np.asarray(cost, float)[None, :]
    p_above = (value > cutoff).mean(axis=0)
    tail = (1.0 - interval) / 2
    lo, hi = np.quantile(marginal, [tail, 1.0 - tail], axis=0)
    lines = curves.lines
    picked = [i for i in range(len(spend))
              if spend[i] > 0 and band[0] <= p_above[i] <= band[1] and marginal.shape[0] > 1]
    picked.sort(key=lambda i: -spend[i] * min(p_above[i], 1.0 - p_above[i]))
    return [ScaleTestCandidate(lines[i][0], lines[i][1], float(spend[i]), float(p_above[i]),
                               float(lo[i]), float(hi[i])) for i in picked[:top]]


__all__ = ["ScaleTestCandidate", "scale_test_candidates"]
