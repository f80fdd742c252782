"""Score an allocation by a simulated world's truth: like with like, against two oracles.

A plan is judged by how much of the *available* improvement over doing nothing it captures:

    gain captured = (plan's true profit - last period's split) / (oracle - last period's split)

"Last period's split" spends the same money in the shares the lines had over the last 28
days (the status quo). Two oracles (full knowledge of the true curves) set the ceiling:

* the **oracle**: the best split of the same money, no line bounds;
* the **trust-region oracle**: the best split that moves no line more than ``max_change``
  from last period's split (the planner's own limit), so a cautious planner is compared with
  the best cautious plan.

Negative gain means the advice is worse than keeping last period's split. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from adbudget.simulate.oracle import optimize
from adbudget.simulate.world import Period, World, period_dates

STATUS_QUO_DAYS = 28


@dataclass(frozen=True)
class AllocationScore:
    """True profit (contribution minus spend, base currency, over the period) of a split and
    of its yardsticks, and the share of the possible gain it captured."""

    budget: float  # money split over the period (the scored lines' sum)
    days: int
    max_change: float | None
    plan_profit: float
    last_period_profit: float  # the same money in last period's shares
    trust_region_profit: float | None  # best split within +- max_change of last period's
    oracle_profit: float  # best split, no bounds
    equal_split_profit: float
    wasted: float = 0.0  # money on lines the world does not have (spent for nothing)

    @property
    def gain_captured(self) -> float | None:
        """(plan - last period) / (oracle - last period); None when no gain is possible."""
        return _gain(self.plan_profit, self.last_period_profit, self.oracle_profit)

    @property
    def gain_captured_trust_region(self) -> float | None:
        """Gain captured against the trust-region oracle."""
        if self.trust_region_profit is None:
            return None
        return _gain(self.plan_profit, self.last_period_profit, self.trust_region_profit)

    @property
    def regret_pct(self) -> float:
        """100 x (oracle - plan) / |oracle|."""
        if not self.oracle_profit:
            return 0.0
        return 100 * (self.oracle_profit - self.plan_profit) / abs(self.oracle_profit)

    def as_dict(self) -> dict[str, float | int | None]:
        out = asdict(self)
        out.update(gain_captured=self.gain_captured,
                   gain_captured_trust_region=self.gain_captured_trust_region,
                   regret_pct=self.regret_pct)
        return out


def _gain(plan: float, last: float, best: float) -> float | None:
    room = best - last
    if room <= 1e-9 * max(abs(best), 1.0):
        return None
    return (plan - last) / room


def status_quo(world: World, daily_budget: float) -> np.ndarray:
    """Last period's split (mean daily spend of the last 28 days) rescaled to the budget."""
    now = world.current_spend(STATUS_QUO_DAYS)
    if now.sum() <= 0:
        return np.full(len(now), daily_budget / max(len(now), 1))
    return now / now.sum() * daily_budget


def _on_world_lines(world: World, daily: Mapping[tuple[str, str], float] | np.ndarray
                    ) -> tuple[np.ndarray, float]:
    """(daily spend in ``world.lines`` order, daily money on lines the world does not have);
    a ``reserve`` key is money kept back, neither spent nor wasted."""
    known = world.lines
    if not isinstance(daily, Mapping):
        return np.asarray(daily, float), 0.0
    lines = set(known)
    wasted = float(sum(v for (m, c), v in daily.items() if (m, c) not in lines and c != "reserve"))
    return np.asarray([float(daily.get(k, 0.0)) for k in known]), wasted


def score_allocation(world: World, daily: Mapping[tuple[str, str], float] | np.ndarray,
                     period: Period = "next", max_change: float | None = 0.3,
                     budget: float | None = None) -> AllocationScore:
    """Score a daily spend per line (a mapping (market, channel) -> daily spend, or an array in
    ``world.lines`` order) against last period's split and the oracles of the same money:
    ``budget`` (total over the period; default: what the allocation spends).

    Money on lines the world does not have counts as spent for nothing (``wasted``); a
    ``reserve`` key is money kept back, not spent.
    """
    known = world.lines
    spend, wasted = _on_world_lines(world, daily)
    dates = period_dates(period, world.spec.end, world.spec.start)
    days = 30 if dates is None else len(dates)
    daily_budget = float(spend.sum()) if budget is None else budget / days
    curves = world.true_curves(period)
    weights = world.profit_weights()
    last = status_quo(world, daily_budget)
    oracle = optimize(curves, daily_budget, weights, days=days)
    trust = None
    if max_change is not None:
        lo, hi = last * (1 - max_change), last * (1 + max_change)
        trust = optimize(curves, daily_budget, weights, lo, hi, days=days).profit
    equal = np.full(len(known), daily_budget / max(len(known), 1))
    return AllocationScore(
        budget=daily_budget * days, days=days, max_change=max_change,
        plan_profit=world.true_profit(spend, period) - wasted * days,
        last_period_profit=world.true_profit(last, period),
        trust_region_profit=trust, oracle_profit=oracle.profit,
        equal_split_profit=world.true_profit(equal, period), wasted=wasted * days,
    )


def score_horizon(world: World, daily: Mapping[tuple[str, str], float] | np.ndarray,
                  budget: float | None = None, months: int = 12, annual_discount: float = 0.10,
                  max_change: float | None = None, oracle: bool = True) -> AllocationScore:
    """Like :func:`score_allocation`, but every split is held for ``months`` months and valued
    by its discounted true profit with the brand stock evolving (``simulate.horizon``): brand
    money is worth what it builds. ``days`` is the horizon's day count; the oracles are the
    brand-aware near-best splits (``horizon_oracle``; ``oracle=False`` skips them, the slow
    part, and reports NaN). Money on lines the world does not have is spent for nothing every
    day of the horizon; a ``reserve`` key is money kept back."""
    from adbudget.simulate.horizon import _Horizon, horizon_oracle

    known = world.lines
    spend, wasted = _on_world_lines(world, daily)
    h = _Horizon(world, months, annual_discount)
    disc_days = float(h.day_disc.sum())
    first_days = len(h.dates[0])
    daily_budget = float(spend.sum()) if budget is None else budget / first_days
    last = status_quo(world, daily_budget)
    best = (h.value(horizon_oracle(world, daily_budget, months, annual_discount, start=last,
                                   horizon=h)).profit if oracle else float("nan"))
    trust = None
    if max_change is not None and oracle:
        trust = h.value(horizon_oracle(world, daily_budget, months, annual_discount,
                                       last * (1 - max_change), last * (1 + max_change),
                                       start=last, horizon=h)).profit
    equal = np.full(len(known), daily_budget / max(len(known), 1))
    return AllocationScore(
        budget=daily_budget * h.n_days, days=h.n_days, max_change=max_change,
        plan_profit=h.value(spend).profit - wasted * disc_days,
        last_period_profit=h.value(last).profit, trust_region_profit=trust,
        oracle_profit=best, equal_split_profit=h.value(equal).profit,
        wasted=wasted * h.n_days,
    )


def performance_allocation(plan_lines: list[Any]) -> dict[tuple[str, str], float]:
    """Daily budget per (market, channel) of a plan's performance bucket; its lines as
    mappings or objects with ``bucket``, ``market``, ``channel``, ``daily_budget_base``."""
    out: dict[tuple[str, str], float] = {}
    for row in plan_lines:
        get = row.get if isinstance(row, Mapping) else (lambda k, r=row: getattr(r, k, None))
        if get("bucket") != "performance" or not get("channel"):
            continue
        key = (str(get("market")), str(get("channel")))
        out[key] = out.get(key, 0.0) + float(get("daily_budget_base") or 0.0)
    return out


__all__ = ["AllocationScore", "performance_allocation", "score_allocation", "score_horizon",
           "status_quo"]
