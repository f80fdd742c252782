"""CLI commands of the `experiments` area: `adbudget tests status|design|allocate|fatigue|lift`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from adbudget.cli.common import (
    DEFAULT_WORKSPACE,
    JsonOpt,
    LangOpt,
    WorkspaceOpt,
    console,
    handle_errors,
    open_workspace,
    print_json,
)
from adbudget.errors import UsageError
from adbudget.i18n import t


def _money(x: float | None, currency: str = "") -> str:
    if x is None:
        return "-"
    return f"{x:,.0f} {currency}".strip() if abs(x) >= 100 else f"{x:,.2f} {currency}".strip()


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def render_status(report: Any) -> None:
    """Print every experiment's arms with P(best), P(beat control), expected loss and decision."""
    if not report.experiments:
        console.print(t("experiments.status.none"))
        return
    cur = report.base_currency
    for exp in report.experiments:
        lines = sorted({f"{a.market} {a.channel}" for a in exp.arms})
        title = t("experiments.status.period", experiment=exp.experiment, start=exp.start, end=exp.end)
        table = Table(title=f"{title} · {', '.join(lines)}", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for key in ("arm", "days", "spend", "conversions", "roas", "interval", "p_best", "p_beat", "loss",
                    "decision"):
            label = t(f"experiments.status.{key}") + (f" ({cur})" if key == "spend" else "")
            table.add_column(label, justify="left" if key in ("arm", "decision") else "right")
        for a in exp.arms:
            name = a.arm + ("*" if a.is_control else "")
            style = {"scale": "green", "stop": "red"}.get(a.decision, "")
            label = t("experiments.decision." + a.decision)
            table.add_row(
                name, str(a.days), f"{a.spend:,.0f}", f"{a.conversions:,.0f}",
                f"{a.roas_mean:.2f}", f"{a.roas_lo:.2f}-{a.roas_hi:.2f}",
                _pct(a.p_best), _pct(a.p_beat_control), _pct(a.expected_loss),
                Text(label, style=style) if style else label,
            )
        console.print(table)
        console.print(t("experiments.status.control_note"), style="dim")
        for a in exp.arms:
            console.print(f"  [bold]{escape(a.arm)}[/bold]: {escape(a.reason)}", highlight=False)
        if exp.graduation:
            g = exp.graduation
            console.print(t("experiments.status.graduation", arm=g.arm, daily=_money(g.daily_budget_base, cur),
                            test_daily=_money(g.test_daily_spend, cur),
                            multiplier=f"{g.daily_budget_base / g.test_daily_spend:.1f}"
                            if g.test_daily_spend else "-"), style="green")
        console.print()


def register(app: typer.Typer) -> None:
    """Add the `tests` command group."""
    tests = typer.Typer(help="Test budget: experiments, decisions, bandit allocation, test design, lift tests, creative fatigue.",
                        no_args_is_help=True)
    app.add_typer(tests, name="tests")
    from adbudget.cli.loop import register_tests

    register_tests(tests)

    @tests.command("status", help="Analyze every experiment: P(best), P(beat control), expected loss, and scale / keep testing / stop.")
    @handle_errors
    def status_cmd(
        experiment: Annotated[str | None, typer.Option(help="Only this experiment id.")] = None,
        threshold: Annotated[float | None, typer.Option(help="Expected loss you accept, relative to the best arm's metric (default: settings, 0.01).")] = None,
        start: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
        end: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
        markets: Annotated[str | None, typer.Option(help="Comma-separated market codes.")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            report = ws.experiments_status(experiment, start=start, end=end, markets=_split(markets),
                                           loss_threshold=threshold)
        if json_out:
            print_json(report)
            return
        render_status(report)

    @tests.command("allocate", help="Split the test bucket over live arms for the next period (Thompson sampling with floors).")
    @handle_errors
    def allocate_cmd(
        budget: Annotated[float, typer.Option(help="Test bucket for the period, base currency.")],
        days: Annotated[int, typer.Option(help="Days in the period.")] = 30,
        experiment: Annotated[str | None, typer.Option(help="Comma-separated experiment ids (default: all).")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            df = ws.test_allocation(budget, period_days=days, experiments=_split(experiment))
            cur = ws.settings.base_currency
        if json_out:
            print_json(df)
            return
        if df.empty:
            console.print(t("experiments.allocate.none"))
            return
        table = Table(title=t("experiments.allocate.title", budget=_money(budget, cur), days=days), title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for key, label in (("experiment", "experiments.status.experiment"), ("arm", "experiments.status.arm"),
                           ("market", "experiments.status.market"), ("channel", "experiments.status.channel"),
                           ("amount", "experiments.allocate.amount"), ("daily", "experiments.allocate.daily"),
                           ("share", "experiments.allocate.share"), ("p_best", "experiments.allocate.p_best"),
                           ("floor", "experiments.allocate.floor")):
            table.add_column(t(label), justify="left" if key in ("experiment", "arm", "market", "channel") else "right")
        for r in df.itertuples(index=False):
            table.add_row(r.experiment, r.arm, r.market, r.channel, _money(r.amount, cur), _money(r.daily_amount, cur),
                          _pct(r.share), _pct(r.p_best), _money(r.floor, cur))
        console.print(table)

    @tests.command("design", help="Budget and days to detect a lift (power / MDE); with --budget, an entry-stage test plan.")
    @handle_errors
    def design_cmd(
        market: Annotated[str | None, typer.Option(help="Market code, e.g. US.")] = None,
        channel: Annotated[str | None, typer.Option(help="Channel for the power calculation (default: the market's first entry platform).")] = None,
        lift: Annotated[float, typer.Option(help="Relative lift in conversion rate to detect (0.2 = 20 %).")] = 0.2,
        power: Annotated[float | None, typer.Option(help="Probability of finding the lift (default: settings, 0.8).")] = None,
        arms: Annotated[int, typer.Option(help="Arms in the test, control included.")] = 2,
        daily_budget: Annotated[float | None, typer.Option("--daily-budget", help="Daily budget for all arms, base currency: gives the days needed.")] = None,
        budget: Annotated[float | None, typer.Option(help="Test bucket for an entry-stage plan, base currency (default: the market's test bucket in the latest plan).")] = None,
        days: Annotated[int, typer.Option(help="Entry test length, 7 to 14 days.")] = 14,
        cvr: Annotated[float | None, typer.Option(help="Baseline conversion rate per click (default: your data, else a starting default).")] = None,
        order_value: Annotated[float | None, typer.Option("--order-value", help="Average order value, base currency (default: your data).")] = None,
        cpc: Annotated[float | None, typer.Option(help="Cost per click, base currency (default: your data).")] = None,
        scale: Annotated[bool, typer.Option("--scale", help="Scale tests for the latest plan: the lines whose slope is worth most to know (value of information), as switchbacks funded by the test bucket.")] = False,
        period: Annotated[str | None, typer.Option("--period", help="With --scale: the month the tests run in, YYYY-MM (default: the month after the data).")] = None,
        schedule_out: Annotated[Path | None, typer.Option("--schedule", help="With --scale: write the plan's per-day schedule with the tests' arms (.csv or .json).")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        if scale:
            from adbudget.cli.loop import scale_design_cmd

            with open_workspace(workspace, read_only=True) as ws:
                if period is None:
                    last = ws.store.query("SELECT max(date) AS d FROM ad_daily")["d"].iloc[0]
                    period = str((pd.Timestamp(last) + pd.Timedelta(days=1)).to_period("M"))
                scale_design_cmd(ws, period, schedule_out, json_out)
            return
        if market is None:
            raise UsageError(t("loop.cli.need_market"))
        market = market.upper()
        with open_workspace(workspace, read_only=True) as ws:
            region = ws._market_or_error(market).region
            ch = channel or (ws.settings.experiments.entry_platforms.get(region) or ["meta"])[0]
            report = ws.test_design(market, ch, lift=lift, power=power, n_arms=arms, daily_budget=daily_budget,
                                    max_days=days, cvr=cvr, order_value=order_value, cpc=cpc)
            if budget is None:
                budget = ws.test_bucket_budget(market)  # the latest plan's test bucket, if any
            plan = ws.entry_test_plan(market, budget, days=days) if budget is not None else None
            cur = ws.settings.base_currency
        if json_out:
            print_json({"design": report, "entry_plan": plan})
            return
        d = report.design
        table = Table(title=t("experiments.design.title", market=market, channel=ch, lift=_pct(d.lift), power=_pct(d.power)),
                      title_justify="left", show_header=False)
        table.add_column("")
        table.add_column("", justify="right")
        table.add_row(t("experiments.design.clicks_per_arm"), f"{d.clicks_per_arm:,}")
        table.add_row(t("experiments.design.conversions_per_arm"), f"{d.conversions_per_arm:,}")
        table.add_row(t("experiments.design.spend_per_arm"), _money(d.spend_per_arm, cur))
        table.add_row(t("experiments.design.total_budget"), _money(d.total_budget, cur))
        if d.days is not None:
            table.add_row(t("experiments.design.days", daily=_money(d.daily_budget, cur)), str(d.days))
            table.add_row(t("experiments.design.mde", daily=_money(d.daily_budget, cur), days=days),
                          _pct(d.mde_at_daily_budget) if d.mde_at_daily_budget != float("inf") else "-")
        console.print(table)
        console.print(t("experiments.design.assumptions", cvr=_pct(d.cvr), order_value=_money(d.order_value, cur),
                        cv=f"{d.order_value_cv:.2f}", cpc=_money(d.cpc, cur),
                        source=t("experiments.design.source_data" if report.assumptions_from_data
                                 else "experiments.design.source_default")
                        + (t("experiments.design.source_given", names=", ".join(report.given)) if report.given else "")),
                      highlight=False)
        if plan is None:
            return
        table = Table(title=t("experiments.design.plan_title", market=market, budget=_money(plan.budget, cur), days=plan.days),
                      title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for key in ("platform", "creative_type", "targeting", "budget", "daily_budget", "expected_clicks",
                    "expected_conversions"):
            table.add_column(t(f"experiments.design.{key}"),
                             justify="left" if key in ("platform", "creative_type", "targeting") else "right")
        for c in plan.cells:
            table.add_row(c.platform, c.creative_type, c.targeting, _money(c.budget, cur), _money(c.daily_budget, cur),
                          f"{c.expected_clicks:,.0f}", f"{c.expected_conversions:,.1f}")
        console.print(table)
        if plan.dropped:
            console.print(t("experiments.design.dropped", items=", ".join(plan.dropped)))
        key = "experiments.design.feasible" if plan.feasible else "experiments.design.infeasible"
        console.print(t(key, min=plan.cell_min_conversions, needed=_money(plan.budget_needed, cur)),
                      style="" if plan.feasible else "yellow")

    @tests.command("lift", help="Incremental ROAS of imported lift tests, with intervals and the pooled calibration.")
    @handle_errors
    def lift_cmd(
        level: Annotated[float, typer.Option(help="Interval level.")] = 0.9,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            results = ws.lift_results(level)
            from adbudget.experiments import lift_calibration

            calibration = lift_calibration(results)
        if json_out:
            print_json({"tests": results, "calibration": calibration})
            return
        if not results:
            console.print(t("experiments.lift.none"))
            return
        table = Table(title=t("experiments.lift.title"), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                      pad_edge=False)
        for label in ("experiments.lift.test_id", "experiments.status.market", "experiments.status.channel",
                      "experiments.lift.method", "experiments.status.days", "experiments.status.spend",
                      "experiments.lift.baseline", "experiments.lift.measures", "experiments.lift.iroas",
                      "experiments.lift.significant"):
            table.add_column(t(label))
        for r in results:
            baseline = _money(r.baseline_spend, r.currency) if r.kind == "scale" else "-"
            table.add_row(r.test_id, r.market, r.channel, r.method, str(r.days), _money(r.spend, r.currency),
                          baseline, t(f"experiments.lift.kind_{r.kind}_short"),
                          f"{r.iroas:.2f} ({r.iroas_lo:.2f} - {r.iroas_hi:.2f})",
                          t("experiments.lift.yes" if r.significant else "experiments.lift.no"))
        console.print(table)
        table = Table(title=t("experiments.lift.calibration"), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                      pad_edge=False)
        for label in ("experiments.status.market", "experiments.status.channel", "experiments.lift.measures",
                      "experiments.lift.iroas_se", "experiments.lift.n_tests"):
            table.add_column(t(label))
        for r in calibration.itertuples(index=False):
            table.add_row(r.market, r.channel, t(f"experiments.lift.kind_{r.kind}_short"),
                          f"{r.iroas:.2f} ± {r.iroas_se:.2f}", str(r.n_tests))
        console.print(table)

    @tests.command("fatigue", help="Creative fatigue: falling CTR / CVR with age, flag, days until below break-even.")
    @handle_errors
    def fatigue_cmd(
        markets: Annotated[str | None, typer.Option(help="Comma-separated market codes.")] = None,
        channels: Annotated[str | None, typer.Option(help="Comma-separated channels.")] = None,
        all_creatives: Annotated[bool, typer.Option("--all", help="Show every creative, not only fatigued ones.")] = False,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            results = ws.creative_fatigue(markets=_split(markets), channels=_split(channels))
            min_days = ws.settings.experiments.fatigue_min_days
        if json_out:
            print_json(results)
            return
        if not results:
            console.print(t("experiments.fatigue.none", days=min_days))
            return
        shown = results if all_creatives else [r for r in results if r.fatigued]
        table = Table(title=t("experiments.fatigue.title"), title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        labels = ["experiments.fatigue.creative", "experiments.fatigue.age", "experiments.fatigue.ctr",
                  "experiments.fatigue.cvr", "experiments.fatigue.changepoint", "experiments.fatigue.roas_now",
                  "experiments.fatigue.days_left"] + (["experiments.fatigue.fatigued"] if all_creatives else [])
        for label in labels:
            table.add_column(t(label), justify="left" if label == "experiments.fatigue.creative" else "right")
        for r in shown:
            cps = [x for x in (r.ctr_changepoint_age, r.cvr_changepoint_age) if x is not None]
            days_left = (t("experiments.fatigue.never") if r.days_to_breakeven is None
                         else t("experiments.fatigue.already") if r.days_to_breakeven == 0
                         else f"{r.days_to_breakeven:.0f}")
            ctr = f"{_pct(r.ctr_before)} -{r.ctr_drop:.0%}" if r.ctr_changepoint_age is not None else _pct(r.ctr_before)
            cvr = f"{_pct(r.cvr_before)} -{r.cvr_drop:.0%}" if r.cvr_changepoint_age is not None else _pct(r.cvr_before)
            row = [f"{r.market} {r.channel} · {r.creative}", str(r.age_days), ctr, cvr,
                   str(min(cps)) if cps else "-", f"{r.roas_now:.2f}", days_left]
            if all_creatives:
                row.append(t("experiments.lift.yes" if r.fatigued else "experiments.lift.no"))
            table.add_row(*row)
        console.print(table)
        console.print(t("experiments.fatigue.summary", n=sum(r.fatigued for r in results), total=len(results)))
