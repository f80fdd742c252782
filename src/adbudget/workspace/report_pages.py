"""Gather each report page from the workspace, guarded (moved here from ``report/``, which now
only renders what it is given).

Each call to another area's method turns a missing method, ``NotFittedError`` or
``AdbudgetError`` into a plain status and message, so a page says "not built yet" or "no fitted
model yet" instead of breaking. The pure builders in ``adbudget.report`` get the data.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

import pandas as pd

from adbudget.economics import UnitEconomics
from adbudget.errors import AdbudgetError, NotFittedError
from adbudget.i18n import t
from adbudget.report.areas import attribution_section, rules_section, tests_section
from adbudget.report.brand import section as brand_page
from adbudget.report.curves import curves_section
from adbudget.report.generic import describe, jsonable
from adbudget.report.loop import section as loop_page
from adbudget.report.model import Section
from adbudget.report.overview import overview_section
from adbudget.report.plan import plan_section
from adbudget.report.sections import (
    Outcome,
    frontier_table,
    has,
    not_fitted_message,
    plan_parts,
)

log = logging.getLogger("adbudget.report")

# methods that need the response model: their NotFittedError gets the "run adbudget fit" hint
_MODEL_METHODS = frozenset({"curves_table", "response_curves", "plan", "latest_plan",
                            "plan_frontier"})
FrontierMemo = dict[tuple[Any, ...], pd.DataFrame | None]


def call(ws: Any, name: str, *args: Any, lang: str = "en", **kwargs: Any) -> Outcome:
    """Call ``ws.<name>(*args, **kwargs)`` and never raise: missing, not fitted, error or ok."""
    if not has(ws, name):
        return Outcome("not_built", message=t("report.not_built", lang, method=name))
    try:
        return Outcome("ok", getattr(ws, name)(*args, **kwargs))
    except NotFittedError as exc:
        message = not_fitted_message(exc, lang) if name in _MODEL_METHODS else str(exc)
        return Outcome("not_fitted", message=message)
    except AdbudgetError as exc:
        return Outcome("error", message=str(exc))
    except Exception:  # a bug elsewhere must not take the page down; log it, show one line
        log.exception("ws.%s failed", name)
        return Outcome("error", message=t("report.failed", lang, method=name))


def _missing(key: str, lang: str, outcome: Outcome) -> Section:
    return Section(key=key, title=t(f"report.{key}.title", lang), status=outcome.status,  # type: ignore[arg-type]
                   message=outcome.message)


def economics(ws: Any) -> dict[str, UnitEconomics]:
    """Unit economics per market: the workspace's one source (``market_economics``)."""
    return dict(ws.market_economics())


def overview(ws: Any, lang: str = "en") -> Section:
    """Spend, revenue, MER/ROAS, profit, freshness and platform over-claim."""
    spend = call(ws, "daily_spend", lang=lang)
    revenue = call(ws, "daily_revenue", lang=lang)
    if not spend.ok:
        return _missing("overview", lang, spend)
    if not revenue.ok:
        return _missing("overview", lang, revenue)
    return overview_section(spend.value, revenue.value, economics(ws), lang,
                            ws.settings.base_currency)


def latest_plan(ws: Any, lang: str = "en") -> Outcome:
    """The latest plan as ``(header, lines, frontier)``; from ``ws.latest_plan`` or the store."""
    if has(ws, "latest_plan"):
        out = call(ws, "latest_plan", lang=lang)
        if not out.ok:
            return out
        if out.value is not None:
            return Outcome("ok", plan_parts(out.value))
    if has(ws, "saved_plan"):
        out = call(ws, "saved_plan", lang=lang)
        if out.ok and out.value is not None:
            return Outcome("ok", plan_parts(out.value))
    if not has(ws, "plan"):
        return Outcome("not_built", message=t("report.not_built", lang, method="plan"))
    return Outcome("ok", None)


def plan(ws: Any, lang: str = "en", result: Any = None, with_frontier: bool = True) -> Section:
    """The plan page: the given result, else the latest saved plan. The frontier re-optimizes
    at several budgets (seconds), so callers answering a re-plan may leave it out."""
    if result is not None:
        parts = plan_parts(result)
    else:
        out = latest_plan(ws, lang)
        if not out.ok:
            return _missing("plan", lang, out)
        if out.value is None:
            s = Section(key="plan", title=t("report.plan.title", lang), status="empty",
                        message=t("report.plan.no_plan", lang))
            return s
        parts = out.value
    header, lines, frontier = parts
    if (with_frontier and frontier is None and has(ws, "plan_frontier") and header.get("budget")
            and header.get("period")):
        frontier = _frontier(ws, header, lang)
    return plan_section(lines, header, lang, ws.settings.base_currency, frontier,
                        note_missing_frontier=with_frontier)


def _frontier(ws: Any, header: dict[str, Any], lang: str) -> pd.DataFrame | None:
    """The planner's frontier for a saved plan, memoized per workspace (``ws.reports``), plan
    and fitted model (it runs the optimizer at several budgets; no language in it)."""
    service = getattr(ws, "reports", None)  # a stand-in object may have no report service
    memo: FrontierMemo = service.frontier_memo if service is not None else {}
    try:
        model_stamp = ws.store.scalar("SELECT max(saved_at) FROM models")
    except Exception:  # a workspace without the models table: key on the plan alone
        model_stamp = None
    key = (header.get("id", header.get("plan_id")), header.get("created_at"),
           header.get("budget"), header.get("period"), str(model_stamp))
    if key in memo:
        return memo[key]
    from adbudget.report.plan_view import frontier_budgets

    budget = float(header["budget"])
    kwargs: dict[str, Any] = {}
    if _accepts(ws, "plan_frontier", "budgets"):  # the plan's own budget among the points
        kwargs["budgets"] = frontier_budgets(budget)
        if header.get("objective") in ("profit", "revenue"):
            kwargs["objective"] = header["objective"]
    out = call(ws, "plan_frontier", budget, str(header["period"]), lang=lang, **kwargs)
    table = frontier_table(out.value) if out.ok and out.value is not None else None
    if out.ok:  # failures are not memoized: they may be fixed by the next fit
        while len(memo) >= 16:
            memo.pop(next(iter(memo)))
        memo[key] = table
    return table


def latest_frontier(ws: Any, lang: str = "en") -> tuple[Outcome, Any]:
    """The latest plan's frontier as a Figure (for pages that load it after the plan)."""
    from adbudget.report.plan import frontier_figure

    if not has(ws, "plan_frontier"):
        return Outcome("not_built", message=t("report.not_built", lang,
                                                 method="plan_frontier")), None
    lp = latest_plan(ws, lang)
    if not lp.ok:
        return Outcome(lp.status, message=lp.message), None
    if lp.value is None:
        return Outcome("empty", message=t("report.plan.no_plan", lang)), None
    header = lp.value[0]
    if not header.get("budget") or not header.get("period"):
        return Outcome("empty", message=t("report.plan.no_frontier", lang)), None
    table = _frontier(ws, header, lang)
    if table is None or table.empty:
        return Outcome("empty", message=t("report.plan.no_frontier", lang)), None
    fig = frontier_figure(table, lang, ws.settings.base_currency, float(header["budget"]))
    return Outcome("ok", jsonable(table)), fig


def curves(ws: Any, lang: str = "en") -> Section:
    """Response curves with today's and the planned daily spend marked."""
    out = call(ws, "curves_table", lang=lang)
    if not out.ok:
        return _missing("curves", lang, out)
    table = out.value
    if not isinstance(table, pd.DataFrame):
        table = pd.DataFrame(jsonable(table))
    current: dict[tuple[str, str], float] = {}
    rc = call(ws, "response_curves", lang=lang)
    if rc.ok and rc.value is not None:
        try:
            for (m, c), s in zip(rc.value.lines, rc.value.current_spend, strict=True):
                current[(m, c)] = float(s)
        except Exception:  # curves without current spend: just no marker
            log.exception("current spend unavailable")
    planned: dict[tuple[str, str], float] = {}
    lp = latest_plan(ws, lang)
    if lp.ok and lp.value is not None:
        _, lines, _ = lp.value
        for rec in lines.to_dict(orient="records"):
            v = rec.get("daily_budget_base")
            if v is not None and v == v:
                key = (rec["market"], rec["channel"])
                planned[key] = planned.get(key, 0.0) + float(v)
    facts = None
    fit = call(ws, "response_fit", lang=lang)
    if fit.ok and isinstance(getattr(fit.value, "summary", None), pd.DataFrame):
        facts = fit.value.summary
    section = curves_section(table, lang, ws.settings.base_currency, current, planned, facts,
                             interval=getattr(fit.value, "interval", None) if fit.ok else None)
    if fit.ok:
        from adbudget.report.mmm import fit_notices

        section.notes.extend(fit_notices(fit.value, lang))
    return section


def model(ws: Any, lang: str = "en") -> Section:
    """The response model: fit panel, contributions, waterfall, ROAS and marginal ROAS with
    intervals, spend vs effect, current vs planned spend, claims vs caused (the saved fit,
    labelled stale when the data changed since)."""
    from adbudget.report.mmm import model_section, planned_daily

    if not has(ws, "fit_state"):
        return _missing("model", lang, Outcome("not_built", message=t(
            "report.not_built", lang, method="fit_state")))
    fs = ws.fit_state()
    if not fs.usable:
        return _missing("model", lang, Outcome("not_fitted", message=not_fitted_message(
            Exception(fs.message or t("report.not_fitted", lang)), lang)))
    plans = call(ws, "recent_plans", 1, lang=lang)
    planned = planned_daily(plans.value[0]) if plans.ok and plans.value else {}
    return model_section(fs.fit, planned, lang, ws.settings.base_currency,
                         stale=fs.status == "stale")


def area(page: str) -> Callable[..., Section]:
    """LTV (``ws.ltv(save=False)``: nothing is written), cohorts or the funnel."""
    def gather(ws: Any, lang: str = "en") -> Section:
        from adbudget.report.area_tables import area_section

        kwargs = {"save": False} if page == "ltv" else {}
        out = call(ws, page, lang=lang, **kwargs)
        if not out.ok:
            return _missing(page, lang, out)
        return area_section(page, out.value, lang)

    gather.__name__ = page
    return gather


def _generic(key: str, ws: Any, lang: str, method: str, *args: Any, **kwargs: Any) -> Section:
    out = call(ws, method, *args, lang=lang, **kwargs)
    if not out.ok:
        return _missing(key, lang, out)
    section = Section(key=key, title=t(f"report.{key}.title", lang))
    if out.value is None:
        section.status = "empty"
        section.message = t(f"report.{key}.empty", lang)
        return section
    section.kpis, section.tables = describe(out.value, section.title)
    section.data = {"result": jsonable(out.value)}
    if not section.kpis and not section.tables:
        section.status = "empty"
        section.message = t(f"report.{key}.empty", lang)
    return section


def _accepts(ws: Any, name: str, *params: str) -> bool:
    try:
        sig = inspect.signature(getattr(ws, name)).parameters
    except (TypeError, ValueError):
        return False
    return all(p in sig for p in params)


def attribution_options(ws: Any) -> dict[str, Any]:
    """Models and windows side by side, when the workspace's ``attribute`` offers them."""
    return ({"compare_models": True, "compare_windows": True}
            if has(ws, "attribute") and _accepts(ws, "attribute", "compare_models",
                                                 "compare_windows") else {})


def attribution(ws: Any, lang: str = "en") -> Section:
    """Attribution by channel: models side by side, windows side by side, platform vs ours."""
    out = call(ws, "attribute", lang=lang, **attribution_options(ws))
    if not out.ok:
        return _missing("attribution", lang, out)
    if hasattr(out.value, "table"):
        return attribution_section(out.value, lang, ws.settings.base_currency)
    return _generic("attribution", ws, lang, "attribute")


def tests(ws: Any, lang: str = "en") -> Section:
    """Running tests: arms, probability to be best, expected loss, decision; fatigue flags."""
    out = call(ws, "experiments_status", lang=lang)
    if not out.ok:
        return _missing("tests", lang, out)
    if not hasattr(out.value, "experiments"):
        return _generic("tests", ws, lang, "experiments_status")
    fatigue = call(ws, "creative_fatigue", lang=lang)
    lift = call(ws, "lift_results", lang=lang)
    section = tests_section(out.value, fatigue.value if fatigue.ok else None, lang,
                            lift.value if lift.ok else None)
    if not fatigue.ok and fatigue.status != "not_built":
        section.notes.append(fatigue.message)
    return section


def rules(ws: Any, lang: str = "en") -> Section:
    """Today's proposed actions (a dry run: nothing is changed)."""
    out = call(ws, "rules_run", lang=lang, dry_run=True)
    if not out.ok:
        return _missing("rules", lang, out)
    if out.value is None:
        return _generic("rules", ws, lang, "rules_run", dry_run=True)
    return rules_section(out.value, lang)


BUILDERS: dict[str, Callable[..., Section]] = {
    "overview": overview,
    "plan": plan,
    "model": model,
    "curves": curves,
    "attribution": attribution,
    "tests": tests,
    "rules": rules,
    "loop": loop_page,  # issue 24: adbudget.report.loop (the saved loop)
    "brand": brand_page,  # issue 21: adbudget.report.brand (long-term brand effect)
}
BUILDERS.update({page: area(page) for page in ("ltv", "cohorts", "funnel")})  # issue 17


def build(ws: Any, page: str, lang: str = "en", **options: Any) -> Section:
    """Build one page's Section by name (never raises for a missing or failing area)."""
    try:
        return BUILDERS[page](ws, lang, **options)
    except AdbudgetError as exc:
        return Section(key=page, title=t(f"report.{page}.title", lang), status="error",
                       message=str(exc))
    except Exception:
        log.exception("building %s failed", page)
        return Section(key=page, title=t(f"report.{page}.title", lang), status="error",
                       message=t("report.failed", lang, method=page))
