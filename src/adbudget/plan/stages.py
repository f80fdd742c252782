"""The planner's stages, each a pure function returning a frozen object handed to the next:

1. :func:`setup` — bucket policies per market, recent spend per line, unit economics;
2. :func:`split_markets` — entry markets (focus rule, validation budgets) vs scale markets;
3. :func:`performance` — the optimizer over the scale markets' lines (constraints from the
   settings), and the entry markets' performance money;
4. :func:`bucket_rows` — brand, test (the experiments' arms once the test buckets are known)
   and reserve per market, as typed :class:`PlanRow` rows;
5. :func:`to_cents` — amounts in whole minor units that add up exactly to the budget.

:func:`adbudget.plan.planner.make_plan` runs them and prices the rows (expected revenue,
profit, marginal ROAS, reasons). Each stage returns the notes it has to add, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from adbudget.config.catalog import MINOR_UNITS
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
from adbudget.plan.brand import apply_decisions as apply_brand_evidence
from adbudget.plan.brand import value_split_pieces
from adbudget.plan.buckets import BucketPolicy, bucket_policy
from adbudget.plan.constraints import (
    Bounds,
    BucketTotal,
    ConstraintRequest,
    ConstraintSet,
    LineContext,
    combine,
    from_settings,
)
from adbudget.plan.learning import scale_test_candidates
from adbudget.plan.optimizer import MeanValue, OptimalityCheck, Solution, solve
from adbudget.plan.risk import maximize_quantile
from adbudget.plan.rounding import round_to_total, units_to_amounts
from adbudget.plan.subset import SubsetCurves

if TYPE_CHECKING:
    from adbudget.plan.planner import PlanInputs

Line = tuple[str, str]  # (market, channel)


@dataclass(frozen=True)
class Setup:
    """Stage 1: each market's bucket policy, recent daily spend per line, order value and
    contribution per unit of net revenue (``adbudget.economics``)."""

    policies: dict[str, BucketPolicy]
    history: pd.DataFrame  # market, channel, daily_spend, cpm
    current: dict[Line, float]  # recent daily spend per line
    aov: dict[str, float]
    vpr: dict[str, float]  # contribution per unit of net revenue, per market
    notes: tuple[str, ...]


@dataclass(frozen=True)
class MarketSplit:
    """Stage 2: which markets get a validation budget (entry) and which are optimized."""

    entry: list[str]  # every entry-stage market under the focus rule
    active_entry: list[str]  # those that get a validation budget now
    scale_markets: list[str]
    curve_lines: list[Line]  # the fitted curves' lines, in their order
    scale_idx: list[int]  # curve lines the optimizer decides
    entry_total: dict[str, float]  # entry market -> its total for the period
    scale_budget: float  # what is left for the scale markets
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Performance:
    """Stage 3: performance spend per curve line, the optimizer's verdicts and market totals."""

    perf_daily: np.ndarray  # (len(curve_lines),) daily spend
    status: list[str]  # optimizer status per curve line ("" when not planned)
    weights: np.ndarray  # value per unit of revenue per curve line (LTV included)
    solution: Solution | None
    check: OptimalityCheck | None
    bounds_by: dict[int, str]  # curve line -> the constraint that holds it at a bound
    market_total: dict[str, float]  # market -> its total budget (all buckets)
    entry_pieces: dict[str, list[Piece]]  # entry markets without curves: validation money
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PlanRow:
    """Stage 4: one row of money before pricing (``line``: index of its curve line)."""

    bucket: str
    market: str
    channel: str
    amount: float
    key: str = ""  # reason key for rows the allocators wrote (brand, test, reserve, entry)
    args: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    status: str = ""


def setup(inp: PlanInputs) -> Setup:
    """Stage 1 (see :class:`Setup`)."""
    s, ps = inp.settings, inp.settings.plan
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
    vpr = {m: UnitEconomics.of(ms, aov[m]).contribution_per_revenue for m, ms in s.markets.items()}
    for m, v in vpr.items():
        if v <= 0:
            notes.append(t("plan.note.no_margin", market=m))
    if inp.brand:  # the long-term brand evidence decides the brand share (plan.brand)
        policies = apply_brand_evidence(policies, inp.brand, vpr, ps.bucket_limits)[0]
    return Setup(policies, hist, current, aov, vpr, tuple(notes))


def split_markets(inp: PlanInputs, st: Setup) -> MarketSplit:
    """Stage 2 (see :class:`MarketSplit`); raises when nothing can be planned."""
    s, ps = inp.settings, inp.settings.plan
    policies, current = st.policies, st.current
    notes: list[str] = []
    entry = [m for m, ms in s.markets.items() if ms.stage == "entry"] if inp.entry_rule else []
    # An entry market whose own history already gave fitted curves on as many channels as a
    # validation tests has been validated by that history: it is planned by its curves (within
    # the max change, with its entry-stage bucket shares) instead of being cut back to a
    # validation budget whatever it spends today.
    fitted = [m for m, _ in (inp.curves.lines if inp.curves is not None else [])]
    validated = [m for m in entry if fitted.count(m) >= ps.validation_platforms]
    for m in validated:
        notes.append(t("plan.note.entry_validated", market=m, n=fitted.count(m)))
    entry = [m for m in entry if m not in validated]
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
    return MarketSplit(entry, active_entry, scale_markets, curve_lines, scale_idx, entry_total,
                       scale_budget, tuple(notes))


def performance(inp: PlanInputs, st: Setup, sp: MarketSplit) -> Performance:
    """Stage 3 (see :class:`Performance`)."""
    s, ps = inp.settings, inp.settings.plan
    policies, current, vpr = st.policies, st.current, st.vpr
    curves, curve_lines, scale_idx = inp.curves, sp.curve_lines, sp.scale_idx
    notes: list[str] = []
    perf_daily = np.zeros(len(curve_lines))
    status = [""] * len(curve_lines)
    check: OptimalityCheck | None = None
    bounds_by: dict[int, str] = {}
    market_total = dict(sp.entry_total)
    sol: Solution | None = None
    weights = np.array([
        (vpr.get(m, 0.0) if inp.objective == "profit" else 1.0) * float(inp.ltv.get((m, ch), 1.0))
        for m, ch in curve_lines
    ]) if curve_lines else np.zeros(0)
    if scale_idx:
        sub = SubsetCurves(curves, scale_idx)
        cost = np.array([100.0 / policies[curve_lines[i][0]].shares["performance"] for i in scale_idx])
        sol, bounds = _optimize(inp, sub, weights[scale_idx], cost, sp.scale_budget / inp.days,
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
        for m in sp.scale_markets:
            p_m = policies[m].shares["performance"] / 100.0
            perf = sum(perf_daily[i] for i in scale_idx if curve_lines[i][0] == m) * inp.days
            if p_m > 0 and perf > 0:
                market_total[m] = perf / p_m
    # entry markets: their performance money over their own fitted lines, if any
    entry_pieces: dict[str, list[Piece]] = {}
    for m in sp.active_entry:
        amount = sp.entry_total[m] * policies[m].shares["performance"] / 100.0
        idx = [i for i, (mm, _) in enumerate(curve_lines) if mm == m]
        if idx and amount > 0:
            esol = solve(SubsetCurves(curves, idx), amount / inp.days, weights=weights[idx])
            for j, i in enumerate(idx):
                perf_daily[i] = esol.spend[j]
                status[i] = esol.status[j]
        elif amount > 0:
            region = s.markets[m].region
            spent = {ch for (mm, ch), v in current.items() if mm == m and v > 0}
            entry_pieces[m] = [
                Piece(p.channel, p.amount, "plan.reason.entry_validation",
                      {"days": str(ps.validation_days), "n": p.args.get("n", "")})
                for p in test_split(amount, region, s.channels, spent, ps.validation_platforms,
                                    ps.validation_days)
            ]
    return Performance(perf_daily, status, weights, sol, check, bounds_by, market_total,
                       entry_pieces, tuple(notes))


def bucket_rows(inp: PlanInputs, st: Setup, sp: MarketSplit, pf: Performance
                ) -> tuple[list[PlanRow], bool, tuple[str, ...]]:
    """Stage 4: every row of money; whether test arms were used; notes."""
    s, ps = inp.settings, inp.settings.plan
    policies, current = st.policies, st.current
    notes: list[str] = []
    rows: list[PlanRow] = []
    for i, (m, ch) in enumerate(sp.curve_lines):
        if m in pf.market_total or pf.status[i]:
            rows.append(PlanRow("performance", m, ch, pf.perf_daily[i] * inp.days, line=i,
                                status=pf.status[i]))
    for m, pieces in pf.entry_pieces.items():
        rows += [_piece_row("performance", m, p) for p in pieces]
    test_money = {m: tot * policies[m].shares["test"] / 100.0 for m, tot in pf.market_total.items()}
    arm_pieces: dict[str, list[Piece]] = {}
    arms = inp.experiments
    if arms is None and inp.allocate_tests is not None and sum(test_money.values()) > 0:
        arms = inp.allocate_tests(sum(test_money.values()), inp.days)
    if arms is not None and len(arms):
        arm_pieces = test_from_experiments(test_money, arms)
        if arm_pieces:
            notes.append(t("plan.note.experiments"))
    cpm = _cpm(st.history)
    for m, tot in pf.market_total.items():
        ms, pol = s.markets[m], policies[m]
        brand = tot * pol.shares["brand"] / 100.0
        comp = ps.eu_compliance_pct if ms.region == "EU" else 0.0
        # by value over the horizon when the market has a brand estimate (plan.brand), else by reach
        pieces = value_split_pieces(inp, sp.curve_lines, pf.perf_daily, pf.weights, st.vpr[m], m,
                                    brand, comp, ps.brand_channels)
        if pieces is None:
            pieces = brand_split(brand, ms.region, s.channels, cpm.get(m, {}),
                                 ps.default_cpm.get(ms.region, 10.0), ps.brand_channels, comp)
        rows += [_piece_row("brand", m, p) for p in pieces]
        if m in arm_pieces:
            rows += [_piece_row("test", m, p) for p in arm_pieces[m]]
        else:
            spent = {ch for (mm, ch), v in current.items() if mm == m and v > 0}
            rows += [_piece_row("test", m, p) for p in test_split(
                test_money[m], ms.region, s.channels, spent, ps.test_platforms if m not in sp.entry
                else ps.validation_platforms, ps.validation_days)]
        rows += [_piece_row("reserve", m, p) for p in reserve_piece(
            tot * pol.shares["reserve"] / 100.0, list(ps.reserve_triggers))]
    return rows, bool(arm_pieces), tuple(notes)


def to_cents(inp: PlanInputs, rows: list[PlanRow]) -> list[PlanRow]:
    """Stage 5: amounts in whole minor units of the base currency, adding up to the budget."""
    decimals = MINOR_UNITS.get(inp.settings.base_currency, 2)
    units = round_to_total(np.array([r.amount for r in rows]), inp.budget, decimals)
    amounts = units_to_amounts(units, decimals)
    return [replace(r, amount=a) for r, a in zip(rows, amounts, strict=True)]


def _optimize(inp: PlanInputs, sub: SubsetCurves, w: np.ndarray, cost: np.ndarray,
              daily_budget: float, cur: list[float], vpr_line: list[float], notes: list[str]
              ) -> tuple[Solution, Bounds]:
    """Constraints from settings and request, then the optimizer (and the risk objective)."""
    ps = inp.settings.plan
    cur_a = np.asarray(cur, dtype=float)
    labels = [f"{m}/{c}" for m, c in sub.lines]
    keys = [f"{m}.{c}" for m, c in sub.lines]
    denom = float(cost @ cur_a)
    base = _performance_money(inp, sub.lines, cur_a, cost)
    base_total = float(cost @ base)
    reference = base * (daily_budget / base_total) if base_total > 0 else np.zeros(len(cur_a))
    fn = MeanValue(sub, w)
    ctx = LineContext(labels, cur_a, reference, cost, np.asarray(vpr_line, dtype=float),
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


def _performance_money(inp: PlanInputs, lines: list[Line], cur: np.ndarray, cost: np.ndarray
                       ) -> np.ndarray:
    """Each line's recent daily spend less the last plan's brand and test money on it: the
    performance money the move limit is taken around (the recent spend itself when there is
    no such plan, or when nothing would be left)."""
    if not inp.non_performance:
        return cur
    other = np.array([float(inp.non_performance.get((str(m), str(c)), 0.0)) for m, c in lines])
    perf = np.maximum(cur - other, 0.0)
    return perf if float(cost @ perf) > 0 else cur


def _piece_row(bucket: str, market: str, p: Piece) -> PlanRow:
    return PlanRow(bucket, market, p.channel, p.amount, key=p.key, args=dict(p.args))


def _history(inp: PlanInputs) -> pd.DataFrame:
    cols = ["market", "channel", "daily_spend", "cpm"]
    if inp.history is None or inp.history.empty:
        return pd.DataFrame(columns=cols)
    return inp.history


def _current_by_line(inp: PlanInputs, hist: pd.DataFrame) -> dict[Line, float]:
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


__all__ = ["MarketSplit", "Performance", "PlanRow", "Setup", "bucket_rows", "performance",
           "setup", "split_markets", "to_cents"]
