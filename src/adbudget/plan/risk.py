"""Risk objective: maximize a low quantile of total value over posterior draws.

The quantile of a sum is not separable, so this starts from the mean-optimal solution and
climbs the smoothed quantile (draws in a window around the quantile, as in Hong & Liu 2009,
"Simulating sensitivities of conditional value at risk") by multiplicative steps that keep
the budget and bounds; a step is kept only when the quantile improves.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from adbudget.curves import ResponseCurves
from adbudget.plan.optimizer import Solution
from adbudget.plan.polish import _rebalance


def quantile_value(curves: ResponseCurves, x: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile over draws of ``sum_i w_i R_i(x_i)``."""
    return float(np.quantile(curves.response(x) @ weights, q))


def maximize_quantile(
    curves: ResponseCurves,
    start: Solution,
    q: float,
    *,
    weights: np.ndarray,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    budget: float,
    iterations: int = 40,
    window: float = 0.05,
) -> Solution:
    """Improve ``start`` for the q-quantile objective; returns a Solution with status 'risk'."""
    x = start.spend.copy()
    best = quantile_value(curves, x, weights, q)
    step = 0.2
    movable = np.ones(len(x), dtype=bool)
    for _ in range(iterations):
        totals = curves.response(x) @ weights
        lo_q, hi_q = np.quantile(totals, [max(q - window, 0.0), min(q + window, 1.0)])
        pick = (totals >= lo_q) & (totals <= hi_q)
        grad = (curves.marginal(x)[pick] * weights).mean(axis=0) / cost
        avg = float(np.average(grad, weights=np.maximum(x * cost, 1e-12)))
        cand = x * np.exp(step * np.clip((grad - avg) / max(abs(avg), 1e-12), -1, 1))
        cand = _rebalance(np.clip(cand, lower, upper), lower, upper, cost, budget, movable)
        value = quantile_value(curves, cand, weights, q)
        if value > best:
            x, best = cand, value
        else:
            step /= 2
            if step < 1e-4:
                break
    m = (curves.marginal(x) * weights).mean(axis=0)
    per_line = (curves.response(x) * weights).mean(axis=0)
    return replace(start, spend=x, marginal=m, value=float(per_line.sum()),
                   status=tuple("risk" if s == "free" else s for s in start.status))


__all__ = ["maximize_quantile", "quantile_value"]
