"""JSON API under ``/api``: every page's data, re-planning, CSV exports, import (OpenAPI typed)."""

from __future__ import annotations

import io
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from adbudget import __version__
from adbudget.errors import AdbudgetError, InputError, NotFittedError
from adbudget.i18n import set_language, t
from adbudget.report.generic import jsonable
from adbudget.report.plan import plan_csv
from adbudget.report.sections import (
    PAGES,
    has,
    not_fitted_message,
    plan_parts,
)
from adbudget.web.pages import replan
from adbudget.web.security import csrf_ok_for_api
from adbudget.web.state import PendingUpload, get_state, request_lang
from adbudget.web.uploads import error_lines, run_import, safe_name

router = APIRouter(prefix="/api", tags=["api"])

Lang = Literal["en", "zh"]


class KpiOut(BaseModel):
    label: str
    value: float | int | str | None
    fmt: str
    hint: str = ""


class ColumnOut(BaseModel):
    key: str
    label: str
    fmt: str


class TableOut(BaseModel):
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    note: str = ""


class FigureOut(BaseModel):
    id: str
    title: str
    spec: dict[str, Any] = Field(description="Plotly figure: {data: [...], layout: {...}}")


class SectionOut(BaseModel):
    """One page's content; ``status`` says ok, not_built, not_fitted, empty or error."""

    key: str
    title: str
    status: Literal["ok", "not_built", "not_fitted", "empty", "error"]
    message: str
    kpis: list[KpiOut]
    tables: list[TableOut]
    figures: list[FigureOut]
    notes: list[str]
    data: dict[str, Any]


class PlanRequest(BaseModel):
    """Re-plan with a new total budget (base currency) for a period."""

    budget: float = Field(gt=0, le=1e12, allow_inf_nan=False)
    period: str | None = Field(None, max_length=40, description="e.g. 2025-03; default: next month")
    objective: Literal["profit", "revenue"] = "profit"


class ImportOut(BaseModel):
    """A dry-run preview or a committed import; ``errors`` lists line errors (nothing changed)."""

    ok: bool
    dry_run: bool
    name: str
    result: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = []


class HealthOut(BaseModel):
    ok: bool
    version: str
    pages: list[str]


def _lang(request: Request, lang: Lang | None) -> str:
    return lang or request_lang(request)


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """Liveness and version."""
    return HealthOut(ok=True, version=__version__, pages=list(PAGES))


def _section_endpoint(page: str):
    async def endpoint(request: Request, lang: Lang | None = Query(None)) -> Response:
        state = get_state(request)
        lg = _lang(request, lang)
        body = state.fresh_json(page, lg)
        if body is None:  # build (or re-check) in a worker thread: DuckDB calls block
            body = await run_in_threadpool(state.section_json, page, lg)
        return Response(body, media_type="application/json")

    endpoint.__name__ = f"api_{page}"
    endpoint.__doc__ = f"The {page} page's KPIs, tables and Plotly figures."
    return endpoint


for _page in PAGES:
    router.add_api_route(f"/{_page}", _section_endpoint(_page), methods=["GET"],
                         response_model=SectionOut, name=f"api_{_page}")


@router.post("/plan", response_model=SectionOut,
             responses={400: {"description": "bad input"}, 409: {"description": "no fitted model"},
                        501: {"description": "planner not built yet"}})
def api_replan(body: PlanRequest, request: Request, lang: Lang | None = Query(None)
               ) -> dict[str, Any]:
    """Make (and save) a new plan for the budget; returns the plan page's content (without the
    efficient frontier, which GET /api/plan adds)."""
    if not csrf_ok_for_api(request):
        raise HTTPException(403, "send JSON or an X-CSRF-Token header")
    lg = _lang(request, lang)
    state = get_state(request)
    try:
        result = replan(state, body.budget, body.period, body.objective, lg)
    except NotImplementedError:
        raise HTTPException(501, t("report.not_built", lg, method="plan")) from None
    except NotFittedError as exc:
        raise HTTPException(409, not_fitted_message(exc, lg)) from None
    except AdbudgetError as exc:
        raise HTTPException(400, str(exc)) from None
    with state.lock:
        return jsonable(state.plan_section(lg, result).to_json())


class FrontierOut(BaseModel):
    """The latest plan's efficient frontier: expected profit (80 % interval) by total budget,
    the profit-maximising and break-even budgets, and the point at the plan's own budget."""

    status: Literal["ok", "not_built", "not_fitted", "empty", "error"]
    message: str = ""
    figure: FigureOut | None = None
    points: list[dict[str, Any]] = []
    marks: dict[str, float | None] = {}
    plan_budget: float | None = None
    plan_profit: float | None = None
    at_plan: dict[str, Any] | None = None
    marks_text: str = ""


@router.get("/plan/frontier", response_model=FrontierOut)
def api_frontier(request: Request, lang: Lang | None = Query(None)) -> dict[str, Any]:
    """Re-optimizes the latest plan at several budgets (slow once per plan, then memoized)."""
    from adbudget.web.dash import frontier_data
    from adbudget.web.format import money

    state = get_state(request)
    lg = _lang(request, lang)
    if not has(state.ws, "plan_frontier"):
        return {"status": "not_built", "message": t("report.not_built", lg, method="plan_frontier")}

    def go() -> dict[str, Any]:
        set_language(lg)
        out = frontier_data(state, lg)
        if out.get("status") == "ok":
            cur = state.ws.settings.base_currency
            parts = []
            for key in ("best", "breakeven"):
                v = out["marks"].get(key)
                if v is not None:
                    parts.append(t(f"web.plan.mark_{key}", lg, budget=money(v, cur, lg)))
            out["marks_text"] = " · ".join(parts) or t("web.plan.no_marks", lg)
        return jsonable(out)

    return state.run(go)


@router.get("/plan.csv", response_class=PlainTextResponse,
            responses={404: {"description": "no plan yet"}})
def api_plan_csv(request: Request) -> PlainTextResponse:
    """The latest plan's lines as CSV."""
    state = get_state(request)
    with state.lock:
        section = state.section("plan", request_lang(request))
    if not section.ok:
        raise HTTPException(404, section.message or "no plan")
    text = plan_csv(section.data.get("lines", []))
    name = f"plan-{section.data.get('period') or 'latest'}.csv".replace("/", "-")
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/rules.csv", response_class=PlainTextResponse,
            responses={404: {"description": "no proposed actions"}})
def api_rules_csv(request: Request) -> PlainTextResponse:
    """Today's proposed actions (dry run) as CSV."""
    import csv

    from adbudget.rules.export import spreadsheet_safe

    section = get_state(request).section("rules", request_lang(request))
    if not section.ok or not section.tables:
        raise HTTPException(404, section.message or "no actions")
    table = max(section.tables, key=lambda tb: len(tb.rows))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[c.key for c in table.columns], extrasaction="ignore")
    writer.writeheader()
    writer.writerows([{k: spreadsheet_safe(v) for k, v in row.items()} for row in table.rows])
    return PlainTextResponse(buf.getvalue(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="actions.csv"'})


@router.get("/status")
def api_status(request: Request) -> dict[str, Any]:
    """What is loaded (``ws.status()``), or a not-built notice."""
    state = get_state(request)
    if not has(state.ws, "status"):
        return {"status": "not_built", "message": t("report.not_built", method="status")}
    try:
        return {"status": "ok", "result": jsonable(state.run(state.ws.status))}
    except AdbudgetError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/plans/latest")
def api_latest_plan(request: Request) -> dict[str, Any]:
    """The latest saved plan as raw header + lines (no figures)."""
    state = get_state(request)
    with state.lock:
        if has(state.ws, "latest_plan"):
            try:
                result = state.ws.latest_plan()
            except AdbudgetError as exc:
                raise HTTPException(400, str(exc)) from None
        else:
            result = state.ws.saved_plan()
    if result is None:
        raise HTTPException(404, "no plan yet")
    header, lines, _ = plan_parts(result)
    return {"header": header, "lines": jsonable(lines)}


def _bad_file(out: ImportOut) -> JSONResponse:
    """A refused file: 422 with the located errors in the body (the same lines the CLI prints)."""
    return JSONResponse(status_code=422, content=jsonable(out.model_dump()))


@router.post("/import", response_model=ImportOut,
             responses={413: {"description": "file too large"}, 422: {"description": "bad file"},
                        501: {"description": "import not built yet"}})
async def api_import(request: Request, file: UploadFile, source: str | None = None,
                     market: str | None = None, dry_run: bool = True,
                     lang: Lang | None = Query(None)) -> ImportOut:
    """Parse an upload in memory; with ``dry_run`` (default) nothing is written."""
    state = get_state(request)
    lg = _lang(request, lang)
    if not csrf_ok_for_api(request):
        raise HTTPException(403, "send an X-CSRF-Token header (or the access token header)")
    if not has(state.ws, "import_file"):
        raise HTTPException(501, t("report.not_built", lg, method="import_file"))
    data = await file.read(state.upload_limit + 1)
    if len(data) > state.upload_limit:
        raise HTTPException(413, t("web.import.too_large", lg, limit=state.upload_limit // 2**20))
    try:
        name = safe_name(file.filename, lg)
    except InputError as exc:
        return _bad_file(ImportOut(ok=False, dry_run=dry_run, name=file.filename or "",
                                   errors=error_lines(exc)))
    pending = PendingUpload(name, data, source or None, market or None)

    def go() -> Any:
        set_language(lg)
        return run_import(state.ws, pending, dry_run=dry_run)

    try:
        result = await run_in_threadpool(state.run, go)
    except InputError as exc:
        return _bad_file(ImportOut(ok=False, dry_run=dry_run, name=name, errors=error_lines(exc)))
    except AdbudgetError as exc:
        raise HTTPException(400, str(exc)) from None
    if not dry_run:
        state.invalidate()
    return ImportOut(ok=True, dry_run=dry_run, name=name, result=jsonable(result))
