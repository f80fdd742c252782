"""CLI command of the `brand` area: `adbudget brand` (the long-term brand effect per market)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

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
from adbudget.i18n import t


def brand_cmd(
    markets: Annotated[str | None, typer.Option("--market", help="Comma-separated market codes (default: all).")] = None,
    months: Annotated[int, typer.Option(min=1, max=36, help="Horizon in months over which brand spend is valued.")] = 12,
    discount: Annotated[float, typer.Option(min=0.0, max=1.0, help="Yearly discount rate of future profit (0.10 = 10 %).")] = 0.10,
    stop: Annotated[bool, typer.Option("--stop/--no-stop", help="Show the 'brand stops' scenario: revenue lost per month if brand spend stopped today.")] = True,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.workspace.brand import brand_decisions, brand_estimates

    chosen = [m.strip().upper() for m in markets.split(",") if m.strip()] if markets else None
    with open_workspace(workspace, read_only=True) as ws:
        est = brand_estimates(ws, chosen, months, discount)
        dec = brand_decisions(ws, est)
        currency = ws.settings.base_currency
    scenarios = {m: e.stop_scenario(months) for m, e in est.items()} if stop else {}
    if json_out:
        print_json({"horizon_months": months, "annual_discount": discount, "markets": [
            {**e.as_dict(), "brand_share": dec[m].share if m in dec else None,
             "brand_share_prior": dec[m].prior if m in dec else None,
             "reason": dec[m].explain() if m in dec else None,
             "stop_scenario": scenarios[m].to_dict(orient="records") if m in scenarios else None}
            for m, e in est.items()]})
        return
    table = Table(title=t("brand.cli.title", months=months, discount=f"{discount * 100:g}"))
    for key in ("market", "days", "half_life", "share", "lt_roas", "p_effect", "stock", "decision"):
        table.add_column(t(f"brand.cli.{key}"), justify="left" if key == "market" else "right")
    for m, e in est.items():
        d = dec.get(m)
        table.add_row(
            m, str(e.days), f"{e.half_life:.0f}",
            f"{e.share * 100:.1f}% ({e.share_lo * 100:.1f}–{e.share_hi * 100:.1f})",
            f"{e.lt_roas:.2f} ({e.lt_roas_lo:.2f}–{e.lt_roas_hi:.2f})", f"{e.p_effect:.2f}",
            f"{e.trend_pct:+.1f}%", "-" if d is None else f"{d.prior:g}% → {d.share:g}%")
    console.print(table)
    for m, d in dec.items():
        console.print(f"{m}: {d.explain()}")
    console.print(t("brand.cli.note_identify"))
    for m, sc in scenarios.items():
        sub = Table(title=t("brand.cli.stop_title", market=m, currency=currency))
        for key in ("month", "lost"):
            sub.add_column(t(f"brand.cli.{key}"), justify="right")
        for r in sc.itertuples():
            sub.add_row(str(r.month), f"{r.revenue_lost:,.0f} ({r.revenue_lost_lo:,.0f}–{r.revenue_lost_hi:,.0f})")
        console.print(sub)


def register(app: typer.Typer) -> None:
    """Add `brand`."""
    app.command("brand", help="Long-term brand effect per market: the revenue the brand stock builds, "
                "its interval, the brand share the evidence decides, and what happens if brand spend stops.")(handle_errors(brand_cmd))
