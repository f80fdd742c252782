"""The `report` area of the workspace: the page sections and the offline HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbudget.errors import UsageError
from adbudget.i18n import t
from adbudget.report.model import Section
from adbudget.report.sections import PAGES
from adbudget.workspace import report_pages
from adbudget.workspace.core import Service, WorkspaceData
from adbudget.workspace.report_pages import FrontierMemo

if TYPE_CHECKING:
    from adbudget.workspace.plan import PlanStore


class ReportService(Service):
    """The report's pages and the offline HTML file (``ws.reports``). The pages show every
    area, so it is built from the whole facade (``workspace``) plus the saved plans."""

    def __init__(self, data: WorkspaceData, *, plans: PlanStore, workspace: Any) -> None:
        super().__init__(data)
        self.plans = plans
        self.workspace = workspace
        self.frontier_memo: FrontierMemo = {}  # the plan page's frontier per plan and fit

    def page(self, page: str, lang: str = "en", **options: Any) -> Section:
        """One page's Section by name (never raises for a missing or failing area)."""
        return report_pages.build(self.workspace, page, lang, **options)

    def plan_page(self, lang: str = "en", result: Any = None, with_frontier: bool = True) -> Section:
        """The plan page: the given result, else the latest saved plan (the frontier re-runs the
        optimizer at several budgets, so a re-plan answer may leave it out)."""
        return report_pages.plan(self.workspace, lang, result=result, with_frontier=with_frontier)

    def latest_frontier(self, lang: str = "en") -> tuple[Any, Any]:
        """The latest plan's frontier: (outcome with the table as JSON, Plotly figure or None)."""
        return report_pages.latest_frontier(self.workspace, lang)

    def saved_plan(self, plan_id: int | None = None) -> dict[str, Any] | None:
        """The latest (or given) saved plan as a plain row: id, created_at, period, budget,
        objective, inputs and lines (records); None if none. Read by the one plan reader."""
        plan = self.plans.read(plan_id)
        if plan is None:
            return None
        return {"id": plan.plan_id, "created_at": plan.created_at, "period": plan.period,
                "budget": plan.budget, "objective": plan.objective, "inputs": dict(plan.inputs),
                "lines": plan.records(), "days": plan.days, "base_currency": plan.base_currency,
                "notes": plan.notes, "totals": plan.totals}

    def report_sections(self, lang: str = "en", pages: list[str] | None = None
                        ) -> dict[str, Any]:
        """Every page's Section (overview, plan, curves, attribution, tests, rules), in order."""
        return {page: self.page(page, lang) for page in (pages or PAGES)}

    def write_report(self, out: Path | str, lang: str = "en",
                     sections: dict[str, Any] | None = None) -> Path:
        """Write the self-contained, printable HTML report to *out* and return its path."""
        from adbudget.report.render import render_report

        out = Path(out)
        if out.suffix.lower() not in (".html", ".htm"):
            raise UsageError(t("report.doc.bad_out", lang, path=str(out)))
        from adbudget.report.localize import section as by_name

        # the file is read by people: codes by name in its language (the JSON keeps the codes)
        shown = {k: by_name(v, lang) for k, v in
                 (sections or self.workspace.report_sections(lang)).items()}
        html = render_report(shown, lang, self.root.resolve().name, self.settings.base_currency)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        return out
