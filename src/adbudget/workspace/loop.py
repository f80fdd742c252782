"""Budgeting as a loop: plan, spend, import, refit, read the tests, replan — and score it.

``run_loop`` runs a simulated seller for N calendar months from its history. Each month:

1. the workspace plans the month's budget (``ws.plan``); the test bucket funds the scale
   tests worth most (``design_tests``: value of information against profit given up);
2. the plan becomes a per-day schedule (switchback arms on tested lines) and the simulator
   runs the month forward on it (``World.forward``: carryover, demand and FX continue);
3. the month's rows are loaded into the workspace, the tests are read from them
   (``analyze_tests``: switchback regression on daily revenue and spend) and written to
   ``lift_tests``, and the response model is refit;
4. the month is scored by the truth the workspace never sees: the plan's true profit, the
   oracle's (best split of the same budget, full knowledge), the status quo's (the split the
   seller had before the loop, kept), cumulative regret, the marginal-ROAS error of the fit
   at the planned spend, and what each test found against its truth.

The mixin adds ``design_tests`` and ``analyze_tests`` to the workspace (they work on a real
seller's data too: the tests are read from ``ad_daily`` and ``orders``). A plain mixin with
no state, so the facade can keep or move it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adbudget.experiments.scale_design import ScaleTestDesign, design_scale_tests, schedule_frame
from adbudget.experiments.switchback import SwitchbackReading, analyze_switchbacks
from adbudget.workspace.loop_knowledge import KnowledgePlanMixin

DEFAULT_FIT = {"method": "svi", "seed": 0}
NOISE_DAYS = 56


def _days_of(period: str) -> tuple[str, int]:
    first = pd.Period(period, freq="M")
    return str(first.start_time.date()), int(first.days_in_month)


class LoopMixin(KnowledgePlanMixin):
    """Mixed into Workspace: designing scale tests and reading them from the data."""

    # -- test design ---------------------------------------------------------------------------
    def revenue_noise(self: Any, days: int = NOISE_DAYS) -> dict[str, float]:
        """Residual sd of each market's daily net revenue over the last ``days`` days, after
        its weekday pattern and a linear trend: the noise a switchback must beat."""
        rev = self.daily_revenue()
        out: dict[str, float] = {}
        if rev.empty:
            return out
        rev["date"] = pd.to_datetime(rev["date"])
        for m, g in rev.groupby("market"):
            g = g[g["date"] > g["date"].max() - pd.Timedelta(days=days)]
            if len(g) < 14:
                continue
            t = (g["date"] - g["date"].min()).dt.days.to_numpy(float)
            X = np.column_stack([np.ones(len(g)), t,
                                 pd.get_dummies(g["date"].dt.day_of_week).to_numpy(float)[:, 1:]])
            y = g["revenue"].to_numpy(float)
            resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
            out[str(m)] = float(np.sqrt(resid @ resid / max(len(y) - X.shape[1], 1)))
        return out

    def design_tests(self: Any, daily: dict[tuple[str, str], float], period: str,
                     test_budget: dict[str, float] | None = None, hi: float = 1.5,
                     lo: float = 0.5, per_market: int = 1, horizon: int = 1,
                     knowledge: Mapping[str, Any] | None = None,
                     after: tuple[float, float] | None = None,
                     ) -> list[ScaleTestDesign]:
        """Scale tests worth running in ``period`` (YYYY-MM) on a plan's daily budget per line:
        switchbacks ranked by value of information net of the profit they give up, each
        market's extra spend on high days within its test bucket (``test_budget``).

        ``knowledge`` (``ws.move_knowledge()``) and ``after`` (the tested rule's cut and
        raise): a test whose reading would pin the slope is also worth the larger moves the
        knowledge move limit then allows (``experiments.scale_design.value_of_unlocking``)."""
        start, days = _days_of(period)
        curves = self.response_curves()
        names = [tuple(x) for x in curves.lines]
        spend = np.asarray([float(daily.get(k, 0.0)) for k in names])
        marg = np.asarray(curves.marginal(np.maximum(spend, 1e-6)))
        # median and IQR-sd over the draws: a few wild draws of a barely identified line (ID
        # KOL, marginal ROAS 24 ± 177) made a design's cost estimate 93 million on small 0
        resp = {f: np.median(np.asarray(curves.response(spend * f)), axis=0) for f in (1.0, hi, lo)}
        q25, q50, q75 = np.percentile(marg, [25, 50, 75], axis=0)
        econ = self.market_economics()
        weights = [float(econ[m].contribution_per_revenue) if m in econ else 0.0 for m, _ in names]
        lines = pd.DataFrame({
            "market": [m for m, _ in names], "channel": [c for _, c in names],
            "daily_spend": spend, "mroas_mean": q50, "mroas_sd": (q75 - q25) / 1.349,
            "profit_weight": weights, "resp_base": resp[1.0], "resp_hi": resp[hi], "resp_lo": resp[lo],
        })
        if knowledge:
            know = [knowledge.get(f"{m}.{c}") for m, c in names]
            lines["cut_now"] = [k.down if k is not None else 0.3 for k in know]
            lines["raise_now"] = [k.up if k is not None else 0.3 for k in know]
        return design_scale_tests(lines, self.revenue_noise(), start, days, test_budget, hi, lo,
                                  horizon=horizon, per_market=per_market, after=after)

    # -- reading tests -------------------------------------------------------------------------
    def analyze_tests(self: Any, schedule: pd.DataFrame | str | Path, write: bool = True,
                      ) -> list[SwitchbackReading]:
        """Read the tests a per-day schedule names (``test_id``, ``arm``) from the workspace's
        ``ad_daily`` and ``orders``; with ``write``, store each as a scale test in
        ``lift_tests`` (base currency, method ``switchback``), replacing an earlier reading of
        the same test, so the next fit uses it."""
        from adbudget.experiments.schedule_io import read_schedule

        sched = read_schedule(schedule) if isinstance(schedule, str | Path) else schedule
        regions = {code: m.region for code, m in self.settings.markets.items()}
        readings = analyze_switchbacks(self.daily_revenue(), self.daily_spend(), sched,
                                       regions=regions)
        if write and readings:
            base = self.settings.base_currency
            df = pd.DataFrame([r.lift_row(base) for r in readings])
            df["start_date"] = pd.to_datetime(df["start_date"])
            df["end_date"] = pd.to_datetime(df["end_date"])
            con = self.store.con
            with self.store.transaction():
                for tid in df["test_id"]:
                    con.execute("DELETE FROM lift_tests WHERE test_id = ?", [tid])
                con.register("_loop_lift", df)
                try:
                    con.execute("INSERT INTO lift_tests BY NAME SELECT *, 0 AS import_id FROM _loop_lift")
                finally:
                    con.unregister("_loop_lift")
        return readings

    def load_world_period(self: Any, world: Any, since: str) -> dict[str, int]:
        """Insert a continued world's rows from ``since`` on (a simulated month's exports)."""
        counts = {}
        con = self.store.con
        with self.store.transaction():
            for table, df in world.frames(since=since).items():
                if df.empty or table == "lift_tests":
                    counts[table] = 0
                    continue
                con.register("_loop_rows", df)
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT *, 0 AS import_id FROM _loop_rows")
                finally:
                    con.unregister("_loop_rows")
                counts[table] = len(df)
        return counts


# -- the loop on a simulated seller -------------------------------------------------------------
@dataclass
class LoopPeriod:
    """One month of the loop, scored by the truth."""

    period: str
    budget: float
    plan_profit: float
    oracle_profit: float
    status_quo_profit: float
    cumulative_regret: float
    share_of_oracle: float  # cumulative plan / cumulative oracle profit
    mroas_error: float  # median |log(fitted / true marginal ROAS)| at the planned spend
    tests: list[dict[str, Any]] = field(default_factory=list)
    test_spend: float = 0.0
    test_bucket: float = 0.0
    fit_note: str = ""  # a diverged fit and what replaced it
    spent: float = 0.0  # money the plan's schedule spends (the rest: reserve, unknown lines)
    given_up: float = 0.0  # true profit the tests gave up (flat schedule minus test schedule)
    given_up_estimate: float = 0.0  # what the design expected them to give up
    misses: list[dict[str, Any]] = field(default_factory=list)  # last plan's forecast vs truth
    limits: dict[str, int] = field(default_factory=dict)  # move-limit rule -> lines
    seconds: float = 0.0
    # like with like on the performance bucket (its money only, flat, no test arms)
    performance_budget: float = 0.0
    plan_performance: float = 0.0
    oracle_performance: float = 0.0
    status_quo_performance: float = 0.0
    # per line: the move rule and limits, planned and oracle money, fitted vs true marginal
    # ROAS at the planned spend (the diagnosis of where the loop loses value)
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def beats_status_quo(self) -> bool:
        return self.plan_profit > self.status_quo_profit

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        out["beats_status_quo"] = self.beats_status_quo
        return out


@dataclass
class LoopResult:
    seed: int
    size: str
    periods: list[LoopPeriod]
    seconds: float

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{k: v for k, v in p.record().items()
                              if k not in ("tests", "misses", "lines")}
                             for p in self.periods])

    def summary(self) -> dict[str, Any]:
        plan = sum(p.plan_profit for p in self.periods)
        oracle = sum(p.oracle_profit for p in self.periods)
        sq = sum(p.status_quo_profit for p in self.periods)
        tests = [t for p in self.periods for t in p.tests]
        covered = [t["covered"] for t in tests if t.get("covered") is not None]
        return {
            "seed": self.seed, "size": self.size, "periods": len(self.periods),
            "plan_profit": plan, "oracle_profit": oracle, "status_quo_profit": sq,
            "share_of_oracle": plan / oracle if oracle else None,
            "status_quo_share_of_oracle": sq / oracle if oracle else None,
            "beats_status_quo_from_second": all(p.beats_status_quo for p in self.periods[1:]),
            "tests": len(tests), "tests_covered": float(np.mean(covered)) if covered else None,
            "test_spend": sum(p.test_spend for p in self.periods),
            "test_bucket": sum(p.test_bucket for p in self.periods),
            "given_up": sum(p.given_up for p in self.periods),
            "given_up_estimate": sum(p.given_up_estimate for p in self.periods),
            "performance_share_of_oracle": _ratio(sum(p.plan_performance for p in self.periods),
                                                  sum(p.oracle_performance for p in self.periods)),
            "performance_status_quo_share": _ratio(
                sum(p.status_quo_performance for p in self.periods),
                sum(p.oracle_performance for p in self.periods)),
            "seconds": self.seconds,
        }

    def record(self) -> dict[str, Any]:
        return {"summary": self.summary(), "periods": [p.record() for p in self.periods]}


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def schedule_profit(world: Any, schedule: pd.DataFrame) -> float:
    """True expected profit of a per-day schedule on a world (steady-state response on each
    day's conditions, like the oracle's), before the world runs it."""
    lines = world.lines
    index = {k: i for i, k in enumerate(lines)}
    weights = world.profit_weights()
    total = 0.0
    for day, g in schedule.groupby("date"):
        spend = np.zeros(len(lines))
        wasted = 0.0
        for r in g.itertuples():
            i = index.get((r.market, r.channel))
            if i is None:
                wasted += float(r.spend)
            else:
                spend[i] += float(r.spend)
        d = str(pd.Timestamp(day).date())
        rev = world.true_curves((d, d)).response(spend)[0]
        total += float((weights * rev).sum() - spend.sum() - wasted)
    return total


def _plan_daily(plan: Any, known: set[tuple[str, str]]) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """Daily money per known line from every spent bucket, and each market's test bucket
    (period total)."""
    daily: dict[tuple[str, str], float] = dict.fromkeys(sorted(known), 0.0)
    tests: dict[str, float] = {}
    for ln in plan.lines:
        if ln.bucket == "reserve":
            continue
        if ln.bucket == "test":
            tests[ln.market] = tests.get(ln.market, 0.0) + float(ln.amount_base)
        key = (ln.market, ln.channel)
        amount = float(ln.daily_budget_base or 0.0)
        if key in known and np.isfinite(amount) and amount > 0:
            daily[key] = daily.get(key, 0.0) + amount
    return daily, tests


def _mroas_error(curves: Any, world: Any, daily: dict[tuple[str, str], float], period: str) -> float:
    names = [tuple(x) for x in curves.lines]
    spend = np.asarray([max(float(daily.get(k, 0.0)), 1.0) for k in names])
    fitted = np.asarray(curves.marginal(spend)).mean(axis=0)
    true = world.true_curves(period)
    idx = {k: i for i, k in enumerate(world.lines)}
    tspend = np.zeros(len(world.lines))
    for k, s in zip(names, spend, strict=True):
        if k in idx:
            tspend[idx[k]] = s
    tm = true.marginal(tspend)[0]
    errs = [abs(np.log(max(f, 1e-6) / max(tm[idx[k]], 1e-6))) for k, f in zip(names, fitted, strict=True)
            if k in idx and daily.get(k, 0.0) > 0]
    return float(np.median(errs)) if errs else float("nan")


def _forecast(plan: Any, known: set[tuple[str, str]]) -> pd.DataFrame:
    """The plan's forecast of incremental net revenue per market (period totals, intervals
    summed over lines: wider than the market's own, so a miss is a real one)."""
    rows = [{"market": ln.market, "forecast": ln.expected_revenue, "lo": ln.expected_revenue_lo,
             "hi": ln.expected_revenue_hi} for ln in plan.lines
            if (ln.market, ln.channel) in known and ln.expected_revenue is not None]
    if not rows:
        return pd.DataFrame(columns=["market", "forecast", "lo", "hi"])
    return pd.DataFrame(rows).groupby("market", as_index=False).sum()


def _true_incremental(world: Any, start: str) -> pd.DataFrame:
    dm = world.daily_markets()
    dm = dm[dm["date"] >= pd.Timestamp(start)]
    return dm.groupby("market", as_index=False)["incremental_revenue"].sum().rename(
        columns={"incremental_revenue": "actual"})


def _refit(ws: Any, fit_kw: dict[str, Any]) -> str:
    """Fit; when the curves come back without numbers (a diverged fit), fit again with SVI
    and say so — a plan on NaN curves spends nothing."""
    ws.fit(**fit_kw)
    curves = ws.response_curves()
    probe = np.asarray(curves.marginal(np.maximum(np.asarray(curves.current_spend, float), 1.0)))
    if np.isfinite(probe).all():
        return ""
    ws.fit(**{**fit_kw, "method": "svi"})
    return f"{fit_kw.get('method')} fit diverged; refit with svi"


def run_loop(seed: int = 0, size: str = "small", months: int = 6, folder: Path | str | None = None,
             fit: dict[str, Any] | None = None, tests: bool = True, budget: float | None = None,
             max_change: Any = "default", move_limits: bool = True,
             buckets: dict[str, float] | None = None,
             move_steps: dict[str, tuple[float, float]] | None = None,
             on_period: Callable[[int, LoopPeriod | None], None] | None = None) -> LoopResult:
    """Run the loop on a simulated seller for ``months`` calendar months (see the module).

    ``fit``: keyword arguments of ``ws.fit`` (default SVI, the fastest); ``budget``: the
    monthly budget (default: the last 30 days' spend x 30, kept every month, pro rata per
    day); ``move_limits``: plan with the knowledge move limit (``ws.plan_knowing``, the
    default) instead of one ±30 % for all lines; ``buckets``: bucket
    shares for every market (as ``adbudget plan --buckets``); ``on_period(k,
    None)`` before month k and ``on_period(k, result)`` after it.
    """
    import tempfile

    from adbudget.simulate import World
    from adbudget.simulate.scoring import status_quo
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import world_settings

    started = time.perf_counter()
    world = World.build(seed, size)
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="adbudget-loop-"))
    ws = Workspace.init(root, world_settings(world), overwrite=True)
    ws.load_world(world)
    fit_kw = {**DEFAULT_FIT, **(fit or {})}
    _refit(ws, fit_kw)
    daily_budget = (budget / 30.0) if budget else float(world.current_spend(30).sum())
    sq_split = status_quo(world, 1.0)  # the seller's split before the loop, kept
    periods: list[LoopPeriod] = []
    regret = plan_cum = oracle_cum = 0.0
    known = set(world.lines)
    missed: set[str] = set()
    for k in range(1, months + 1):
        t0 = time.perf_counter()
        if on_period:
            on_period(k, None)
        period = world.next_month
        start, days = _days_of(period)
        kw = {} if max_change == "default" else {"max_change": max_change}
        rules: dict[str, int] = {}
        knowledge = ws.move_knowledge(missed, move_steps) if move_limits else {}
        if move_limits:
            plan = ws.plan_knowing(round(daily_budget * days, 2), period, missed=missed,
                                   buckets=buckets, steps=move_steps, **kw)
            rules = _rule_counts(plan)
        else:
            plan = ws.plan(round(daily_budget * days, 2), period, buckets=buckets, **kw)
        daily, test_bucket = _plan_daily(plan, known)
        perf_daily, perf_money = _performance_lines(plan)
        perf_oracle = world.oracle_allocation(perf_money, period) if perf_money > 0 else None
        perf = _performance_score(world, perf_daily, perf_money, perf_oracle, known, sq_split,
                                  period, days)
        forecast = _forecast(plan, known)
        designs = ws.design_tests(daily, period, test_budget=test_bucket, knowledge=knowledge,
                                  after=_tested_steps(move_steps) if move_limits else None,
                                  ) if tests else []
        sched = schedule_frame(daily, start, days, designs)
        plan_profit = schedule_profit(world, sched)
        given_up = (schedule_profit(world, schedule_frame(daily, start, days)) - plan_profit
                    if designs else 0.0)
        oracle = world.oracle_allocation(daily_budget * days, period).profit
        sq = world.true_profit(sq_split * daily_budget, period)
        curves = ws.response_curves()  # the refit's curves, read from the store once
        err = _mroas_error(curves, world, daily, period)
        diagnosis = line_diagnosis(curves, world, perf_daily, perf_oracle, daily, knowledge,
                                   period)
        truth = None
        if designs:
            from adbudget.simulate.forward import designed_test_truth

            truth = designed_test_truth(world, sched).set_index("test_id")
        world = world.forward(sched)
        ws.load_world_period(world, start)
        found: list[dict[str, Any]] = []
        if designs:
            expected = {d.test_id: d.expected_se for d in designs}
            for r in ws.analyze_tests(sched):
                true = float(truth.loc[r.test_id, "true_daily_difference"]) * r.days  # type: ignore[union-attr]
                lo, hi = r.interval(0.9)
                found.append({"test_id": r.test_id, "market": r.market, "channel": r.channel,
                              "estimate": r.incremental_revenue, "se": r.incremental_revenue_se,
                              "slope": r.slope, "slope_se": r.slope_se,
                              "expected_se": expected.get(r.test_id),
                              "true": true, "true_slope": true / max((r.hi_spend - r.lo_spend) * r.days, 1e-9),
                              "covered": bool(lo <= true <= hi)})
        from adbudget.experiments.accountability import forecast_check

        check = forecast_check(forecast, _true_incremental(world, start))
        missed = set(check.loc[check["missed"], "market"])
        fit_note = _refit(ws, fit_kw)
        regret += oracle - plan_profit
        plan_cum += plan_profit
        oracle_cum += oracle
        rec = LoopPeriod(
            period=period, budget=daily_budget * days, plan_profit=plan_profit,
            oracle_profit=oracle, status_quo_profit=sq, cumulative_regret=regret,
            share_of_oracle=plan_cum / oracle_cum if oracle_cum else float("nan"),
            mroas_error=err, tests=found, test_spend=float(sum(d.test_spend for d in designs)),
            test_bucket=float(sum(test_bucket.values())), given_up=given_up,
            spent=float(sched["spend"].sum()), fit_note=fit_note,
            given_up_estimate=float(sum(d.profit_given_up for d in designs)),
            misses=check.round(2).to_dict(orient="records"), limits=rules, lines=diagnosis,
            seconds=time.perf_counter() - t0, **perf)
        periods.append(rec)
        result = LoopResult(seed=seed, size=size, periods=periods,
                            seconds=time.perf_counter() - started)
        ws.save_loop(result.record())  # the report and the dashboard read it
        if on_period:
            on_period(k, rec)
    return LoopResult(seed=seed, size=size, periods=periods, seconds=time.perf_counter() - started)


def _tested_steps(steps: Mapping[str, tuple[float, float]] | None) -> tuple[float, float]:
    from adbudget.plan.knowledge import DEFAULT_STEPS

    return tuple((steps or {}).get("tested", DEFAULT_STEPS["tested"]))  # type: ignore[return-value]


def _rule_counts(plan: Any) -> dict[str, int]:
    """How many performance lines each move-limit rule governed."""
    out: dict[str, int] = {}
    for ln in plan.lines:
        rule = (ln.reason_args or {}).get("move_rule") if ln.bucket == "performance" else None
        if rule:
            out[str(rule)] = out.get(str(rule), 0) + 1
    return out


def line_diagnosis(curves: Any, world: Any, perf: dict[tuple[str, str], float],
                   perf_oracle: Any, daily: dict[tuple[str, str], float],
                   knowledge: dict[str, Any], period: str) -> list[dict[str, Any]]:
    """Per world line: the move rule and its (cut, raise), the performance money planned
    (daily, :func:`_performance_lines`), all money planned, the oracle's daily split of the
    same performance money (``perf_oracle``, None without any), and the fitted (mean, sd) and
    true marginal ROAS at the planned spend, with the line's break-even marginal ROAS
    (1 / profit per unit of revenue)."""
    oracle = perf_oracle.as_dict() if perf_oracle is not None else {}
    lines = list(world.lines)
    spend = np.asarray([max(float(daily.get(k, 0.0)), 1e-6) for k in lines])
    true = world.true_curves(period).marginal(spend)[0]
    w = world.profit_weights()
    fitted: dict[tuple[str, str], tuple[float, float]] = {}
    names = [tuple(x) for x in curves.lines]
    fs = np.asarray([max(float(daily.get(k, 0.0)), 1e-6) for k in names])
    marg = np.asarray(curves.marginal(fs))
    for i, k in enumerate(names):
        fitted[k] = (float(marg[:, i].mean()), float(marg[:, i].std()))
    out = []
    for i, k in enumerate(lines):
        kn = knowledge.get(f"{k[0]}.{k[1]}")
        f = fitted.get(k, (float("nan"), float("nan")))
        out.append({"market": k[0], "channel": k[1], "rule": getattr(kn, "rule", None),
                    "cut": getattr(kn, "down", None), "raise": getattr(kn, "up", None),
                    "reference": getattr(kn, "base", None), "performance": perf.get(k, 0.0),
                    "daily": float(daily.get(k, 0.0)), "oracle": float(oracle.get(k, 0.0)),
                    "mroas_fit": f[0], "mroas_sd": f[1], "mroas_true": float(true[i]),
                    "break_even": float(1.0 / w[i]) if w[i] > 0 else float("inf")})
    return out


def _performance_lines(plan: Any) -> tuple[dict[tuple[str, str], float], float]:
    """The plan's performance money per line and day, and its total over the period."""
    perf: dict[tuple[str, str], float] = {}
    money = 0.0
    for ln in plan.lines:
        if ln.bucket != "performance":
            continue
        money += float(ln.amount_base)
        amount = float(ln.daily_budget_base or 0.0)
        if np.isfinite(amount):
            perf[(ln.market, ln.channel)] = perf.get((ln.market, ln.channel), 0.0) + amount
    return perf, money


def _performance_score(world: Any, perf: dict[tuple[str, str], float], money: float,
                       perf_oracle: Any, known: set[tuple[str, str]], sq_split: np.ndarray,
                       period: str, days: int) -> dict[str, float]:
    """Like with like on the performance bucket alone: the true profit of the plan's
    performance lines (flat, without test arms), the oracle's best split of the same money
    (``perf_oracle``), and the status quo's split of it."""
    daily = {k: perf.get(k, 0.0) for k in sorted(known)}
    if not money > 0:
        return {"performance_budget": 0.0, "plan_performance": 0.0, "oracle_performance": 0.0,
                "status_quo_performance": 0.0}
    unknown = money / days - sum(daily.values())  # performance money on lines the world lacks
    return {
        "performance_budget": money,
        "plan_performance": world.true_profit(daily, period) - max(unknown, 0.0) * days,
        "oracle_performance": perf_oracle.profit,
        "status_quo_performance": world.true_profit(sq_split * money / days, period),
    }


__all__ = ["LoopMixin", "LoopPeriod", "LoopResult", "run_loop", "schedule_profit"]
