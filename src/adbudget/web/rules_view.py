"""Rules in the browser: per-row approve/skip, a confirmation with the total budget change,
undo of the last application, the audit log; and where a rule contradicts the plan.

Every write goes through the workspace (``rules_apply_selected``, ``rules_undo``) and is
logged like ``adbudget rules run``, so the CLI's ``rules log`` / ``rules undo`` see it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from adbudget.errors import AdbudgetError
from adbudget.i18n import set_language, t
from adbudget.report.format import finite as _f
from adbudget.report.labels import metric_text
from adbudget.web import labels
from adbudget.web.security import CSRF_FIELD, csrf_ok_for_form
from adbudget.web.state import AppState, get_state, request_lang

router = APIRouter(include_in_schema=False)
RAISES = ("raise_budget", "scale_budget", "increase_budget")


def _plan_lines(state: AppState) -> dict[tuple[str, str], dict[str, Any]]:
    from adbudget.web.dash import latest_plans

    plans = latest_plans(state)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if plans:
        for line in plans[0].lines:
            if line.bucket == "performance":
                out[(line.market, line.channel)] = {"mroas": line.marginal_roas,
                                                    "be": line.breakeven_roas,
                                                    "change": line.change_pct}
    return out


def proposed(state: AppState, lang: str) -> dict[str, Any]:
    """Today's proposed actions (a dry run) as rows, each with the plan's view of its line."""
    def go() -> dict[str, Any]:
        set_language(lang)
        if not callable(getattr(state.ws, "rules_run", None)):
            return {"error": t("report.not_built", lang, method="rules_run"), "rows": [],
                    "not_built": True}
        try:
            run = state.ws.rules_run(dry_run=True)
        except AdbudgetError as exc:
            return {"error": str(exc), "rows": []}
        ev = run.evaluation
        plan = _plan_lines(state)
        rows = []
        for rec in ev.actions.to_dict(orient="records"):
            before, after = _f(rec.get("before_budget")), _f(rec.get("after_budget"))
            p = plan.get((rec.get("market"), rec.get("channel")))
            conflict = None
            if p and rec.get("action") in RAISES and p["mroas"] is not None and p["be"] is not None \
                    and p["mroas"] < p["be"]:
                conflict = t("web.rules.conflict", lang, mroas=f"{p['mroas']:.2f}",
                             be=f"{p['be']:.2f}")
            metrics = rec.get("metrics") or {}
            if isinstance(metrics, str):
                try:
                    metrics = json.loads(metrics)
                except ValueError:
                    metrics = {metrics: ""}
            metrics = metrics if isinstance(metrics, dict) else {}
            rows.append({
                "key": json.dumps([rec["rule"], rec["line"]]),
                "rule": rec["rule"], "market": rec.get("market"),
                "line_label": labels.line_label(rec.get("market"), rec.get("channel"), lang),
                "campaign": rec.get("campaign") or "",
                "action": labels.word("action", rec.get("action"), lang),
                "before": before, "after": after,
                "delta": (after - before) if before is not None and after is not None else None,
                "message": labels.retranslate(str(rec.get("message") or ""), lang),
                "metrics": ", ".join(metric_text(k, v, lang) for k, v in list(metrics.items())[:3]),
                "conflict": conflict,
            })
        return {"rows": rows, "as_of": str(ev.as_of)}

    return state.view(("rules", lang), go)


def conflicts(state: AppState, lang: str) -> list[dict[str, Any]]:
    """Rule actions that raise a budget where the plan puts marginal ROAS below break-even."""
    by_rule: dict[str, list[str]] = {}
    for r in proposed(state, lang).get("rows", []):
        if r["conflict"] and r["line_label"] not in by_rule.setdefault(r["rule"], []):
            by_rule[r["rule"]].append(r["line_label"])
    out = []
    for rule, lines in by_rule.items():
        if not lines:
            continue
        shown = ", ".join(lines[:4]) + (f" (+{len(lines) - 4})" if len(lines) > 4 else "")
        out.append({"rule": rule, "lines": lines,
                    "text": labels.user_markup("web.warn.rule_conflict", lang, {"rule": rule},
                                               n=len(lines), line=shown)})
    return out


def audit(state: AppState, lang: str, limit: int = 50) -> list[dict[str, Any]]:
    def go() -> list[dict[str, Any]]:
        if not callable(getattr(state.ws, "rules_log", None)):
            return []
        try:
            log = state.ws.rules_log()
        except AdbudgetError:
            return []
        rows = []
        for rec in log.head(limit).to_dict(orient="records"):
            before = rec.get("before") or {}
            after = rec.get("after") or {}
            if isinstance(before, str):
                before = json.loads(before)
            if isinstance(after, str):
                after = json.loads(after)
            rows.append({"id": rec["id"], "applied_at": rec.get("applied_at"),
                         "for_date": rec.get("for_date"), "rule": rec.get("rule"),
                         "line": rec.get("line"),
                         "action": labels.word("action", rec.get("action"), lang),
                         "before": _f(before.get("daily_budget")),
                         "after": _f(after.get("daily_budget")),
                         "undone": t("web.yes" if rec.get("undone") else "web.no", lang)})
        return rows

    return state.view(("rules_log", lang), go)


def pacing(state: AppState, lang: str) -> Any:
    """Spend vs the plan this period per line: projected landing and the daily budget that
    lands on plan (``ws.pacing()``); None when there is no plan or no data."""
    from adbudget.web.area_views import WebTable

    def go() -> Any:
        if not callable(getattr(state.ws, "pacing", None)):
            return None
        try:
            rep = state.ws.pacing()
        except AdbudgetError:
            return None
        rows = []
        for rec in rep.lines.to_dict(orient="records"):
            buckets = str(rec.get("bucket") or "").split("+")
            rows.append({
                "line": labels.line_label(rec.get("market"), rec.get("channel"), lang),
                "market": rec.get("market"), "channel": labels.channel(rec.get("channel"), lang),
                "bucket": " + ".join(labels.bucket(b, lang) for b in buckets if b),
                "plan": _f(rec.get("plan")), "spent": _f(rec.get("spent")),
                "projected": _f(rec.get("projected")),
                "projected_pct": _f(rec.get("projected_pct")),
                "required_daily": _f(rec.get("required_daily")),
                "status": labels.word("pace", rec.get("status"), lang)})
        cols = [("line", t("web.col.line", lang), "text"), ("bucket", t("web.col.bucket", lang), "text"),
                ("plan", t("web.pacing.plan", lang), "money"),
                ("spent", t("web.pacing.spent", lang), "money"),
                ("projected", t("web.pacing.projected", lang), "money"),
                ("projected_pct", t("web.pacing.projected_pct", lang), "pct"),
                ("required_daily", t("web.pacing.required_daily", lang), "money"),
                ("status", t("web.pacing.status", lang), "text")]
        return WebTable("pacing", t("web.pacing.title", lang, period=rep.period,
                                     elapsed=rep.days_elapsed, total=rep.days_total),
                        cols, rows, t("web.pacing.note", lang, tol=f"{rep.tolerance_pct:g}"),
                        ("market", "channel"))

    return state.view(("pacing", lang), go)


def _page(request: Request, message: str | None = None, status_code: int = 200,
          confirm: list[dict[str, Any]] | None = None) -> HTMLResponse:
    from adbudget.web.dash import render

    state = get_state(request)
    lang = request_lang(request)
    data = proposed(state, lang)
    ctx: dict[str, Any] = {"rows": data.get("rows", []), "error": data.get("error"),
                           "not_built": data.get("not_built", False),
                           "as_of": data.get("as_of"), "log": audit(state, lang),
                           "pacing": pacing(state, lang),
                           "message": message, "confirm": confirm}
    if confirm is not None:
        ctx["confirm_total"] = sum(r["delta"] or 0.0 for r in confirm)
        ctx["confirm_keys"] = [r["key"] for r in confirm]
    resp = render(request, "rules.html.j2", "rules", **ctx)
    resp.status_code = status_code
    return resp


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request) -> HTMLResponse:
    lang = request_lang(request)
    message = t("web.rules.skipped", lang) if request.query_params.get("skip") else None
    return _page(request, message)


def _keys(values: list[Any]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        try:
            rule, line = json.loads(str(v))
        except (ValueError, TypeError):
            continue
        out.append((str(rule), str(line)))
    return out


@router.post("/rules/review", response_class=HTMLResponse)
async def rules_review(request: Request) -> HTMLResponse:
    """Step 1: the approved rows and their total budget change, to confirm."""
    form = await request.form(max_files=0, max_fields=2000)
    lang = request_lang(request)
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return await run_in_threadpool(_page, request, t("web.csrf", lang), 403)
    wanted = set(_keys(form.getlist("row")))
    state = get_state(request)
    rows = (await run_in_threadpool(proposed, state, lang)).get("rows", [])
    chosen = [r for r in rows if tuple(json.loads(r["key"])) in wanted]
    if not chosen:
        return await run_in_threadpool(_page, request, t("web.rules.none_selected", lang))
    return await run_in_threadpool(_page, request, None, 200, chosen)


@router.post("/rules/apply", response_class=HTMLResponse)
async def rules_apply(request: Request) -> HTMLResponse:
    """Step 2: apply the confirmed rows (logged; undoable)."""
    form = await request.form(max_files=0, max_fields=2000)
    lang = request_lang(request)
    state = get_state(request)
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return await run_in_threadpool(_page, request, t("web.csrf", lang), 403)
    keys = _keys(form.getlist("row"))

    def go() -> str:
        set_language(lang)
        try:
            run = state.ws.rules_apply_selected(keys)
        except AdbudgetError as exc:
            return str(exc)
        acts = run.evaluation.actions
        delta = float((acts["after_budget"].astype(float) - acts["before_budget"].astype(float))
                      .fillna(0).sum())
        from adbudget.web.format import money

        return t("web.rules.applied_n", lang, n=len(acts),
                 delta=money(delta, state.ws.settings.base_currency, lang, signed=True))

    message = await run_in_threadpool(state.run, go)
    state.invalidate()
    return await run_in_threadpool(_page, request, message)


@router.post("/rules/undo", response_class=HTMLResponse)
async def rules_undo(request: Request) -> HTMLResponse:
    """Undo the last application (the log keeps the rows, marked undone)."""
    form = await request.form(max_files=0, max_fields=10)
    lang = request_lang(request)
    state = get_state(request)
    if not csrf_ok_for_form(request, form.get(CSRF_FIELD)):  # type: ignore[arg-type]
        return await run_in_threadpool(_page, request, t("web.csrf", lang), 403)

    def go() -> str:
        set_language(lang)
        try:
            undone = state.ws.rules_undo(last=True)
        except AdbudgetError as exc:
            return str(exc)
        return t("web.rules.undone_n", lang, n=len(undone))

    message = await run_in_threadpool(state.run, go)
    state.invalidate()
    return await run_in_threadpool(_page, request, message)
