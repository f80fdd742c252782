"""The loop in the browser: profit per month of the plan, the oracle and the status quo (whole
budget and performance bucket), the month table, and last plans' forecast misses first.

Thin: the page is the report's loop section (``adbudget.report.loop``), read from the
workspace's saved loop (``ws.loop_result()``); the dashboard never runs a loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from adbudget.web.state import get_state, request_lang

router = APIRouter(include_in_schema=False)


@router.get("/loop", response_class=HTMLResponse)
def loop_page(request: Request) -> HTMLResponse:
    from adbudget.report.loop import section as loop_section
    from adbudget.web.dash import render_section

    state = get_state(request)  # read under the workspace lock, like every other page
    section = state.run(loop_section, state.ws, request_lang(request))
    return render_section(request, "loop.html.j2", "loop", section)


__all__ = ["router"]
