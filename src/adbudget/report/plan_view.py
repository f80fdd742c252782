"""The plan as the dashboard shows it: one expected profit everywhere, moves with reasons.

Pure: takes a saved plan (``PlanResult`` or the report's header/lines) and returns plain
values for the templates. The expected profit and its 80 % interval come from the plan's
totals (what the planner optimised, every line included); the tile, the table's total row
and the frontier's point at the plan's budget all read this one number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report import labels

BUCKET_ORDER = {"performance": 0, "brand": 1, "test": 2, "reserve": 3}
# the frontier's budgets as multiples of the plan's own (the plan's budget is always added,
# so the frontier at this budget is the plan's expected profit): dashboard and report alike
FRONTIER_STEPS = (0.25, 0.5, 0.75, 0.9, 1.1, 1.25, 1.5, 2.0, 2.5, 3.0)


def frontier_budgets(budget: float) -> list[float]:
    """The budgets a plan's frontier is computed at: :data:`FRONTIER_STEPS` × the plan's
    budget, and the plan's budget itself."""
    return sorted({budget * f for f in FRONTIER_STEPS} | {budget})


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass
class Tile:
    """A headline number: what, over which period, with its interval and change."""

    key: str
    label: str
    value: Any
    fmt: str = "money"
    lo: float | None = None
    hi: float | None = None
    period: str = ""
    delta_pct: float | None = None
    delta_good: bool | None = None
    tip: str = ""


@dataclass
class PlanView:
    plan_id: Any
    period: str
    budget: float
    objective: str
    created_at: str
    profit: float | None
    profit_lo: float | None
    profit_hi: float | None
    revenue: float | None
    revenue_lo: float | None
    revenue_hi: float | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    advice: list[dict[str, Any]] = field(default_factory=list)


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _records(lines: Any) -> list[dict[str, Any]]:
    out = []
    for line in lines or []:
        if isinstance(line, dict):
            out.append(dict(line))
        elif hasattr(line, "record"):
            out.append(line.record())
        else:
            out.append(dict(vars(line)))
    return out


def plan_view(plan: Any, lang: str) -> PlanView:
    """The plan's numbers and lines, with reasons rendered in *lang*."""
    recs = _records(_get(plan, "lines"))
    totals = _get(plan, "totals") or {}

    def total(key: str, col: str) -> float | None:
        v = _num(totals.get(key))
        if v is not None:
            return v
        vals = [_num(r.get(col)) for r in recs]
        vals = [x for x in vals if x is not None]
        return sum(vals) if vals else None

    budget = _num(_get(plan, "budget")) or sum(_num(r.get("amount_base")) or 0.0 for r in recs)
    view = PlanView(
        plan_id=_get(plan, "plan_id") or _get(plan, "id"),
        period=str(_get(plan, "period") or ""), budget=budget,
        objective=str(_get(plan, "objective") or "profit"),
        created_at=str(_get(plan, "created_at") or ""),
        profit=total("profit", "expected_profit"), profit_lo=total("profit_lo", "expected_profit_lo"),
        profit_hi=total("profit_hi", "expected_profit_hi"),
        revenue=total("revenue", "expected_revenue"),
        revenue_lo=total("revenue_lo", "expected_revenue_lo"),
        revenue_hi=total("revenue_hi", "expected_revenue_hi"),
        notes=labels.notes(_get(plan, "notes") or [], lang),
    )
    for r in recs:
        amount = _num(r.get("amount_base")) or 0.0
        change = _num(r.get("change_pct"))
        before = amount / (1 + change / 100.0) if change is not None and change > -100 else None
        mroas, be = _num(r.get("marginal_roas")), _num(r.get("breakeven_roas"))
        view.rows.append({
            "label": labels.plan_line_label(r, lang),
            "market": r.get("market"), "channel": r.get("channel"),
            "channel_name": labels.channel(r.get("channel"), lang),
            "bucket": r.get("bucket"), "bucket_name": labels.bucket(r.get("bucket"), lang),
            "amount": amount, "before": before,
            "delta": (amount - before) if before is not None else None,
            "change_pct": change, "daily": _num(r.get("daily_budget_base")),
            "amount_local": _num(r.get("amount_local")), "currency": r.get("currency"),
            "revenue": _num(r.get("expected_revenue")),
            "revenue_lo": _num(r.get("expected_revenue_lo")),
            "revenue_hi": _num(r.get("expected_revenue_hi")),
            "profit": _num(r.get("expected_profit")),
            "profit_lo": _num(r.get("expected_profit_lo")),
            "profit_hi": _num(r.get("expected_profit_hi")),
            "mroas": mroas, "breakeven": be, "saturation": _num(r.get("saturation_pct")),
            # a line whose value counts LTV pays down to its own (lower) break-even
            "below_breakeven": mroas is not None and be is not None
            and mroas < (_num(r.get("breakeven_roas_ltv")) or be),
            "reason": labels.reason(r, lang),
        })
    view.rows.sort(key=lambda x: (str(x["market"]), BUCKET_ORDER.get(str(x["bucket"]), 9),
                                  -x["amount"]))
    for a in _get(plan, "advice") or []:
        view.advice.append({
            "market": _get(a, "market"),
            "current": labels.word("stage", _get(a, "current"), lang),
            "suggested": labels.word("stage", _get(a, "suggested"), lang),
            "reason": labels.retranslate(str(_get(a, "reason") or ""), lang)})
    return view


def top_moves(view: PlanView, n: int = 3) -> list[dict[str, Any]]:
    """The *n* lines whose amount changes most vs the current split (with their reasons)."""
    rows = [r for r in view.rows if r["delta"] is not None and abs(r["delta"]) > 0.005]
    return sorted(rows, key=lambda r: -abs(r["delta"]))[:n]


def tiles(view: PlanView, lang: str) -> list[Tile]:
    """The plan's headline: budget, expected profit [80 %], expected revenue [80 %], lines."""
    period = t("web.plan.for_period", lang, period=view.period)
    return [
        Tile("budget", t("report.plan.budget", lang), view.budget, "money", period=period,
             tip=t("web.glossary.budget", lang)),
        Tile("profit", t("report.col.expected_profit", lang), view.profit, "money",
             view.profit_lo, view.profit_hi, period, tip=t("web.glossary.expected_profit", lang)),
        Tile("revenue", t("report.col.expected_revenue", lang), view.revenue, "money",
             view.revenue_lo, view.revenue_hi, period, tip=t("web.glossary.expected_revenue", lang)),
        Tile("lines", t("report.plan.lines", lang), len(view.rows), "int", period=period),
    ]


def lines_figure(view: PlanView, lang: str, base: str) -> dict[str, Any]:
    """Current vs planned amount per line; the label holds market, channel and bucket, so lines
    of one channel in different buckets never share a bar."""
    rows = sorted(view.rows, key=lambda r: r["amount"])
    names = labels.unique([r["label"] for r in rows])
    traces = [
        fg.bar([r["before"] for r in rows], names, t("web.plan.current", lang), 7,
               orientation="h"),
        fg.bar([r["amount"] for r in rows], names, t("web.plan.planned", lang), 0,
               orientation="h"),
    ]
    lay = fg.layout("", f"{t('report.col.amount_base', lang)} ({base})", "", barmode="group",
                    height=max(300, 34 * len(rows) + 90))
    lay["yaxis"] = {"automargin": True, "type": "category"}
    lay["margin"] = {"l": 8, "r": 12, "t": 24, "b": 44}
    return fg.figure(traces, lay)


def frontier_marks(points: list[dict[str, Any]], zero_marginal: float | None
                   ) -> dict[str, float | None]:
    """The profit-maximising budget (marginal profit 0; else the best point) and the break-even
    budget (the largest budget whose expected profit is still ≥ 0, interpolated)."""
    pts = sorted((p for p in points if _num(p.get("budget")) is not None),
                 key=lambda p: float(p["budget"]))
    best = None
    if pts:  # the best point tried; the planner's zero of marginal profit when it is as good
        top = max(pts, key=lambda p: _num(p.get("profit")) or -math.inf)
        best = float(top["budget"])
        if zero_marginal is not None:
            at_zero = _interp([float(p["budget"]) for p in pts], [p.get("profit") for p in pts],
                              zero_marginal)
            top_profit = _num(top.get("profit")) or 0.0
            if at_zero is not None and at_zero >= top_profit - 1e-6 * max(1.0, abs(top_profit)):
                best = zero_marginal
    breakeven = None
    for a, b in zip(pts, pts[1:], strict=False):
        pa, pb = _num(a.get("profit")), _num(b.get("profit"))
        if pa is None or pb is None:
            continue
        if pa >= 0 > pb:
            w = pa / (pa - pb)
            breakeven = float(a["budget"]) + w * (float(b["budget"]) - float(a["budget"]))
    if breakeven is None and pts and all((_num(p.get("profit")) or 0) >= 0 for p in pts):
        breakeven = None  # profitable at every budget tried: no break-even inside the range
    return {"best": best, "breakeven": breakeven}


def frontier_figure(points: list[dict[str, Any]], marks: dict[str, float | None],
                    plan_budget: float, plan_profit: float | None, lang: str,
                    base: str) -> dict[str, Any]:
    """Expected profit (80 % band) against total budget, with this plan, the profit-maximising
    and the break-even budgets marked; points carry their budget for click-to-re-plan."""
    pts = sorted(points, key=lambda p: float(p["budget"]))
    x = [float(p["budget"]) for p in pts]
    traces = fg.band(x, [p.get("profit_lo") for p in pts], [p.get("profit_hi") for p in pts],
                     t("web.plan.band80", lang), 0)
    traces.append(fg.line(x, [p.get("profit") for p in pts], t("report.col.expected_profit", lang),
                          0, mode="lines+markers", customdata=x,
                          hovertemplate="%{x:,.0f}: %{y:,.0f}<extra></extra>"))
    for i, (key, label) in enumerate((("best", "web.plan.mark_best_short"),
                                      ("breakeven", "web.plan.mark_breakeven_short"))):
        v = marks.get(key)
        if v is None:
            continue
        traces.append({"type": "scatter", "mode": "markers", "x": [v],
                       "y": [_interp(x, [p.get("profit") for p in pts], v)], "customdata": [v],
                       "name": t(label, lang),
                       "marker": {"size": 13, "symbol": "diamond" if i == 0 else "x",
                                  "color": fg.color(3 if i == 0 else 1)}})
    traces.append({"type": "scatter", "mode": "markers", "x": [plan_budget], "y": [plan_profit],
                   "name": t("report.plan.this_plan", lang), "customdata": [plan_budget],
                   "marker": {"size": 13, "color": "#14213d", "symbol": "circle-open",
                              "line": {"width": 3}}})
    lay = fg.layout("", f"{t('report.plan.budget', lang)} ({base})",
                    f"{t('report.col.expected_profit', lang)} ({base})")
    lay["yaxis"]["rangemode"] = "normal"
    lay["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 0,
                      "y1": 0, "line": {"color": "#999", "width": 1}}]
    return fg.figure(traces, lay)


def _interp(xs: list[float], ys: list[Any], x: float) -> float | None:
    pairs = [(a, _num(b)) for a, b in zip(xs, ys, strict=True) if _num(b) is not None]
    if not pairs:
        return None
    for (x0, y0), (x1, y1) in zip(pairs, pairs[1:], strict=False):
        if x0 <= x <= x1 and x1 > x0:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)  # type: ignore[operator]
    return min(pairs, key=lambda p: abs(p[0] - x))[1]


def compare_plans(new: PlanView, old: PlanView, lang: str, n: int = 3) -> dict[str, Any]:
    """What changed from the previous plan: budget, expected profit, the lines that moved most."""
    before = {(r["market"], r["channel"], r["bucket"]): r["amount"] for r in old.rows}
    moved = []
    for r in new.rows:
        prev = before.pop((r["market"], r["channel"], r["bucket"]), 0.0)
        if abs(r["amount"] - prev) > 0.005:
            moved.append({"label": r["label"], "before": prev, "after": r["amount"],
                          "delta": r["amount"] - prev})
    for (m, c, b), prev in before.items():
        moved.append({"label": labels.line_label(m, c, lang, b),
                      "before": prev, "after": 0.0, "delta": -prev})
    moved.sort(key=lambda x: -abs(x["delta"]))
    return {"old_period": old.period, "old_id": old.plan_id, "old_created": old.created_at,
            "budget_delta": new.budget - old.budget,
            "profit_delta": (new.profit - old.profit) if new.profit is not None
            and old.profit is not None else None,
            "moves": moved[:n]}

