"""The FastAPI app: pages, JSON API, bundled static assets, security and error pages.

``create_app(ws)`` serves one open workspace. Errors never show a stack trace: library errors
become their one-line message, anything else a generic 500 (the trace goes to the log).
"""

from __future__ import annotations

import logging
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import PackageLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from adbudget import __version__
from adbudget.errors import AdbudgetError
from adbudget.i18n import t
from adbudget.report.render import environment, plotly_js, plotly_locale_js, report_css
from adbudget.web import agency_view, api, brand_view, dash, format, loop_view, pages, rules_view
from adbudget.web.security import BodyLimitMiddleware, SecurityMiddleware
from adbudget.web.state import AppState, InFlight, request_lang

log = logging.getLogger("adbudget.web")

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "testserver"]
STATIC_MAX_AGE = "public, max-age=86400"


def _static_text(name: str) -> str:
    return (resources.files("adbudget.web") / "static" / name).read_text(encoding="utf-8")


def create_app(ws: Any, token: str | None = None, allowed_hosts: list[str] | None = None,
               upload_limit: int = 20 * 1024 * 1024, default_lang: str | None = None) -> FastAPI:
    """Build the app over an open workspace.

    ``token``: when set, every request must carry it (401 otherwise). ``allowed_hosts``:
    Host header values accepted (defaults to loopback names; None to accept any, which
    ``serve`` does only when a token protects the server).
    """
    app = FastAPI(
        title="adbudget",
        version=__version__,
        description="Ad budget plan, curves and evidence for a cross-border seller.",
        docs_url=None,  # Swagger UI loads assets from a CDN; the schema is enough offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.adb = AppState(ws=ws, token=token, upload_limit=upload_limit,
                             default_lang=default_lang)
    app.state.templates = environment([PackageLoader("adbudget.web", "templates")])
    format.install(app.state.templates)

    async def error_page(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api") or "text/html" not in request.headers.get(
                "accept", "text/html"):
            return JSONResponse({"detail": message}, status_code=status)
        lang = request_lang(request)
        try:
            html = app.state.templates.get_template("error.html.j2").render(
                lang=lang, t=lambda k, **v: t(k, lang, **v), nav=pages.NAV, active="error",
                path=request.url.path, version=__version__, title=t("web.error_title", lang),
                status_code=status, message=message, workspace_name="")
        except Exception:  # the error page itself must never fail
            log.exception("error page failed")
            html = f"<h1>{status}</h1><p>{message}</p>"
        return HTMLResponse(html, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response = await error_page(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api"):
            errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""),
                       "type": e.get("type", "")} for e in exc.errors()]
            return JSONResponse({"detail": errors}, status_code=422)
        return await error_page(request, 400, t("web.bad_request", request_lang(request)))

    @app.exception_handler(AdbudgetError)
    async def adbudget_error(request: Request, exc: AdbudgetError) -> Response:
        return await error_page(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return await error_page(request, 500, t("web.server_error", request_lang(request)))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly() -> Response:
        return Response(plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": STATIC_MAX_AGE})

    @app.get("/static/plotly-locale-zh.js", include_in_schema=False)
    def plotly_locale() -> Response:
        return Response(plotly_locale_js(), media_type="application/javascript",
                        headers={"Cache-Control": STATIC_MAX_AGE})

    @app.get("/static/adbudget.css", include_in_schema=False)
    def css() -> Response:
        return Response(report_css(), media_type="text/css",
                        headers={"Cache-Control": STATIC_MAX_AGE})

    @app.get("/static/web.css", include_in_schema=False)
    def web_css() -> Response:
        return Response(_static_text("web.css"), media_type="text/css",
                        headers={"Cache-Control": STATIC_MAX_AGE})

    @app.get("/static/app.js", include_in_schema=False)
    def app_js() -> Response:
        return Response(_static_text("app.js"), media_type="application/javascript",
                        headers={"Cache-Control": STATIC_MAX_AGE})

    app.include_router(api.router)
    app.include_router(dash.router)
    app.include_router(rules_view.router)
    app.include_router(loop_view.router)  # issue 24: the loop page
    app.include_router(brand_view.router)  # issue 21: the brand page
    app.include_router(agency_view.router)  # issue 18: the agency page
    app.include_router(pages.router)

    hosts = LOOPBACK_HOSTS if allowed_hosts is None and token is None else allowed_hosts
    app.add_middleware(SecurityMiddleware, token=token, allowed_hosts=hosts, error=error_page)
    app.add_middleware(BodyLimitMiddleware, limit=upload_limit + 64 * 1024)
    app.add_middleware(InFlight, state=app.state.adb)  # outermost: counts every request
    return app
