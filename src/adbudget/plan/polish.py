"""The optimizer's local polish: from a start point, equal marginal value per budget unit on
every line that is not at a bound (Newton steps in log-log space), with S-shaped lines held on
past their threshold or off. Used by :func:`adbudget.plan.optimizer.solve` for every candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Candidate:
    """One allocation the search considered: spend, marginals, per-line status and value."""

    x: np.ndarray
    marginal: np.ndarray
    status: tuple[str, ...]
    value: float  # -inf when its on/off set cannot hold the budget
    iterations: int
    per_line: np.ndarray

    def beats(self, other: Candidate) -> bool:
        """Better than ``other`` by more than rounding (the keep-if-better test)."""
        return self.value > other.value + 1e-12 * abs(other.value)


def _bounds_for(envs, x, lo, on_min):
    lb = lo.copy()
    for i in range(len(x)):
        if on_min[i]:
            lb[i] = max(lo[i], envs[i].threshold()[1])
    return lb


def polish(fn: Any, envs, x0, lo, hi, c, budget, tol, max_iter, scale) -> Candidate:
    """Newton in log-log space for ``g_i'(x_i) = lambda c_i`` on the lines that are on.

    Marginal curves are close to power laws in spend, so each line's step is taken on
    ``log g'`` versus ``log x`` (exact for a power law); ``lambda`` is then set so that the
    stepped spends use the budget exactly (a 1-D monotone root, no curve evaluations).
    """
    n = len(x0)
    x = np.clip(x0.astype(float), lo, hi)
    thr = np.array([e.threshold()[0] for e in envs]) if envs is not None else lo
    s_line = thr > lo + 1e-12
    on = x > lo + 1e-12
    if envs is not None:
        on = _feasible_on_set(envs, x, lo, hi, c, budget, s_line, on)
    fixed_off = s_line & ~on
    # lines switched on sit at least on the envelope's tangent vertex
    x = np.where(s_line & on, np.maximum(x, thr), np.where(fixed_off, lo, x))
    lb = _bounds_for(envs, x, lo, s_line & on) if envs is not None else lo.copy()
    x = _rebalance(np.maximum(x, lb), lb, hi, c, budget, movable=~fixed_off)
    floor_x = 1e-7 * scale  # log space needs x > 0
    # marginals at x >= floor_x: a curve with infinite slope at zero (Hill k < 1) would
    # otherwise look as if its first cent paid more than any other line's
    m = fn.marginal(np.maximum(x, floor_x))
    m2 = fn.marginal(np.maximum(x, floor_x) * (1 + 1e-4))
    with np.errstate(divide="ignore", invalid="ignore"):
        elast = (np.log(np.maximum(m2, 1e-300)) - np.log(np.maximum(m, 1e-300))) / np.log1p(1e-4)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (it is reported)
        free = ~fixed_off & (x > lb + 1e-9 * (1 + x)) & (x < hi - 1e-9 * (1 + x))
        lam = _lam_estimate(m, c, free, ~fixed_off)
        if free.any():
            gap = np.abs(m[free] / c[free] - lam) / max(abs(lam), 1e-300)
            pinned = np.isfinite(hi) & (hi <= lb + 1e-12 * (1 + np.where(np.isfinite(hi), hi, 0)))
            low_bad = (~free & ~fixed_off & ~pinned & (x <= lb + 1e-9 * (1 + x))
                       & (m / c > lam * (1 + tol)))
            up_bad = ~free & ~pinned & (x >= hi - 1e-9 * (1 + x)) & (m / c < lam * (1 - tol))
            if gap.max() < tol and not low_bad.any() and not up_bad.any():
                break
        elif it > 1:
            break  # every line at a bound: the bounds decide
        # convex stretch (below the inflection): a line that wants less money falls to its
        # threshold bound; one that wants more climbs with a generic elasticity
        convex = ~np.isfinite(elast) | (elast > 1e-9)
        drop = convex & (m / c < lam)
        e = np.where(convex, -1e-3, np.minimum(elast, -1e-12))  # convex and wanting more: climb
        x_new = _log_step(x, m, e, lb, hi, c, budget, fixed_off, drop, 0.1 * scale, floor_x)
        m_new = fn.marginal(np.maximum(x_new, floor_x))
        log_dx = np.log(np.maximum(x_new, floor_x)) - np.log(np.maximum(x, floor_x))
        with np.errstate(divide="ignore", invalid="ignore"):
            e_sec = (np.log(np.maximum(m_new, 1e-300)) - np.log(np.maximum(m, 1e-300))) / log_dx
        moved = np.abs(log_dx) > 1e-10
        elast = np.where(moved & np.isfinite(e_sec), e_sec, elast)
        x, m = x_new, m_new
    status = []
    for i in range(n):
        if np.isfinite(hi[i]) and hi[i] <= lo[i] + 1e-12 * (1 + hi[i]):
            status.append("fixed")  # floor == cap: nothing to decide
        elif fixed_off[i] or x[i] <= lo[i] + 1e-9 * (1 + x[i]):
            status.append("off" if s_line[i] and lo[i] <= 0 else "lower")
        elif x[i] >= hi[i] - 1e-9 * (1 + x[i]):
            status.append("upper")
        elif x[i] <= lb[i] + 1e-9 * (1 + x[i]) and lb[i] > lo[i]:
            status.append("threshold")
        else:
            status.append("free")
    per_line = fn.value(x)
    value = float(per_line.sum())
    if abs(float(c @ x) - budget) > 1e-7 * max(budget, 1e-9):
        value = -np.inf  # cannot hold the budget with this on/off set: never chosen
    return Candidate(x, m, tuple(status), value, it, per_line)


def _feasible_on_set(envs, x, lo, hi, c, budget, s_line, on):
    """Switch S-lines off (least committed first) or on (best average return first) until
    the lines that are on can hold the budget between their threshold floors and caps."""
    on = on.copy()
    below = np.array([e.threshold()[1] for e in envs])
    for _ in range(len(x)):
        lb = np.where(s_line & on, np.maximum(lo, below), lo)
        lb = np.where(s_line & ~on, lo, lb)
        room = np.where(~(s_line & ~on), hi, lo)
        if float(c @ lb) > budget * (1 + 1e-12):
            cand = np.flatnonzero(s_line & on)
            if not len(cand):
                break
            on[cand[np.argmin(x[cand] / np.maximum(below[cand], 1e-300))]] = False
        elif float(c @ np.minimum(room, 1e300)) < budget * (1 - 1e-12):
            cand = np.flatnonzero(s_line & ~on)
            if not len(cand):
                break
            best = [envs[i].slopes[0] / c[i] if len(envs[i].xs) > 1 else 0.0 for i in cand]
            on[cand[int(np.argmax(best))]] = True
        else:
            break
    return on


def _lam_estimate(m, c, free, movable):
    if free.any():
        return float(np.sum(m[free] * c[free]) / np.sum(c[free] ** 2))
    if movable.any():
        return float(np.median(m[movable] / c[movable]))
    return 0.0


def _log_step(x, m, e, lb, hi, c, budget, fixed_off, drop, step_abs, floor_x):
    """Spends after one Newton step per line, with ``c @ x == budget``.

    Each line takes the more cautious of a log-log step (exact for a power-law marginal,
    ``e`` its elasticity) and a linear step (right where the marginal is nearly flat, as
    for a concave curve near zero spend). A trust region (x/4 .. 4x + step_abs) keeps the
    secant curvature local; ``lambda`` is found by bisection so the budget is used exactly.
    """
    active = ~fixed_off & ~drop
    base = np.where(drop, lb, np.clip(x, lb, hi))
    x = np.maximum(x, floor_x)  # log space needs x > 0; below the floor a line sits at lb
    to_bound = lb < floor_x
    safe_m = np.maximum(m, 1e-300)
    inv_e = 1.0 / e
    h = e * safe_m / np.maximum(x, 1e-300)  # d marginal / d spend (negative)
    low = np.maximum(lb, x / 4)
    high = np.minimum(hi, 4 * x + step_abs)
    log_c = np.log(c) - np.log(safe_m)

    def spend(log_lam: float) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            x_log = x * np.exp(np.clip((log_lam + log_c) * inv_e, -1.4, 1.4))
            x_lin = x + (np.exp(log_lam) * c - m) / h
        out = base.copy()
        x_lin = np.where(np.isfinite(x_lin), x_lin, high)
        # the more cautious of the two models: a power law near zero and a flat marginal
        # each make the other's step overshoot
        step = np.clip(np.where(np.abs(x_lin - x) < np.abs(x_log - x), x_lin, x_log), low, high)
        step = np.where(to_bound & (step <= floor_x * (1 + 1e-6)), lb, step)
        out[active] = step[active]
        return out

    if not active.any():
        return _rebalance(base, lb, hi, c, budget, movable=~fixed_off)
    target = budget - float(c[~active] @ base[~active])
    lo_l, hi_l = -200.0, 200.0
    for _ in range(200):  # bisection in log lambda; spend falls as lambda rises
        mid = 0.5 * (lo_l + hi_l)
        if float(c[active] @ spend(mid)[active]) > target:
            lo_l = mid
        else:
            hi_l = mid
        if hi_l - lo_l < 1e-13:
            break
    return _rebalance(spend(0.5 * (lo_l + hi_l)), lb, hi, c, budget, movable=~fixed_off)


def _rebalance(x, lo, hi, c, budget, movable):
    """Scale movable lines so that ``c @ x == budget`` exactly, within bounds."""
    x = np.clip(x, lo, hi)
    for _ in range(50):
        gap = budget - float(c @ x)
        if abs(gap) <= 1e-12 * max(1.0, budget):
            break
        room = (hi - x) if gap > 0 else (x - lo)
        room = np.where(movable & np.isfinite(room), room, 0.0)
        room = np.where(movable & ~np.isfinite(hi - x) & (gap > 0), abs(gap), room)
        total = float(c @ room)
        if total <= 0:
            break
        share = min(1.0, abs(gap) / total)
        x = x + np.sign(gap) * room * share
        x = np.clip(x, lo, hi)
    return x



__all__ = ["Candidate", "polish"]
