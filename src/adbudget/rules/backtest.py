"""Backtest: replay history day by day as if the rules had run, and count what changes.

Each morning ``d`` the rules see the (counterfactual) data up to ``d - 1`` and act; the actions
change line ``l``'s spend on ``d`` by a multiplier ``m`` (0 when paused; budget and bid
relative to their starting values otherwise), impressions and clicks with it. Conversions
and revenue change by ``g(m)``: with response curves ``g(m) = r(m·S) / r(S)`` for the line's
market × channel curve at its usual daily spend ``S`` (a campaign is taken to respond like a
scaled copy of its line). Without curves, cuts scale conversions proportionally (``g(m) = m``
for ``m ≤ 1``: conservative for a stop-loss, it counts every lost conversion) and raises with a
constant elasticity (``g(m) = m^e`` for ``m > 1``, default ``e = 0.5``), since returns diminish
past the spend the data has seen and a proportional gain would let a scaling rule compound
forever; the report says which was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from adbudget.curves import ResponseCurves
from adbudget.rules.metrics import build_cube, build_lines, earliest_day, metrics_from_cube
from adbudget.rules.resolve import evaluate
from adbudget.rules.spec import RuleSet


@dataclass(frozen=True)
class BacktestResult:
    """Actual versus with-rules totals over a replayed period."""

    start: date
    end: date
    method: str  # "curves" or "proportional"
    spend_actual: float
    spend_rules: float
    conversions_actual: float
    conversions_rules: float
    revenue_actual: float
    revenue_rules: float
    by_line: pd.DataFrame
    daily: pd.DataFrame
    actions: pd.DataFrame
    elasticity: float = 0.5  # without curves: conversions ∝ (spend ratio)^elasticity on raises

    @property
    def spend_saved(self) -> float:
        return self.spend_actual - self.spend_rules

    @property
    def conversions_change(self) -> float:
        """Conversions gained (positive) or lost (negative) with the rules."""
        return self.conversions_rules - self.conversions_actual

    @property
    def conversions_change_pct(self) -> float:
        return 100.0 * self.conversions_change / self.conversions_actual if self.conversions_actual else 0.0

    @property
    def spend_saved_pct(self) -> float:
        return 100.0 * self.spend_saved / self.spend_actual if self.spend_actual else 0.0


def backtest(
    ruleset: RuleSet,
    daily: pd.DataFrame,
    start: date,
    end: date,
    *,
    targets: pd.DataFrame | None = None,
    curves: ResponseCurves | None = None,
    reserve_daily: float = 0.0,
    bucket_patterns: dict[str, str] | None = None,
    elasticity: float = 0.5,
) -> BacktestResult:
    """Replay *daily* (same columns as :func:`~adbudget.rules.metrics.compute_metrics`) from *start* to *end*."""
    start = pd.Timestamp(start).date()
    end = pd.Timestamp(end).date()
    lines = build_lines(daily, bucket_patterns)
    windows = ruleset.windows()
    first = min(earliest_day(start, windows), start - timedelta(days=7))
    actual = build_cube(daily, lines, first, end)
    cf = build_cube(daily, lines, first, end)
    n = len(lines)
    g = _response_ratio(lines, curves, elasticity)

    state: pd.DataFrame | None = None
    base_budget = base_bid = None
    history: list[pd.DataFrame] = []
    logs: list[pd.DataFrame] = []
    daily_rows = []
    day = start
    while day <= end:
        m = metrics_from_cube(cf, day, windows, state=state, targets=targets, upto=day)
        if base_budget is None:
            base_budget = np.where(m.state["daily_budget"] > 0, m.state["daily_budget"], np.nan)
            base_bid = np.where(m.state["bid"] > 0, m.state["bid"], np.nan)
        hist = pd.concat(history, ignore_index=True) if history else None
        ev = evaluate(ruleset, m, history=hist, reserve_daily=reserve_daily, snapshot=False)
        if len(ev.actions):
            applied = ev.actions.assign(for_date=day)
            logs.append(applied)
            history.append(applied[["rule", "line", "for_date"]])
        after = ev.state_after
        status = after["status"].to_numpy(object)
        with np.errstate(invalid="ignore", divide="ignore"):
            mult = np.nan_to_num(after["daily_budget"].to_numpy(float) / base_budget, nan=1.0)
            mult *= np.nan_to_num(after["bid"].to_numpy(float) / base_bid, nan=1.0)
        mult = np.where(np.isin(status, ["paused", "paused_today"]), 0.0, np.maximum(mult, 0.0))
        row = actual.offset(day) + 1
        gm = g(mult)
        for k in ("spend", "impressions", "clicks", "reach"):
            cf.data[k][row] = actual.data[k][row] * mult
        for k in ("conversions", "revenue"):
            cf.data[k][row] = actual.data[k][row] * gm
        daily_rows.append((day, actual.data["spend"][row].sum(), cf.data["spend"][row].sum(),
                           actual.data["conversions"][row].sum(), cf.data["conversions"][row].sum(),
                           actual.data["revenue"][row].sum(), cf.data["revenue"][row].sum()))
        # tomorrow: a pause for today lapses, everything else carries over
        nxt = after.copy()
        nxt.loc[nxt["status"] == "paused_today", "status"] = "active"
        state = nxt
        day += timedelta(days=1)

    a, b = actual.offset(start) + 1, actual.offset(end) + 2
    by_line = lines[["line", "market", "channel", "campaign", "bucket"]].copy()
    for k in ("spend", "conversions", "revenue"):
        by_line[f"{k}_actual"] = actual.data[k][a:b].sum(axis=0) if n else []
        by_line[f"{k}_rules"] = cf.data[k][a:b].sum(axis=0) if n else []
    daily_df = pd.DataFrame(daily_rows, columns=["date", "spend_actual", "spend_rules", "conversions_actual",
                                                 "conversions_rules", "revenue_actual", "revenue_rules"])
    acts = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame(columns=["for_date", "rule", "line", "action"])
    tot = daily_df.sum(numeric_only=True)
    return BacktestResult(
        start, end, "curves" if curves is not None else "proportional",
        float(tot.get("spend_actual", 0.0)), float(tot.get("spend_rules", 0.0)),
        float(tot.get("conversions_actual", 0.0)), float(tot.get("conversions_rules", 0.0)),
        float(tot.get("revenue_actual", 0.0)), float(tot.get("revenue_rules", 0.0)),
        by_line, daily_df, acts, elasticity,
    )


def _response_ratio(lines: pd.DataFrame, curves: ResponseCurves | None, elasticity: float = 0.5):
    """``g(m)`` per line: the proportional change of conversions when spend is multiplied by m."""
    if curves is None:
        return lambda mult: np.where(mult > 1.0, np.power(np.maximum(mult, 1.0), elasticity), mult)
    pos = {tuple(x): i for i, x in enumerate(curves.lines)}
    col = np.array([pos.get((m, c), -1) for m, c in zip(lines["market"], lines["channel"], strict=True)])
    s_now = np.asarray(curves.current_spend, float)
    base = np.asarray(curves.response(s_now)).mean(axis=0)

    def g(mult: np.ndarray) -> np.ndarray:
        out = np.where(mult > 1.0, np.power(np.maximum(mult, 1.0), elasticity), mult).astype(float)
        has = (col >= 0) & (mult != 1.0)
        if not has.any():
            return out
        # evaluate each affected line's curve at m·S, one (k, n_curve_lines) batch
        k = int(has.sum())
        spend = np.tile(s_now, (k, 1))
        cols = col[has]
        spend[np.arange(k), cols] = s_now[cols] * mult[has]
        resp = np.asarray(curves.response(spend)).mean(axis=0)  # (k, n_curve_lines)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = resp[np.arange(k), cols] / base[cols]
        out[has] = np.where(np.isfinite(ratio), ratio, mult[has])
        return out

    return g
