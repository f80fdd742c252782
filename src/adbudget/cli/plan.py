"""CLI commands of the `plan` area (thin over Workspace): `adbudget plan`, `adbudget plans`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
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
from adbudget.errors import NotFittedError, UsageError
from adbudget.i18n import t


def parse_budgets(text: str) -> list[float]:
    """``100000`` or ``50000,100000,150000`` (underscores and spaces allowed)."""
    out = []
    for part in [p.strip().replace("_", "").replace(" ", "") for p in text.split(",") if p.strip()]:
        try:
            out.append(float(part))
        except ValueError:
            raise UsageError(t("plan.error.budget_list", text=text)) from None
    if not out:
        raise UsageError(t("plan.error.budget_list", text=text))
    return out


def parse_max_change(text: str | None) -> Any:
    """``30%``, ``0.3`` or ``30`` -> 0.3; ``none``/``off`` -> None; missing -> settings."""
    from adbudget.workspace.plan import _UNSET

    if text is None:
        return _UNSET
    raw = text.strip().lower()
    if raw in ("none", "off", "no"):
        return None
    try:
        value = float(raw.rstrip("%"))
    except ValueError:
        raise UsageError(f"--max-change: cannot read {text!r}; write 30% or none") from None
    return value / 100.0 if raw.endswith("%") or value > 1 else value


def _missed_markets(ws: Any) -> set[str]:
    """Markets whose last plan's forecast missed what the refit reads happened (``tests
    check``); none when there is no earlier plan or no data for its days yet."""
    from adbudget.errors import AdbudgetError

    try:
        check = ws.check_plan()
    except AdbudgetError:
        return set()
    markets = check["markets"]
    return set(markets.loc[markets["missed"], "market"]) if len(markets) else set()


def _money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.2f}"


def plan_cmd(
    budget: Annotated[str, typer.Option("--budget", "-b", help="Total budget in the base currency; a comma-separated list gives scenarios.")],
    period: Annotated[str, typer.Option("--period", "-p", help="YYYY-MM, YYYY-Www, YYYY-Qn or YYYY-MM-DD:YYYY-MM-DD.")],
    objective: Annotated[Literal["profit", "revenue"] | None, typer.Option(help="profit (default) or revenue.")] = None,
    max_change: Annotated[str | None, typer.Option("--max-change", help="Max move per line vs last period, e.g. 30% (none = off).")] = None,
    buckets: Annotated[str | None, typer.Option(help="Shares for every market, e.g. brand=25,performance=55,test=12,reserve=8.")] = None,
    frontier: Annotated[bool, typer.Option("--frontier", help="Profit and revenue vs budget; where marginal profit reaches zero.")] = False,
    risk_quantile: Annotated[float | None, typer.Option("--risk-quantile", help="Maximize this low quantile of profit (e.g. 0.1) instead of the mean.")] = None,
    days: Annotated[int | None, typer.Option(help="Override the number of days in the period.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also export the plan to .csv or .json.")] = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not store the plan.")] = False,
    knowing: Annotated[bool, typer.Option("--knowing", help="Move each performance line as far as what is known about it allows instead of --max-change for all: a line a scale test read well may be cut to 0 or raised 60 %, a line whose posterior is clearly above (below) break-even raised 60 % (cut to 0), others -60/+30 %, unsure lines or a market whose last forecast missed -30/+15 %, never beyond 1.5x the highest daily spend seen; each line's reason names its rule.")] = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.plan.buckets import parse_buckets
    from adbudget.workspace.plan import _UNSET

    if objective is not None and objective not in ("profit", "revenue"):
        raise UsageError(f"--objective: {objective!r} is not allowed; allowed: profit, revenue")
    amounts = parse_budgets(budget)
    kwargs: dict[str, Any] = {
        "objective": objective, "max_change": parse_max_change(max_change),
        "buckets": parse_buckets(buckets) if buckets else None,
        "risk_quantile": risk_quantile if risk_quantile is not None else _UNSET, "days": days,
    }
    if knowing and (frontier or len(amounts) > 1):
        raise UsageError(t("loop.plan.knowing_one"))
    with open_workspace(workspace) as ws:
        if knowing:
            result = ws.plan_knowing(amounts[0], period, missed=_missed_markets(ws),
                                     save=not no_save, **kwargs)
            if out is not None:
                ws.export_plan(out, result)
        elif frontier:
            front = ws.plan_frontier(amounts[0], period, amounts if len(amounts) > 1 else None, **kwargs)
            _show_frontier(front, ws.settings.base_currency, json_out)
            return
        elif len(amounts) > 1:
            plans = ws.plan_scenarios(amounts, period, **kwargs)
            _show_scenarios(plans, json_out)
            return
        else:
            result = ws.plan(amounts[0], period, save=not no_save, **kwargs)
            if out is not None:
                ws.export_plan(out, result)
    if json_out:
        print_json(result.summary())
        return
    show_plan(result)
    if result.plan_id is not None:
        console.print(t("plan.cli.saved", id=result.plan_id))
    if out is not None:
        console.print(t("plan.cli.exported", path=str(out)))


def plans_cmd(
    plan_id: Annotated[int | None, typer.Option("--id", help="Show this plan (default: list all).")] = None,
    latest: Annotated[bool, typer.Option("--latest", help="Show the latest plan.")] = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Export the shown plan to .csv or .json.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace, read_only=out is None) as ws:
        if plan_id is None and not latest and out is None:
            df = ws.list_plans()
            if json_out:
                print_json(df)
                return
            table = Table()
            for col in df.columns:
                table.add_column(str(col))
            for row in df.itertuples(index=False):
                table.add_row(*[str(v) for v in row])
            console.print(table)
            return
        result = ws.get_plan(plan_id) if plan_id is not None else ws.latest_plan()
        if result is None:
            raise NotFittedError(t("plan.error.no_plan"))
        if out is not None:
            ws.export_plan(out, result)
    if json_out:
        print_json(result.summary())
    else:
        show_plan(result)
        if out is not None:
            console.print(t("plan.cli.exported", path=str(out)))


def register(app: typer.Typer) -> None:
    """Add `plan` and `plans` to the main app."""
    app.command("plan", help="Split a period's budget across buckets, markets and channels.")(handle_errors(plan_cmd))
    app.command("plans", help="List saved plans, show one, or export it (.csv/.json).")(handle_errors(plans_cmd))


def show_plan(result: Any) -> None:
    """Rich rendering of a plan: title, buckets by market, the line table, check, notes."""
    cur = result.base_currency
    console.print(f"[bold]{t('plan.cli.title', period=result.period, budget=_money(result.budget), currency=cur, objective=result.objective)}[/bold]")
    pol = Table(title=t("plan.cli.buckets_title"))
    pol.add_column(t("plan.cli.col_market"))
    pol.add_column(t("plan.cli.col_shares"))
    pol.add_column(t("plan.cli.col_amount"), justify="right")
    by_market = result.by_market()
    for m, p in result.policies.items():
        shares = " / ".join(f"{p.shares[b]:g}" for b in ("brand", "performance", "test", "reserve"))
        pol.add_row(m, shares, _money(by_market.get(m, 0.0)))
    console.print(pol)
    table = Table()
    for key in ("bucket", "market", "channel", "amount", "local", "revenue", "interval", "profit",
                "mroas", "sat", "change", "reason"):
        table.add_column(t(f"plan.cli.col_{key}"), justify="right" if key in (
            "amount", "local", "revenue", "profit", "mroas", "sat", "change") else "left",
            overflow="fold", no_wrap=key != "reason", min_width=40 if key == "reason" else None)
    for line in result.lines:
        interval = ("-" if line.expected_revenue_lo is None
                    else f"{line.expected_revenue_lo:,.0f}–{line.expected_revenue_hi:,.0f}")
        table.add_row(
            t(f"plan.bucket.{line.bucket}"), line.market, line.channel, _money(line.amount_base),
            "-" if line.amount_local is None else f"{line.amount_local:,.0f} {line.currency}",
            "-" if line.expected_revenue is None else f"{line.expected_revenue:,.0f}", interval,
            "-" if line.expected_profit is None else f"{line.expected_profit:,.0f}",
            "-" if line.marginal_roas is None else f"{line.marginal_roas:.2f}",
            "-" if line.saturation_pct is None else f"{line.saturation_pct:.0f}",
            "-" if line.change_pct is None else f"{line.change_pct:+.0f}%",
            line.reason,
        )
    # piped or captured output (reports, docs, CI logs) gets a wide table instead of 80 columns
    out = console if console.is_terminal else Console(width=220, soft_wrap=False)
    out.print(table)
    if any(line.change_pct is not None for line in result.lines):
        console.print(f"[dim]{t('plan.cli.change_note')}[/dim]")
    tt = result.totals
    if tt.get("revenue") is not None:
        console.print(t("plan.cli.totals", **{k: _money(tt.get(k)) for k in (
            "revenue", "revenue_lo", "revenue_hi", "profit", "profit_lo", "profit_hi")}))
    if result.check is not None:
        c = result.check
        if c.passed:
            console.print(t("plan.cli.check_ok", tol=f"{c.tolerance_pct:g}", free=c.n_free,
                            gap=f"{c.max_gap_pct:.4f}", lam=f"{c.marginal_value:.4f}"))
        else:
            console.print(f"[red]{t('plan.cli.check_bad', violations='; '.join(c.violations[:5]))}[/red]")
    if result.advice:
        console.print(f"[bold]{t('plan.cli.advice_title')}[/bold]")
        for a in result.advice:
            console.print(f"  • {a.reason}")
    shifts = [f"{m}: {s}" for m, p in result.policies.items() for s in p.explain()]
    if result.notes or shifts:
        console.print(f"[bold]{t('plan.cli.notes_title')}[/bold]")
        for note in result.notes + shifts:
            console.print(f"  • {note}", highlight=False)


def _show_scenarios(plans: list[Any], json_out: bool) -> None:
    rows = [{"budget": p.budget, **p.totals,
             "marginal_value": p.check.marginal_value if p.check else None} for p in plans]
    if json_out:
        print_json(rows)
        return
    table = Table(title=t("plan.cli.scenarios_title"))
    for key in ("budget", "revenue", "interval", "profit"):
        table.add_column(t(f"plan.cli.col_{key}"), justify="right")
    for r in rows:
        table.add_row(_money(r["budget"]), _money(r.get("revenue")),
                      f"{_money(r.get('profit_lo'))} – {_money(r.get('profit_hi'))}", _money(r.get("profit")))
    console.print(table)


def _show_frontier(front: Any, currency: str, json_out: bool) -> None:
    if json_out:
        print_json({"points": front.to_frame(), "zero_marginal_budget": front.zero_marginal_budget})
        return
    table = Table(title=t("plan.cli.frontier_title"))
    for key in ("budget", "revenue", "profit", "interval", "mprofit"):
        table.add_column(t(f"plan.cli.col_{key}"), justify="right")
    for p in front.points:
        table.add_row(_money(p.budget), _money(p.revenue), _money(p.profit),
                      f"{_money(p.profit_lo)} – {_money(p.profit_hi)}",
                      "-" if p.marginal_profit is None else f"{p.marginal_profit:+.3f}")
    console.print(table)
    if front.zero_marginal_budget is not None:
        console.print(t("plan.cli.frontier_zero", budget=_money(front.zero_marginal_budget), currency=currency))
    else:
        console.print(t("plan.cli.frontier_none"))
