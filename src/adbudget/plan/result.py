"""Typed results of the planner: plan lines, the plan, scenarios."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from adbudget.plan.buckets import BucketPolicy
from adbudget.plan.optimizer import OptimalityCheck

LINE_COLUMNS = [
    "bucket", "market", "channel", "amount_base", "amount_local", "currency",
    "daily_budget_base", "expected_revenue", "expected_revenue_lo", "expected_revenue_hi",
    "expected_profit", "expected_profit_lo", "expected_profit_hi", "marginal_roas",
    "breakeven_roas", "breakeven_roas_ltv", "saturation_pct", "change_pct", "reason",
]


@dataclass(frozen=True)
class PlanLine:
    """One row of the plan: money for a bucket in a market on a channel, and why.

    Money in the base currency unless ``_local``; expected values are for the whole period
    with an 80 % interval (posterior P10–P90). Fields are None where they do not apply
    (reserve, channels without a fitted curve).
    """

    bucket: str
    market: str
    channel: str
    amount_base: float
    amount_local: float | None
    currency: str
    daily_budget_base: float
    expected_revenue: float | None = None
    expected_revenue_lo: float | None = None
    expected_revenue_hi: float | None = None
    expected_profit: float | None = None
    expected_profit_lo: float | None = None
    expected_profit_hi: float | None = None
    marginal_roas: float | None = None
    breakeven_roas: float | None = None
    saturation_pct: float | None = None
    change_pct: float | None = None
    reason: str = ""
    reason_key: str = ""
    reason_args: dict[str, Any] = field(default_factory=dict)
    status: str = ""  # optimizer status of performance lines: free/lower/upper/off/threshold
    triggers: list[str] = field(default_factory=list)  # reserve lines: release triggers
    # break-even when the line's value counts customer lifetime value (None without LTV);
    # ``breakeven_roas`` is always the first-order one (adbudget.economics)
    breakeven_roas_ltv: float | None = None

    def record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StageAdvice:
    """A suggestion to move a market to another stage, with the evidence."""

    market: str
    current: str
    suggested: str
    reason: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class PlanResult:
    """A complete plan: lines that add up exactly to the budget, and its explanations."""

    period: str
    days: int
    budget: float
    base_currency: str
    objective: str
    lines: list[PlanLine]
    policies: dict[str, BucketPolicy]
    check: OptimalityCheck | None
    totals: dict[str, float | None]
    notes: list[str]
    advice: list[StageAdvice] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    plan_id: int | None = None
    created_at: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The plan table (one row per line, the documented columns first)."""
        df = pd.DataFrame([line.record() for line in self.lines])
        if df.empty:
            return pd.DataFrame(columns=LINE_COLUMNS)
        rest = [c for c in df.columns if c not in LINE_COLUMNS]
        return df[LINE_COLUMNS + rest]

    def records(self) -> list[dict[str, Any]]:
        return [line.record() for line in self.lines]

    def by_bucket(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.bucket] = round(out.get(line.bucket, 0.0) + line.amount_base, 6)
        return out

    def by_market(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.market] = round(out.get(line.market, 0.0) + line.amount_base, 6)
        return out

    def summary(self) -> dict[str, Any]:
        """JSON-ready view: totals, buckets, markets, check, notes, advice, lines."""
        return {
            "plan_id": self.plan_id,
            "created_at": self.created_at,
            "period": self.period,
            "days": self.days,
            "budget": self.budget,
            "base_currency": self.base_currency,
            "objective": self.objective,
            "totals": self.totals,
            "buckets": self.by_bucket(),
            "markets": self.by_market(),
            "policies": {m: {"shares": p.shares, "source": p.source, "shifts": p.explain()}
                         for m, p in self.policies.items()},
            "check": asdict(self.check) if self.check else None,
            "notes": self.notes,
            "advice": [asdict(a) for a in self.advice],
            "lines": self.records(),
        }


@dataclass(frozen=True)
class FrontierPoint:
    """Expected outcome of the best plan at one total budget."""

    budget: float
    revenue: float
    revenue_lo: float
    revenue_hi: float
    profit: float
    profit_lo: float
    profit_hi: float
    marginal_profit: float | None  # profit from one more unit of budget


@dataclass(frozen=True)
class Frontier:
    """Profit and revenue versus total budget, and the budget where marginal profit is 0."""

    points: list[FrontierPoint]
    zero_marginal_budget: float | None
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(p) for p in self.points])


__all__ = ["LINE_COLUMNS", "Frontier", "FrontierPoint", "PlanLine", "PlanResult", "StageAdvice"]
