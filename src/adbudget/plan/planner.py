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
from adbudget.errors import InputError, NotFittedError
from adbudget.i18n import t
from adbudget.plan.allocators import (
    Piece,
    brand_split,
    reserve_piece,
    test_from_experiments,
    test_split,
)
from adbudget.plan.buckets import bucket_policy
from adbudget.plan.constraints import (
    BucketTotal,
    ConstraintRequest,
    ConstraintSet,
    LineContext,
    combine,
    from_settings,
)
from adbudget.plan.learning import scale_test_candidates
from adbudget.plan.optimizer import MeanValue, OptimalityCheck, Solution, solve
from adbudget.plan.result import PlanLine, PlanResult
from adbudget.plan.risk import maximize_quantile
from adbudget.plan.rounding import round_to_total, units_to_amounts
from adbudget.plan.subset import SubsetCurves


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


def value_per_revenue(ms: MarketSettings, aov: float) -> float:
    """Contribution per unit of net revenue (after refunds, what the response curves predict).

    One formula for the whole product: :class:`adbudget.economics.UnitEconomics`.
    """
    return UnitEconomics.of(ms, aov).contribution_per_revenue


def make_plan(inp: PlanInputs) -> PlanResult:
    """Build the plan (pure: no I/O). Raises InputError/SettingsError with a clear reason."""
    s, ps = inp.settings, inp.settings.plan
    if not inp.budget > 0:
        raise InputError(t("plan.error.budget", budget=inp.budget))
    if inp.days <= 0:
        raise InputError(t("plan.error.days", days=inp.days))
    notes: list[str] = []
    policies = {
        m: bucket_policy(m, ms.stage, ms.region, limits=ps.bucket_limits,
                         market_override=ms.buckets, cli_override=inp.buckets)
        for m, ms in s.markets.items()
    }
    for m, pol in policies.items():
        off = pol.outside_method()
        if off and pol.source != "method":
            notes.append(t("plan.note.outside_method", market=m, buckets=", ".join(off)))
    hist = _history(inp)
    current = _current_by_line(inp, hist)
    aov = {m: float(inp.aov.get(m) or ps.fallback_aov) for m in s.markets}
    vpr = {m: value_per_revenue(ms, aov[m]) for m, ms in s.markets.items()}
    for m, v in vpr.items():
        if v <= 0:
            notes.append(t("plan.note.no_margin", market=m))

    # -- markets: entry (focus rule) vs scale -------------------------------------------
    entry = [m for m, ms in s.markets.items() if ms.stage == "entry"] if inp.entry_rule else []
    spend_by_market = {m: sum(v for (mm, _), v in current.items() if mm == m) for m in s.markets}
    entry.sort(key=lambda m: (-spend_by_market.get(m, 0.0), list(s.markets).index(m)))
    active_entry = entry[: ps.max_entry_markets]
    for m in entry[ps.max_entry_markets:]:
        notes.append(t("plan.note.entry_deferred", market=m, n=ps.max_entry_markets))
    scale_markets = [m for m in s.markets if m not in entry]
    curves = inp.curves
    curve_lines = list(curves.lines) if curves is not None else []
    scale_idx = [i for i, (m, _) in enumerate(curve_lines)
                 if m in scale_markets and policies[m].shares["performance"] > 0]
    unknown = sorted({m for m, _ in curve_lines if m not in s.markets})
    if unknown:
        notes.append(t("plan.note.unknown_markets", markets=", ".join(unknown)))
    for m in scale_markets:
        if not any(curve_lines[i][0] == m for i in scale_idx):
            notes.append(t("plan.note.no_curve_market", market=m))
    if not scale_idx and not active_entry:
        if curves is None:
            raise NotFittedError(t("plan.no_curves"))
        raise InputError(t("plan.error.nothing_to_plan"))

    entry_total = {}
    for m in active_entry:
        pol = policies[m]
        share = (pol.shares["performance"] + pol.shares["test"]) / 100.0
        validation = ps.validation_days * ps.validation_platforms * ps.validation_daily_per_platform
        entry_total[m] = validation / share if share > 0 else validation
    cap = inp.budget * ps.max_entry_share_pct / 100.0 if scale_idx else inp.budget
    if entry_total and sum(entry_total.values()) > cap:
        k = cap / sum(entry_total.values())
        entry_total = {m: v * k for m, v in entry_total.items()}
        notes.append(t("plan.note.entry_scaled", pct=f"{ps.max_entry_share_pct:g}"))
    if entry_total and not scale_idx:  # only entry markets can take money
        k = inp.budget / sum(entry_total.values())
        entry_total = {m: v * k for m, v in entry_total.items()}
        notes.append(t("plan.note.entry_only"))
    scale_budget = inp.budget - sum(entry_total.values())

    # -- performance optimizer over the scale markets' lines ----------------------------
    perf_daily = np.zeros(len(curve_lines))
    status = [""] * len(curve_lines)
    check: OptimalityCheck | None = None
    bounds_by: dict[int, str] = {}
    market_total = dict(entry_total)
    sol: Solution | None = None
    weights = np.array([
        (vpr.get(m, 0.0) if inp.objective == "profit" else 1.0) * float(inp.ltv.get((m, ch), 1.0))
        for m, ch in curve_lines
    ]) if curve_lines else np.zeros(0)
    if scale_idx:
        sub = SubsetCurves(curves, scale_idx)
        cost = np.array([100.0 / policies[curve_lines[i][0]].shares["performance"] for i in scale_idx])
        sol, bounds = _optimize(inp, sub, weights[scale_idx], cost, scale_budget / inp.days,
                                [current.get(curve_lines[i], 0.0) for i in scale_idx],
                                [vpr[curve_lines[i][0]] * float(inp.ltv.get(curve_lines[i], 1.0))
                                 for i in scale_idx], notes)
        check = sol.check
        if check.n_free > 0:
            for cand in scale_test_candidates(sub, sol.spend, weights[scale_idx], cost, check.marginal_value):
                notes.append(t("plan.note.scale_test", line=f"{cand.market}/{cand.channel}",
                               p=f"{cand.p_above * 100:.0f}", lo=f"{cand.marginal_lo:.2f}",
                               hi=f"{cand.marginal_hi:.2f}"))
        for j, i in enumerate(scale_idx):
            perf_daily[i] = sol.spend[j]
            status[i] = sol.status[j]
            if sol.status[j] == "upper":
                bounds_by[i] = bounds.upper_by[j]
            elif sol.status[j] == "lower":
                bounds_by[i] = bounds.lower_by[j]
        for m in scale_markets:
            p_m = policies[m].shares["performance"] / 100.0
            perf = sum(perf_daily[i] for i in scale_idx if curve_lines[i][0] == m) * inp.days
            if p_m > 0 and perf > 0:
                market_total[m] = perf / p_m
    # entry markets: their performance money over their own fitted lines, if any
    entry_perf_pieces: dict[str, list[Piece]] = {}
    for m in active_entry:
        amount = entry_total[m] * policies[m].shares["performance"] / 100.0
        idx = [i for i, (mm, _) in enumerate(curve_lines) if mm == m]
        if idx and amount > 0:
            sub = SubsetCurves(curves, idx)
            esol = solve(sub, amount / inp.days, weights=weights[idx])
            for j, i in enumerate(idx):
                perf_daily[i] = esol.spend[j]
                status[i] = esol.status[j]
        elif amount > 0:
            region = s.markets[m].region
            spent = {ch for (mm, ch), v in current.items() if mm == m and v > 0}
            entry_perf_pieces[m] = [
                Piece(p.channel, p.amount, "plan.reason.entry_validation",
                      {"days": str(ps.validation_days), "n": p.args.get("n", "")})
                for p in test_split(amount, region, s.channels, spent, ps.validation_platforms,
                                    ps.validation_days)
            ]

    # -- brand, test, reserve per market -------------------------------------------------
    raw: list[dict[str, Any]] = []
    for i, (m, ch) in enumerate(curve_lines):
        if m in market_total or status[i]:
            raw.append({"bucket": "performance", "market": m, "channel": ch, "amount": perf_daily[i] * inp.days,
                        "line": i, "status": status[i]})
    for m, pieces in entry_perf_pieces.items():
        raw += [_piece_row("performance", m, p) for p in pieces]
    test_money = {m: tot * policies[m].shares["test"] / 100.0 for m, tot in market_total.items()}
    arm_pieces: dict[str, list[Piece]] = {}
    arms = inp.experiments
    if arms is None and inp.allocate_tests is not None and sum(test_money.values()) > 0:
        arms = inp.allocate_tests(sum(test_money.values()), inp.days)
    if arms is not None and len(arms):
        arm_pieces = test_from_experiments(test_money, arms)
        if arm_pieces:
            notes.append(t("plan.note.experiments"))
    cpm = _cpm(hist)
    for m, tot in market_total.items():
        ms, pol = s.markets[m], policies[m]
        brand = tot * pol.shares["brand"] / 100.0
        comp = ps.eu_compliance_pct if ms.region == "EU" else 0.0
        raw += [_piece_row("brand", m, p) for p in brand_split(
            brand, ms.region, s.channels, cpm.get(m, {}), ps.default_cpm.get(ms.region, 10.0),
            ps.brand_channels, comp)]
        if m in arm_pieces:
            raw += [_piece_row("test", m, p) for p in arm_pieces[m]]
        else:
            spent = {ch for (mm, ch), v in current.items() if mm == m and v > 0}
            raw += [_piece_row("test", m, p) for p in test_split(
                test_money[m], ms.region, s.channels, spent, ps.test_platforms if m not in entry
                else ps.validation_platforms, ps.validation_days)]
        raw += [_piece_row("reserve", m, p) for p in reserve_piece(
            tot * pol.shares["reserve"] / 100.0, list(ps.reserve_triggers))]

    # -- exact cents ---------------------------------------------------------------------
    decimals = MINOR_UNITS.get(s.base_currency, 2)
    units = round_to_total(np.array([r["amount"] for r in raw]), inp.budget, decimals)
    amounts = units_to_amounts(units, decimals)
    for r, a in zip(raw, amounts, strict=True):
        r["amount"] = a

    lines, totals = _metrics(inp, raw, curves, curve_lines, weights, vpr, current, sol, bounds_by, aov)
    if inp.ltv:
        notes.append(t("plan.note.ltv"))
    if (inp.objective == "profit" and check is not None and check.n_free > 0
            and 0 < check.marginal_value < 1.0):
        # the budget is a cap the optimizer fills; say when the last unit no longer pays
        notes.append(t("plan.note.past_profitable", lam=f"{check.marginal_value:.2f}"))
    return PlanResult(
        period=inp.period, days=inp.days, budget=float(inp.budget), base_currency=s.base_currency,
        objective=inp.objective, lines=lines, policies=policies, check=check, totals=totals,
        notes=notes, inputs=_inputs_record(inp, aov, bool(arm_pieces)),
    )


def _optimize(inp, sub, w, cost, daily_budget, cur, vpr_line, notes):
    """Constraints from settings and request, then the optimizer (and the risk objective)."""
    ps = inp.settings.plan
    cur = np.asarray(cur, dtype=float)
    labels = [f"{m}/{c}" for m, c in sub.lines]
    keys = [f"{m}.{c}" for m, c in sub.lines]
    denom = float(cost @ cur)
    reference = cur * (daily_budget / denom) if denom > 0 else np.zeros(len(cur))
    fn = MeanValue(sub, w)
    ctx = LineContext(labels, cur, reference, cost, np.asarray(vpr_line, dtype=float),
                      mean_revenue=lambda x: sub.response(x).mean(axis=0))
    if inp.max_change is not None and not denom > 0:
        notes.append(t("plan.note.no_history"))
    items = from_settings(ps, ConstraintRequest(labels, keys, inp.days, inp.max_change,
                                                inp.objective, has_history=denom > 0))
    bounds = combine(ConstraintSet(BucketTotal(daily_budget, name=t("plan.constraint.scale_budget")),
                                   tuple(items)), ctx, display_scale=inp.days)
    sol = solve(sub, daily_budget, weights=w, cost=cost, lower=bounds.lower, upper=bounds.upper,
                value_fn=fn)
    if inp.risk_quantile:
        sol = maximize_quantile(sub, sol, inp.risk_quantile, weights=w, cost=cost,
                                lower=bounds.lower, upper=bounds.upper, budget=daily_budget)
        notes.append(t("plan.note.risk", q=f"{inp.risk_quantile * 100:g}"))
    return sol, bounds


def _piece_row(bucket: str, market: str, p: Piece) -> dict[str, Any]:
    return {"bucket": bucket, "market": market, "channel": p.channel, "amount": p.amount,
            "key": p.key, "args": dict(p.args), "line": None, "status": ""}


def _history(inp: PlanInputs) -> pd.DataFrame:
    cols = ["market", "channel", "daily_spend", "cpm"]
    if inp.history is None or inp.history.empty:
        return pd.DataFrame(columns=cols)
    return inp.history


def _current_by_line(inp: PlanInputs, hist: pd.DataFrame) -> dict[tuple[str, str], float]:
    out = {(str(r.market), str(r.channel)): float(r.daily_spend) for r in hist.itertuples()}
    if inp.curves is not None:
        for (m, ch), v in zip(inp.curves.lines, np.asarray(inp.curves.current_spend, dtype=float), strict=True):
            out[(m, ch)] = float(v)
    return out


def _cpm(hist: pd.DataFrame) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for r in hist.itertuples():
        value = getattr(r, "cpm", None)
        if value is not None and np.isfinite(value) and value > 0:
            out.setdefault(str(r.market), {})[str(r.channel)] = float(value)
    return out


def _metrics(inp, raw, curves, curve_lines, weights, vpr, current, sol, bounds_by, aov):
    """Expected revenue/profit (P10–P90), marginal ROAS, saturation, change, reasons."""
    s = inp.settings
    days = inp.days
    n = len(curve_lines)
    index = {ln: i for i, ln in enumerate(curve_lines)}
    perf = np.zeros(n)
    extra = np.zeros(n)
    for r in raw:
        i = index.get((r["market"], r["channel"]))
        if i is None:
            continue
        if r["bucket"] == "performance" and r["line"] is not None:
            perf[i] += r["amount"] / days
        elif r["bucket"] in ("brand", "test"):
            extra[i] += r["amount"] / days
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
        by_mc[(r["market"], r["channel"])] = by_mc.get((r["market"], r["channel"]), 0.0) + r["amount"]
    lines: list[PlanLine] = []
    rev_draws_total = None
    profit_draws_total = None
    for r in raw:
        m, ch, amount = r["market"], r["channel"], r["amount"]
        ms = s.markets[m]
        i = index.get((m, ch))
        v = vpr[m] * float(inp.ltv.get((m, ch), 1.0))
        rev = None
        if i is not None and draws_perf is not None:
            if r["bucket"] == "performance" and r["line"] is not None:
                rev = draws_perf[:, i] * days
            elif r["bucket"] in ("brand", "test") and extra[i] > 0:
                inc = (draws_all[:, i] - draws_perf[:, i]) * days
                rev = inc * (amount / days) / extra[i]
        cur = current.get((m, ch), 0.0) * days
        change = (by_mc[(m, ch)] / cur - 1.0) * 100.0 if cur > 0 and r["bucket"] != "reserve" else None
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
            if r["bucket"] == "performance":
                fields["marginal_roas"] = float(marg[i])
        elif r["bucket"] != "reserve":  # spent without a fitted response: a cost only
            profit_draws_total = (-amount if profit_draws_total is None else profit_draws_total - amount)
        key, args = _reason(r, fields, lam, bounds_by, s, i, be)
        lines.append(PlanLine(
            bucket=r["bucket"], market=m, channel=ch, amount_base=amount,
            amount_local=_local(amount, ms.currency, s.base_currency, inp.fx),
            currency=ms.currency, daily_budget_base=round(amount / days, 2),
            breakeven_roas=be, breakeven_roas_ltv=be_ltv, change_pct=change, reason=t(key, **_fmt(args)), reason_key=key,
            reason_args=args, status=r.get("status", ""),
            triggers=list(args.get("triggers", [])) if r["bucket"] == "reserve" else [],
            **fields,
        ))
    totals: dict[str, float | None] = {"spend": float(sum(r["amount"] for r in raw))}
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


def _reason(r, fields, lam, bounds_by, s, i, be) -> tuple[str, dict[str, Any]]:
    if r.get("key"):
        return r["key"], r["args"]
    st = r.get("status", "")
    args: dict[str, Any] = {
        "mroas": fields.get("marginal_roas"), "sat": fields.get("saturation_pct"),
        "lam": lam, "be": be,
    }
    if r["amount"] <= 0:
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
