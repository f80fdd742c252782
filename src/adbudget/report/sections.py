"""The report's page list and the pure helpers every page uses: outcomes of a guarded call,
the split of a plan into header, lines and frontier, the frontier table.

Gathering a page (calling the workspace) lives in ``adbudget.workspace.report_pages`` and is
reached through ``ws.reports``; ``build`` and ``plan`` below are kept for callers that still
import them from here and simply forward to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report.generic import jsonable
from adbudget.report.model import Section
from adbudget.report.plan import frontier_frame, lines_frame

PAGES = ("overview", "plan", "model", "curves", "attribution", "tests", "rules", "loop", "brand")
PAGES += ("ltv", "cohorts", "funnel")  # issue 17: the dashboard's LTV, cohorts and funnel pages


@dataclass(frozen=True)
class Outcome:
    """The result of one guarded call: a value, or a status with a message."""

    status: str  # ok | not_built | not_fitted | error
    value: Any = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def not_fitted_message(exc: Exception, lang: str = "en") -> str:
    """The error's reason plus "run adbudget fit" unless it already says what to do."""
    text = str(exc)
    return text if "adbudget fit" in text else f"{text} — {t('report.not_fitted', lang)}"


def has(ws: Any, name: str) -> bool:
    """True when the workspace offers *name* as a callable (another area has landed)."""
    return callable(getattr(ws, name, None))


def plan_parts(result: Any) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame | None]:
    """Split a PlanResult (object, dict or stored row) into header, lines and frontier."""
    get: Callable[[str], Any]
    if isinstance(result, dict):
        get = result.get
    else:
        def get(name: str) -> Any:
            return getattr(result, name, None)
    header = {}
    for key in ("id", "plan_id", "created_at", "period", "days", "budget", "objective",
                "base_currency", "notes", "advice", "check", "totals"):
        value = get(key)
        if value is not None and not callable(value):
            header[key] = jsonable(value)
    lines = lines_frame(get("lines"))
    frontier = get("frontier")
    frontier_df = None
    if frontier is not None:
        frontier_df = (frontier.copy() if isinstance(frontier, pd.DataFrame)
                       else frontier_frame(jsonable(frontier)))
        if "budget" not in frontier_df.columns:
            frontier_df = None
    return header, lines, frontier_df


def frontier_table(value: Any) -> pd.DataFrame | None:
    """The planner's Frontier (points of budget, revenue, profit, …) as the report's frame."""
    df = value.to_frame() if hasattr(value, "to_frame") else pd.DataFrame(jsonable(value))
    if df.empty or "budget" not in df.columns:
        return None
    rename = {}
    for col in df.columns:
        for stem in ("revenue", "profit"):
            if col == stem or col.startswith(f"{stem}_"):
                rename[col] = f"expected_{col}"
    return df.rename(columns=rename).sort_values("budget").reset_index(drop=True)


def build(ws: Any, page: str, lang: str = "en", **options: Any) -> Section:
    """Forwarding, for callers that still import it from here: the workspace layer gathers
    the page (``adbudget.workspace.report_pages``; on a workspace, ``ws.reports.page``)."""
    from adbudget.workspace.report_pages import build as gather

    return gather(ws, page, lang, **options)


def plan(ws: Any, lang: str = "en", result: Any = None, with_frontier: bool = True) -> Section:
    """Forwarding, as :func:`build`: the plan page (``ws.reports.plan_page``)."""
    from adbudget.workspace.report_pages import plan as gather

    return gather(ws, lang, result=result, with_frontier=with_frontier)
