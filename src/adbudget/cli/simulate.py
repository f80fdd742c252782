"""CLI commands of the `simulate` area: `adbudget simulate` and `adbudget demo`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from adbudget.cli.common import JsonOpt, LangOpt, console, handle_errors, is_interactive, print_json
from adbudget.errors import UsageError
from adbudget.i18n import t

SIZE_NAMES = ("tiny", "small", "medium", "large")  # tiny: for tests
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives byte-identical files.")]
SizeOpt = Annotated[str, typer.Option("--size", help="small (5 markets, 1 year), medium (10, 2 years) or large (20, 3 years).")]


def _check_size(size: str) -> str:
    if size not in SIZE_NAMES:
        raise UsageError(t("simulate.bad_size", size=size, allowed=", ".join(SIZE_NAMES)))
    return size


def register(app: typer.Typer) -> None:
    """Add `simulate` and `demo` to the main app."""

    @app.command("simulate", help="Write a synthetic seller's exports (and its truth) to a folder.")
    @handle_errors
    def simulate_cmd(
        out: Annotated[Path | None, typer.Option("--out", help="Folder to write the files to.")] = None,
        seed: SeedOpt = 0,
        size: SizeOpt = "small",
        continue_dir: Annotated[Path | None, typer.Option("--continue", help="Continue the simulated seller in this folder by one period: its exports go to FOLDER/periods/PNN (needs --plan).")] = None,
        plan_file: Annotated[Path | None, typer.Option("--plan", help="With --continue: the period's per-day schedule or a plan export (.csv or .json).")] = None,
        days: Annotated[int | None, typer.Option("--days", help="With --continue and a plan export: days in the period (default: the next calendar month).")] = None,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        from adbudget.simulate import World

        if continue_dir is not None:
            from adbudget.cli.loop import continue_cmd

            continue_cmd(continue_dir, plan_file, days, json_out)
            return
        if out is None:
            raise UsageError(t("loop.cli.need_out"))
        world = World.build(seed, _check_size(size))
        with _progress(not json_out) as progress:
            task = progress.add_task(t("simulate.writing"), total=None)
            manifest = world.write(
                out, progress=lambda step: progress.update(task, description=t("simulate.writing") + f" {step}"))
        if json_out:
            print_json({"out": str(out.resolve()), "seed": seed, "size": size,
                        "files": [f.path for f in manifest.files], "truth": "truth.json"})
            return
        table = Table(title=t("simulate.files_title", path=str(out.resolve())))
        table.add_column(t("simulate.col.file"))
        table.add_column(t("simulate.col.source"))
        table.add_column(t("simulate.col.market"))
        for f in manifest.files:
            table.add_row(f.path, f.source, f.market or "")
        console.print(table)
        console.print(t("simulate.summary", markets=len(world.spec.markets), lines=len(world.spec.lines),
                        start=world.spec.start, end=world.spec.end, truth=str(out / "truth.json")))

    from adbudget.cli.loop import register as register_loop

    register_loop(app)

    @app.command("demo", help="Simulate a seller, import its files, then run every analysis that exists.")
    @handle_errors
    def demo_cmd(
        seed: SeedOpt = 0,
        size: SizeOpt = "small",
        directory: Annotated[Path | None, typer.Option("--workspace", "-w", "--dir", help="Workspace folder (default: a new temporary folder); --dir is the old name.")] = None,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        from adbudget.workspace.simulate import run_demo

        _check_size(size)
        with _progress(not json_out) as progress:
            tasks: dict[str, Any] = {}

            def on_step(name: str, outcome: Any) -> None:
                label = t(f"simulate.step.{name}")
                if outcome is None:
                    tasks[name] = progress.add_task(label, total=1)
                    return
                note = t("simulate.skipped", reason=outcome.skipped) if outcome.skipped else ""
                progress.update(tasks[name], completed=1,
                                description=f"{label} ({outcome.seconds:.1f} s) {note}".rstrip())

            ctx, outcomes = run_demo(seed, size, directory, on_step=on_step)
        if json_out:
            print_json({"workspace": str(ctx.folder.resolve()), "steps": [
                {"step": o.name, "seconds": round(o.seconds, 3), "cpu_seconds": round(o.cpu_seconds, 3),
                 "skipped": o.skipped,
                 "result": _jsonable(o.result)} for o in outcomes]})
            return
        for o in outcomes:
            if o.skipped or o.result is None or o.name in ("simulate", "import"):
                continue
            console.rule(t(f"simulate.step.{o.name}"))
            _render(o.name, o.result, ctx.world.spec.base_currency)
        console.print(t("simulate.demo_done", path=str(ctx.folder.resolve()), seconds=f"{sum(o.seconds for o in outcomes):.1f}"))


def _progress(enabled: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=console, disable=not (enabled and is_interactive()), transient=False)


def _jsonable(value: Any) -> Any:
    from adbudget.cli.common import to_jsonable

    try:
        return to_jsonable(value)
    except Exception:  # noqa: BLE001 - a result we cannot serialize is shown by its type
        return repr(type(value).__name__)


def _render_fit(result: Any, currency: str) -> None:
    from adbudget.cli.response import _notices, _summary_table, claims_table

    console.print(_summary_table(result))
    claims = claims_table(result.summary, result.interval)
    if claims is not None:
        console.print(claims)
    for line in _notices(result):
        console.print(f"[yellow]! {escape(line)}[/yellow]")


def _render_funnel(result: Any, currency: str) -> None:
    from adbudget.cli.ltv import render_funnel
    from adbudget.config.ltv import LtvSettings

    render_funnel(result, currency, LtvSettings().funnel_min_gap)


def _render_ltv(result: Any, currency: str) -> None:
    from adbudget.cli.ltv import render_ltv

    render_ltv(result, currency, "market")


def _render_experiments(result: Any, currency: str) -> None:
    from adbudget.cli.experiments import render_status

    render_status(result)


def _render_rules(result: Any, currency: str) -> None:
    from adbudget.cli.rules import render_run

    render_run(result, dry_run=True, limit=12)


def _render_oracle(result: Any, currency: str) -> None:
    labels = {c: t(f"simulate.col.{c}", currency=currency) for c in
              ("market", "channel", "current_daily", "oracle_daily", "true_mroas")}
    _table(result.rename(columns=labels))
    console.print(f"[dim]{t('simulate.oracle_note')}[/dim]")


def _render_report(result: Any, currency: str) -> None:
    console.print(t("simulate.report_at", path=str(result)), highlight=False)


def _render_status(result: Any, currency: str) -> None:
    from adbudget.cli.core import render_status

    render_status(result)


def _render_attribute(result: Any, currency: str) -> None:
    from adbudget.cli.attribution import print_report

    print_report(result, currency)


def _render_plan(result: Any, currency: str) -> None:
    from adbudget.cli.plan import show_plan

    show_plan(result)


# Step -> the area's own renderer (the same tables its command prints).
RENDERERS: dict[str, Callable[[Any, str], None]] = {
    "status": _render_status, "attribute": _render_attribute, "fit": _render_fit,
    "plan": _render_plan, "funnel": _render_funnel, "ltv": _render_ltv,
    "experiments": _render_experiments, "rules": _render_rules, "report": _render_report,
    "oracle": _render_oracle,
}


def _render(name: str, result: Any, currency: str = "USD") -> None:
    """Print one step's result: the area's renderer when it has one, else a compact view."""
    from dataclasses import fields, is_dataclass

    import pandas as pd

    if name in RENDERERS:
        try:
            RENDERERS[name](result, currency)
            return
        except Exception:  # noqa: BLE001 - a renderer that breaks must not hide the result
            pass
    if isinstance(result, pd.DataFrame):
        _table(result)
        return
    if isinstance(result, dict) and all(isinstance(v, int | float) for v in result.values()):
        table = Table(show_header=False)
        for k, v in result.items():
            table.add_row(t(f"simulate.score.{k}") if name == "score" else str(k),
                          f"{v:,.2f}" if isinstance(v, float) else str(v))
        console.print(table)
        return
    if is_dataclass(result) and not isinstance(result, type):
        scalars = {f.name: getattr(result, f.name) for f in fields(result)
                   if isinstance(getattr(result, f.name), str | int | float | bool)}
        if scalars:
            console.print(", ".join(f"{k}={v}" for k, v in scalars.items()), highlight=False)
        for f in fields(result):
            value = getattr(result, f.name)
            if isinstance(value, pd.DataFrame):
                _table(value)
                return
            if isinstance(value, list) and value and is_dataclass(value[0]):
                rows = [{g.name: getattr(v, g.name) for g in fields(v)
                         if isinstance(getattr(v, g.name), str | int | float | bool)} for v in value]
                _table(pd.DataFrame(rows))
                return
        return
    for attr in ("table", "summary", "lines"):
        value = getattr(result, attr, None)
        if isinstance(value, pd.DataFrame):
            _table(value)
            return
    console.print(repr(result)[:2000], highlight=False)


def _table(df: Any, limit: int = 40, max_columns: int = 9) -> None:
    table = Table()
    columns = list(df.columns)[:max_columns]
    for col in columns:
        table.add_column(str(col), justify="right" if df[col].dtype.kind in "iuf" else "left")
    for rec in df[columns].head(limit).itertuples(index=False):
        table.add_row(*[f"{v:,.2f}" if isinstance(v, float) else str(v) for v in rec])
    console.print(table)
    if len(df) > limit:
        console.print(t("simulate.more_rows", n=len(df) - limit))
