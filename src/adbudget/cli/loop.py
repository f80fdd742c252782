"""CLI of the budgeting loop: `adbudget loop`, `simulate --continue`, `tests analyze`,
`tests design --scale` (rendering only; the work is in simulate.forward, workspace.loop and
experiments)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich import box
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from adbudget.cli.common import (
    DEFAULT_WORKSPACE,
    JsonOpt,
    LangOpt,
    WorkspaceOpt,
    console,
    handle_errors,
    is_interactive,
    open_workspace,
    print_json,
)
from adbudget.errors import UsageError
from adbudget.i18n import t


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def continue_cmd(folder: Path, plan_file: Path | None, days: int | None, json_out: bool) -> None:
    """`adbudget simulate --continue FOLDER --plan FILE`."""
    from adbudget.simulate.forward import continue_folder

    if plan_file is None:
        raise UsageError(t("loop.cli.need_plan"))
    world, manifest, out = continue_folder(folder, plan_file, days)
    start, end = world.period_start, world.spec.end  # type: ignore[attr-defined]
    if json_out:
        print_json({"folder": str(out.resolve()), "start": start, "end": end,
                    "files": [f.path for f in manifest.files],
                    "unknown_spend": world.unknown_spend})  # type: ignore[attr-defined]
        return
    console.print(t("loop.cli.continued", start=start, end=end, folder=str(out.resolve())))
    if world.unknown_spend > 0:  # type: ignore[attr-defined]
        console.print(t("loop.cli.unknown_spend", amount=_money(world.unknown_spend)), style="yellow")  # type: ignore[attr-defined]
    console.print(t("loop.cli.import_hint", folder=str(out)))


def render_loop(result: Any) -> None:
    """The per-month table and the summary of a loop run."""
    table = Table(title=t("loop.table.title", seed=result.seed, size=result.size), title_justify="left",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for key in ("period", "plan", "oracle", "status_quo", "regret", "share", "mroas_error", "tests"):
        table.add_column(t(f"loop.table.{key}"), justify="left" if key in ("period", "tests") else "right")
    for p in result.periods:
        found = ", ".join(f"{x['market']}·{x['channel']} {x['slope']:+.2f}±{x['slope_se']:.2f}"
                          f" ({t('loop.table.true')} {x['true_slope']:.2f})" for x in p.tests) or "-"
        style = "" if p.beats_status_quo else "yellow"
        table.add_row(p.period, _money(p.plan_profit), _money(p.oracle_profit), _money(p.status_quo_profit),
                      _money(p.cumulative_regret), f"{100 * p.share_of_oracle:.0f}%",
                      f"{p.mroas_error:.2f}", found, style=style)
    console.print(table)
    # accountability: each month's forecast misses first (incremental revenue per market)
    for p in result.periods:
        missed = [m for m in p.misses if m.get("missed")]
        if missed:
            items = "; ".join(t("loop.miss.item", market=m["market"], forecast=_money(m["forecast"]),
                                lo=_money(m["lo"]), hi=_money(m["hi"]), actual=_money(m["actual"]))
                              for m in missed)
            console.print(t("loop.miss.line", period=p.period, items=items), style="yellow", highlight=False)
    s = result.summary()
    console.print(t("loop.summary", plan=_money(s["plan_profit"]), oracle=_money(s["oracle_profit"]),
                    sq=_money(s["status_quo_profit"]),
                    share=f"{100 * (s['share_of_oracle'] or 0):.0f}%",
                    sq_share=f"{100 * (s['status_quo_share_of_oracle'] or 0):.0f}%",
                    seconds=f"{s['seconds']:.0f}"), highlight=False)
    if s.get("performance_share_of_oracle") is not None:
        console.print(t("loop.summary_performance",
                        share=f"{100 * s['performance_share_of_oracle']:.0f}%",
                        sq_share=f"{100 * (s['performance_status_quo_share'] or 0):.0f}%"), highlight=False)
    if not s["beats_status_quo_from_second"] and len(result.periods) > 1:
        console.print(t("loop.behind_status_quo"), style="yellow")


def register(app: typer.Typer) -> None:
    """Add `loop` to the main app."""

    @app.command("loop", help="Run a simulated seller month by month: plan, spend, import, refit, read the tests, replan; scored by the truth.")
    @handle_errors
    def loop_cmd(
        seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated seller.")] = 0,
        size: Annotated[Literal["tiny", "small", "medium", "large"], typer.Option("--size", help="tiny, small, medium or large.")] = "small",
        months: Annotated[int, typer.Option("--months", min=1, max=24, help="Calendar months to run.")] = 6,
        method: Annotated[Literal["laplace", "svi", "nuts"], typer.Option("--method", help="Fit method each month: laplace (fastest), svi or nuts.")] = "laplace",
        tests: Annotated[bool, typer.Option("--tests/--no-tests", help="Design and read scale tests funded by the test bucket.")] = True,
        budget: Annotated[float | None, typer.Option("--budget", help="Monthly budget, base currency (default: the last 30 days' spend).")] = None,
        move_limits: Annotated[bool, typer.Option("--move-limits/--plain-limits", help="Plan with the knowledge move limit instead of ±30 % for all (the default): a line a scale test read well may be cut to 0 or raised 60 %, a line whose posterior is clearly above (below) break-even raised 60 % (cut to 0), others −60/+30 %, unsure lines or a market whose last forecast missed −30/+15 %, never beyond 1.5× the highest daily spend seen (--plain-limits: ±30 % for every line).")] = True,
        buckets: Annotated[str | None, typer.Option("--buckets", help="Bucket shares for every market, as in plan, e.g. performance=90,test=10.")] = None,
        directory: Annotated[Path | None, typer.Option("--dir", help="Workspace folder for the loop (default: a new temporary folder).")] = None,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        from adbudget.plan.buckets import parse_buckets
        from adbudget.workspace.loop import run_loop

        progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                            TimeElapsedColumn(), console=console,
                            disable=json_out or not is_interactive(), transient=False)
        with progress:
            task = progress.add_task(t("loop.progress.start"), total=months)

            def on_period(k: int, rec: Any) -> None:
                if rec is None:
                    progress.update(task, description=t("loop.progress.month", k=k, months=months))
                else:
                    progress.update(task, completed=k, description=t(
                        "loop.progress.done", period=rec.period, share=f"{100 * rec.share_of_oracle:.0f}%"))

            result = run_loop(seed, size, months, folder=directory, fit={"method": method},
                              tests=tests, budget=budget, move_limits=move_limits,
                              buckets=parse_buckets(buckets) if buckets else None, on_period=on_period)
        if json_out:
            print_json(result.record())
            return
        render_loop(result)


def register_tests(tests: typer.Typer) -> None:
    """Add `tests analyze` to the `tests` group (`tests design --scale` lives on `design`)."""

    @tests.command("analyze", help="Read switchback scale tests from ad_daily and orders (incremental revenue ± SE) and store them as lift tests.")
    @handle_errors
    def analyze_cmd(
        schedule: Annotated[Path, typer.Option("--schedule", help="The per-day schedule that names the tests (test_id, arm), as exported with the plan.")],
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the readings without storing them.")] = False,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=dry_run) as ws:
            readings = ws.analyze_tests(schedule, write=not dry_run)
            cur = ws.settings.base_currency
        if json_out:
            print_json([r.record() for r in readings])
            return
        if not readings:
            console.print(t("loop.analyze.none"))
            return
        table = Table(title=t("loop.analyze.title", currency=cur), title_justify="left", box=box.SIMPLE_HEAD,
                      padding=(0, 1), pad_edge=False)
        for key in ("test", "market", "channel", "window", "hi", "lo", "incremental", "se", "slope"):
            table.add_column(t(f"loop.analyze.{key}"), justify="left" if key in ("test", "market", "channel", "window") else "right")
        for r in readings:
            table.add_row(r.test_id, r.market, r.channel, f"{r.start_date} – {r.end_date}", _money(r.hi_spend),
                          _money(r.lo_spend), _money(r.incremental_revenue), _money(r.incremental_revenue_se),
                          f"{r.slope:.2f} ± {r.slope_se:.2f}")
        console.print(table)
        if not dry_run:
            console.print(t("loop.analyze.stored", n=len(readings)))


    @tests.command("pace", help="Pace a per-day schedule (the plan with its test arms): spend to date against the schedule, today's arm and the daily budget that lands each line on plan.")
    @handle_errors
    def pace_cmd(
        schedule: Annotated[Path, typer.Option("--schedule", help="The per-day schedule exported with the plan (tests design --scale --schedule).")],
        date_: Annotated[str | None, typer.Option("--date", help="The day to pace, YYYY-MM-DD (default: the day after the last ad data).")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            rep = ws.pace_schedule(schedule, date_)
        if json_out:
            print_json(rep)
            return
        table = Table(title=t("loop.pace.title", start=str(rep.start), end=str(rep.end), date=str(rep.as_of),
                              elapsed=rep.days_elapsed, total=rep.days_total),
                      title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for key in ("market", "channel", "plan", "spent", "pace", "projected", "status"):
            table.add_column(t(f"rules.pacing.col.{key}"), justify="left" if key in ("market", "channel", "status") else "right")
        table.add_column(t("loop.pace.arm"))
        table.add_column(t("loop.pace.today"), justify="right")
        for _, r in rep.lines.iterrows():
            table.add_row(r["market"], r["channel"], _money(r["plan"]), _money(r["spent"]),
                          f"{100 * r['pace']:.0f} %" if r["pace"] == r["pace"] else "–",
                          _money(r["projected"]), t(f"rules.pacing.status.{r['status']}"),
                          t(f"loop.pace.arm_{r['arm_today']}") if r["arm_today"] in ("hi", "lo") else "",
                          _money(r["required_daily"]))
        console.print(table)


    @tests.command("check", help="The last plan's forecast against what happened (the refit's reading of what the ads caused), misses first, per market and per line.")
    @handle_errors
    def check_cmd(
        plan_id: Annotated[int | None, typer.Option("--plan", help="A saved plan's id (default: the latest).")] = None,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        with open_workspace(workspace, read_only=True) as ws:
            out = ws.check_plan(ws.get_plan(plan_id) if plan_id is not None else None)
        if json_out:
            print_json(out)
            return
        console.print(t("loop.check.title", period=out["period"], days=out["days"], total=out["plan_days"]))
        for part, keys in (("markets", ("market",)), ("lines", ("market", "channel"))):
            df = out[part]
            table = Table(title=t(f"loop.check.{part}"), title_justify="left", box=box.SIMPLE_HEAD,
                          padding=(0, 1), pad_edge=False)
            for key in (*keys, "forecast", "interval", "actual", "error", "missed"):
                table.add_column(t(f"loop.check.{key}"), justify="left" if key in ("market", "channel", "missed") else "right")
            for r in df.to_dict(orient="records"):
                table.add_row(*(str(r[k]) for k in keys), _money(r["forecast"]), f"{_money(r['lo'])} – {_money(r['hi'])}",
                              _money(r["actual"]), f"{r['error_pct']:+.0f} %" if r["error_pct"] == r["error_pct"] else "–",
                              t("loop.check.yes") if r["missed"] else "", style="yellow" if r["missed"] else None)
            console.print(table)
        console.print(t("loop.check.note"))


def scale_design_cmd(ws: Any, period: str, schedule_out: Path | None, json_out: bool) -> None:
    """`adbudget tests design --scale --period YYYY-MM`: scale tests for the latest plan."""
    from adbudget.experiments.scale_design import schedule_frame
    from adbudget.experiments.schedule_io import write_schedule
    from adbudget.workspace.loop import _days_of, _plan_daily

    plan = ws.latest_plan()
    if plan is None:
        raise UsageError(t("loop.design.no_plan"))
    known = {tuple(x) for x in ws.response_curves().lines}
    daily, buckets = _plan_daily(plan, known)
    kw: dict[str, Any] = {}
    if any((ln.reason_args or {}).get("move_rule") for ln in plan.lines):
        # a plan made with the knowledge move limit (plan --knowing): a reading that pins a
        # slope is also worth the larger moves the next such plan may then make
        from adbudget.plan.knowledge import DEFAULT_STEPS

        kw = {"knowledge": ws.move_knowledge(), "after": DEFAULT_STEPS["tested"]}
    designs = ws.design_tests(daily, period, test_budget=buckets, **kw)
    start, days = _days_of(period)
    if schedule_out is not None:
        write_schedule(schedule_frame(daily, start, days, designs), schedule_out)
    if json_out:
        print_json({"period": period, "tests": [d.record() for d in designs],
                    "schedule": str(schedule_out) if schedule_out else None})
        return
    if not designs:
        console.print(t("loop.design.none"))
    else:
        cur = ws.settings.base_currency
        table = Table(title=t("loop.design.title", period=period, currency=cur), title_justify="left",
                      box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        for key in ("line", "unit", "levels", "blocks", "days", "se", "value", "given_up", "spend", "prior"):
            table.add_column(t(f"loop.design.{key}"), justify="left" if key in ("line", "unit", "levels") else "right")
        for d in designs:
            table.add_row(f"{d.market} · {d.channel}", t(f"loop.unit.{d.unit}"),
                          f"{d.hi_factor:g}× / {d.lo_factor:g}× {_money(d.budget_daily)}", str(d.block_days),
                          str(d.days), _money(d.expected_se), _money(d.value), _money(d.profit_given_up),
                          _money(d.test_spend), f"{d.prior_mroas:.2f} ± {d.prior_mroas_sd:.2f}")
        console.print(table)
    if schedule_out is not None:
        console.print(t("loop.design.schedule", path=str(schedule_out)))


__all__ = ["continue_cmd", "register", "register_tests", "render_loop", "scale_design_cmd"]
