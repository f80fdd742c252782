"""Foundation commands: init, import, status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
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
from adbudget.config.catalog import market_label
from adbudget.i18n import get_language, t


def init_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")] = DEFAULT_WORKSPACE,
    markets: Annotated[str | None, typer.Option(help="Comma-separated market codes or country names (default: the 19 markets marked default in `adbudget markets`).")] = None,
    base_currency: Annotated[str, typer.Option("--base-currency", help="ISO 4217 code of the base currency.")] = "USD",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing adbudget.toml.")] = False,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.config import default_settings
    from adbudget.workspace import Workspace

    codes = [m.strip().upper() for m in markets.split(",")] if markets else None
    settings = default_settings(codes, base_currency=base_currency)
    ws = Workspace.init(directory, settings, overwrite=force)
    ws.close()
    if json_out:
        print_json({"workspace": str(directory.resolve()), "markets": list(settings.markets)})
    else:
        console.print(t("core.init.done", path=str(directory.resolve()), n=len(settings.markets)))


def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="Files or folders to import (CSV, TSV, XLSX, Parquet); FX rates are taken first.")],
    source: Annotated[str | None, typer.Option(help="Force the format instead of detecting it.")] = None,
    market: Annotated[str | None, typer.Option(help="Market of rows whose file does not say it.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and show what would change; write nothing.")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Import a file again although later imports changed its rows (puts its values back).")] = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    results = []
    files = expand_paths(files)
    with open_workspace(workspace) as ws:
        show_bar = is_interactive() and not json_out
        with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=console, transient=True, disable=not show_bar) as bar:
            task = bar.add_task(t("core.import.progress"), total=len(files))
            for path in files:
                bar.update(task, description=escape(path.name))
                results.append(ws.import_file(path, source=source, market=market, dry_run=dry_run,
                                              replace=replace))
                bar.advance(task)
    if json_out:
        print_json([{k: v for k, v in r.__dict__.items() if k != "preview"} for r in results])
        return
    table = Table(title=t("core.import.title_dry" if dry_run else "core.import.title"))
    for key in ("file", "source", "kind", "rows", "new", "replaced", "removed", "range", "seconds"):
        label = t("ingest.col.removed") if key == "removed" else t(f"core.import.col.{key}")
        table.add_column(label, justify="right" if key in ("rows", "new", "replaced", "removed", "seconds") else "left")
    for r in results:
        if r.already_imported:
            table.add_row(r.file, r.source, r.kind, str(r.rows), "0", "0", "0", t("core.import.already"), f"{r.seconds:.2f}")
        else:
            span = f"{r.first_date} … {r.last_date}" if r.first_date else ""
            table.add_row(r.file, r.source, r.kind, str(r.rows), str(r.inserted - r.replaced if r.inserted >= r.replaced else r.inserted),
                          str(r.replaced), str(r.removed), span, f"{r.seconds:.2f}")
    console.print(table)


def status_cmd(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace, read_only=False) as ws:
        report = ws.status()
        claims = ws.incrementality() if not json_out else None
    if json_out:
        print_json(report)
        return
    render_status(report)
    if claims is not None:  # what the platforms claim vs what the last fit says they caused
        from adbudget.cli.response import claims_table

        table = claims_table(claims[0], claims[1])
        if table is not None:
            console.print(table)
            if not claims[2]:
                console.print(f"[yellow]{t('response.stale_data')}[/yellow]")


def register(app: typer.Typer) -> None:
    """Add init, import and status."""
    app.command("init", help="Create a workspace: adbudget.toml with the default catalog and the store.")(handle_errors(init_cmd))
    app.command("import", help="Import platform exports, orders, journeys, funnel, lift tests, FX rates or margins.")(handle_errors(import_cmd))
    app.command("status", help="What is loaded: date range, markets × channels, spend and revenue, gaps.")(handle_errors(status_cmd))


def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders become their files; FX rates go first so amounts can be converted on arrival."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir()
                          if p.is_file() and p.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx", ".parquet"))
        else:
            out.append(path)

    def fx_first(path: Path) -> int:
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return 1
        return 0 if b"per_base" in head else 1

    return sorted(out, key=fx_first)


def render_status(report) -> None:
    """Print a StatusReport as Rich tables (also used by `adbudget demo`)."""
    cur = report.base_currency
    if report.first_date is None and not any(report.tables.values()):
        console.print(t("core.status.empty"))
        return
    console.print(t("core.status.range", first=report.first_date or "—", last=report.last_date or "—"))
    table = Table(title=t("core.status.title", currency=cur))
    for key, right in (("market", False), ("channel", False), ("days", True), ("gaps", True),
                       ("spend", True), ("revenue", True), ("roas", True)):
        table.add_column(t(f"core.status.col.{key}"), justify="right" if right else "left")
    total_spend = total_rev = 0.0
    for rec in report.lines.to_dict("records"):
        spend, rev = rec["spend_base"] or 0.0, rec["revenue_base"] or 0.0
        total_spend += spend
        total_rev += rev
        table.add_row(market_label(rec["market"], get_language()), rec["channel"], str(rec["days"]),
                      str(rec["gap_days"]) if rec["gap_days"] else "",
                      f"{spend:,.2f}", f"{rev:,.2f}", f"{rev / spend:.2f}" if spend else "—")
    table.add_section()
    table.add_row(t("core.status.total"), "", "", "", f"{total_spend:,.2f}", f"{total_rev:,.2f}",
                  f"{total_rev / total_spend:.2f}" if total_spend else "—", style="bold")
    console.print(table)
    counts = ", ".join(f"{name} {n:,}" for name, n in report.tables.items())
    console.print(t("core.status.tables", counts=counts))
    if report.tables.get("orders"):
        mer = report.orders_revenue_base / total_spend if total_spend else float("nan")
        console.print(t("core.status.orders", revenue=f"{report.orders_revenue_base:,.2f}", currency=cur,
                        mer=f"{mer:.2f}", claimed=f"{total_rev / report.orders_revenue_base:.2f}"
                        if report.orders_revenue_base else "—"))


