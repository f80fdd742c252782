"""The brand chapter of the report and page of the dashboard: per market the long-term share
of revenue the brand stock builds (with its interval), the long-term revenue per unit of brand
spend, how sure the data are that brand matters at all, the brand share the evidence decides
(and why), and the "brand stops" scenario: revenue lost per month if brand spend stopped today.

Pure rendering: ``brand_section`` takes the estimates (``response.brand.BrandEstimate``) and
decisions (``plan.brand.BrandDecision``); ``section`` reads them through the workspace
(``workspace.brand``) and says plainly when the store has no data.
"""

from __future__ import annotations

from typing import Any

from adbudget.errors import AdbudgetError
from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report.model import Column, Figure, Kpi, Section, Table

KEY = "brand"


def _pct(share: float | None) -> float | None:
    """A 0-1 share in the 0-100 units of a "pct" column."""
    return None if share is None else 100.0 * share

def section(ws: Any, lang: str = "en", **_: Any) -> Section:
    """The brand page from the workspace's ads and orders, or a plain notice."""
    from adbudget.workspace.brand import brand_decisions, brand_estimates

    title = t("report.brand.title", lang)
    ps = ws.settings.plan
    months = ps.horizon_months or 12
    try:
        est = brand_estimates(ws, None, months, ps.brand_discount)
    except AdbudgetError as exc:
        return Section(key=KEY, title=title, status="empty", message=str(exc))
    return brand_section(est, brand_decisions(ws, est), ws.settings.base_currency, lang, months)


def brand_section(estimates: dict[str, Any], decisions: dict[str, Any], currency: str,
                  lang: str = "en", months: int = 12) -> Section:
    """KPIs, the per-market table, the brand-stops figure and its table."""
    s = Section(key=KEY, title=t("report.brand.title", lang))
    if not estimates:
        s.status, s.message = "empty", t("brand.cli.no_data", lang)
        return s
    rev = sum(e.revenue_daily for e in estimates.values())
    built = sum(e.revenue_daily * e.share for e in estimates.values())
    decided = [d for d in decisions.values() if abs(d.points) > 1e-9]
    s.kpis = [
        Kpi(t("brand.report.kpi_share", lang), 100 * built / rev if rev > 0 else None, "pct",
            hint=t("brand.report.kpi_share_hint", lang)),
        Kpi(t("brand.report.kpi_markets", lang), len(estimates), "int"),
        Kpi(t("brand.report.kpi_moved", lang), len(decided), "int"),
    ]
    rows = []
    for m, e in estimates.items():
        d = decisions.get(m)
        rows.append({
            "market": m, "days": e.days, "half_life": round(e.half_life),
            # "pct" columns take 0-100 (report.format.pct, report.render.fmt)
            "share": _pct(e.share), "share_lo": _pct(e.share_lo), "share_hi": _pct(e.share_hi),
            "lt_roas": e.lt_roas, "lt_roas_lo": e.lt_roas_lo, "lt_roas_hi": e.lt_roas_hi,
            "p_effect": _pct(e.p_effect), "trend": e.trend_pct,
            "prior": None if d is None else d.prior, "decided": None if d is None else d.share,
            "reason": "" if d is None else d.explain(lang),
        })
    s.tables.append(Table(t("brand.cli.title", lang, months=months, discount="10"), [
        Column("market", t("brand.cli.market", lang)),
        Column("days", t("brand.cli.days", lang), "int"),
        Column("half_life", t("brand.cli.half_life", lang), "int"),
        Column("share", t("brand.cli.share", lang), "pct"),
        Column("share_lo", t("brand.report.lo", lang), "pct"),
        Column("share_hi", t("brand.report.hi", lang), "pct"),
        Column("lt_roas", t("brand.cli.lt_roas", lang), "ratio"),
        Column("lt_roas_lo", t("brand.report.lo", lang), "ratio"),
        Column("lt_roas_hi", t("brand.report.hi", lang), "ratio"),
        Column("p_effect", t("brand.cli.p_effect", lang), "pct"),
        Column("trend", t("brand.cli.stock", lang), "pct"),
        Column("prior", t("brand.report.prior", lang), "pct"),
        Column("decided", t("brand.cli.decision", lang), "pct"),
        Column("reason", t("brand.cli.reason", lang)),
    ], rows))
    traces, stop_rows = [], []
    for i, (m, e) in enumerate(estimates.items()):
        sc = e.stop_scenario(months)
        traces.append(fg.line(list(sc["month"]), list(sc["revenue_lost"]), m, i, mode="lines+markers"))
        for r in sc.itertuples():
            stop_rows.append({"market": m, "month": int(r.month), "lost": float(r.revenue_lost),
                              "lo": float(r.revenue_lost_lo), "hi": float(r.revenue_lost_hi)})
    s.figures.append(Figure("brand-stop", t("brand.report.fig_stop", lang, currency=currency), fg.figure(
        traces, fg.layout(x_title=t("brand.cli.month", lang), y_title=t("brand.cli.lost", lang)))))
    s.tables.append(Table(t("brand.report.stop_table", lang, currency=currency), [
        Column("market", t("brand.cli.market", lang)), Column("month", t("brand.cli.month", lang), "int"),
        Column("lost", t("brand.cli.lost", lang), "money"), Column("lo", t("brand.report.lo", lang), "money"),
        Column("hi", t("brand.report.hi", lang), "money"),
    ], stop_rows))
    s.notes.append(t("brand.cli.note_identify", lang))
    return s


__all__ = ["KEY", "brand_section", "section"]
