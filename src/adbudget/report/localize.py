"""Codes in the report's sections shown by name on the dashboard, in the page's language.

The report's sections (Curves, Attribution, Tests) carry codes in their cells, legends and
category axes: channels (``google_search``), buckets, attribution models (``time_decay``),
test decisions (``continue``), lift-test methods (``geo_holdout``), attribution windows
(``7d-click,1d-view``). The dashboard replaces any value that is exactly such a code by its
display name before rendering; numbers, dates and the seller's own names are left alone.
The Section is copied, never changed in place (the JSON API serves the codes).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from adbudget.i18n import t
from adbudget.report import labels
from adbudget.report.model import Column, Figure, Kpi, Section, Table

_WINDOW = re.compile(r"^(\d+)d-(click|view)$")
_METRIC = re.compile(r"([a-z_]+(?::[a-z_0-9]+)?)=([^,]+)")


def _number(v: str) -> Any:
    try:
        return float(v)
    except ValueError:
        return v.strip()
_ACRONYMS = ("roas", "cvr", "ctr", "cpa", "cpc", "cpm", "mer", "aov")


def _catalogue_word(prefix: str, code: str, lang: str) -> str | None:
    key = f"{prefix}.{code}"
    text = t(key, lang)
    return None if text == key else text


def display(value: str, lang: str) -> str:
    """A code's display name, or the value itself when it is not a known code."""
    code = value.strip().replace(" ", "_")
    for prefix in ("web.channel", "report.bucket", "web.attr_model", "experiments.decision",
                   "web.lift_method", "web.source", "rules.action", "web.status", "web.stage"):
        name = _catalogue_word(prefix, code, lang) if code.isidentifier() else None
        if name is not None:
            return name
    if "," in value and all(_WINDOW.match(p.strip()) for p in value.split(",")):
        return ", ".join(_window(p.strip(), lang) for p in value.split(","))
    if _WINDOW.match(value):
        return _window(value, lang)
    if re.fullmatch(r"[A-Z]{2}/[a-z_]+", value):
        m, c = value.split("/")
        return labels.line_label(m, c, lang)
    return value


def _window(code: str, lang: str) -> str:
    m = _WINDOW.match(code)
    assert m is not None
    return t(f"web.window.{m.group(2)}", lang, days=m.group(1))


def _map(v: Any, lang: str) -> Any:
    if isinstance(v, str):
        return display(v, lang)
    if isinstance(v, list):
        return [_map(x, lang) for x in v]
    return v


def _figure(fig: Figure, lang: str) -> Figure:
    spec = copy.deepcopy(fig.spec)
    for trace in spec.get("data", []):
        if isinstance(trace.get("name"), str):
            trace["name"] = display(trace["name"], lang)
        for axis in ("x", "y"):
            vals = trace.get(axis)
            if isinstance(vals, list) and vals and all(isinstance(v, str) for v in vals):
                trace[axis] = [display(v, lang) for v in vals]
    for name, axis in (spec.get("layout") or {}).items():
        title = axis.get("title") if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict) \
            else None
        if isinstance(title, dict) and isinstance(title.get("text"), str):
            text = title["text"]
            title["text"] = text.upper() if text in _ACRONYMS else display(text, lang)
    for ann in spec.get("layout", {}).get("annotations", []) or []:
        if isinstance(ann.get("text"), str):
            ann["text"] = display(ann["text"], lang)
    return Figure(fig.id, fig.title, spec)


# one meaning per word: the attribution page's two "over-claim" ratios get their own names
_RENAME = {("attribution", "overclaim"): "web.glossary.attr_overclaim.name",
           ("attribution", "overclaim_revenue"): "web.glossary.attr_overclaim_revenue.name"}
# formats the dashboard shows differently: probabilities as %, days as days
_FORMATS = {"p_best": "share", "days_to_breakeven": "days"}


def _row(sec: Section, tb: Table, r: dict[str, Any], lang: str) -> dict[str, Any]:
    out = {k: _map(v, lang) if c_fmt(tb, k) == "text" else v for k, v in r.items()}
    if isinstance(r.get("reason"), str):  # stored text of a catalogue message: this language
        out["reason"] = labels.retranslate(r["reason"], lang)
    if sec.key == "rules" and isinstance(r.get("metrics"), str):  # "roas:last_7d=2.07, …"
        pairs = _METRIC.findall(r["metrics"])
        if pairs:
            out["metrics"] = ", ".join(labels.metric_text(k, _number(v), lang) for k, v in pairs)
    roas, be = r.get("roas_now"), r.get("breakeven_roas")
    if "days_to_breakeven" in r and isinstance(roas, int | float) and isinstance(be, int | float) \
            and roas < be:  # already below: "0 days" would read as "fine for now"
        out["days_to_breakeven"] = t("web.tests.already_below", lang)
    return out


def _columns(sec: Section, tb: Table, lang: str) -> list[Column]:
    cols = []
    for c in tb.columns:
        key = _RENAME.get((sec.key, c.key))
        label = t(key, lang) if key else display(c.label, lang)
        cols.append(Column(c.key, label, _FORMATS.get(c.key, c.fmt)))  # type: ignore[arg-type]
    return cols


def _kpi(sec: Section, k: Kpi, lang: str) -> Kpi:
    label, hint = k.label, k.hint
    if sec.key == "attribution" and label == t("report.col.overclaim", lang):
        # conversions the platforms claim ÷ the shop's orders, not the overview's revenue ratio
        label = t("web.glossary.conv_overclaim.name", lang)
        hint = t("web.glossary.conv_overclaim.def", lang)
    elif hint:
        hint = display(labels.retranslate(hint, lang), lang)
    return Kpi(label, _map(k.value, lang) if k.fmt == "text" else k.value, k.fmt, hint)


def section(sec: Section, lang: str) -> Section:
    """A copy of *sec* with codes shown by name (tables, KPIs, figures, notes)."""
    out = copy.copy(sec)
    out.tables = [Table(tb.title, _columns(sec, tb, lang), [_row(sec, tb, r, lang) for r in tb.rows],
                        tb.note) for tb in sec.tables]
    out.kpis = [_kpi(sec, k, lang) for k in sec.kpis]
    out.figures = [_figure(f, lang) for f in sec.figures]
    out.notes = [labels.retranslate(n, lang) for n in sec.notes]
    return out


def c_fmt(tb: Table, key: str) -> str:
    for c in tb.columns:
        if c.key == key:
            return c.fmt
    return "text"
