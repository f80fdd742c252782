"""Overview: spend, shop revenue, MER, platform ROAS and profit by market and channel.

Pure: takes the workspace's ``daily_spend()`` and ``daily_revenue()`` frames plus per-market
unit economics and returns a :class:`Section`. Profit here is contribution after ads::

    profit = revenue_net * (gross_margin - payment_fee / (1 - returns)) - orders * shipping - spend

where revenue_net is shop revenue net of refunds and fees are charged on gross revenue
(:meth:`adbudget.economics.UnitEconomics.profit_from_orders`, the one formula).
Platform over-claim is platform-reported revenue divided by the shop's own revenue: each ad
platform claims the sales it touched, so the sum over platforms usually exceeds the truth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from adbudget.economics import UnitEconomics
from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report.model import Column, Figure, Kpi, Section, Table

# a market missing from the economics mapping (data for a market not in the settings)
_DEFAULT_ECONOMICS = UnitEconomics(gross_margin_pct=50.0, payment_fee_pct=3.0,
                                   shipping_cost_per_order=5.0)


def _div(a: float, b: float) -> float | None:
    return float(a) / float(b) if b and np.isfinite(b) and b != 0 else None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, float) and not np.isfinite(v):
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            elif isinstance(v, pd.Timestamp):
                v = v.date().isoformat()
            elif hasattr(v, "isoformat"):
                v = v.isoformat()
            clean[str(k)] = v
        out.append(clean)
    return out


def _missing_days(dates: pd.Series) -> tuple[int, list[str]]:
    """Days without a row between the first and the last date (count, first few)."""
    d = pd.to_datetime(dates).dt.normalize().drop_duplicates().sort_values()
    if d.empty:
        return 0, []
    full = pd.date_range(d.iloc[0], d.iloc[-1], freq="D")
    missing = full.difference(pd.DatetimeIndex(d))
    return len(missing), [x.date().isoformat() for x in missing[:5]]


def profit_frame(revenue: pd.DataFrame, spend: pd.DataFrame,
                 economics: dict[str, UnitEconomics]) -> pd.DataFrame:
    """Per market and day: spend, platform revenue, shop revenue, orders, contribution profit."""
    s = (spend.groupby(["date", "market"], as_index=False)[["spend", "platform_revenue"]].sum()
         if not spend.empty else pd.DataFrame(columns=["date", "market", "spend", "platform_revenue"]))
    r = (revenue[["date", "market", "revenue", "orders"]] if not revenue.empty
         else pd.DataFrame(columns=["date", "market", "revenue", "orders"]))
    df = pd.merge(s, r, on=["date", "market"], how="outer")
    for col in ("spend", "platform_revenue", "revenue", "orders"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0).astype(float)
    df["profit"] = 0.0
    for market, rows in df.groupby("market").groups.items():
        econ = economics.get(str(market), _DEFAULT_ECONOMICS)
        df.loc[rows, "profit"] = econ.profit_from_orders(
            df.loc[rows, "revenue"], df.loc[rows, "orders"], df.loc[rows, "spend"])
    df["date"] = pd.to_datetime(df["date"])
    return df.sort_values(["date", "market"]).reset_index(drop=True)


def overview_section(spend: pd.DataFrame, revenue: pd.DataFrame,
                     economics: dict[str, UnitEconomics], lang: str = "en",
                     base_currency: str = "USD") -> Section:
    """Build the Overview page/chapter from daily spend and shop revenue."""
    title = t("report.overview.title", lang)
    section = Section(key="overview", title=title)
    if spend.empty and revenue.empty:
        section.status = "empty"
        section.message = t("report.overview.no_data", lang)
        return section

    daily = profit_frame(revenue, spend, economics)
    tot_spend = float(daily["spend"].sum())
    tot_rev = float(daily["revenue"].sum())
    tot_platform = float(daily["platform_revenue"].sum())
    tot_profit = float(daily["profit"].sum())
    section.kpis = [
        Kpi(t("report.col.spend", lang), tot_spend, "money", base_currency),
        Kpi(t("report.col.revenue", lang), tot_rev, "money", base_currency),
        Kpi(t("report.col.mer", lang), _div(tot_rev, tot_spend), "ratio",
            t("report.overview.mer_hint", lang)),
        Kpi(t("report.col.platform_roas", lang), _div(tot_platform, tot_spend), "ratio",
            t("report.overview.platform_roas_hint", lang)),
        Kpi(t("report.col.profit", lang), tot_profit, "money", t("report.overview.profit_hint", lang)),
        Kpi(t("report.col.overclaim", lang), _div(tot_platform, tot_rev), "ratio",
            t("report.overview.overclaim_hint", lang)),
    ]

    # -- by market ---------------------------------------------------------------------------
    first_last = daily.groupby("market")["date"].agg(["min", "max"])
    by_market = daily.groupby("market", as_index=False)[
        ["spend", "platform_revenue", "revenue", "orders", "profit"]].sum()
    by_market["mer"] = [_div(r, s) for r, s in zip(by_market["revenue"], by_market["spend"], strict=True)]
    by_market["platform_roas"] = [_div(p, s) for p, s in
                                  zip(by_market["platform_revenue"], by_market["spend"], strict=True)]
    by_market["overclaim"] = [_div(p, r) for p, r in
                              zip(by_market["platform_revenue"], by_market["revenue"], strict=True)]
    by_market["first_date"] = by_market["market"].map(first_last["min"])
    by_market["last_date"] = by_market["market"].map(first_last["max"])
    section.tables.append(Table(
        t("report.overview.by_market", lang),
        [Column("market", t("report.col.market", lang)),
         Column("spend", t("report.col.spend", lang), "money"),
         Column("revenue", t("report.col.revenue", lang), "money"),
         Column("orders", t("report.col.orders", lang), "int"),
         Column("mer", t("report.col.mer", lang), "ratio"),
         Column("platform_revenue", t("report.col.platform_revenue", lang), "money"),
         Column("platform_roas", t("report.col.platform_roas", lang), "ratio"),
         Column("overclaim", t("report.col.overclaim", lang), "ratio"),
         Column("profit", t("report.col.profit", lang), "money")],
        _records(by_market.drop(columns=["first_date", "last_date"])),
    ))

    # -- by market x channel -----------------------------------------------------------------
    if not spend.empty:
        sp = spend.copy()
        sp["date"] = pd.to_datetime(sp["date"])
        by_line = sp.groupby(["market", "channel"], as_index=False).agg(
            spend=("spend", "sum"), platform_revenue=("platform_revenue", "sum"),
            clicks=("clicks", "sum"), conversions=("conversions", "sum"),
            last_date=("date", "max"))
        market_spend = by_line.groupby("market")["spend"].transform("sum")
        by_line["share"] = np.where(market_spend > 0, by_line["spend"] / market_spend * 100, np.nan)
        by_line["platform_roas"] = [_div(p, s) for p, s in
                                    zip(by_line["platform_revenue"], by_line["spend"], strict=True)]
        section.tables.append(Table(
            t("report.overview.by_channel", lang),
            [Column("market", t("report.col.market", lang)),
             Column("channel", t("report.col.channel", lang)),
             Column("spend", t("report.col.spend", lang), "money"),
             Column("share", t("report.col.share", lang), "pct"),
             Column("clicks", t("report.col.clicks", lang), "int"),
             Column("conversions", t("report.col.conversions", lang), "int"),
             Column("platform_revenue", t("report.col.platform_revenue", lang), "money"),
             Column("platform_roas", t("report.col.platform_roas", lang), "ratio")],
            _records(by_line.drop(columns=["last_date"])),
        ))

    section.tables.append(_freshness_table(spend, revenue, lang))
    section.figures.extend(_overview_figures(daily, spend, lang, base_currency))
    section.data = {
        "totals": {"spend": tot_spend, "revenue": tot_rev, "platform_revenue": tot_platform,
                   "profit": tot_profit, "mer": _div(tot_rev, tot_spend),
                   "platform_roas": _div(tot_platform, tot_spend),
                   "overclaim": _div(tot_platform, tot_rev)},
        "first_date": daily["date"].min().date().isoformat(),
        "last_date": daily["date"].max().date().isoformat(),
        "base_currency": base_currency,
    }
    return section


def _freshness_table(spend: pd.DataFrame, revenue: pd.DataFrame, lang: str) -> Table:
    """Last day and missing days per source and series, so stale or broken feeds stand out."""
    rows: list[dict[str, Any]] = []
    latest = None
    for frame in (spend, revenue):
        if not frame.empty:
            m = pd.to_datetime(frame["date"]).max()
            latest = m if latest is None or m > latest else latest
    if not spend.empty:
        for (market, channel), g in spend.groupby(["market", "channel"]):
            n, first = _missing_days(g["date"])
            last = pd.to_datetime(g["date"]).max()
            rows.append({"source": t("report.overview.source_ads", lang), "market": market,
                         "channel": channel, "last_date": last.date().isoformat(),
                         "days_behind": int((latest - last).days), "missing_days": n,
                         "missing_examples": ", ".join(first)})
    if not revenue.empty:
        for market, g in revenue.groupby("market"):
            n, first = _missing_days(g["date"])
            last = pd.to_datetime(g["date"]).max()
            rows.append({"source": t("report.overview.source_orders", lang), "market": market,
                         "channel": "", "last_date": last.date().isoformat(),
                         "days_behind": int((latest - last).days), "missing_days": n,
                         "missing_examples": ", ".join(first)})
    return Table(
        t("report.overview.freshness", lang),
        [Column("source", t("report.col.source", lang)),
         Column("market", t("report.col.market", lang)),
         Column("channel", t("report.col.channel", lang)),
         Column("last_date", t("report.col.last_date", lang), "date"),
         Column("days_behind", t("report.col.days_behind", lang), "int"),
         Column("missing_days", t("report.col.missing_days", lang), "int"),
         Column("missing_examples", t("report.col.missing_examples", lang))],
        rows,
        note=t("report.overview.freshness_note", lang),
    )


def _weekly(df: pd.DataFrame, by: list[str], values: list[str]) -> pd.DataFrame:
    d = df.copy()
    d["week"] = pd.to_datetime(d["date"]).dt.to_period("W-SUN").dt.start_time
    return d.groupby(["week", *by], as_index=False)[values].sum()


def _overview_figures(daily: pd.DataFrame, spend: pd.DataFrame, lang: str,
                      base: str) -> list[Figure]:
    figs: list[Figure] = []
    week = t("report.overview.week", lang)
    money = f"{t('report.col.spend', lang)} ({base})"
    if not spend.empty:
        w = _weekly(spend, ["channel"], ["spend"])
        traces = [fg.bar(g["week"], g["spend"], str(ch), i)
                  for i, (ch, g) in enumerate(w.groupby("channel"))]
        figs.append(Figure("fig-spend-channel", t("report.overview.fig_spend_channel", lang),
                           fg.figure(traces, fg.layout("", week, money, barmode="stack"))))
    w = _weekly(daily, ["market"], ["spend", "revenue", "profit", "platform_revenue"])
    traces = []
    for i, (market, g) in enumerate(w.groupby("market")):
        traces.append(fg.line(g["week"], g["revenue"], f"{market} {t('report.col.revenue', lang)}", i))
        traces.append(fg.line(g["week"], g["spend"], f"{market} {t('report.col.spend', lang)}", i,
                              line={"color": fg.color(i), "width": 1.5, "dash": "dot"}))
    figs.append(Figure("fig-revenue-spend", t("report.overview.fig_revenue_spend", lang),
                       fg.figure(traces, fg.layout("", week, base))))
    traces = []
    for i, (market, g) in enumerate(w.groupby("market")):
        mer = [(_div(r, s)) for r, s in zip(g["revenue"], g["spend"], strict=True)]
        traces.append(fg.line(g["week"], mer, str(market), i))
    figs.append(Figure("fig-mer", t("report.overview.fig_mer", lang),
                       fg.figure(traces, fg.layout("", week, t("report.col.mer", lang)))))
    tot = w.groupby("week", as_index=False)[["profit"]].sum()
    figs.append(Figure("fig-profit", t("report.overview.fig_profit", lang), fg.figure(
        [fg.bar(tot["week"], tot["profit"], t("report.col.profit", lang), 2)],
        fg.layout("", week, base))))
    bym = daily.groupby("market", as_index=False)[["revenue", "platform_revenue"]].sum()
    figs.append(Figure("fig-overclaim", t("report.overview.fig_overclaim", lang), fg.figure(
        [fg.bar(bym["market"], bym["revenue"], t("report.col.revenue", lang), 0),
         fg.bar(bym["market"], bym["platform_revenue"], t("report.col.platform_revenue", lang), 1)],
        fg.layout("", t("report.col.market", lang), base, barmode="group"))))
    return figs
