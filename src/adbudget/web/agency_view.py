"""The agency page in the browser: the last agency summary of the folder above this workspace.

An agency folder holds one workspace per seller; ``adbudget agency ...`` saves its summary
there (``agency-summary.json``). Served from any seller's workspace, this page shows that
summary (``report.agency``): every seller's spend, estimated profit, plan change and errors.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from adbudget.web.state import get_state, request_lang

router = APIRouter(include_in_schema=False)


@router.get("/agency", response_class=HTMLResponse)
def agency_page(request: Request) -> HTMLResponse:
    from adbudget.agency.summary import load_summary
    from adbudget.report.agency import agency_section
    from adbudget.web.dash import render_section

    root = Path(get_state(request).ws.root).resolve()
    doc = load_summary(root) or load_summary(root.parent)
    return render_section(request, "page.html.j2", "agency",
                          agency_section(doc, request_lang(request)))


__all__ = ["router"]
