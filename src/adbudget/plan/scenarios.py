"""Scenarios: plans at several budgets, and the efficient frontier of profit vs budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from adbudget.plan.planner import PlanInputs, make_plan
from adbudget.plan.result import Frontier, FrontierPoint, PlanResult


def scenarios(inp: PlanInputs, budgets: Sequence[float]) -> list[PlanResult]:
    """One plan per total budget (same settings, curves and constraints)."""
    return [make_plan(replace(inp, budget=float(b))) for b in budgets]


def frontier(inp: PlanInputs, budgets: Sequence[float] | None = None) -> Frontier:
    """Expected profit and revenue of the best plan at each budget, and where marginal profit is 0.

    Marginal profit at a budget is ``lambda - 1`` for the profit objective (``lambda`` is the
    optimum's value per extra unit of total budget); otherwise the slope between points.
    The zero crossing is interpolated between the two budgets that bracket it.
    """
    if budgets is None:
        budgets = np.linspace(0.25, 3.0, inp.settings.plan.frontier_points) * inp.budget
    budgets = sorted(float(b) for b in budgets)
    plans = scenarios(inp, budgets)
    points: list[FrontierPoint] = []
    profits = [p.totals.get("profit") or 0.0 for p in plans]
    for k, p in enumerate(plans):
        if inp.objective == "profit" and p.check is not None:
            mp = p.check.marginal_value - 1.0
        elif len(plans) > 1:
            j = min(k, len(plans) - 2)
            mp = (profits[j + 1] - profits[j]) / (budgets[j + 1] - budgets[j])
        else:
            mp = None
        tt = p.totals
        points.append(FrontierPoint(
            budget=budgets[k], revenue=tt.get("revenue") or 0.0, revenue_lo=tt.get("revenue_lo") or 0.0,
            revenue_hi=tt.get("revenue_hi") or 0.0, profit=tt.get("profit") or 0.0,
            profit_lo=tt.get("profit_lo") or 0.0, profit_hi=tt.get("profit_hi") or 0.0,
            marginal_profit=mp,
        ))
    zero = None
    for a, b in zip(points, points[1:], strict=False):
        if a.marginal_profit is None or b.marginal_profit is None:
            continue
        if a.marginal_profit > 0 >= b.marginal_profit:
            w = a.marginal_profit / (a.marginal_profit - b.marginal_profit)
            zero = a.budget + w * (b.budget - a.budget)
            break
    return Frontier(points, zero)


__all__ = ["frontier", "scenarios"]
