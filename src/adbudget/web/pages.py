"""Server-rendered pages (Jinja2). Thin: sections come from ``adbudget.report``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adbudget import __version__
from adbudget.errors import AdbudgetError, InputError, NotFittedError
from adbudget.i18n import set_language, t
from adbudget.report.generic import describe
from adbudget.report.render import translator
from adbudget.report.sections import has, not_fitted_message
from adbudget.web.security import CSRF_FIELD, csrf_ok_for_form
from adbudget.web.state import LANG_COOKIE, PendingUpload, get_state, request_lang
from adbudget.web.uploads import error_lines, run_import, safe_name

router = APIRouter(include_in_schema=False)

NAV = [("overview", "/"), ("plan", "/plan"), ("model", "/model"), ("curves", "/curves"),
       ("attribution", "/attribution"), ("tests", "/tests"), ("rules", "/rules"),
       ("loop", "/loop"), ("brand", "/brand"), ("agency", "/agency"), ("ltv", "/ltv"),
       ("cohorts", "/cohorts"), ("funnel", "/funnel"), ("import", "/import")]


def csrf_value(request: Request) -> str:
    """The CSRF token for forms on this page (the cookie, or the one being set now)."""
    return request.cookies.get("adb_csrf") or request.scope.get("state", {}).get("csrf_token", "")


def render(request: Request, template: str, active: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Render a page with the shared context: language, nav, translator, CSRF token."""
    lang = request_lang(request)
    state = get_state(request)
    env = request.app.state.templates
    ctx = {
        "lang": lang, "t": translator(lang), "nav": NAV, "active": active,
        "path": request.url.path, "csrf": csrf_value(request), "version": __version__,
        "workspace_name": state.ws.root.resolve().name,
        "base_currency": state.ws.settings.base_currency,
        "title": t(f"web.nav.{active}", lang) if active in dict(NAV) else "adbudget",
    }
    ctx.update(context)
    html = env.get_template(template).render(**ctx)
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="strict", path="/")
    return response


def web_tables(section: Any) -> list[Any]:
    """A section's tables as sortable dashboard tables, filterable by market and channel."""
    from adbudget.web.area_views import WebTable

    out = []
    for i, tb in enumerate(section.tables):
        filters = tuple(k for k in ("market", "channel")
                        if len({str(r.get(k)) for r in tb.rows}) > 1)
        out.append(WebTable(f"{section.key}-{i}", tb.title,
                            [(c.key, c.label, c.fmt) for c in tb.columns], tb.rows, tb.note,
                            filters))
    return out


def _section_page(page: str):
    """A page shown from the report's section (codes by name, tables sortable): the fallback
    for pages that have no dashboard view of their own."""
    def endpoint(request: Request) -> HTMLResponse:
        lang = request_lang(request)
        from adbudget.web import localize
        from adbudget.web.dash import render as dash_render

        section = localize.section(get_state(request).section(page, lang), lang)
        return dash_render(request, "page.html.j2", page, section=section,
                           web_tables=web_tables(section))

    endpoint.__name__ = f"page_{page}"
    return endpoint


def curves_context(state: Any, lang: str) -> dict[str, Any]:
    """The Curves page from the saved fit (stale fits shown, labelled) and the latest plan."""
    from adbudget.web.curves_view import curves_view
    from adbudget.web.dash import fit_state, latest_plans

    if not has(state.ws, "response_fit"):
        return {"not_built": t("report.not_built", lang, method="response_fit")}
    fs = fit_state(state)
    plans = latest_plans(state)
    plan = plans[0] if plans else None
    base = state.ws.settings.base_currency
    set_language(lang)
    try:
        if fs.usable:
            ctx = curves_view(fs.fit, plan, lang, base)
        elif has(state.ws, "curves_table"):  # curves without a saved FitResult behind them
            curves = state.ws.response_curves()
            current = dict(zip(curves.lines, map(float, curves.current_spend), strict=True))
            ctx = curves_view(None, plan, lang, base, state.ws.curves_table(), current)
        else:
            return {"fit_missing": fs.message or t("web.stale.no_fit", lang)}
    except NotFittedError as exc:
        return {"fit_missing": not_fitted_message(exc, lang)}
    except AdbudgetError as exc:
        return {"fit_missing": str(exc)}
    ctx["fit_status"] = fs.status
    return ctx


@router.get("/curves", response_class=HTMLResponse)
def curves_page(request: Request) -> HTMLResponse:
    from adbudget.web.dash import render as dash_render

    state = get_state(request)
    lang = request_lang(request)
    ctx = state.view(("curves", lang), lambda: curves_context(state, lang))
    return dash_render(request, "curves.html.j2", "curves", **ctx)


def evidence_context(state: Any, page: str, lang: str) -> dict[str, Any]:
    """The Attribution or Tests page from the areas' results (guarded: a missing area says
    "not built yet", an error its one-line reason)."""
    from adbudget.web.evidence_view import attribution_view, tests_view
    from adbudget.workspace.report_pages import attribution_options, call

    ws = state.ws
    set_language(lang)
    base = ws.settings.base_currency
    if page == "attribution":
        out = call(ws, "attribute", lang=lang, **attribution_options(ws))
        if not out.ok:
            return {"status": out.status, "message": out.message}
        if not hasattr(out.value, "table"):  # another shape: the report's generic view
            return {"section": True}
        ctx = attribution_view(out.value, lang, base)
    else:
        out = call(ws, "experiments_status", lang=lang)
        if not out.ok:
            return {"status": out.status, "message": out.message}
        fatigue = call(ws, "creative_fatigue", lang=lang)
        lift = call(ws, "lift_results", lang=lang)
        ctx = tests_view(out.value, fatigue.value if fatigue.ok else None,
                         lift.value if lift.ok else None, lang, base)
        if not fatigue.ok and fatigue.status != "not_built":
            ctx.setdefault("notes", []).append(fatigue.message)
    if "empty" in ctx:
        return {"status": "empty", "message": ctx["empty"]}
    return ctx


def _evidence_page(page: str):
    fallback = _section_page(page)

    def endpoint(request: Request) -> HTMLResponse:
        from adbudget.web.dash import render as dash_render

        state = get_state(request)
        lang = request_lang(request)
        ctx = state.view((page, lang), lambda: evidence_context(state, page, lang))
        if ctx.get("section"):
            return fallback(request)
        return dash_render(request, "evidence.html.j2", page, **ctx)

    endpoint.__name__ = f"page_{page}"
    return endpoint


# one line per page with a dashboard view of its own (others may append theirs)
for _page, _path in (("attribution", "/attribution"), ("tests", "/tests")):
    router.add_api_route(_path, _evidence_page(_page), methods=["GET"], response_class=HTMLResponse)


# -- plan -------------------------------------------------------------------------------------
def default_period(state: Any) -> str:
    """The month after the last day with data (or after today), as YYYY-MM."""
    last = state.run(state.ws.last_data_day)
    day = last if isinstance(last, dt.date) else dt.date.today()
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next.strftime("%Y-%m")


# Pages that re-display a form with a message the user can act on answer 200, so the browser
# does not log a failed load; the JSON API uses the precise status codes.
def _plan_page(request: Request, error: str | None = None, status_code: int = 200,
               form: dict[str, Any] | None = None) -> HTMLResponse:
    from adbudget.web.dash import plan_context
    from adbudget.web.dash import render as dash_render
    from adbudget.web.rules_view import conflicts

    state = get_state(request)
    lang = request_lang(request)
    ctx = state.view(("plan", lang), lambda: plan_context(state, lang))
    view = ctx.get("view")
    budget = round(view.budget, 2) if view is not None else None
    period = view.period if view is not None else None
    objective = view.objective if view is not None else "profit"
    if form:
        budget = form.get("budget", budget)
        period = form.get("period", period)
        objective = form.get("objective", objective)
    resp = dash_render(request, "plan.html.j2", "plan", error=error,
                       frontier_available=has(state.ws, "plan_frontier"), budget=budget,
                       period=period or default_period(state), objective=objective or "profit",
                       rule_conflicts=conflicts(state, lang), **ctx)
    resp.status_code = status_code
    return resp


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request) -> HTMLResponse:
    return _plan_page(request)


def replan(state: Any, budget: float, period: str | None, objective: str, lang: str) -> Any:
    """Call ``ws.plan`` under the lock (raises AdbudgetError/NotFittedError for the caller)."""
    def go() -> Any:
        set_language(lang)
        if not has(state.ws, "plan"):
            raise NotImplementedError
        p = period or default_period(state)
        return state.ws.plan(budget, p, objective=objective)

    result = state.run(go)
    state.invalidate()
    return result


@router.post("/plan", response_class=HTMLResponse)
async def plan_post(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    lang = request_lang(request)
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return await run_in_threadpool(_plan_page, request, t("web.csrf", lang), 403)
    values = {k: str(form.get(k) or "") for k in ("budget", "period", "objective")}
    try:
        budget = float(values["budget"])
        if not budget > 0 or budget != budget or budget == float("inf"):
            raise ValueError
    except ValueError:
        return await run_in_threadpool(_plan_page, request, t("web.plan.bad_budget", lang), 200,
                                       values)
    objective = values["objective"] if values["objective"] in ("profit", "revenue") else "profit"
    state = get_state(request)
    from adbudget.web.dash import latest_plans

    before = await run_in_threadpool(latest_plans, state)
    try:
        result = await run_in_threadpool(replan, state, budget, values["period"] or None,
                                         objective, lang)
    except NotImplementedError:
        return await run_in_threadpool(_plan_page, request, t("report.not_built", lang,
                                                              method="plan"), 200, values)
    except NotFittedError as exc:
        return await run_in_threadpool(
            _plan_page, request, not_fitted_message(exc, lang), 200, values)
    except AdbudgetError as exc:
        return await run_in_threadpool(_plan_page, request, str(exc), 200, values)
    message = replanned_message(result, before[0] if before else None,
                                state.ws.settings.base_currency, lang)
    return RedirectResponse(f"/plan?msg={state.notice(message)}", status_code=303)


def replanned_message(result: Any, previous: Any, currency: str, lang: str) -> str:
    """What a re-plan changed, in plain words: the new budget and expected profit, and the
    previous plan's for comparison."""
    from adbudget.web.format import money
    from adbudget.web.plan_view import plan_view

    new = plan_view(result, lang)
    text = t("web.plan.saved", lang, period=new.period, budget=money(new.budget, currency, lang),
             profit=money(new.profit, currency, lang))
    if previous is not None:
        old = plan_view(previous, lang)
        text += " " + t("web.plan.saved_was", lang, budget=money(old.budget, currency, lang),
                        profit=money(old.profit, currency, lang))
    return text


# -- import -----------------------------------------------------------------------------------
def _import_page(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    state = get_state(request)
    sources: list[str] = []
    try:
        from adbudget.ingest import IMPORTERS

        sources = sorted(IMPORTERS)
    except Exception:  # ingest not there yet: auto-detect only
        sources = []
    from adbudget.web.dash import render as dash_render

    resp = dash_render(request, "import.html.j2", "import",
                       available=has(state.ws, "import_file"), sources=sources,
                       markets=list(state.ws.settings.markets),
                       limit_mb=state.upload_limit // 2**20, **context)
    resp.status_code = status_code
    return resp


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> HTMLResponse:
    return _import_page(request)


def _describe_result(result: Any, lang: str) -> Any:
    """An import's result for the page: what it does in plain words, and the parsed rows."""
    from adbudget.web.area_views import WebTable
    from adbudget.web.format import number

    class _R:  # what the template needs
        pass

    r = _R()
    rows = [dict(x) for x in (getattr(result, "preview", None) or [])]
    if getattr(result, "rows", None) is None:  # another shape: the generic view
        kpis, tables = describe(result, t("web.import.preview_rows", lang))
        r.kpis, r.tables, r.summary, r.web_tables = kpis, tables, "", []  # type: ignore[attr-defined]
        return r
    r.kpis, r.tables = [], []  # type: ignore[attr-defined]
    r.summary = t("web.import.summary", lang, rows=number(result.rows, lang),  # type: ignore[attr-defined]
                  inserted=number(result.inserted, lang), replaced=number(result.replaced, lang),
                  removed=number(getattr(result, "removed", 0) or 0, lang),
                  first=result.first_date or "—", last=result.last_date or "—",
                  kind=t(f"web.source.{result.kind}", lang) if result.kind else "")
    if getattr(result, "already_imported", False):
        r.summary += " " + t("web.import.already", lang)  # type: ignore[attr-defined]
    keys = list(rows[0]) if rows else []
    fmts = {k: ("date" if "date" in k or k.endswith("_at") else
                "num" if all(isinstance(x.get(k), int | float) or x.get(k) is None for x in rows)
                else "text") for k in keys}
    cols = [(k, t(f"web.col.{k}", lang) if t(f"web.col.{k}", lang) != f"web.col.{k}" else k,
             fmts[k]) for k in keys]
    r.web_tables = [WebTable("preview", t("web.import.preview_rows", lang), cols, rows[:50])]  # type: ignore[attr-defined]
    return r


@router.post("/import/preview", response_class=HTMLResponse)
async def import_preview(request: Request) -> HTMLResponse:
    state = get_state(request)
    lang = request_lang(request)
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=state.upload_limit)
    except Exception:
        return _import_page(request, 400, errors=[{"message": t("web.import.bad_form", lang),
                                                   "line": None}])
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return _import_page(request, 403, errors=[{"message": t("web.csrf", lang), "line": None}])
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return _import_page(request, 400, errors=[{"message": t("web.import.no_file", lang),
                                                   "line": None}])
    data = await upload.read(state.upload_limit + 1)
    await form.close()
    if len(data) > state.upload_limit:
        return _import_page(request, 413, errors=[{"message": t(
            "web.import.too_large", lang, limit=state.upload_limit // 2**20), "line": None}])
    if not has(state.ws, "import_file"):
        return _import_page(request, 501)
    try:
        name = safe_name(upload.filename, lang)
    except InputError as exc:
        return _import_page(request, 200, errors=error_lines(exc))
    pending = PendingUpload(name, data, str(form.get("source") or "") or None,
                            str(form.get("market") or "") or None)

    def go() -> Any:
        set_language(lang)
        return run_import(state.ws, pending, dry_run=True)

    try:
        result = await run_in_threadpool(state.run, go)
    except InputError as exc:
        return _import_page(request, 200, errors=error_lines(exc))
    except AdbudgetError as exc:
        return _import_page(request, 200, errors=[{"message": str(exc), "line": None}])
    upload_id = state.hold(pending)
    return _import_page(request, result=_describe_result(result, lang), upload_id=upload_id,
                        result_message=t("web.import.previewed", lang, name=name))


@router.post("/import/commit", response_class=HTMLResponse)
async def import_commit(request: Request) -> HTMLResponse:
    state = get_state(request)
    lang = request_lang(request)
    form = await request.form(max_files=0, max_fields=10)
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return _import_page(request, 403, errors=[{"message": t("web.csrf", lang), "line": None}])
    pending = state.take(str(form.get("upload_id") or ""))
    if pending is None:
        return _import_page(request, 410, errors=[{"message": t("web.import.expired", lang),
                                                   "line": None}])

    def spend_total() -> float:
        lines = getattr(state.ws.status(), "lines", None)
        return float(lines["spend_base"].sum()) if lines is not None and len(lines) else 0.0

    def go() -> Any:
        set_language(lang)
        before = spend_total()
        result = run_import(state.ws, pending, dry_run=False)
        return result, before, spend_total()

    try:
        result, before, after = await run_in_threadpool(state.run, go)
    except InputError as exc:
        return _import_page(request, 200, errors=error_lines(exc))
    except AdbudgetError as exc:
        return _import_page(request, 200, errors=[{"message": str(exc), "line": None}])
    state.invalidate()
    return _import_page(request, result=_describe_result(result, lang),
                        result_message=committed_message(result, pending.name, before, after,
                                                         state.ws.settings.base_currency, lang))


def committed_message(result: Any, name: str, before: float, after: float, currency: str,
                      lang: str) -> str:
    """What an import changed, in plain words: rows added and replaced, total spend before/after."""
    from adbudget.web.format import money, number

    def count(*names: str) -> int:
        for n in names:
            v = getattr(result, n, None)
            if isinstance(v, int | float):
                return int(v)
        return 0

    return t("web.import.committed_plain", lang, name=name,
             added=number(count("inserted", "rows_added", "rows"), lang),
             replaced=number(count("replaced", "rows_replaced"), lang),
             before=money(before, currency, lang), after=money(after, currency, lang))
