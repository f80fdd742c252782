"""The planner: buckets per market, market split by marginal return, the performance
optimizer, brand/test/reserve, and a plan table that adds up exactly to the budget.

Market split. Each market's bucket shares are fixed by its policy, so one unit of
performance money in market m commits ``1 / p_m`` units of the total budget (its brand,
test and reserve ride along). The optimizer therefore gives every line the budget cost
``c_i = 1 / p_m`` and equalizes marginal value *per unit of total budget*; the market totals
follow as ``T_m = P_m / p_m``. Entry markets are outside this: under the focus rule the first
``max_entry_markets`` of them get a validation budget, the others wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from adbudget.config.catalog import MINOR_UNITS
from adbudget.config.settings import MarketSettings, Settings
from adbudget.curves import ResponseCurves
from adbudget.economics import UnitEconomics
from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.plan import stages
from adbudget.plan.result import PlanLine, PlanResult
from adbudget.plan.stages import PlanRow


@dataclass(frozen=True)
class PlanInputs:
    """Everything the planner needs; the workspace builds it from the store."""

    budget: float  # total for the period, base currency
    period: str
    days: int
    settings: Settings
    curves: ResponseCurves | None
    objective: str = "profit"
    max_change: float | None = 0.3
    buckets: Mapping[str, float] | None = None  # --buckets (applies to every market)
    risk_quantile: float | None = None
    history: pd.DataFrame | None = None  # market, channel, daily_spend, cpm
    fx: Mapping[str, float] = field(default_factory=dict)  # currency -> units per 1 base
    aov: Mapping[str, float] = field(default_factory=dict)  # market -> average order value
    ltv: Mapping[tuple[str, str], float] = field(default_factory=dict)
    experiments: pd.DataFrame | None = None  # test arms: market, channel, amount_base, arm
    # or: the allocation of a test budget over live arms, called once the test buckets are
    # known (total test money, days) -> arms as above, or None when no arm is live
    allocate_tests: Callable[[float, int], pd.DataFrame | None] | None = None
    entry_rule: bool = True
    brand: Mapping[str, Any] | None = None  # market -> response.brand.BrandEstimate (plan.brand)
    # the last plan's brand and test money per line and day, over the days ``history`` covers:
    # the performance bucket's move limit is taken around the rest (the performance money),
    # so brand money on a channel that is also a performance line does not ratchet it up
    non_performance: Mapping[tuple[str, str], float] | None = None


def value_per_revenue(ms: MarketSettings, aov: float) -> float:
    """Contribution per unit of net revenue (after refunds, what the response curves predict).

    One formula for the whole product: :class:`adbudget.economics.UnitEconomics`.
    """
    return UnitEconomics.of(ms, aov).contribution_per_revenue


def make_plan(inp: PlanInputs) -> PlanResult:
    """Build the plan (pure: no I/O). Raises InputError/SettingsError with a clear reason.

    The stages (``adbudget.plan.stages``) each return a frozen object for the next: policies
    and unit economics, the entry/scale market split, the performance optimizer, the bucket
    rows, exact cents; the rows are then priced (revenue, profit, marginal ROAS, reasons).
    """
    if not inp.budget > 0:
        raise InputError(t("plan.error.budget", budget=inp.budget))
    if inp.days <= 0:
        raise InputError(t("plan.error.days", days=inp.days))
    st = stages.setup(inp)
    sp = stages.split_markets(inp, st)
    pf = stages.performance(inp, st, sp)
    rows, arms_used, row_notes = stages.bucket_rows(inp, st, sp, pf)
    rows = stages.to_cents(inp, rows)
    notes = [*st.notes, *sp.notes, *pf.notes, *row_notes]
    lines, totals = _metrics(inp, rows, sp.curve_lines, pf, st)
    check = pf.check
    if inp.ltv:
        notes.append(t("plan.note.ltv"))
    if (inp.objective == "profit" and check is not None and check.n_free > 0
            and 0 < check.marginal_value < 1.0):
        # the budget is a cap the optimizer fills; say when the last unit no longer pays
        notes.append(t("plan.note.past_profitable", lam=f"{check.marginal_value:.2f}"))
    return PlanResult(
        period=inp.period, days=inp.days, budget=float(inp.budget),
        base_currency=inp.settings.base_currency, objective=inp.objective, lines=lines,
        policies=st.policies, check=check, totals=totals, notes=notes,
        inputs=_inputs_record(inp, st.aov, arms_used),
    )


def _metrics(inp: PlanInputs, raw: list[PlanRow], curve_lines: list[tuple[str, str]],
             pf: stages.Performance, st: stages.Setup) -> tuple[list[PlanLine], dict[str, float | None]]:
    """Expected revenue/profit (P10–P90), marginal ROAS, saturation, change, reasons."""
    s = inp.settings
    curves, vpr, current, sol, bounds_by = inp.curves, st.vpr, st.current, pf.solution, pf.bounds_by
    days = inp.days
    n = len(curve_lines)
    index = {ln: i for i, ln in enumerate(curve_lines)}
    perf = np.zeros(n)
    extra = np.zeros(n)
    for r in raw:
        i = index.get((r.market, r.channel))
        if i is None:
            continue
        if r.bucket == "performance" and r.line is not None:
            perf[i] += r.amount / days
        elif r.bucket in ("brand", "test"):
            extra[i] += r.amount / days
    draws_perf = draws_all = marg = sat = None
    if n:
        draws_perf = curves.response(perf)  # (D, n) daily
        draws_all = curves.response(perf + extra) if extra.any() else draws_perf
        marg = curves.marginal(perf).mean(axis=0)
        big = 1000.0 * np.maximum.reduce([perf + extra, np.asarray(curves.current_spend, float),
                                          np.full(n, inp.budget / days / max(n, 1))])
        top = curves.response(big).mean(axis=0)
        sat = np.where(top > 0, draws_all.mean(axis=0) / np.maximum(top, 1e-300) * 100.0, np.nan)
    lam = sol.check.marginal_value if sol is not None else None
    by_mc: dict[tuple[str, str], float] = {}
    for r in raw:
        by_mc[(r.market, r.channel)] = by_mc.get((r.market, r.channel), 0.0) + r.amount
    lines: list[PlanLine] = []
    rev_draws_total = None
    profit_draws_total = None
    for r in raw:
        m, ch, amount = r.market, r.channel, r.amount
        ms = s.markets[m]
        i = index.get((m, ch))
        v = vpr[m] * float(inp.ltv.get((m, ch), 1.0))
        rev = None
        if i is not None and draws_perf is not None:
            if r.bucket == "performance" and r.line is not None:
                rev = draws_perf[:, i] * days
            elif r.bucket in ("brand", "test") and extra[i] > 0:
                inc = (draws_all[:, i] - draws_perf[:, i]) * days
                rev = inc * (amount / days) / extra[i]
        cur = current.get((m, ch), 0.0) * days
        change = (by_mc[(m, ch)] / cur - 1.0) * 100.0 if cur > 0 and r.bucket != "reserve" else None
        v1 = vpr[m]
        be = 1.0 / v1 if v1 > 0 else None  # first-order: the number every page shows
        ltv_mult = inp.ltv.get((m, ch))
        be_ltv = (1.0 / v if v > 0 else None) if ltv_mult is not None and float(ltv_mult) != 1.0 else None
        fields: dict[str, Any] = {}
        if rev is not None:
            profit = v * rev - amount
            rev_draws_total = rev if rev_draws_total is None else rev_draws_total + rev
            profit_draws_total = profit if profit_draws_total is None else profit_draws_total + profit
            fields = {
                "expected_revenue": float(rev.mean()),
                "expected_revenue_lo": float(np.quantile(rev, 0.1)),
                "expected_revenue_hi": float(np.quantile(rev, 0.9)),
                "expected_profit": float(profit.mean()),
                "expected_profit_lo": float(np.quantile(profit, 0.1)),
                "expected_profit_hi": float(np.quantile(profit, 0.9)),
                "saturation_pct": float(sat[i]) if np.isfinite(sat[i]) else None,
            }
            if r.bucket == "performance":
                fields["marginal_roas"] = float(marg[i])
        elif r.bucket != "reserve":  # spent without a fitted response: a cost only
            profit_draws_total = (-amount if profit_draws_total is None else profit_draws_total - amount)
        key, args = _reason(r, fields, lam, bounds_by, s, i, be)
        lines.append(PlanLine(
            bucket=r.bucket, market=m, channel=ch, amount_base=amount,
            amount_local=_local(amount, ms.currency, s.base_currency, inp.fx),
            currency=ms.currency, daily_budget_base=round(amount / days, 2),
            breakeven_roas=be, breakeven_roas_ltv=be_ltv, change_pct=change, reason=t(key, **_fmt(args)), reason_key=key,
            reason_args=args, status=r.status,
            triggers=list(args.get("triggers", [])) if r.bucket == "reserve" else [],
            **fields,
        ))
    totals: dict[str, float | None] = {"spend": float(sum(r.amount for r in raw))}
    if rev_draws_total is not None:
        prof = np.asarray(profit_draws_total, dtype=float)
        totals.update({
            "revenue": float(rev_draws_total.mean()),
            "revenue_lo": float(np.quantile(rev_draws_total, 0.1)),
            "revenue_hi": float(np.quantile(rev_draws_total, 0.9)),
            "profit": float(prof.mean()),
            "profit_lo": float(np.quantile(prof, 0.1)),
            "profit_hi": float(np.quantile(prof, 0.9)),
        })
    return lines, totals


def _reason(r: PlanRow, fields, lam, bounds_by, s, i, be) -> tuple[str, dict[str, Any]]:
    if r.key:
        return r.key, r.args
    st = r.status
    args: dict[str, Any] = {
        "mroas": fields.get("marginal_roas"), "sat": fields.get("saturation_pct"),
        "lam": lam, "be": be,
    }
    if r.amount <= 0:
        return ("plan.reason.perf_off_s" if st == "off" else "plan.reason.perf_zero"), args
    if st == "upper":
        args["by"] = bounds_by.get(i, "")
        return "plan.reason.perf_upper", args
    if st == "lower":
        args["by"] = bounds_by.get(i, "")
        return "plan.reason.perf_lower", args
    if st == "threshold":
        return "plan.reason.perf_threshold", args
    if st == "convex":
        return "plan.reason.perf_convex", args
    return "plan.reason.perf_free", args


def _fmt(args: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in args.items():
        if isinstance(v, float):
            out[k] = f"{v:.2f}" if k != "sat" else f"{v:.0f}"
        elif v is None:
            out[k] = "-"
        elif isinstance(v, list):
            out[k] = ", ".join(t(f"plan.trigger.{x}") for x in v)
        else:
            out[k] = v
    return out


def _local(amount: float, currency: str, base: str, fx: Mapping[str, float]) -> float | None:
    if currency == base:
        return amount
    rate = fx.get(currency)
    if rate is None:
        return None
    return round(amount * float(rate), MINOR_UNITS.get(currency, 2))


def _inputs_record(inp: PlanInputs, aov: Mapping[str, float], arms_used: bool) -> dict[str, Any]:
    curves = inp.curves
    return {
        "budget": inp.budget, "period": inp.period, "days": inp.days, "objective": inp.objective,
        "max_change": inp.max_change, "buckets": dict(inp.buckets) if inp.buckets else None,
        "risk_quantile": inp.risk_quantile, "aov": dict(aov),
        "fx": {k: float(v) for k, v in inp.fx.items()},
        "ltv": {f"{m}.{c}": float(v) for (m, c), v in inp.ltv.items()},
        "lines": [f"{m}.{c}" for m, c in curves.lines] if curves is not None else [],
        "current_spend": [float(x) for x in curves.current_spend] if curves is not None else [],
        "stages": {m: ms.stage for m, ms in inp.settings.markets.items()},
        "plan_settings": inp.settings.plan.model_dump(mode="json"),
        "experiments": arms_used,
    }


__all__ = ["PlanInputs", "make_plan", "value_per_revenue"]
