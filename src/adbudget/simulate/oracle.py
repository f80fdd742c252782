"""The oracle optimizer: the allocation of a daily budget that maximizes true profit.

Maximizes ``sum_l w_l * R_l(s_l) - s_l`` (profit; ``w_l`` = profit per unit of revenue) or
``sum_l R_l(s_l)`` (revenue) subject to ``sum_l s_l = B`` and ``lo_l <= s_l <= hi_l``.
Lagrange: every line strictly inside its bounds has the same ``w_l R_l'(s_l) = lambda``,
i.e. equal marginal profit. The multiplier is found by bisection; for each lambda every line
takes its global best point (a dense grid, then bisection on the derivative), so S-shaped
curves are handled: a line either stays off or sits on the concave side of its curve.
A dynamic program over a budget grid (exact on the grid for any shapes and bounds), polished
to equal marginals, is the second candidate; the better one is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.curves import ResponseCurves

GRID = 1200
DP_GRID = 600  # budget steps of the dynamic-programming check


@dataclass(frozen=True)
class OracleAllocation:
    """The optimum: daily spend per line and what it earns (base currency, per day)."""

    lines: list[tuple[str, str]]
    spend: np.ndarray  # daily spend per line
    revenue: np.ndarray  # daily expected (net) revenue per line
    weights: np.ndarray  # profit per unit of revenue per line (1 for objective=revenue)
    marginal_value: np.ndarray  # w * dR/ds per line (marginal profit + 1 for profit)
    lam: float  # the common marginal value of interior lines
    lower: np.ndarray
    upper: np.ndarray
    objective: str
    days: int  # days in the period
    residual: float  # budget not placed by the optimality conditions (rounding), per day

    @property
    def interior(self) -> np.ndarray:
        """Lines strictly between their bounds."""
        tol = 1e-6 * max(1.0, float(self.spend.sum()))
        return (self.spend > self.lower + tol) & (self.spend < self.upper - tol)

    @property
    def daily_profit(self) -> float:
        return float((self.weights * self.revenue).sum() - self.spend.sum())

    @property
    def profit(self) -> float:
        """True expected profit over the period (contribution minus spend)."""
        return self.daily_profit * self.days

    @property
    def total_revenue(self) -> float:
        return float(self.revenue.sum()) * self.days

    def as_dict(self) -> dict[tuple[str, str], float]:
        """Daily spend per (market, channel)."""
        return {line: float(s) for line, s in zip(self.lines, self.spend, strict=True)}


def _mean_response(curves: ResponseCurves, spend: np.ndarray) -> np.ndarray:
    return np.asarray(curves.response(spend)).mean(axis=0)


def _mean_marginal(curves: ResponseCurves, spend: np.ndarray) -> np.ndarray:
    return np.asarray(curves.marginal(spend)).mean(axis=0)


def _best_points(curves, weights, lam, grid, values, lower, upper, iters: int = 48) -> np.ndarray:
    """Per line, the spend maximizing w R(s) - lam s on [lower, upper]."""
    n = grid.shape[1]
    idx = np.argmax(values - lam * grid, axis=0)
    cols = np.arange(n)
    s = grid[idx, cols]
    inside = (idx > 0) & (idx < grid.shape[0] - 1)
    if inside.any():
        lo = grid[np.maximum(idx - 1, 0), cols].copy()
        hi = grid[np.minimum(idx + 1, grid.shape[0] - 1), cols].copy()
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            up = weights * _mean_marginal(curves, mid) > lam
            lo = np.where(up, mid, lo)
            hi = np.where(up, hi, mid)
        s = np.where(inside, 0.5 * (lo + hi), s)
    # the grid end points: keep them when they beat the interior candidate
    for end in (lower, upper):
        better = weights * _mean_response(curves, end) - lam * end > weights * _mean_response(curves, s) - lam * s
        s = np.where(better, end, s)
    return np.clip(s, lower, upper)


def optimize(
    curves: ResponseCurves,
    budget: float,
    weights: np.ndarray | None = None,
    lower: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    objective: str = "profit",
    spend_all: bool = True,
    days: int = 1,
) -> OracleAllocation:
    """Allocate a daily ``budget`` over the curves' lines (see module docstring)."""
    lines = list(curves.lines)
    n = len(lines)
    w = np.ones(n) if weights is None or objective == "revenue" else np.asarray(weights, float)
    lo = np.zeros(n) if lower is None else np.asarray(lower, float)
    hi = np.full(n, float(budget)) if upper is None else np.minimum(np.asarray(upper, float), budget)
    if lo.sum() > budget + 1e-9 or (spend_all and hi.sum() < budget - 1e-9):
        raise ValueError("bounds cannot meet the budget")
    q = np.concatenate([[0.0], np.geomspace(1e-6, 1.0, GRID - 1)])
    grid = lo[None, :] + (hi - lo)[None, :] * q[:, None]
    values = w[None, :] * _mean_response(curves, grid)
    slopes = w[None, :] * _mean_marginal(curves, grid)
    lam_hi = float(np.max(slopes)) * 2 + 1e-9
    lam_lo = 1e-12

    def total(lam: float) -> tuple[np.ndarray, float]:
        s = _best_points(curves, w, lam, grid, values, lo, hi)
        return s, float(s.sum())

    if not spend_all and objective == "profit":
        s1, t1 = total(1.0)
        if t1 <= budget:
            return _result(curves, lines, s1, w, 1.0, lo, hi, objective, days, 0.0)
    for _ in range(100):
        mid = np.sqrt(lam_lo * lam_hi)
        _, t = total(mid)
        if t > budget:
            lam_lo = mid
        else:
            lam_hi = mid
        if abs(t - budget) < 1e-10 * max(budget, 1.0):
            lam_lo = lam_hi = mid
            break
        if lam_hi / lam_lo < 1 + 1e-7:  # the exact solve below finishes the job
            break
    # Lagrangian bisection can straddle a jump (an S-shaped line switching on): solve exactly
    # on each side's active set, every active line on the concave side of its curve.
    branch = grid[np.argmax(slopes, axis=0), np.arange(n)]
    best = None
    for side in (lam_lo, lam_hi):
        active = total(side)[0] > lo + 1e-12
        cand = _restricted(curves, w, budget, active, np.maximum(lo, branch), lo, hi)
        if cand is None:
            continue
        gain = float((w * _mean_response(curves, cand[0])).sum() - cand[0].sum())
        if best is None or gain > best[0]:
            best = (gain, cand[0], cand[1])
    # A global check that needs no concavity: dynamic programming over a budget grid, then
    # equal-marginal polishing around its answer. The better of the two candidates wins.
    dp = _rebalance(_dynamic_program(curves, w, budget, lo, hi), budget, lo, hi)
    for cand in (_polish(curves, w, budget, dp, lo, hi, branch, (budget - lo.sum()) / DP_GRID),
                 _polish(curves, w, budget, best[1], lo, hi, branch, 0.0) if best else None,
                 (dp, float(np.median(w * _mean_marginal(curves, dp))))):
        if cand is None or abs(cand[0].sum() - budget) > 1e-9 * max(budget, 1.0):
            continue
        gain = float((w * _mean_response(curves, cand[0])).sum() - cand[0].sum())
        if best is None or gain > best[0] + 1e-12 * abs(gain):
            best = (gain, cand[0], cand[1])
    if best is None:
        raise ValueError("no allocation meets the budget within the bounds")
    _, s, lam = best
    return _result(curves, lines, s, w, lam, lo, hi, objective, days, budget - float(s.sum()))


def _polish(curves, w, budget, s, lo, hi, branch, step, rounds: int = 12):
    """Active-set refinement: snap near-bound lines to their bounds, solve equal marginals on
    the interior lines, release bound lines whose marginal says they want to move, repeat
    while the objective improves."""
    snapped = np.where(s > hi - step, hi, np.where(s < lo + step, lo, s))
    free = (snapped > lo) & (snapped < hi)
    # give what snapping moved back to the interior lines first, then to any line with room
    s = np.where(free, _rebalance(snapped, budget, np.where(free, lo, snapped),
                                  np.where(free, hi, snapped)), snapped)
    s = _rebalance(s, budget, lo, hi)

    def value(x: np.ndarray) -> float:
        return float((w * _mean_response(curves, x)).sum() - x.sum())

    tol = 1e-9 * max(budget, 1.0)
    best, best_value = s, value(s)
    lam = float(np.median(w * _mean_marginal(curves, s)))
    for _ in range(rounds):
        mv = w * _mean_marginal(curves, best)
        interior = (best > lo + tol) & (best < hi - tol)
        if interior.any():
            lam = float(np.median(mv[interior]))
        release = ((best >= hi - tol) & (mv < lam)) | ((best <= lo + tol) & (mv > lam))
        active = interior | release
        if not active.any():
            break
        low = np.maximum(lo, np.minimum(branch, best))
        cand = _restricted(curves, w, budget, active, low, lo, hi, fixed=best)
        if cand is None:
            break
        v = value(cand[0])
        if v <= best_value + 1e-13 * abs(best_value):
            break
        best, best_value, lam = cand[0], v, cand[1]
    return best, lam


def _rebalance(s: np.ndarray, budget: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Move every line toward its bound in proportion to its room until the sum is the budget."""
    s = np.clip(np.asarray(s, float), lo, hi)
    gap = budget - s.sum()
    room = hi - s if gap > 0 else s - lo
    total = room.sum()
    if total <= 0 or gap == 0:
        return s
    return np.clip(s + np.sign(gap) * room * min(1.0, abs(gap) / total), lo, hi)


def _dynamic_program(curves, w, budget, lo, hi) -> np.ndarray:
    """Best allocation on a grid of ``DP_GRID`` budget steps above the lower bounds
    (max-plus convolution line by line; exact on the grid for any curve shapes)."""
    n = len(lo)
    free = budget - lo.sum()
    if free <= 0:
        return lo.copy()
    step = free / DP_GRID
    j = np.arange(DP_GRID + 1)
    spend = np.minimum(lo[None, :] + j[:, None] * step, hi[None, :])
    value = w[None, :] * _mean_response(curves, spend)
    value[lo[None, :] + j[:, None] * step > hi[None, :] + 1e-9 * budget] = -np.inf
    diff = j[:, None] - j[None, :]  # budget used so far minus this line's share
    ok = diff >= 0
    diff = np.where(ok, diff, 0)
    best = value[:, 0].copy()
    choice = np.zeros((n, DP_GRID + 1), dtype=np.int64)
    for line in range(1, n):
        total = np.where(ok, best[diff] + value[None, :, line], -np.inf)
        choice[line] = np.argmax(total, axis=1)
        best = total[j, choice[line]]
    units = np.zeros(n, dtype=np.int64)
    left = DP_GRID
    for line in range(n - 1, 0, -1):
        units[line] = choice[line, left]
        left -= units[line]
    units[0] = left
    return np.minimum(lo + units * step, hi)


def _restricted(curves, w, budget, active, branch_lo, lo, hi, iters: int = 52,
                fixed: np.ndarray | None = None, high: np.ndarray | None = None):
    """Equal marginal value over the ``active`` lines (each on its concave branch), others at
    their lower bound (or ``fixed``); ``None`` when the budget cannot be met that way."""
    rest = lo if fixed is None else fixed
    low = np.where(active, np.minimum(branch_lo, hi), rest)
    high = np.where(active, hi if high is None else high, rest)
    if low.sum() > budget + 1e-9 or high.sum() < budget - 1e-9:
        return None

    def place(lam: float) -> np.ndarray:
        a, b = low.copy(), high.copy()
        for _ in range(iters):
            mid = 0.5 * (a + b)
            up = w * _mean_marginal(curves, mid) > lam
            a = np.where(up, mid, a)
            b = np.where(up, b, mid)
        return np.where(active, 0.5 * (a + b), rest)

    lam_a, lam_b = 1e-12, float(np.max(w * _mean_marginal(curves, np.maximum(low, 1e-9)))) * 2 + 1e-9
    for _ in range(100):
        lam = np.sqrt(lam_a * lam_b)
        t = place(lam).sum()
        if abs(t - budget) < 1e-10 * max(budget, 1.0):
            break
        if t > budget:
            lam_a = lam
        else:
            lam_b = lam
    s = place(lam)
    if abs(s.sum() - budget) > 1e-9 * max(budget, 1.0):
        return None  # e.g. a line on a convex stretch: no equal-marginal point there
    return s, lam


def _result(curves, lines, s, w, lam, lo, hi, objective, days, residual) -> OracleAllocation:
    return OracleAllocation(
        lines=lines, spend=s, revenue=_mean_response(curves, s), weights=w,
        marginal_value=w * _mean_marginal(curves, s), lam=float(lam), lower=lo, upper=hi,
        objective=objective, days=days, residual=float(residual),
    )


__all__ = ["OracleAllocation", "optimize"]
