"""The brand page in the browser: per market the revenue the brand stock builds, its interval,
the brand share the evidence decides and the brand-stops scenario.

Thin: the page is the report's brand section (``adbudget.report.brand``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from adbudget.web.state import get_state, request_lang

router = APIRouter(include_in_schema=False)


@router.get("/brand", response_class=HTMLResponse)
def brand_page(request: Request) -> HTMLResponse:
    from adbudget.report.brand import section as brand_section
    from adbudget.web.dash import render_section

    state = get_state(request)  # read under the workspace lock, like every other page
    section = state.run(brand_section, state.ws, request_lang(request))
    return render_section(request, "brand.html.j2", "brand", section)


__all__ = ["router"]
