"""CLI commands of the `ltv` area: `adbudget ltv`, `adbudget cohorts`, `adbudget funnel`."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

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
from adbudget.errors import UsageError, WorkspaceLockedError
from adbudget.i18n import t

PARAMS = ("r", "alpha", "a", "b", "p", "q", "v")


def _num(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    return f"{x:,.{digits}f}"


def _range(mid: float | None, lo: float | None, hi: float | None, digits: int = 2) -> str:
    if mid is None:
        return "-"
    return f"{_num(mid, digits)} ({_num(lo, digits)}–{_num(hi, digits)})"


def _pct(x: float | None) -> str:
    return "-" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def _split(value: str | None) -> list[str] | None:
    return [v.strip().upper() for v in value.split(",") if v.strip()] if value else None


def ltv_cmd(
    by: Annotated[Literal["market", "channel"], typer.Option(help="Rows per 'market' or per market x 'channel'.")] = "market",
    horizon: Annotated[str | None, typer.Option(help="Horizon valued, e.g. 180d, 26w, 1y (default: settings ltv.horizon_days).")] = None,
    calibration_end: Annotated[str | None, typer.Option(help="Fit on orders up to this day (YYYY-MM-DD); later orders check the predictions.")] = None,
    markets: Annotated[str | None, typer.Option("--market", help="Comma-separated market codes.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    if by not in ("market", "channel"):
        raise UsageError(t("ltv.cli.bad_by", value=by))
    try:
        opened = open_workspace(workspace)
        ws = opened.__enter__()
    except WorkspaceLockedError:  # a server holds the file: compute without saving
        opened = open_workspace(workspace, read_only=True)
        ws = opened.__enter__()
    try:
        report = ws.ltv(horizon_days=horizon, calibration_end=calibration_end,
                        markets=_split(markets))
    finally:
        opened.__exit__(None, None, None)
    if json_out:
        print_json(report)
        return
    render_ltv(report, ws.settings.base_currency, by)


def cohorts_cmd(
    markets: Annotated[str | None, typer.Option("--market", help="Comma-separated market codes.")] = None,
    by_channel: Annotated[bool, typer.Option("--by-channel/--no-channel", help="Split cohorts by acquisition channel.")] = True,
    metric: Annotated[Literal["repeat_rate", "revenue", "profit"], typer.Option(help="Shown metric: repeat_rate, revenue or profit (JSON has all).")] = "profit",
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    if metric not in ("repeat_rate", "revenue", "profit"):
        raise UsageError(t("ltv.cli.bad_metric", value=metric))
    with open_workspace(workspace, read_only=True) as ws:
        report = ws.cohorts(markets=_split(markets), by_channel=by_channel)
    if json_out:
        print_json(report)
        return
    table = Table(title=t("ltv.cohorts.title", metric=t(f"ltv.cohorts.{metric}"), as_of=report.as_of),
                  title_justify="left")
    for c in ("cohort", "market", "channel", "customers"):
        table.add_column(t(f"ltv.cohorts.{c}"), justify="right" if c == "customers" else "left")
    for d in report.windows:
        table.add_column(t("ltv.cohorts.age", days=d), justify="right")
    for _, r in report.rows.iterrows():
        vals = [r[f"{metric}_{d}d"] for d in report.windows]
        fmt = _pct if metric == "repeat_rate" else _num
        table.add_row(r["cohort"], r["market"], r["channel"], f"{int(r['customers']):,}",
                      *[fmt(float(v)) if v == v else "" for v in vals])
    console.print(table)
    console.print(t("ltv.cohorts.note"))


def funnel_cmd(
    market: Annotated[str | None, typer.Option(help="Only this market (others are still the benchmark).")] = None,
    by_device: Annotated[bool, typer.Option("--by-device", help="Separate funnels per device.")] = False,
    window: Annotated[int | None, typer.Option(help="Days in the analysed window (default: settings).")] = None,
    end: Annotated[str | None, typer.Option(help="Last day of the window (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace, read_only=True) as ws:
        report = ws.funnel(market=market.upper() if market else None, by_device=by_device,
                           window_days=window, end=end)
        cur = ws.settings.base_currency
    if json_out:
        print_json(report)
        return
    render_funnel(report, cur, ws.settings.ltv.funnel_min_gap)


def register(app: typer.Typer) -> None:
    """Add `ltv`, `cohorts` and `funnel`."""
    app.command("ltv", help="Customer lifetime value per market and channel (BG/NBD + Gamma-Gamma), " "with intervals and the LTV multiplier the planner uses.")(handle_errors(ltv_cmd))
    app.command("cohorts", help="Acquisition cohorts (first-order month x market x channel): repeat rate, " "revenue and profit per customer at 30/60/90/180/365 days.")(handle_errors(cohorts_cmd))
    app.command("funnel", help="Funnel step conversion (sessions, add to cart, checkout, purchase) per market: " "weakest step vs other markets and own history, and what fixing it is worth.")(handle_errors(funnel_cmd))


def render_ltv(report: Any, currency: str, by: str = "market") -> None:
    """Print an LTV report: value, existing customers, hold-out check and model parameters."""
    cur = currency
    rows = [s for s in report.segments if (s.channel == "*") == (by == "market")]
    table = Table(title=t("ltv.cli.title", days=report.horizon_days, end=report.calibration_end,
                          currency=cur), title_justify="left")
    lead = ["market"] + (["channel"] if by == "channel" else [])

    def label(s) -> list[str]:
        cells = [t("ltv.cli.all") if s.market == "*" else s.market]
        return cells + ([s.channel] if by == "channel" else [])

    def add_columns(tab: Table, cols: list[str]) -> None:
        for c in cols:
            tab.add_column(t(f"ltv.cli.{c}") if c not in PARAMS else c,
                           justify="left" if c in ("market", "channel") else "right")

    add_columns(table, lead + ["customers", "repeat", "value", "profit", "first_profit",
                               "multiplier", "pooling"])
    for s in rows:
        table.add_row(*label(s), f"{s.customers:,}",
                      _range(s.repeat_purchases, s.repeat_purchases_lo, s.repeat_purchases_hi),
                      _range(s.value, s.value_lo, s.value_hi),
                      _range(s.profit, s.profit_lo, s.profit_hi),
                      _num(s.first_profit), _num(s.multiplier), _pct(s.bgnbd_pooling))
    console.print(table)
    console.print(t("ltv.cli.interval", pct=round(100 * report.interval)))
    e = Table(title=t("ltv.cli.existing_title", days=report.horizon_days, currency=cur),
              title_justify="left")
    add_columns(e, lead + ["p_alive", "existing_purchases", "existing"])
    for s in rows:
        e.add_row(*label(s), _pct(s.p_alive), _num(s.existing_purchases, 0),
                  _range(s.existing_revenue, s.existing_revenue_lo, s.existing_revenue_hi, 0))
    console.print(e)
    if report.holdout_days > 0:
        h = Table(title=t("ltv.cli.holdout_title", days=report.holdout_days, end=report.holdout_end),
                  title_justify="left")
        add_columns(h, lead + ["predicted", "actual", "error"])
        for s in rows:
            err = (s.holdout_predicted / s.holdout_actual - 1) if s.holdout_actual else None
            h.add_row(*label(s), _num(s.holdout_predicted, 0), _num(s.holdout_actual, 0), _pct(err))
        console.print(h)
    p = Table(title=t("ltv.cli.params_title"), title_justify="left")
    add_columns(p, lead + list(PARAMS))
    for s in rows:
        gg = s.gamma_gamma or {}
        p.add_row(*label(s), *[_num(s.bgnbd[k], 3) for k in ("r", "alpha", "a", "b")],
                  *[_num(gg.get(k), 3) for k in ("p", "q", "v")])
    console.print(p)


def render_funnel(report: Any, cur: str, min_gap: float) -> None:
    """Print a funnel report: step rates vs peers and history, and the weakest step per market."""
    table = Table(title=t("ltv.funnel.title", start=report.start, end=report.end), title_justify="left")
    for c in ("market", "device", "step", "rate", "peers", "vs_peers", "history", "vs_history"):
        table.add_column(t(f"ltv.funnel.{c}"), justify="left" if c in ("market", "device", "step") else "right")
    for m in report.markets:
        for s in m.steps:
            mark = " ◀" if m.flagged and s.step == m.weakest_step else ""
            table.add_row(m.market, m.device, t(f"ltv.funnel.step_{s.step}") + mark,
                          f"{_pct(s.rate)} ({_pct(s.lo)}–{_pct(s.hi)})", _pct(s.peer_median),
                          _signed(s.vs_peers), _pct(s.history_rate), _signed(s.vs_history))
    console.print(table)
    for m in report.markets:
        if not m.flagged:
            console.print(t("ltv.funnel.none", market=m.market, device=m.device,
                            gap=_pct(min_gap)))
            continue
        console.print(t(
            "ltv.funnel.verdict", market=m.market, device=m.device,
            step=t(f"ltv.funnel.step_{m.weakest_step}"), gap=_signed(m.weakest_gap),
            basis=t(f"ltv.funnel.basis_{m.weakest_basis}"), prob=_pct(m.weakest_prob),
            purchases=_num(m.gain_purchases, 0),
            revenue=_num(m.gain_revenue_30d, 0) if m.gain_revenue_30d is not None else "-",
            currency=cur,
        ))


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:+.1f}%"
