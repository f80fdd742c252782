"""The agency page of the report and the dashboard: every seller in one table.

Pure rendering: ``agency_section`` takes the saved summary (``agency.summary``: one record per
seller with spend, estimated true profit of its plan, how much the plan moves, warnings and
its located error when it failed) and builds KPIs per currency, the sellers' table and the
errors' table. ``write_agency_report`` renders it as a self-contained HTML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adbudget.i18n import t
from adbudget.report.format import datetime_
from adbudget.report.model import Column, Kpi, Section, Table

KEY = "agency"



def _warnings(warnings: list[str], lang: str) -> str:
    """The first warning and how many more, as the CLI shows them (all of them in one cell made
    a phone row 700 px tall)."""
    if len(warnings) <= 1:
        return "".join(warnings)
    return warnings[0] + " " + t("agency.report.more", lang, n=len(warnings) - 1)

def agency_section(doc: dict[str, Any] | None, lang: str = "en") -> Section:
    """KPIs (sellers, failures, spend and profit per currency), the sellers, the errors."""
    s = Section(key=KEY, title=t("agency.report.title", lang))
    sellers = (doc or {}).get("sellers") or []
    if not sellers:
        s.status, s.message = "empty", t("agency.report.empty", lang)
        return s
    failed = [r for r in sellers if not r.get("ok")]
    s.kpis = [Kpi(t("agency.report.kpi_sellers", lang), len(sellers), "int"),
              Kpi(t("agency.report.kpi_failed", lang), len(failed), "int")]
    per: dict[str, list[float]] = {}
    for r in sellers:
        if r.get("ok") and r.get("currency"):
            acc = per.setdefault(r["currency"], [0.0, 0.0])
            acc[0] += r.get("spend_30d") or 0.0
            acc[1] += r.get("estimated_profit") or 0.0
    for cur, (spend, profit) in sorted(per.items()):
        s.kpis.append(Kpi(t("agency.report.kpi_spend", lang, currency=cur), spend, "money"))
        s.kpis.append(Kpi(t("agency.report.kpi_profit", lang, currency=cur), profit, "money"))
    rows = [{
        "seller": r["seller"],
        "status": t("agency.cli.ok" if r.get("ok") else "agency.cli.failed", lang),
        "currency": r.get("currency") or "", "spend": r.get("spend_30d"),
        "revenue": r.get("revenue_30d"), "budget": r.get("plan_budget"),
        "profit": r.get("estimated_profit"), "change": None if r.get("plan_change_pct") is None else 100.0 * r["plan_change_pct"],  # 0-1 -> "pct"
        "warnings": _warnings(r.get("warnings") or [], lang),
    } for r in sellers]
    s.tables.append(Table(t("agency.report.table", lang, action=doc.get("action", ""),  # type: ignore[union-attr]
                            updated=datetime_(doc.get("updated_at"))), [  # type: ignore[union-attr]
        Column("seller", t("agency.cli.seller", lang)),
        Column("status", t("agency.cli.status", lang)),
        Column("currency", t("agency.cli.currency", lang)),
        Column("spend", t("agency.cli.spend", lang), "money"),
        Column("revenue", t("agency.cli.revenue", lang), "money"),
        Column("budget", t("agency.cli.budget", lang), "money"),
        Column("profit", t("agency.cli.profit", lang), "money"),
        Column("change", t("agency.cli.change", lang), "pct"),
        Column("warnings", t("agency.cli.warnings", lang)),
    ], rows))
    if failed:
        s.tables.append(Table(t("agency.report.errors", lang), [
            Column("seller", t("agency.cli.seller", lang)),
            Column("error", t("agency.report.error", lang)),
        ], [{"seller": r["seller"], "error": r.get("error") or ""} for r in failed]))
    s.notes += [t("agency.report.note_currency", lang), t("agency.report.note_change", lang)]
    return s


def write_agency_report(doc: dict[str, Any] | None, out: Path | str, lang: str = "en",
                        name: str = "agency") -> Path:
    """The agency page as a self-contained HTML file (the report's look)."""
    from adbudget.report.render import render_report

    out = Path(out)
    currencies = {r.get("currency") for r in (doc or {}).get("sellers", []) if r.get("currency")}
    html = render_report({KEY: agency_section(doc, lang)}, lang, name,
                         next(iter(currencies)) if len(currencies) == 1 else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


__all__ = ["KEY", "agency_section", "write_agency_report"]
