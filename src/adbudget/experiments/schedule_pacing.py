"""Pacing a per-day schedule (a plan with its switchback arms) instead of an even spread.

The rules engine's pacing (``adbudget.rules.pacing``) spreads each line's plan evenly over
the period. A schedule with scale tests is not even: a tested line runs at 1.5x on high days
and 0.5x on low days, and pacing it against the average would tell the team to cut the high
days and fill the low ones — undoing the test. Here the expectation to date is the schedule's
own spend before the evaluation day, today's budget is today's scheduled spend (its arm), and
the budget that lands a line on plan scales today's scheduled spend by what is left of the
plan over what is left of the schedule. The result is the rules engine's ``PacingReport``, so
its renderers and JSON work unchanged.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from adbudget.rules.pacing import PACING_COLUMNS, PacingReport


def schedule_pacing(schedule: pd.DataFrame, spend: pd.DataFrame, as_of: date | str,
                    tolerance_pct: float = 10.0, run_rate_days: int = 7) -> PacingReport:
    """Spend to date against a schedule (``date, market, channel, spend`` [, arm]) for the day
    ``as_of`` (spend counted on the schedule's days before it). ``spend``: ``date, market,
    channel, spend`` in the schedule's currency. Adds ``arm_today`` (hi, lo or empty)."""
    sched = schedule.copy()
    sched["date"] = pd.to_datetime(sched["date"]).dt.normalize()
    day = pd.Timestamp(as_of).normalize()
    start, end = sched["date"].min(), sched["date"].max()
    clamp = min(max(day, start), end + pd.Timedelta(days=1))
    days_total = int((end - start).days) + 1
    days_elapsed = int((clamp - start).days)
    days_left = max(int((end - clamp).days) + 1, 0)
    keys = ["market", "channel"]
    plan = sched.groupby(keys)["spend"].sum()
    before = sched[sched["date"] < clamp].groupby(keys)["spend"].sum()
    after = sched[sched["date"] >= clamp].groupby(keys)["spend"].sum()
    today = sched[sched["date"] == clamp]
    today_spend = today.groupby(keys)["spend"].sum()
    arm = (today.groupby(keys)["arm"].agg(lambda a: ",".join(sorted({str(x) for x in a
                                                                        if isinstance(x, str) and x})))
           if "arm" in today else pd.Series(dtype=object))
    s = spend.copy()
    s["date"] = pd.to_datetime(s["date"]).dt.normalize()
    spent = s[(s["date"] >= start) & (s["date"] < clamp)].groupby(keys)["spend"].sum()
    recent = s[(s["date"] >= day - pd.Timedelta(days=run_rate_days)) & (s["date"] < day)]
    run_rate = recent.groupby(keys)["spend"].sum() / run_rate_days
    idx = plan.index.union(spent.index[spent > 0])
    out = pd.DataFrame(index=idx)
    out["bucket"] = None
    out["plan"] = plan.reindex(idx).fillna(0.0)
    out["spent"] = spent.reindex(idx).fillna(0.0)
    out["expected_to_date"] = before.reindex(idx).fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pace"] = np.where(out["expected_to_date"] > 0, out["spent"] / out["expected_to_date"],
                               np.nan)
    out["run_rate"] = run_rate.reindex(idx).fillna(0.0)
    left = after.reindex(idx).fillna(0.0)
    # the rest of the schedule runs as scheduled, scaled to land on plan
    remaining = (out["plan"] - out["spent"]).clip(lower=0.0)
    scale = np.where(left > 0, remaining / left.where(left > 0, 1.0), 0.0)
    out["projected"] = out["spent"] + left * np.where(out["pace"].notna(), out["pace"], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["projected_pct"] = np.where(out["plan"] > 0, 100.0 * out["projected"] / out["plan"], np.nan)
    out["days_left"] = days_left
    out["plan_daily"] = today_spend.reindex(idx).fillna(0.0)
    out["required_daily"] = out["plan_daily"] * scale
    tol = tolerance_pct / 100.0
    out["status"] = np.where(
        out["plan"] <= 0, "unplanned",
        np.where(out["projected"] > out["plan"] * (1 + tol), "over",
                 np.where(out["projected"] < out["plan"] * (1 - tol), "under", "on_track")))
    out = out.reset_index()
    out = out[PACING_COLUMNS].assign(
        arm_today=[arm.get((m, c), "") for m, c in zip(out["market"], out["channel"], strict=True)])
    out = out.sort_values(keys).reset_index(drop=True)
    label = f"{start.date()}:{end.date()}"
    return PacingReport(label, start.date(), end.date(), clamp.date(), days_total, days_elapsed,
                        out, tolerance_pct)


__all__ = ["schedule_pacing"]
