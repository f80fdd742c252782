"""The loop's chapter of the report and page of the dashboard: profit per period of the plan,
the oracle and the status quo, the cumulative share of the oracle, the forecast misses first.

Pure: ``loop_section`` renders a loop record (``LoopResult.record()``, as ``loop.json`` keeps
it); ``section`` reads it through the workspace (``ws.loop_result()``) and says plainly when
no loop has run in this workspace. Whole budget and performance bucket are separate series:
the whole budget includes brand, test and reserve money, which earns little inside 30 days;
the performance bucket compares the plan's performance lines with the oracle's and the status
quo's split of the same money (like with like).
"""

from __future__ import annotations

from typing import Any

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report.model import Column, Figure, Kpi, Section, Table

KEY = "loop"


def _pct(share: object) -> float | None:
    """A 0-1 share (the loop record's) in the 0-100 units of a "pct" cell."""
    try:
        return 100.0 * float(share)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None

def section(ws: Any, lang: str = "en", **_: Any) -> Section:
    """The loop page from the workspace's saved loop (``loop.json``), or a plain notice."""
    title = t("loop.report.title", lang)
    getter = getattr(ws, "loop_result", None)
    record = getter() if callable(getter) else None
    if not record or not record.get("periods"):
        return Section(key=KEY, title=title, status="empty", message=t("loop.report.none", lang))
    return loop_section(record, lang)


def loop_section(record: dict[str, Any], lang: str = "en") -> Section:
    """KPIs, the profit-per-period figures, the month table and the misses of a loop record."""
    periods = list(record.get("periods") or [])
    summary = dict(record.get("summary") or {})
    x = [str(p.get("period")) for p in periods]
    plan = [_num(p.get("plan_profit")) for p in periods]
    oracle = [_num(p.get("oracle_profit")) for p in periods]
    sq = [_num(p.get("status_quo_profit")) for p in periods]
    s = Section(key=KEY, title=t("loop.report.title", lang))
    s.kpis = [
        # shares of the oracle are 0-1 in the record; "pct" shows 0-100
        Kpi(t("loop.report.share", lang), _pct(summary.get("share_of_oracle")), "pct"),
        Kpi(t("loop.report.sq_share", lang), _pct(summary.get("status_quo_share_of_oracle")), "pct"),
        Kpi(t("loop.report.perf_share", lang), _pct(summary.get("performance_share_of_oracle")), "pct",
            hint=t("loop.report.perf_hint", lang)),
        Kpi(t("loop.report.regret", lang), _num(periods[-1].get("cumulative_regret")), "money"),
        Kpi(t("loop.report.beats", lang),
            t("loop.report.yes" if summary.get("beats_status_quo_from_second") else "loop.report.no",
              lang), "text"),
    ]
    names = (t("loop.table.plan", lang), t("loop.table.oracle", lang),
             t("loop.table.status_quo", lang))
    s.figures.append(Figure("loop-profit", t("loop.report.fig_profit", lang), fg.figure(
        [fg.line(x, plan, names[0], 0, mode="lines+markers"),
         fg.line(x, oracle, names[1], 2, mode="lines+markers"),
         fg.line(x, sq, names[2], 7, mode="lines+markers")],
        fg.layout(x_title=t("loop.table.period", lang), y_title=t("loop.report.profit_axis", lang),
                  xaxis={"type": "category", "title": {"text": t("loop.table.period", lang)}}))))
    if any(p.get("oracle_performance") for p in periods):
        perf = [[_num(p.get(k)) for p in periods]
                for k in ("plan_performance", "oracle_performance", "status_quo_performance")]
        s.figures.append(Figure("loop-performance", t("loop.report.fig_perf", lang), fg.figure(
            [fg.line(x, perf[i], names[i], c, mode="lines+markers") for i, c in enumerate((0, 2, 7))],
            fg.layout(y_title=t("loop.report.profit_axis", lang),
                      xaxis={"type": "category", "title": {"text": t("loop.table.period", lang)}}))))
    s.tables.append(Table(t("loop.report.months", lang), [
        Column("period", t("loop.table.period", lang)),
        Column("plan_profit", names[0], "money"),
        Column("oracle_profit", names[1], "money"),
        Column("status_quo_profit", names[2], "money"),
        Column("cumulative_regret", t("loop.table.regret", lang), "money"),
        Column("share_of_oracle", t("loop.table.share", lang), "pct"),
        Column("plan_performance", t("loop.report.perf_plan", lang), "money"),
        Column("oracle_performance", t("loop.report.perf_oracle", lang), "money"),
        Column("mroas_error", t("loop.table.mroas_error", lang), "num"),
        Column("tests", t("loop.report.n_tests", lang), "int"),
    ], [{**{k: p.get(k) for k in ("period", "plan_profit", "oracle_profit", "status_quo_profit",
                                  "cumulative_regret", "share_of_oracle", "plan_performance",
                                  "oracle_performance", "mroas_error")},
         "share_of_oracle": _pct(p.get("share_of_oracle")),
         "tests": len(p.get("tests") or [])} for p in periods],
        note=t("loop.report.note", lang)))
    misses = [{"period": p.get("period"), **m} for p in periods for m in (p.get("misses") or [])]
    misses.sort(key=lambda m: (not m.get("missed"), -abs(_num(m.get("z")) or 0.0)))
    if misses:
        s.tables.append(Table(t("loop.report.misses", lang), [
            Column("period", t("loop.table.period", lang)),
            Column("market", t("loop.report.market", lang)),
            Column("forecast", t("loop.report.forecast", lang), "money"),
            Column("lo", t("loop.report.lo", lang), "money"),
            Column("hi", t("loop.report.hi", lang), "money"),
            Column("actual", t("loop.report.actual", lang), "money"),
            Column("missed", t("loop.report.missed", lang)),
        ], [{k: m.get(k) for k in ("period", "market", "forecast", "lo", "hi", "actual")}
            | {"missed": t("loop.report.yes" if m.get("missed") else "loop.report.no", lang)}
            for m in misses]))
    s.data = {"summary": summary, "periods": [{k: v for k, v in p.items() if k != "tests"}
                                              for p in periods]}
    return s


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x else None


__all__ = ["loop_section", "section"]
