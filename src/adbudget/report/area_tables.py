"""LTV, cohorts and the funnel as dashboard tables (until now only the CLI showed them).

Pure: takes the areas' reports (``LtvReport``, ``CohortReport``, ``FunnelReport``) and returns
tables with translated headings, formats and display-time names (channels, steps, "all").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import labels


@dataclass
class WebTable:
    """A table for ``_web.html.j2``'s ``table`` macro: columns are (key, label, format)."""

    key: str
    title: str
    columns: list[tuple[str, str, str]]
    rows: list[dict[str, Any]]
    note: str = ""
    filters: tuple[str, ...] = ()
    tips: dict[str, str] = field(default_factory=dict)  # column key -> its glossary definition


def _frame(v: Any) -> pd.DataFrame:
    v = v() if callable(v) else v
    return v if isinstance(v, pd.DataFrame) else pd.DataFrame(v)


def _clean(df: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        r = {k: (None if isinstance(v, float) and v != v else v) for k, v in rec.items()}
        for k in ("market", "channel", "device"):
            if r.get(k) == "*":
                r[k] = t("web.all", lang)
            elif k == "channel" and r.get(k) is not None:
                r[k] = labels.channel(r[k], lang)
            elif k == "device" and r.get(k) is not None:
                r[k] = labels.word("device", r[k], lang)
        for k in ("step", "from_step", "weakest_step"):
            if r.get(k) is not None:
                r[k] = labels.word("step", r[k], lang)
        if "weakest_basis" in r and r["weakest_basis"] is not None:
            r["weakest_basis"] = labels.word("basis", r["weakest_basis"], lang)
        if "flagged" in r:
            r["flagged"] = t("web.yes" if r["flagged"] else "web.no", lang)
        out.append(r)
    return out


def _cols(spec: list[tuple[str, str]], lang: str, df: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [(k, t(f"web.col.{k}", lang), f) for k, f in spec if k in df.columns]


def ltv_tables(report: Any, lang: str) -> list[WebTable]:
    df = _frame(report.table)
    spec = [("market", "text"), ("channel", "text"), ("customers", "int"),
            ("first_revenue", "money"), ("repeat_purchases", "num"), ("value", "money"),
            ("value_lo", "money"), ("value_hi", "money"), ("profit", "money"),
            ("multiplier", "ratio"), ("p_alive", "share")]
    horizon = getattr(report, "horizon_days", None)
    return [WebTable("ltv", t("web.ltv.table", lang, days=horizon or "—"), _cols(spec, lang, df),
                     _clean(df, lang), t("web.ltv.note", lang), ("market", "channel"))]


def cohort_tables(report: Any, lang: str) -> list[WebTable]:
    df = _frame(report.rows)
    windows = list(getattr(report, "windows", ()) or ())
    cols = [("cohort", t("web.col.cohort", lang), "text"), ("market", t("web.col.market", lang), "text"),
            ("channel", t("web.col.channel", lang), "text"),
            ("customers", t("web.col.customers", lang), "int")]
    for w in windows:
        for stem, f in (("repeat_rate", "share"), ("revenue", "money")):
            key = f"{stem}_{w}d"
            if key in df.columns:
                cols.append((key, t(f"web.col.{stem}_w", lang, days=w), f))
    return [WebTable("cohorts", t("web.cohorts.table", lang), cols, _clean(df, lang),
                     t("web.cohorts.note", lang, as_of=getattr(report, "as_of", "")),
                     ("market", "channel"))]


def funnel_tables(report: Any, lang: str) -> list[WebTable]:
    summary = _frame(report.table)
    steps = _frame(report.steps_table)
    s_spec = [("market", "text"), ("device", "text"), ("sessions", "int"), ("purchases", "int"),
              ("weakest_step", "text"), ("weakest_basis", "text"), ("weakest_prob", "share"),
              ("flagged", "text"), ("gain_revenue_30d", "money")]
    st_spec = [("market", "text"), ("device", "text"), ("from_step", "text"), ("step", "text"),
               ("rate", "share"), ("lo", "share"), ("hi", "share"), ("history_rate", "share"),
               ("peer_median", "share"), ("prob_below_peers", "share")]
    return [WebTable("funnel", t("web.funnel.summary", lang), _cols(s_spec, lang, summary),
                     _clean(summary, lang), t("web.funnel.note", lang), ("market",)),
            WebTable("funnel-steps", t("web.funnel.steps", lang), _cols(st_spec, lang, steps),
                     _clean(steps, lang), "", ("market",))]


def area_tables(page: str, result: Any, lang: str) -> list[WebTable]:
    return {"ltv": ltv_tables, "cohorts": cohort_tables, "funnel": funnel_tables}[page](result, lang)


def area_section(page: str, result: Any, lang: str) -> Any:
    """The report's chapter for LTV, cohorts or the funnel: the dashboard page's tables."""
    from adbudget.report.model import Column, Section, Table

    section = Section(key=page, title=t(f"report.{page}.title", lang))
    for tb in area_tables(page, result, lang):
        section.tables.append(Table(tb.title, [Column(k, label, f)  # type: ignore[arg-type]
                                               for k, label, f in tb.columns], tb.rows, tb.note))
    if not any(tb.rows for tb in section.tables):
        section.status = "empty"
        section.message = t("report.area_empty", lang)
    return section
