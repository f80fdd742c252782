"""Workspace methods of the `report` area: the page sections and the offline HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adbudget.errors import UsageError
from adbudget.i18n import t


class ReportMixin:
    """Mixed into Workspace; `self` has `.store`, `.settings` and `.root`."""

    def saved_plan(self: Any, plan_id: int | None = None) -> dict[str, Any] | None:
        """The latest (or given) row of the ``plans`` table, lines parsed from JSON; None if none."""
        sql = "SELECT id, created_at, period, budget, objective, inputs, lines FROM plans"
        params: list[Any] = []
        if plan_id is not None:
            sql += " WHERE id = ?"
            params.append(int(plan_id))
        sql += " ORDER BY created_at DESC, id DESC LIMIT 1"
        df = self.store.query(sql, params)
        if df.empty:
            return None
        row = df.iloc[0].to_dict()
        for key in ("inputs", "lines"):
            value = row.get(key)
            if isinstance(value, str):
                row[key] = json.loads(value)
        row["budget"] = float(row["budget"])
        row["id"] = int(row["id"])
        return row

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
