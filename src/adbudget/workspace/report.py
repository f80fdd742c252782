"""Workspace methods of the `report` area: the page sections and the offline HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adbudget.errors import UsageError
from adbudget.i18n import t


class ReportMixin:
    """Mixed into Workspace; `self` has `.store`, `.settings` and `.root`."""

    def saved_plan(self: Any, plan_id: int | None = None) -> dict[str, Any] | None:
        """The latest (or given) saved plan as a plain row: id, created_at, period, budget,
        objective, inputs and lines (records); None if none. Read by the one plan reader."""
        plan = self._read_plan(plan_id)
        if plan is None:
            return None
        return {"id": plan.plan_id, "created_at": plan.created_at, "period": plan.period,
                "budget": plan.budget, "objective": plan.objective, "inputs": dict(plan.inputs),
                "lines": plan.records(), "days": plan.days, "base_currency": plan.base_currency,
                "notes": plan.notes, "totals": plan.totals}

    def report_sections(self: Any, lang: str = "en", pages: list[str] | None = None
                        ) -> dict[str, Any]:
        """Every page's Section (overview, plan, curves, attribution, tests, rules), in order."""
        from adbudget.report.sections import PAGES, build

        return {page: build(self, page, lang) for page in (pages or PAGES)}

    def write_report(self: Any, out: Path | str, lang: str = "en",
                     sections: dict[str, Any] | None = None) -> Path:
        """Write the self-contained, printable HTML report to *out* and return its path."""
        from adbudget.report.render import render_report

        out = Path(out)
        if out.suffix.lower() not in (".html", ".htm"):
            raise UsageError(t("report.doc.bad_out", lang, path=str(out)))
        html = render_report(sections or self.report_sections(lang), lang, self.root.resolve().name,
                             self.settings.base_currency)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        return out
