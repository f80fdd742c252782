"""The dashboard's own pages: overview (answers first), plan, model, LTV / cohorts / funnel,
and the refit flow. Thin: every number comes from a Workspace method; the pure view modules
(``plan_view``, ``overview_view``, ``model_view``) shape it; templates only render.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adbudget.errors import AdbudgetError
from adbudget.i18n import set_language, t
from adbudget.web import model_view as mv
from adbudget.web import overview_view as ov
from adbudget.web import plan_view as pv
from adbudget.web.security import CSRF_FIELD, csrf_ok_for_form
from adbudget.web.state import AppState, get_state, request_lang

log = logging.getLogger("adbudget.web")
router = APIRouter(include_in_schema=False)
FIT_METHODS = ("svi", "nuts")


# -- shared reads (under the lock, cached per data version) -----------------------------------
def _has(ws: Any, name: str) -> bool:
    return callable(getattr(ws, name, None))


def fit_state(state: AppState) -> Any:
    from adbudget.workspace.dashboard import FitState

    if not _has(state.ws, "response_fit"):
        return FitState("missing", None, t("report.not_built", method="response_fit"))
    return state.view(("fit_state",), state.ws.fit_state)


def latest_plans(state: AppState) -> list[Any]:
    def go() -> list[Any]:
        if not (_has(state.ws, "list_plans") and _has(state.ws, "get_plan")):
            return []
        try:
            return state.ws.recent_plans(2)
        except AdbudgetError:
            return []
    return state.view(("plans",), go)


def freshness(state: AppState, lang: str) -> dict[str, Any]:
    """Is the model current, and is the latest plan based on it? (labels, never hides)"""
    fs = fit_state(state)
    plans = latest_plans(state)
    out: dict[str, Any] = {"fit": fs.status, "fit_message": fs.message, "plan": "none"}
    if plans:
        out["plan"] = "stale" if fs.status != "ok" else "ok"
        saved = state.view(("fit_saved_at",), state.ws.response_saved_at) \
            if _has(state.ws, "response_saved_at") else None
        created = getattr(plans[0], "created_at", None)
        if out["plan"] == "ok" and saved is not None and created:
            made = str(created).replace("T", " ")
            if made < str(saved).replace("T", " "):
                out["plan"] = "old_model"  # refitted after this plan was made
    return out


def banner(state: AppState, lang: str) -> dict[str, Any] | None:
    """The page-wide notice when results are stale (with the action that fixes it)."""
    f = freshness(state, lang)
    if f["fit"] == "stale":
        return {"kind": "stale", "text": t("web.stale.fit", lang), "fit": True}
    if f["fit"] == "missing":
        return {"kind": "missing", "text": t("web.stale.no_fit", lang), "fit": True}
    return None


def render(request: Request, template: str, active: str, **context: Any) -> HTMLResponse:
    from adbudget.web.pages import render as base_render

    state = get_state(request)
    lang = request_lang(request)
    if "banner" not in context:
        context["banner"] = banner(state, lang)
    context.setdefault("fit_methods", FIT_METHODS)
    if "message" not in context or context["message"] is None:
        context["message"] = state.notices.get(request.query_params.get("msg") or "")
    return base_render(request, template, active, **context)


def render_section(request: Request, template: str, active: str, section: Any) -> HTMLResponse:
    """A page that is one report section (brand, loop, agency): localized at display time,
    its tables sortable and filterable."""
    from adbudget.web import localize
    from adbudget.web.pages import web_tables

    section = localize.section(section, request_lang(request))
    return render(request, template, active, section=section, web_tables=web_tables(section))


# -- overview -----------------------------------------------------------------------------------
def _economics(ws: Any) -> dict[str, Any]:
    return dict(ws.market_economics())  # the one source of unit economics (adbudget.economics)


def overview_context(state: AppState, lang: str, days: int, market: str | None) -> dict[str, Any]:
    from adbudget.report.overview import profit_frame

    ws = state.ws
    set_language(lang)
    if not (_has(ws, "daily_spend") and _has(ws, "daily_revenue")):
        return {"empty": t("report.not_built", lang, method="daily_spend"), "tiles": [],
                "warnings": [], "figures": [], "markets": [], "periods": ov.PERIODS,
                "days": days, "market": market or ""}
    spend, revenue = ws.daily_spend(), ws.daily_revenue()
    markets = sorted(set(spend["market"]) | set(revenue["market"])) if len(spend) else []
    if market:
        spend = spend[spend["market"] == market]
        revenue = revenue[revenue["market"] == market]
    ctx: dict[str, Any] = {"days": days, "market": market or "", "markets": markets,
                           "periods": ov.PERIODS, "tiles": [], "warnings": [], "figures": []}
    if spend.empty and revenue.empty:
        ctx["empty"] = t("report.overview.no_data", lang)
        return ctx
    daily = profit_frame(revenue, spend, _economics(ws))
    tiles, info = ov.kpi_tiles(daily, days, lang)
    ctx["tiles"], ctx["info"] = tiles, info
    ctx["figures"].append({"id": "fig-trend", "title": t("web.overview.trend", lang),
                           "spec": ov.trend_figure(daily, info, lang, ws.settings.base_currency)})
    ctx["warnings"].extend(ov.freshness_warnings(daily, spend, lang))
    plans = latest_plans(state)
    if plans:
        view = pv.plan_view(plans[0], lang)
        ctx["plan"] = view
        ctx["freshness"] = freshness(state, lang)
        ctx["plan_tiles"] = pv.tiles(view, lang)[:3]
        ctx["moves"] = pv.top_moves(view)
        if len(plans) > 1:
            ctx["changes"] = pv.compare_plans(view, pv.plan_view(plans[1], lang), lang)
        below = [r for r in view.rows if r["below_breakeven"] and r["bucket"] == "performance"
                 and (r["change_pct"] or 0) > 0]
        for r in below[:3]:
            ctx["warnings"].append(t("web.warn.below_breakeven", lang, line=r["label"],
                                     mroas=f"{r['mroas']:.2f}", be=f"{r['breakeven']:.2f}"))
    ctx["warnings"].extend(rule_conflicts(state, lang))
    if market is None:  # the whole picture by market and channel, below the answers
        from adbudget.web import localize

        details = localize.section(state.section("overview", lang), lang)
        details.kpis = []
        ctx["details"] = details
    return ctx


def rule_conflicts(state: AppState, lang: str) -> list[str]:
    """Proposed rule actions that raise a line's budget the plan says is past break-even."""
    from adbudget.web.rules_view import conflicts

    try:
        return [c["text"] for c in conflicts(state, lang)]
    except Exception:  # the overview must show even when rules cannot be evaluated
        log.exception("rule conflicts")
        return []


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request) -> HTMLResponse:
    state = get_state(request)
    lang = request_lang(request)
    try:
        days = int(request.query_params.get("days") or 28)
    except ValueError:
        days = 28
    days = days if days in ov.PERIODS else 28
    market = request.query_params.get("market") or None
    ctx = state.view(("overview", lang, days, market),
                     lambda: overview_context(state, lang, days, market))
    return render(request, "overview.html.j2", "overview", **ctx)


# -- plan ---------------------------------------------------------------------------------------
def plan_context(state: AppState, lang: str) -> dict[str, Any]:
    plans = latest_plans(state)
    if not plans:
        return {"view": None}
    view = pv.plan_view(plans[0], lang)
    base = state.ws.settings.base_currency
    ctx: dict[str, Any] = {"view": view, "tiles": pv.tiles(view, lang),
                           "moves": pv.top_moves(view),
                           "lines_fig": {"id": "fig-plan-lines", "title": t("web.plan.lines_fig", lang),
                                         "spec": pv.lines_figure(view, lang, base)},
                           "filters": {k: sorted({(str(r[k]), str(r[name])) for r in view.rows},
                                                 key=lambda p: p[1])
                                       for k, name in (("market", "market"),
                                                       ("channel", "channel_name"),
                                                       ("bucket", "bucket_name"))},
                           "freshness": freshness(state, lang)}
    if len(plans) > 1:
        ctx["changes"] = pv.compare_plans(view, pv.plan_view(plans[1], lang), lang)
    return ctx


def frontier_data(state: AppState, lang: str) -> dict[str, Any]:
    """The latest plan's frontier with the plan's own budget among the points, so the frontier
    at this budget is the plan's expected profit (memoized per plan and model)."""
    plans = latest_plans(state)
    if not plans:
        return {"status": "empty", "message": t("report.plan.no_plan", lang)}
    plan = plans[0]
    budget = float(plan.budget)
    if not _has(state.ws, "plan_frontier"):
        return {"status": "not_built", "message": t("report.not_built", lang, method="plan_frontier")}

    def compute() -> Any:
        return state.ws.plan_frontier(budget, plan.period, budgets=pv.frontier_budgets(budget),
                                      objective=plan.objective)
    try:
        fr = state.view(("frontier", getattr(plan, "plan_id", None)), compute)
    except AdbudgetError as exc:
        return {"status": "error", "message": str(exc)}
    if hasattr(fr, "points"):
        points = [dict(vars(p)) if not isinstance(p, dict) else p for p in fr.points]
    else:  # a frame of points (budget, revenue, profit, …)
        points = fr.to_dict(orient="records") if hasattr(fr, "to_dict") else list(fr)
    marks = pv.frontier_marks(points, getattr(fr, "zero_marginal_budget", None))
    view = pv.plan_view(plan, lang)
    at_plan = min(points, key=lambda p: abs(float(p["budget"]) - budget)) if points else None
    spec = pv.frontier_figure(points, marks, budget, view.profit, lang,
                              state.ws.settings.base_currency)
    return {"status": "ok", "points": points, "marks": marks, "plan_budget": budget,
            "plan_profit": view.profit, "at_plan": at_plan,
            "figure": {"id": "fig-plan-frontier", "title": t("report.plan.fig_frontier", lang),
                       "spec": spec}}


# -- model ---------------------------------------------------------------------------------------
def model_context(state: AppState, lang: str) -> dict[str, Any]:
    fs = fit_state(state)
    if not fs.usable:
        return {"fit_missing": fs.message or t("web.stale.no_fit", lang)}
    fit = fs.fit
    base = state.ws.settings.base_currency
    from adbudget.web.curves_view import claims, notices, planned_daily

    plans = latest_plans(state)
    planned = planned_daily(plans[0]) if plans else {}
    rows = mv.line_rows(fit.summary, planned, lang)
    figs = [
        ("fig-fit", "web.model.fit_title", mv.fit_figure(fit.fit, lang, base)),
        ("fig-contrib", "web.model.contrib_title", mv.contributions_figure(fit.decomposition, lang, base)),
        ("fig-waterfall", "web.model.waterfall_title", mv.waterfall_figure(fit.decomposition, lang, base)),
        ("fig-roas", "web.model.roas_title", mv.roas_figure(fit.summary, lang)),
        ("fig-share", "web.model.share_title", mv.share_figure(fit.summary, lang)),
        ("fig-current-planned", "web.model.current_planned_title",
         mv.current_vs_planned_figure(rows, lang, base)),
    ]
    pct = f"{float(getattr(fit, 'interval', 0.8) or 0.8) * 100:g}"
    sentences, _ = claims(rows, pct, base, lang)
    return {"claims": sentences, "rows": rows,
            "stats": mv.fit_stats(fit.fit, getattr(fit, "diagnostics", None)),
            "interval_pct": pct,
            "fit_status": fs.status,
            "figures": [{"id": i, "title": t(k, lang, pct=pct), "spec": s} for i, k, s in figs],
            "notices": notices(fit, lang)}


@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request) -> HTMLResponse:
    state = get_state(request)
    lang = request_lang(request)
    ctx = state.view(("model", lang), lambda: model_context(state, lang))
    return render(request, "model.html.j2", "model", **ctx)


# -- refit ------------------------------------------------------------------------------------
@dataclass
class FitJob:
    """A refit running in a background thread (it holds the workspace lock while it runs)."""

    id: str
    method: str
    lang: str
    back: str
    started: float = field(default_factory=time.monotonic)
    stage: str = "preparing"  # preparing, sampling, summarising, done, failed
    message: str = ""
    notice: str = ""

    @property
    def done(self) -> bool:
        return self.stage in ("done", "failed")


def start_fit(state: AppState, method: str, lang: str, back: str) -> FitJob:
    """Start a refit unless one is running (then that one is returned)."""
    import secrets
    import threading

    for job in state.jobs.values():
        if not job.done:
            return job
    job = FitJob(secrets.token_urlsafe(8), method, lang, back)
    state.jobs[job.id] = job

    def stage(_msg: str) -> None:  # the fit says when sampling starts and when it summarises
        job.stage = "sampling" if job.stage == "preparing" else "summarising"

    def run() -> None:
        set_language(lang)
        try:
            with state.lock:
                state.ws.fit(method=method, progress=stage)
            job.message = t("web.fit.done", lang, seconds=f"{time.monotonic() - job.started:.0f}")
            job.stage = "done"
        except AdbudgetError as exc:
            job.message, job.stage = str(exc), "failed"
        except Exception:  # the page must learn that it ended
            log.exception("refit failed")
            job.message, job.stage = t("web.server_error", lang), "failed"
        finally:
            state.invalidate()
            job.notice = state.notice(job.message)

    threading.Thread(target=run, name=f"adbudget-fit-{job.id}", daemon=True).start()
    return job


def fit_status(job: FitJob, lang: str) -> dict[str, Any]:
    elapsed = time.monotonic() - job.started
    sep = "&" if "?" in job.back else "?"
    return {"id": job.id, "stage": job.stage, "done": job.done, "seconds": round(elapsed, 1),
            "text": t(f"web.fit.stage_{job.stage}", lang, seconds=f"{elapsed:.0f}"),
            "message": job.message,
            "next": f"{job.back}{sep}msg={job.notice}" if job.done else None}


@router.post("/fit", response_class=HTMLResponse)
async def fit_post(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    lang = request_lang(request)
    state = get_state(request)
    back = str(form.get("next") or "/plan")
    back = back if back.startswith("/") and not back.startswith("//") else "/plan"
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return RedirectResponse(f"{back}?msg={state.notice(t('web.csrf', lang))}", status_code=303)
    if not _has(state.ws, "fit"):
        return RedirectResponse(back, status_code=303)
    method = str(form.get("method") or "svi")
    method = method if method in FIT_METHODS else "svi"
    job = start_fit(state, method, lang, back)
    return RedirectResponse(f"/fit/{job.id}", status_code=303)


@router.get("/fit/{job_id}", response_class=HTMLResponse)
def fit_page(request: Request, job_id: str) -> Response:
    """The refit's progress (never waits for the workspace, which the fit holds)."""
    from adbudget.web.pages import render as base_render

    state = get_state(request)
    job = state.jobs.get(job_id)
    if job is None:
        return RedirectResponse("/", status_code=303)
    lang = request_lang(request)
    if job.done:
        return RedirectResponse(fit_status(job, lang)["next"], status_code=303)
    return base_render(request, "fit.html.j2", "model", banner=None, message=None,
                       job=fit_status(job, lang), title=t("web.fit.title", lang))


@router.get("/api/fit/{job_id}", include_in_schema=True, tags=["api"])
def fit_api(request: Request, job_id: str) -> dict[str, Any]:
    """A refit's stage, seconds so far, and where to go when it is done."""
    from fastapi import HTTPException

    job = get_state(request).jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such refit")
    return fit_status(job, request_lang(request))


# -- LTV, cohorts, funnel -----------------------------------------------------------------------
def area_context(state: AppState, page: str, lang: str) -> dict[str, Any]:
    from adbudget.web.area_views import area_tables

    set_language(lang)
    method = {"ltv": "ltv", "cohorts": "cohorts", "funnel": "funnel"}[page]
    if not _has(state.ws, method):
        return {"error": t("report.not_built", lang, method=method)}
    try:
        kwargs = {"save": False} if page == "ltv" else {}
        result = getattr(state.ws, method)(**kwargs)
    except AdbudgetError as exc:
        return {"error": str(exc)}
    return {"tables": area_tables(page, result, lang)}


def _area_page(page: str):
    def endpoint(request: Request) -> HTMLResponse:
        state = get_state(request)
        lang = request_lang(request)
        ctx = state.view((page, lang), lambda: area_context(state, page, lang))
        return render(request, "area.html.j2", page, **ctx)

    endpoint.__name__ = f"page_{page}"
    return endpoint


for _page in ("ltv", "cohorts", "funnel"):
    router.add_api_route(f"/{_page}", _area_page(_page), methods=["GET"],
                         response_class=HTMLResponse)
