"""Plan: buckets per market, lines with amounts, intervals, marginal ROAS, reasons, frontier.

Pure: takes plan lines (records with the contract's fields, as stored in ``plans.lines``),
the plan's header values and an optional frontier table, and returns a :class:`Section`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report import labels
from adbudget.report.model import Column, Figure, Kpi, Section, Table

LINE_FIELDS = (
    "bucket", "market", "channel", "amount_base", "amount_local", "currency", "daily_budget_base",
    "expected_revenue", "expected_revenue_lo", "expected_revenue_hi", "expected_profit",
    "marginal_roas", "breakeven_roas", "breakeven_roas_ltv", "saturation_pct", "change_pct",
    "reason",
)
BUCKETS = ("brand", "performance", "test", "reserve")


def lines_frame(lines: Any) -> pd.DataFrame:
    """Plan lines (DataFrame, records, or objects with attributes) as a DataFrame."""
    if isinstance(lines, pd.DataFrame):
        df = lines.copy()
    else:
        recs = []
        for line in lines or []:
            if isinstance(line, Mapping):
                recs.append(dict(line))
            elif hasattr(line, "model_dump"):
                recs.append(line.model_dump())
            elif hasattr(line, "__dataclass_fields__"):
                recs.append({k: getattr(line, k) for k in line.__dataclass_fields__})
            else:
                recs.append(dict(vars(line)))
        df = pd.DataFrame(recs)
    for col in LINE_FIELDS:
        if col not in df.columns:
            df[col] = None
    for col in LINE_FIELDS:
        if col not in ("bucket", "market", "channel", "currency", "reason"):
            df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def plan_csv(lines: Any) -> str:
    """The plan lines as CSV (contract columns first, then any extra ones)."""
    df = lines_frame(lines)
    extra = [c for c in df.columns if c not in LINE_FIELDS]
    buf = io.StringIO()
    df[list(LINE_FIELDS) + extra].to_csv(buf, index=False)
    return buf.getvalue()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in df.to_dict(orient="records")]


def plan_totals(df: pd.DataFrame, totals: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The plan's expected revenue and profit with their intervals: the planner's own totals
    (what it optimised, every line included, the interval of the sum) when the plan has them,
    else the sum of the lines (an interval is then not known: a sum of line intervals is not
    the interval of the sum). The dashboard's tile, the table's total and the frontier at the
    plan's budget read the same totals."""
    out: dict[str, float | None] = {}
    given = dict(totals or {})
    for key in ("revenue", "profit"):
        v = _num(given.get(key))
        if v is None and df[f"expected_{key}"].notna().any():
            v = float(df[f"expected_{key}"].sum())
        out[key] = v
        out[f"{key}_lo"] = _num(given.get(f"{key}_lo")) if _num(given.get(key)) is not None else None
        out[f"{key}_hi"] = _num(given.get(f"{key}_hi")) if _num(given.get(key)) is not None else None
    return out


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def _interval(totals: Mapping[str, float | None], key: str, lang: str, currency: str) -> str:
    lo, hi = totals.get(f"{key}_lo"), totals.get(f"{key}_hi")
    if lo is None or hi is None:
        return ""
    from adbudget.report.format import money

    return t("report.plan.interval", lang, lo=money(lo, currency, lang), hi=money(hi, currency, lang))


def plan_section(lines: Any, header: Mapping[str, Any], lang: str = "en",
                 base_currency: str = "USD", frontier: pd.DataFrame | None = None,
                 note_missing_frontier: bool = True) -> Section:
    """Build the Plan page/chapter."""
    section = Section(key="plan", title=t("report.plan.title", lang))
    df = lines_frame(lines)
    if df.empty:
        section.status = "empty"
        section.message = t("report.plan.no_plan", lang)
        return section
    budget = header.get("budget")
    if budget is None:
        budget = float(df["amount_base"].sum())
    totals = plan_totals(df, header.get("totals"))
    section.kpis = [
        Kpi(t("report.plan.budget", lang), float(budget), "money", base_currency),
        Kpi(t("report.plan.period", lang), str(header.get("period") or ""), "text",
            t(f"report.plan.objective_{header.get('objective')}", lang)
            if header.get("objective") in ("profit", "revenue") else ""),
        Kpi(t("report.col.expected_revenue", lang), totals["revenue"], "money",
            _interval(totals, "revenue", lang, base_currency)),
        Kpi(t("report.col.expected_profit", lang), totals["profit"], "money",
            _interval(totals, "profit", lang, base_currency)),
        Kpi(t("report.plan.lines", lang), int(len(df)), "int"),
    ]
    section.data["totals"] = totals

    # buckets per market: amount and share of the market's budget
    piv = df.pivot_table(index="market", columns="bucket", values="amount_base", aggfunc="sum",
                         fill_value=0.0)
    buckets = [b for b in BUCKETS if b in piv.columns] + [b for b in piv.columns if b not in BUCKETS]
    bucket_rows = []
    for market, row in piv.iterrows():
        total = float(row.sum())
        rec: dict[str, Any] = {"market": market, "total": total}
        for b in buckets:
            rec[b] = float(row[b])
            rec[f"{b}_pct"] = float(row[b]) / total * 100 if total else None
        bucket_rows.append(rec)
    cols = [Column("market", t("report.col.market", lang)),
            Column("total", t("report.plan.total", lang), "money")]
    for b in buckets:
        label = t(f"report.bucket.{b}", lang)
        cols += [Column(b, label, "money"), Column(f"{b}_pct", f"{label} %", "pct")]
    section.tables.append(Table(t("report.plan.buckets", lang), cols, bucket_rows))

    line_cols = [
        Column("bucket", t("report.col.bucket", lang)),
        Column("market", t("report.col.market", lang)),
        Column("channel", t("report.col.channel", lang)),
        Column("amount_base", t("report.col.amount_base", lang), "money"),
        Column("amount_local", t("report.col.amount_local", lang), "num"),  # the line's currency
        Column("currency", t("report.col.currency", lang)),
        Column("daily_budget_base", t("report.col.daily_budget", lang), "money"),
        Column("expected_revenue", t("report.col.expected_revenue", lang), "money"),
        Column("expected_revenue_lo", t("report.col.lo", lang), "money"),
        Column("expected_revenue_hi", t("report.col.hi", lang), "money"),
        Column("expected_profit", t("report.col.expected_profit", lang), "money"),
        Column("marginal_roas", t("report.col.marginal_roas", lang), "ratio"),
        Column("breakeven_roas", t("report.col.breakeven_roas", lang), "ratio"),
        Column("breakeven_roas_ltv", t("economics.col.breakeven_roas_ltv", lang), "ratio"),
        Column("saturation_pct", t("report.col.saturation", lang), "pct"),
        Column("change_pct", t("report.col.change", lang), "pct"),
        Column("reason", t("report.col.reason", lang)),
    ]
    shown = df[list(LINE_FIELDS)].copy()
    shown["bucket"] = [t(f"report.bucket.{b}", lang) if b in BUCKETS else b for b in shown["bucket"]]
    # reasons from their stored key and arguments, in the report's language (not the plan's)
    shown["reason"] = [labels.reason(r, lang) for r in _records(df)]
    section.tables.append(Table(t("report.plan.lines_title", lang), line_cols, _records(shown)))

    traces = [fg.bar(list(piv.index), [float(v) for v in piv[b]], t(f"report.bucket.{b}", lang), i)
              for i, b in enumerate(buckets)]
    section.figures.append(Figure("fig-plan-buckets", t("report.plan.fig_buckets", lang), fg.figure(
        traces, fg.layout("", t("report.col.market", lang), base_currency, barmode="stack"))))

    d = df.sort_values("amount_base", ascending=True)
    names = labels.unique([labels.plan_line_label(r, lang) for r in _records(d)])
    rev = d["expected_revenue"].tolist()
    err = {"type": "data", "symmetric": False,
           "array": (d["expected_revenue_hi"] - d["expected_revenue"]).clip(lower=0).fillna(0).tolist(),
           "arrayminus": (d["expected_revenue"] - d["expected_revenue_lo"]).clip(lower=0).fillna(0)
           .tolist()}
    section.figures.append(Figure("fig-plan-lines", t("report.plan.fig_lines", lang), fg.figure(
        [fg.bar(d["amount_base"].tolist(), names, t("report.col.amount_base", lang), 0,
                orientation="h"),
         fg.bar(rev, names, t("report.col.expected_revenue", lang), 2, orientation="h",
                error_x=err)],
        fg.layout("", base_currency, "", barmode="group",
                  height=max(320, 28 * len(d) + 80)))))

    advice = header.get("advice") or []
    if advice:
        recs = [{"market": a.get("market"), "current": a.get("current"),
                 "suggested": a.get("suggested"), "reason": a.get("reason")} for a in advice]
        section.tables.append(Table(t("report.plan.advice", lang), [
            Column("market", t("report.col.market", lang)),
            Column("current", t("report.plan.stage_now", lang)),
            Column("suggested", t("report.plan.stage_next", lang)),
            Column("reason", t("report.col.reason", lang))], recs))
    section.notes.extend(labels.notes(header.get("notes") or [], lang))
    check = header.get("check")
    if isinstance(check, dict) and check:
        ok = check.get("ok", check.get("passed"))
        if ok is not None:
            section.notes.append(t("report.plan.check_ok" if ok else "report.plan.check_bad", lang))
    if frontier is not None and not frontier.empty:
        section.figures.append(marked_frontier(frontier, lang, base_currency, float(budget),
                                               totals["profit"], section.notes))
        section.data["frontier"] = _records(frontier)
    elif note_missing_frontier:
        section.notes.append(t("report.plan.no_frontier", lang))
    section.data.update({k: v for k, v in header.items() if k not in ("lines", "advice", "check")})
    section.data["lines"] = _records(df)
    return section


def marked_frontier(frontier: pd.DataFrame, lang: str, base: str, budget: float,
                    profit: float | None, notes: list[str]) -> Figure:
    """Expected profit (80 % band) against total budget with this plan, the profit-maximising
    and the break-even budgets marked (the dashboard's figure); the marks are also written
    into *notes* in words. Falls back to revenue and profit lines without a profit column."""
    from adbudget.report.format import money
    from adbudget.report.plan_view import frontier_figure as marked_figure
    from adbudget.report.plan_view import frontier_marks

    if "expected_profit" not in frontier.columns:
        return frontier_figure(frontier, lang, base, budget)
    points = [{"budget": r["budget"], "profit": r.get("expected_profit"),
               "profit_lo": r.get("expected_profit_lo"), "profit_hi": r.get("expected_profit_hi")}
              for r in _records(frontier)]
    marks = frontier_marks(points, None)
    words = [t(f"web.plan.mark_{k}", lang, budget=money(marks[k], base, lang))
             for k in ("best", "breakeven") if marks.get(k) is not None]
    notes.append(" · ".join(words) if words else t("web.plan.no_marks", lang))
    return Figure("fig-plan-frontier", t("report.plan.fig_frontier", lang),
                  marked_figure(points, marks, budget, profit, lang, base))


def frontier_figure(frontier: pd.DataFrame, lang: str, base: str, budget: float | None) -> Figure:
    """Expected revenue/profit against budget (the efficient frontier), with this plan marked."""
    x = frontier["budget"].tolist()
    traces = []
    for i, col in enumerate(("expected_revenue", "expected_profit")):
        if col in frontier.columns:
            lo, hi = f"{col}_lo", f"{col}_hi"
            if lo in frontier.columns and hi in frontier.columns:
                traces += fg.band(x, frontier[lo].tolist(), frontier[hi].tolist(),
                                  t(f"report.col.{col}", lang) + " " + t("report.curves.band", lang), i)
            traces.append(fg.line(x, frontier[col].tolist(), t(f"report.col.{col}", lang), i,
                                  mode="lines+markers"))
    lay = fg.layout("", t("report.plan.budget", lang), base)
    lay["yaxis"]["rangemode"] = "normal"
    if budget:
        lay["shapes"] = [fg.vline(budget, t("report.plan.this_plan", lang))]
    return Figure("fig-plan-frontier", t("report.plan.fig_frontier", lang), fg.figure(traces, lay))


def frontier_frame(points: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Frontier points (budget, expected_revenue, expected_profit, …) as a sorted frame."""
    df = pd.DataFrame(list(points))
    return df.sort_values("budget").reset_index(drop=True) if not df.empty else df
