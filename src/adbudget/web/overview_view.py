"""The overview's numbers: each KPI over a named period with the change vs the period before.

Pure: takes the per-day frame of :func:`adbudget.report.overview.profit_frame` (spend,
platform-claimed revenue, shop revenue, orders, profit per market and day) and returns tiles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.web import labels
from adbudget.web.plan_view import Tile

PERIODS = (7, 28, 90)


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def window(daily: pd.DataFrame, days: int, end: dt.date | None = None
           ) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(start, end, prev_start, prev_end) of the last *days* days with data and the days before."""
    last = end or pd.to_datetime(daily["date"]).max().date()
    start = last - dt.timedelta(days=days - 1)
    prev_end = start - dt.timedelta(days=1)
    return start, last, prev_end - dt.timedelta(days=days - 1), prev_end


def _sums(daily: pd.DataFrame, start: dt.date, end: dt.date) -> dict[str, float]:
    d = pd.to_datetime(daily["date"]).dt.date
    sel = daily[(d >= start) & (d <= end)]
    out = {c: float(sel[c].sum()) for c in ("spend", "platform_revenue", "revenue", "orders",
                                           "profit")}
    out["days"] = float(sel["date"].nunique())
    return out


def kpi_tiles(daily: pd.DataFrame, days: int, lang: str) -> tuple[list[Tile], dict[str, Any]]:
    """Spend, shop revenue, MER, profit after ads, over-claim: this period vs the one before."""
    start, end, pstart, pend = window(daily, days)
    now, prev = _sums(daily, start, end), _sums(daily, pstart, pend)
    has_prev = prev["days"] > 0
    period = t("web.overview.period", lang, start=start.isoformat(), end=end.isoformat(), n=days)
    values = {
        "spend": (now["spend"], prev["spend"]),
        "revenue": (now["revenue"], prev["revenue"]),
        "mer": (_div(now["revenue"], now["spend"]), _div(prev["revenue"], prev["spend"])),
        "profit": (now["profit"], prev["profit"]),
        "overclaim": (_div(now["platform_revenue"], now["revenue"]),
                      _div(prev["platform_revenue"], prev["revenue"])),
    }
    good_up = {"spend": None, "revenue": True, "mer": True, "profit": True, "overclaim": False}
    fmts = {"spend": "money", "revenue": "money", "mer": "ratio", "profit": "money",
            "overclaim": "ratio"}
    tiles = []
    for key, (v, p) in values.items():
        delta = None
        if has_prev and v is not None and p:
            delta = (v - p) / abs(p) * 100.0
        tiles.append(Tile(key, t(f"web.glossary.{key}.name", lang), v, fmts[key], period=period,
                          delta_pct=delta, delta_good=good_up[key],
                          tip=t(f"web.glossary.{key}.def", lang)))
    info = {"start": start, "end": end, "prev_start": pstart, "prev_end": pend,
            "has_prev": has_prev}
    return tiles, info


def trend_figure(daily: pd.DataFrame, info: dict[str, Any], lang: str, base: str) -> dict[str, Any]:
    """Daily spend and shop revenue over the period, with the previous period dotted behind."""
    d = daily.copy()
    d["day"] = pd.to_datetime(d["date"]).dt.date
    g = d.groupby("day", as_index=False)[["spend", "revenue", "profit"]].sum()
    cur = g[(g["day"] >= info["start"]) & (g["day"] <= info["end"])]
    prev = g[(g["day"] >= info["prev_start"]) & (g["day"] <= info["prev_end"])]
    shift = info["start"] - info["prev_start"]
    traces = [
        fg.line(cur["day"], cur["revenue"], t("web.glossary.revenue.name", lang), 0),
        fg.line(cur["day"], cur["spend"], t("web.glossary.spend.name", lang), 1),
    ]
    if len(prev):
        shifted = [x + shift for x in prev["day"]]
        traces.append(fg.line(shifted, prev["revenue"], t("web.overview.prev_revenue", lang), 0,
                              line={"color": fg.color(0), "width": 1, "dash": "dot"}))
        traces.append(fg.line(shifted, prev["spend"], t("web.overview.prev_spend", lang), 1,
                              line={"color": fg.color(1), "width": 1, "dash": "dot"}))
    return fg.figure(traces, fg.layout("", "", base))


def freshness_warnings(daily: pd.DataFrame, spend: pd.DataFrame, lang: str,
                       behind_days: int = 3) -> list[str]:
    """Lines whose ad data stop more than *behind_days* before the latest day (a broken feed)."""
    if spend.empty:
        return []
    last_all = pd.to_datetime(spend["date"]).max()
    out = []
    for (m, c), g in spend.groupby(["market", "channel"]):
        behind = (last_all - pd.to_datetime(g["date"]).max()).days
        if behind > behind_days:
            out.append((m, c, behind))
    return [t("web.warn.feed_behind", lang, market=m, channel=labels.channel(c, lang), days=b) for m, c, b in out[:6]]
