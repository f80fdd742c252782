"""Pacing: plan versus actual spend this period per line, projected end spend, budget to land.

Spend is counted for the complete days of the period before the evaluation date; the
projection adds the recent run rate (last 7 days) for the days left, today included. The
daily budget that lands a line on plan spreads what is left evenly over those days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from adbudget.errors import InputError
from adbudget.period import Period

PACING_COLUMNS = [
    "market", "channel", "bucket", "plan", "spent", "expected_to_date", "pace", "run_rate",
    "projected", "projected_pct", "days_left", "required_daily", "plan_daily", "status",
]


def parse_period(period: str | Period) -> tuple[date, date]:
    """First and last day of a period in the product's one grammar (:mod:`adbudget.period`:
    ``2026-11``, ``2026-W45``, ``2026-Q4``, ``2026-11-01:2026-11-30``)."""
    p = period if isinstance(period, Period) else Period.parse(period)
    return p.start, p.end


@dataclass(frozen=True)
class PacingReport:
    """Pacing of every planned (and unplanned but spending) line for one date."""

    period: str
    start: date
    end: date
    as_of: date
    days_total: int
    days_elapsed: int
    lines: pd.DataFrame  # PACING_COLUMNS
    tolerance_pct: float
    reserve: float = 0.0  # the plan's reserve bucket for the period (released only by a trigger)


def pacing(
    plan_lines: pd.DataFrame,
    spend: pd.DataFrame,
    period: str | Period,
    as_of: date,
    *,
    tolerance_pct: float = 10.0,
    run_rate_days: int = 7,
) -> PacingReport:
    """Compare plan amounts with actual spend (``date, market, channel, spend``, base currency).

    *plan_lines* has ``market, channel, amount_base`` (several rows per line, e.g. one per
    bucket, are added up) and optionally ``bucket`` and ``daily_budget_base``.
    """
    per = period if isinstance(period, Period) else Period.parse(period)
    start, end = per.start, per.end
    as_of = pd.Timestamp(as_of).date()
    days_total = (end - start).days + 1
    clamp = min(max(as_of, start), end + timedelta(days=1))
    days_elapsed = (clamp - start).days
    days_left = max((end - clamp).days + 1, 0)

    is_reserve = (plan_lines["bucket"] == "reserve") if "bucket" in plan_lines else None
    reserve = 0.0
    if is_reserve is not None and is_reserve.any():
        reserve = float(pd.to_numeric(plan_lines.loc[is_reserve, "amount_base"], errors="coerce").sum())
        plan_lines = plan_lines[~is_reserve]
    plan = _plan_by_line(plan_lines)
    s = spend.copy()
    s["date"] = pd.to_datetime(s["date"]).dt.date
    in_period = s[(s["date"] >= start) & (s["date"] < clamp)]
    spent = in_period.groupby(["market", "channel"])["spend"].sum()
    rr_start = as_of - timedelta(days=run_rate_days)
    recent = s[(s["date"] >= rr_start) & (s["date"] < as_of)]
    run_rate = recent.groupby(["market", "channel"])["spend"].sum() / run_rate_days

    idx = plan.index.union(spent.index[spent > 0])
    out = pd.DataFrame(index=idx)
    out["bucket"] = plan["bucket"].reindex(idx)
    out["plan"] = plan["plan"].reindex(idx).fillna(0.0)
    out["plan_daily"] = plan["plan_daily"].reindex(idx)
    out["spent"] = spent.reindex(idx).fillna(0.0)
    out["expected_to_date"] = out["plan"] * days_elapsed / days_total
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pace"] = np.where(out["expected_to_date"] > 0, out["spent"] / out["expected_to_date"], np.nan)
    out["run_rate"] = run_rate.reindex(idx).fillna(0.0)
    out["projected"] = out["spent"] + out["run_rate"] * days_left
    with np.errstate(divide="ignore", invalid="ignore"):
        out["projected_pct"] = np.where(out["plan"] > 0, 100.0 * out["projected"] / out["plan"], np.nan)
    out["days_left"] = days_left
    remaining = (out["plan"] - out["spent"]).clip(lower=0.0)
    out["required_daily"] = remaining / days_left if days_left else 0.0
    tol = tolerance_pct / 100.0
    status = np.where(
        out["plan"] <= 0, "unplanned",
        np.where(out["projected"] > out["plan"] * (1 + tol), "over",
                 np.where(out["projected"] < out["plan"] * (1 - tol), "under", "on_track")),
    )
    out["status"] = status
    out = out.reset_index().rename(columns={"level_0": "market", "level_1": "channel"})
    out = out[PACING_COLUMNS].sort_values(["market", "channel"]).reset_index(drop=True)
    return PacingReport(per.label, start, end, as_of, days_total, days_elapsed, out, tolerance_pct, reserve)


def _plan_by_line(plan_lines: pd.DataFrame) -> pd.DataFrame:
    need = {"market", "channel", "amount_base"}
    missing = need - set(plan_lines.columns)
    if missing:
        raise InputError(f"plan lines need columns {', '.join(sorted(missing))}")
    p = plan_lines.copy()
    p["amount_base"] = pd.to_numeric(p["amount_base"], errors="coerce").fillna(0.0)
    if "bucket" not in p:
        p["bucket"] = None
    if "daily_budget_base" not in p:
        p["daily_budget_base"] = np.nan
    p["daily_budget_base"] = pd.to_numeric(p["daily_budget_base"], errors="coerce")
    g = p.groupby(["market", "channel"])
    out = pd.DataFrame({
        "plan": g["amount_base"].sum(),
        "plan_daily": g["daily_budget_base"].sum(min_count=1),
        "bucket": g["bucket"].agg(lambda b: "+".join(sorted({str(x) for x in b if x is not None and x == x}))
                                  or None),
    })
    out.index.names = ["market", "channel"]
    return out
