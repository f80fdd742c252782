"""Plotly figure dicts (no plotly import needed): lines, stacked bars, bands, scatter.

Figures are plain JSON so the web pages, the API and the offline report draw the same thing
with the bundled ``plotly.min.js``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939",
]


def color(i: int) -> str:
    """A stable colour for the i-th series."""
    return PALETTE[i % len(PALETTE)]


def layout(title: str = "", x_title: str = "", y_title: str = "", **extra: Any) -> dict[str, Any]:
    """A compact, print-friendly layout."""
    base: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}} if title else None,
        "margin": {"l": 56, "r": 16, "t": 36 if title else 24, "b": 44},
        "height": 340,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "rangemode": "tozero"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": "system-ui, -apple-system, 'Noto Sans CJK SC', sans-serif", "size": 12},
    }
    base = {k: v for k, v in base.items() if v is not None}
    base.update(extra)
    return base


def _clean(values: Sequence[Any]) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, float) and v != v:
            out.append(None)
        elif hasattr(v, "isoformat"):
            out.append(v.isoformat()[:10])
        elif hasattr(v, "item"):
            out.append(v.item())
        else:
            out.append(v)
    return out


def line(x: Sequence[Any], y: Sequence[Any], name: str, i: int = 0, **extra: Any) -> dict[str, Any]:
    """A line trace."""
    trace = {"type": "scatter", "mode": "lines", "x": _clean(x), "y": _clean(y), "name": name,
             "line": {"color": color(i), "width": 2}}
    trace.update(extra)
    return trace


def bar(x: Sequence[Any], y: Sequence[Any], name: str, i: int = 0, **extra: Any) -> dict[str, Any]:
    """A bar trace (stack them with ``layout(barmode='stack')``)."""
    trace = {"type": "bar", "x": _clean(x), "y": _clean(y), "name": name,
             "marker": {"color": color(i)}}
    trace.update(extra)
    return trace


def band(x: Sequence[Any], lo: Sequence[Any], hi: Sequence[Any], name: str, i: int = 0,
         group: str | None = None) -> list[dict[str, Any]]:
    """A shaded credible band between lo and hi (two traces); with *group* it joins that
    legend entry (toggles with its line) instead of adding one of its own."""
    c = color(i)
    extra = {"legendgroup": group} if group else {}
    upper = {"type": "scatter", "mode": "lines", "x": _clean(x), "y": _clean(hi), "name": name,
             "line": {"width": 0, "color": c}, "showlegend": False, "hoverinfo": "skip", **extra}
    lower = {"type": "scatter", "mode": "lines", "x": _clean(x), "y": _clean(lo), "name": name,
             "line": {"width": 0, "color": c}, "fill": "tonexty", "fillcolor": _rgba(c, 0.18),
             "showlegend": group is None, "hoverinfo": "skip", **extra}
    return [upper, lower]


def vline(x: float, name: str, dash: str = "dot", color_: str = "#444") -> dict[str, Any]:
    """A vertical marker line as a layout shape."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
            "line": {"color": color_, "dash": dash, "width": 1.5}, "name": name}


def figure(traces: list[dict[str, Any]], lay: dict[str, Any]) -> dict[str, Any]:
    """Assemble a figure dict."""
    return {"data": traces, "layout": lay}


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
