"""CLI of agency mode: `adbudget agency status|fit|plan|report` over a folder of workspaces.

Every command takes the agency folder (``--dir``, default ``.``), an optional selection
(``--seller NAME|GLOB``, repeatable or comma-separated), the fan-out (``--backend``, default
the ``[engine] agency_backend`` of the folder's ``adbudget.toml`` if it has one, else a local
process pool; ``--workers``). It shows Rich progress per seller, then the summary table and
one located error per failed seller; exit 1 when any seller failed. ``--json`` prints the
summary instead. The summary is saved to ``<dir>/agency-summary.json`` for the report and
the dashboard.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from adbudget.cli.common import (
    JsonOpt,
    LangOpt,
    console,
    err_console,
    handle_errors,
    is_interactive,
    print_json,
)
from adbudget.i18n import t

DirOpt = Annotated[Path, typer.Option("--dir", "-d", help="The agency folder: one seller workspace per sub-folder.")]
SellerOpt = Annotated[list[str] | None, typer.Option("--seller", "-s", help="Only these sellers: names or globs (shop-*), repeatable or comma-separated.")]
BackendOpt = Annotated[str | None, typer.Option("--backend", help="process (default: a local process pool), serial, ray or spark.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, help="Sellers run at once (default: CPU cores).")]


def _agency_settings(root: Path) -> Any:
    """The [engine] section of an adbudget.toml in the agency folder itself, if any."""
    from adbudget.config.engine import EngineSettings

    path = root / "adbudget.toml"
    if path.exists():
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8")).get("engine")
        if data:
            return EngineSettings.model_validate(data)
    return EngineSettings()


def run(action: str, root: Path, sellers: list[str] | None, backend: str | None,
        workers: int | None, json_out: bool, options: dict[str, Any] | None = None) -> None:
    """Run one agency action and show (or print as JSON) the summary; exit 1 on any failure."""
    from adbudget.agency import find_sellers, run_sellers, save_summary
    from adbudget.agency.summary import totals

    chosen = find_sellers(root, sellers)
    engine = _agency_settings(root)
    backend = backend or engine.agency_backend
    workers = workers or engine.agency_workers
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console,
                  disable=json_out or not is_interactive()) as progress:
        import os

        n_workers = max(1, min(workers or os.cpu_count() or 1, len(chosen)))
        task = progress.add_task(t("agency.cli.running", action=action, n=len(chosen),
                                   backend=backend, workers=n_workers), total=len(chosen))

        def on_done(res: Any) -> None:
            if not json_out:
                mark = "[green]✓[/green]" if res.ok else "[red]✗[/red]"
                progress.console.print(f"{mark} {res.seller} ({res.seconds:.1f} s)", highlight=False)
            progress.advance(task)

        results = run_sellers(chosen, action, backend=backend, workers=workers,
                              options=options, on_done=on_done, spark_master=engine.master)
    seconds = time.perf_counter() - started
    path = save_summary(root, action, results, seconds, backend)
    failed = [r for r in results if not r.ok]
    if json_out:
        print_json({"action": action, "backend": backend, "seconds": round(seconds, 2),
                    "summary": str(path), "totals": totals(results),
                    "sellers": [r.to_dict() for r in results]})
    else:
        _show(action, results, seconds)
        console.print(t("agency.cli.saved", path=str(path)))
    if failed:
        if not json_out:
            err_console.print(t("agency.cli.errors"))
            for r in failed:
                err_console.print(f"[red]{r.seller}[/red]: {r.error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


def _money(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def _show(action: str, results: list[Any], seconds: float) -> None:
    from adbudget.agency.summary import totals

    failed = sum(not r.ok for r in results)
    table = Table(title=t("agency.cli.title", action=action, n=len(results), failed=failed,
                          seconds=f"{seconds:.1f}"))
    for key, right in (("seller", False), ("status", False), ("currency", False), ("spend", True),
                       ("revenue", True), ("budget", True), ("profit", True), ("change", True),
                       ("warnings", True), ("seconds", True)):
        table.add_column(t(f"agency.cli.{key}"), justify="right" if right else "left")
    for r in results:
        profit = _money(r.estimated_profit)
        if r.estimated_profit_lo is not None and r.estimated_profit_hi is not None:
            profit += f" ({_money(r.estimated_profit_lo)}–{_money(r.estimated_profit_hi)})"
        table.add_row(
            r.seller, t("agency.cli.ok") if r.ok else f"[red]{t('agency.cli.failed')}[/red]",
            r.currency or "", _money(r.spend_30d), _money(r.revenue_30d), _money(r.plan_budget),
            profit, "—" if r.plan_change_pct is None else f"{r.plan_change_pct * 100:.1f}%",
            str(len(r.warnings)) if r.warnings else "", f"{r.seconds:.1f}")
    tot = totals(results)
    if tot:
        table.add_section()
        for cur, v in sorted(tot.items()):
            table.add_row(t("agency.cli.total", currency=cur, n=int(v["sellers"])), "", cur,
                          _money(v["spend_30d"]), "", "", _money(v["estimated_profit"]), "", "", "",
                          style="bold")
    console.print(table)
    for r in results:  # the first two warnings per seller; --json has them all
        for w in r.warnings[:2]:
            console.print(f"[yellow]{r.seller}[/yellow]: {w}", highlight=False)
        if len(r.warnings) > 2:
            console.print(f"[yellow]{r.seller}[/yellow]: " + t("agency.cli.more", n=len(r.warnings) - 2),
                          highlight=False)


def register(app: typer.Typer) -> None:
    """Add `agency` with its four commands."""
    agency = typer.Typer(help="Agency mode: status, fit, plan or report over a folder of seller workspaces, one seller per worker.",
                         no_args_is_help=True)

    @agency.command("status", help="Spend and revenue of the last 30 days per seller, with the latest plan's estimated profit and change.")
    @handle_errors
    def status_cmd(directory: DirOpt = Path("."), seller: SellerOpt = None, backend: BackendOpt = None,
                   workers: WorkersOpt = None, lang: LangOpt = "en", json_out: JsonOpt = False) -> None:
        run("status", directory, seller, backend, workers, json_out)

    @agency.command("fit", help="Fit every selected seller's response model (one seller per worker).")
    @handle_errors
    def fit_cmd(directory: DirOpt = Path("."), seller: SellerOpt = None, backend: BackendOpt = None,
                workers: WorkersOpt = None,
                method: Annotated[str | None, typer.Option("--method", help="nuts, svi or laplace (default: each seller's settings).")] = None,
                draws: Annotated[int | None, typer.Option("--draws", min=1, help="Posterior draws per chain.")] = None,
                seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
                lang: LangOpt = "en", json_out: JsonOpt = False) -> None:
        if method is not None and method not in ("nuts", "svi", "laplace"):
            from adbudget.errors import UsageError

            raise UsageError(f"--method: {method!r} is not allowed; allowed: nuts, svi, laplace")
        run("fit", directory, seller, backend, workers, json_out,
            {"method": method, "draws": draws, "seed": seed})

    @agency.command("plan", help="Plan next month for every selected seller: the last 30 days' spend (x --budget-change), fitted first where there is no fit.")
    @handle_errors
    def plan_cmd(directory: DirOpt = Path("."), seller: SellerOpt = None, backend: BackendOpt = None,
                 workers: WorkersOpt = None,
                 period: Annotated[str | None, typer.Option("--period", "-p", help="YYYY-MM etc. (default: the month after each seller's last day of data).")] = None,
                 budget_change: Annotated[float, typer.Option("--budget-change", min=-0.9, max=10.0, help="Budget vs the last 30 days' spend, e.g. 0.1 = +10 %.")] = 0.0,
                 method: Annotated[str | None, typer.Option("--method", help="Fit method where a seller has no fit yet.")] = None,
                 lang: LangOpt = "en", json_out: JsonOpt = False) -> None:
        run("plan", directory, seller, backend, workers, json_out,
            {"period": period, "budget_change": budget_change, "method": method})

    @agency.command("report", help="Write each seller's report.html and the agency page (agency.html, or --out).")
    @handle_errors
    def report_cmd(directory: DirOpt = Path("."), seller: SellerOpt = None, backend: BackendOpt = None,
                   workers: WorkersOpt = None,
                   out: Annotated[Path | None, typer.Option("--out", "-o", help="The agency page (default: DIR/agency.html).")] = None,
                   lang: LangOpt = "en", json_out: JsonOpt = False) -> None:
        from adbudget.agency.summary import load_summary
        from adbudget.report.agency import write_agency_report

        try:
            run("report", directory, seller, backend, workers, json_out, {"lang": lang})
        finally:
            page = write_agency_report(load_summary(directory), out or directory / "agency.html",
                                       lang, directory.resolve().name)
            if not json_out:
                console.print(t("agency.cli.report_written", path=str(page)))

    app.add_typer(agency, name="agency")
