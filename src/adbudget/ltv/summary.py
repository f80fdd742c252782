"""From orders to what the models need: order value and profit, customer summaries.

Time is measured in weeks from each customer's first order day (market-local days), as in
Fader, Hardie & Lee (2005): ``x`` counts repeat purchases on distinct days, ``t_x`` is the
age at the last one and ``T`` the age at the end of the calibration period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.errors import InputError

DAYS_PER_WEEK = 7.0
UNKNOWN_CHANNEL = "other"


@dataclass(frozen=True)
class Margins:
    """What a sale costs in a market when the order row does not say (settings defaults)."""

    gross_margin_pct: float = 50.0
    shipping_cost_per_order: float = 5.0  # base currency
    payment_fee_pct: float = 3.0


REQUIRED = ("customer_id", "order_date", "market", "revenue", "refunded")


def order_values(orders: pd.DataFrame, margins: Mapping[str, Margins] | None = None) -> pd.DataFrame:
    """Add ``net_revenue`` (revenue minus refunds) and ``profit`` (contribution), base currency.

    Contribution = net revenue - cost of goods kept - shipping - payment fee. Row values are
    used where present (converted with the row's own revenue_base / revenue rate); the market's
    settings fill gaps: cogs = (1 - gross margin) x revenue, shipping per order, fee x revenue.
    """
    missing = [c for c in REQUIRED if c not in orders.columns]
    if missing:
        raise InputError(f"orders lack column(s) {', '.join(missing)}")
    margins = margins or {}
    df = orders.copy()
    df["order_date"] = pd.to_datetime(df["order_date"]).dt.normalize()
    rev = df["revenue"].astype(float)
    rev_base = df["revenue_base"].astype(float) if "revenue_base" in df else rev
    rev_base = rev_base.fillna(rev)
    rate = np.where(rev.abs() > 0, rev_base / rev.where(rev.abs() > 0, 1.0), 1.0)
    refunded = df["refunded"].astype(float).fillna(0.0)
    refunded_base = (
        df["refunded_base"].astype(float).fillna(refunded * rate)
        if "refunded_base" in df else refunded * rate
    )
    default = Margins()
    markets = df["market"].astype(str)

    def per_market(attr: str) -> pd.Series:
        table = {m: getattr(margins.get(m, default), attr) for m in markets.unique()}
        return markets.map(table).astype(float)

    gm = per_market("gross_margin_pct") / 100.0
    ship_default = per_market("shipping_cost_per_order")
    fee = per_market("payment_fee_pct") / 100.0
    cogs = df["cogs"].astype(float) * rate if "cogs" in df else pd.Series(np.nan, index=df.index)
    cogs = cogs.fillna(rev_base * (1.0 - gm))
    ship = df["shipping"].astype(float) * rate if "shipping" in df else pd.Series(np.nan, index=df.index)
    ship = ship.fillna(ship_default)
    net = rev_base - refunded_base
    kept = np.where(rev_base > 0, (net / rev_base.where(rev_base > 0, 1.0)).clip(0, 1), 1.0)
    df["net_revenue"] = net
    df["profit"] = net - cogs * kept - ship - fee * rev_base
    if "first_touch_channel" not in df:
        df["first_touch_channel"] = None
    return df


def acquisition_channels(
    values: pd.DataFrame, touch_channels: Mapping[str, str] | None = None
) -> pd.Series:
    """Channel that acquired each customer: attribution/touch data first, else first_touch_channel.

    ``touch_channels`` maps customer_id -> channel (e.g. the first touch before the first order,
    from the touchpoints table or an attribution report).
    """
    ordered = values.sort_values(["order_date", "customer_id"], kind="stable")
    raw = ordered["first_touch_channel"]
    ch = raw.astype(object).where(raw.notna() & (raw.astype(str) != ""))
    ch = ch.groupby(ordered["customer_id"]).first()  # first non-missing per customer
    ch = ch.reindex(ordered["customer_id"].unique())
    if touch_channels:
        from_touch = ch.index.to_series().map(touch_channels)
        ch = from_touch.where(from_touch.notna(), ch)
    return ch.fillna(UNKNOWN_CHANNEL).astype(str)


def customer_summary(
    values: pd.DataFrame,
    calibration_end: pd.Timestamp | str | None = None,
    channels: pd.Series | None = None,
    holdout_end: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """One row per customer acquired up to ``calibration_end`` (default: the last order day).

    Columns: market, channel, first_date, x, t_x, T (weeks), m (mean net revenue of repeat
    purchase days), first_revenue, first_profit, repeat_revenue, repeat_profit (calibration),
    and, when later orders exist, hold_x, hold_revenue, hold_profit up to ``holdout_end``.
    """
    if values.empty:
        raise InputError("there are no orders to summarise")
    last_day = values["order_date"].max()
    cal_end = pd.Timestamp(calibration_end).normalize() if calibration_end is not None else last_day
    hold_end = pd.Timestamp(holdout_end).normalize() if holdout_end is not None else last_day
    daily = (
        values.groupby(["customer_id", "order_date"], as_index=False, sort=True)
        .agg(market=("market", "first"), net_revenue=("net_revenue", "sum"), profit=("profit", "sum"))
    )
    daily["first_date"] = daily.groupby("customer_id", sort=False)["order_date"].transform("min")
    daily = daily[daily["first_date"] <= cal_end]
    if daily.empty:
        raise InputError(f"no customer made a first order on or before {cal_end.date()}")
    first = daily.groupby("customer_id", sort=False).agg(
        first_date=("first_date", "first"), market=("market", "first")
    )
    is_first = daily["order_date"] == daily["first_date"]
    cal = daily[daily["order_date"] <= cal_end]
    rep = cal[~is_first.loc[cal.index]]
    g_rep = rep.groupby("customer_id")
    out = first.copy()
    out["x"] = g_rep.size().reindex(out.index, fill_value=0).astype(float)
    last = g_rep["order_date"].max().reindex(out.index)
    out["t_x"] = ((last - out["first_date"]).dt.days / DAYS_PER_WEEK).fillna(0.0)
    out["T"] = (cal_end - out["first_date"]).dt.days / DAYS_PER_WEEK
    out["repeat_revenue"] = g_rep["net_revenue"].sum().reindex(out.index, fill_value=0.0)
    out["repeat_profit"] = g_rep["profit"].sum().reindex(out.index, fill_value=0.0)
    out["m"] = np.where(out["x"] > 0, out["repeat_revenue"] / out["x"].clip(lower=1), 0.0)
    firsts = daily[is_first].set_index("customer_id")
    out["first_revenue"] = firsts["net_revenue"].reindex(out.index)
    out["first_profit"] = firsts["profit"].reindex(out.index)
    hold = daily[(daily["order_date"] > cal_end) & (daily["order_date"] <= hold_end)]
    g_hold = hold.groupby("customer_id")
    out["hold_x"] = g_hold.size().reindex(out.index, fill_value=0).astype(float)
    out["hold_revenue"] = g_hold["net_revenue"].sum().reindex(out.index, fill_value=0.0)
    out["hold_profit"] = g_hold["profit"].sum().reindex(out.index, fill_value=0.0)
    if channels is not None:
        out["channel"] = channels.reindex(out.index).fillna(UNKNOWN_CHANNEL).astype(str)
    else:
        out["channel"] = UNKNOWN_CHANNEL
    out.attrs["calibration_end"] = cal_end
    out.attrs["holdout_end"] = hold_end
    out.attrs["holdout_weeks"] = max((hold_end - cal_end).days, 0) / DAYS_PER_WEEK
    return out


__all__ = [
    "DAYS_PER_WEEK", "UNKNOWN_CHANNEL", "Margins", "acquisition_channels", "customer_summary",
    "order_values",
]
