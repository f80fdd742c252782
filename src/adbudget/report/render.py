"""Jinja2 environment shared by the web pages and the report file, and the offline HTML report.

The report is one file: CSS, the figure JSON and the bundled ``plotly.min.js`` are inlined,
so it opens with no network and prints (a one-page summary first, then a chapter per page).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from adbudget import __version__
from adbudget.i18n import t
from adbudget.report.model import Kpi, Section


def fmt(value: Any, kind: str = "text") -> str:
    """Format a cell for humans: thousands separators, ratios with 2 decimals, — for none."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "—"
    try:
        if kind == "money":
            v = float(value)
            return f"{v:,.0f}" if abs(v) >= 100 or v == 0 else f"{v:,.2f}"
        if kind == "int":
            return f"{int(round(float(value))):,}"
        if kind == "ratio":
            return f"{float(value):,.2f}"
        if kind == "pct":
            return f"{float(value):,.1f}%"
        if kind == "num":
            v = float(value)
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    except (TypeError, ValueError, OverflowError):  # OverflowError: "inf" as text, kind int
        return str(value)
    return str(value)


def json_script(value: Any) -> Markup:
    """JSON safe to put inside a ``<script type="application/json">`` element."""
    from adbudget.report.generic import jsonable

    text = json.dumps(jsonable(value), ensure_ascii=False, allow_nan=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


@cache
def plotly_js() -> str:
    """The plotly.js bundle that ships inside the plotly Python package (works offline)."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


@cache
def plotly_locale_js() -> str:
    """Plotly's Chinese locale (month ticks, date formats, mode-bar buttons): the one copy,
    served to the dashboard as ``/static/plotly-locale-zh.js`` and inlined in the report."""
    return (resources.files("adbudget.report") / "templates" / "plotly-locale-zh.js").read_text(
        encoding="utf-8")


def report_css() -> str:
    """The stylesheet shared by the pages and the report."""
    return (resources.files("adbudget.report") / "templates" / "adbudget.css").read_text(
        encoding="utf-8")


def environment(extra_loaders: Sequence[Any] = ()) -> Environment:
    """A Jinja2 environment with the report templates (and any extra loaders first)."""
    env = Environment(
        loader=ChoiceLoader([*extra_loaders, PackageLoader("adbudget.report", "templates")]),
        autoescape=select_autoescape(["html", "j2", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["json_script"] = json_script
    return env


@cache
def _report_env() -> Environment:
    """The report's environment: cells formatted like the dashboard's (money with its symbol
    and ISO 4217 minor units, in the report's language and base currency)."""
    from adbudget.report.format import install

    env = environment()
    install(env)
    return env


def translator(lang: str) -> Callable[..., str]:
    """``t`` bound to one language, for templates."""
    def _t(key: str, **values: Any) -> str:
        return t(key, lang, **values)
    return _t


def summary_kpis(sections: dict[str, Section]) -> list[Kpi]:
    """The one-pager's headline numbers: the overview's and the plan's."""
    out: list[Kpi] = []
    for key in ("overview", "plan"):
        s = sections.get(key)
        if s is not None and s.ok:
            out.extend(s.kpis)
    return out


def render_report(sections: dict[str, Section], lang: str, workspace_name: str,
                  base_currency: str, generated_at: datetime | None = None) -> str:
    """The whole report as one self-contained HTML string."""
    generated_at = generated_at or datetime.now(UTC)
    template = _report_env().get_template("report.html.j2")
    return template.render(
        sections=sections, order=[k for k in sections], lang=lang, t=translator(lang),
        summary=summary_kpis(sections), workspace_name=workspace_name,
        base_currency=base_currency, generated_at=generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__, css=Markup(report_css()), plotly_js=Markup(plotly_js()),
        plotly_locale_js=Markup(plotly_locale_js()),
    )
