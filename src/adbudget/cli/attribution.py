"""CLI commands of the `attribution` area (thin over Workspace): ``adbudget attribute``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
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
from adbudget.i18n import t


def _num(value: Any, digits: int = 1) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(f) or math.isinf(f):
        return "–"
    return f"{f:,.{digits}f}"


def report_json(report: Any) -> dict[str, Any]:
    """The report as plain JSON-able values (tables as lists of records)."""
    return {
        "model": report.model,
        "windows": report.windows,
        "by": report.by,
        "totals": report.totals,
        "table": report.table,
        "models": report.models,
        "windows_table": report.windows_table,
        "details": report.details,
    }


def print_report(report: Any, currency: str) -> None:
    """Rich tables for people: credit with intervals, ROAS and over-claim; comparisons."""
    tbl = report.table
    keys = [k for k in ("market", "channel", "campaign") if k in tbl.columns]
    has_iv = "conversions_lo" in tbl.columns
    table = Table(title=t("attribution.title", model=report.model, windows=report.windows,
                          currency=currency))
    for key in keys:
        table.add_column(t(f"attribution.col.{key}"))
    cols = ["conversions"] + (["interval"] if has_iv else []) + [
        "revenue", "spend", "roas", "platform_conversions", "overclaim"]
    for col in cols:
        table.add_column(t(f"attribution.col.{col}"), justify="right")
    for row in tbl.itertuples(index=False):
        r = row._asdict()
        cells = [str(r[k]) for k in keys]
        cells.append(_num(r["conversions"]))
        if has_iv:
            cells.append(f"{_num(r['conversions_lo'])}–{_num(r['conversions_hi'])}")
        cells += [_num(r["revenue"], 0), _num(r["spend"], 0), _num(r["roas"], 2),
                  _num(r["platform_conversions"]), _num(r["overclaim"], 2)]
        table.add_row(*cells)
    console.print(table)
    tot = report.totals
    share = float(tot.get("tracked_share", 1.0) or 1.0)
    console.print(t("attribution.summary", orders=_num(tot["orders"], 0),
                    tracked_pct=_num(100 * share, 1),
                    attributed=_num(tot["attributed_orders"], 0),
                    journeys=_num(tot["journeys"], 0), paths=_num(tot["paths"], 0)))
    scaled = float(tot.get("attributed_orders_scaled", tot["attributed_orders"]))
    if share < 1.0 and tot.get("orders", 0) > 0:
        console.print(t("attribution.scaled", factor=_num(1 / share, 1), scaled=_num(scaled, 0),
                        scaled_pct=_num(100 * scaled / tot["orders"], 1),
                        unattributed=_num(tot["unattributed_orders"], 0)))
    if tot.get("baseline_orders", 0) > 0:
        console.print(t("attribution.baseline", orders=_num(tot["baseline_orders"], 0)))
    if tot.get("platform_conversions", 0) > 0 and tot.get("orders", 0) > 0:
        console.print(t("attribution.overclaim", claimed=_num(tot["platform_conversions"], 0),
                        ratio=_num(tot["platform_overclaim"], 2), orders=_num(tot["orders"], 0)))
    if tot.get("incremental"):
        console.print(t("attribution.incremental_note"))
    if has_iv:
        console.print(t("attribution.interval", level=_num(100 * report.details["interval_level"], 0),
                        n=report.details["bootstrap"]))
    for detail in report.details.get("model", {}).values():
        if "chosen_order" in detail:
            scores = ", ".join(f"{k}: {v:.4f}" for k, v in detail["order_scores"].items())
            console.print(t("attribution.auto_order", order=detail["chosen_order"], scores=scores))
    for title, frame in ((t("attribution.models_title"), report.models),
                         (t("attribution.windows_title", model=report.model), report.windows_table)):
        if frame is None or frame.empty:
            continue
        side = Table(title=title)
        for col in frame.columns:
            side.add_column(t(f"attribution.col.{col}") if col in keys or col == "spend" else col,
                            justify="left" if col in keys else "right")
        for row in frame.itertuples(index=False):
            side.add_row(*[str(v) if c in keys else _num(v, 2 if c.startswith("roas") else 1)
                           for c, v in zip(frame.columns, row, strict=True)])
        console.print(side)


def register(app: typer.Typer) -> None:
    """Add ``attribute`` to the main app."""

    @app.command("attribute", help="Attribute orders to channels, markets or campaigns (multi-touch, de-duplicated).")
    @handle_errors
    def attribute_cmd(
        model: Annotated[str | None, typer.Option("--model", "-m", help="first, last, last_non_direct, linear, time_decay, position, markov, markov_2..4, markov_auto, shapley, shapley_simplified, shapley_ordered, hazard (time-aware, with an organic baseline) (default: settings).")] = None,
        window: Annotated[str | None, typer.Option("--window", help="Windows, e.g. 7d-click,1d-view or google_search:30d-click or platform (default: settings).")] = None,
        by: Annotated[Literal["channel", "market", "campaign"], typer.Option("--by", help="channel, market or campaign.")] = "channel",
        compare_models: Annotated[bool, typer.Option("--compare-models", help="Show the models of settings side by side.")] = False,
        compare_windows: Annotated[bool, typer.Option("--compare-windows", help="Show 1 vs 7 vs 30-day windows side by side.")] = False,
        paths: Annotated[Path | None, typer.Option("--paths", help="Use a ChannelAttribution path table (CSV) instead of the store's journeys.")] = None,
        start: Annotated[str | None, typer.Option(help="First order day (YYYY-MM-DD).")] = None,
        end: Annotated[str | None, typer.Option(help="Last order day (YYYY-MM-DD).")] = None,
        market: Annotated[str | None, typer.Option("--market", help="Comma-separated market codes.")] = None,
        bootstrap: Annotated[int | None, typer.Option("--bootstrap", help="Bootstrap replicates for intervals (0 = none; default: settings).")] = None,
        no_collapse: Annotated[bool, typer.Option("--no-collapse", help="Keep consecutive repeats of a channel.")] = False,
        incremental: Annotated[bool, typer.Option("--incremental", help="Scale each channel's credit to the revenue the response model estimates it caused (run 'adbudget fit' first).")] = False,
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        lang: LangOpt = "en",
        json_out: JsonOpt = False,
    ) -> None:
        markets = [m.strip().upper() for m in market.split(",")] if market else None
        with open_workspace(workspace, read_only=True) as ws:
            show_bar = is_interactive() and not json_out
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                          console=console, transient=True, disable=not show_bar) as bar:
                task = bar.add_task(t("attribution.progress"), total=None)

                def progress(done: int, total: int, label: str | None = None) -> None:
                    # the path statement reports percent with its own label; bootstrap counts
                    bar.update(task, completed=done, total=total,
                               description=label or t("attribution.progress"))

                report = ws.attribute(
                    model=model, windows=window, by=by, start=start, end=end, markets=markets,
                    paths_file=paths, compare_models=compare_models,
                    compare_windows=compare_windows, n_boot=bootstrap,
                    collapse=False if no_collapse else None, progress=progress,
                    incremental=incremental,
                )
            currency = ws.settings.base_currency
        if json_out:
            print_json(report_json(report))
        else:
            print_report(report, currency)
            from adbudget.attribution.registry import TOUCH_MODELS

            if compare_windows and report.model in TOUCH_MODELS:
                console.print(t("attribution.windows_touch_model", model=report.model))
