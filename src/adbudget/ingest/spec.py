"""What each store table accepts: canonical columns, their kinds and the natural keys."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One canonical column of an import.

    kind: text | market | channel | currency | interaction | step | date | timestamp |
    money | count | number | percent.
    A column with a ``default`` may be absent from the file or empty in a row.
    """

    name: str
    kind: str
    default: str | None = None  # SQL literal used when absent / empty
    signed: bool = False  # numbers may be negative


def _c(name: str, kind: str, default: str | None = None, signed: bool = False) -> Column:
    return Column(name, kind, default, signed)


TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "ad_daily": (
        _c("date", "date"), _c("market", "market"), _c("channel", "channel"),
        _c("account", "text", "''"), _c("campaign", "text"), _c("ad_group", "text", "''"),
        _c("creative", "text", "''"), _c("currency", "currency"), _c("spend", "money"),
        _c("impressions", "count", "0"), _c("clicks", "count", "0"),
        _c("conversions", "number", "0"), _c("revenue", "money", "0"),
        _c("campaign_id", "text", "''"),
    ),
    "orders": (
        _c("order_id", "text"), _c("customer_id", "text"), _c("ordered_at", "timestamp"),
        _c("market", "market"), _c("currency", "currency"), _c("revenue", "money"),
        _c("cogs", "money", "NULL"), _c("shipping", "money", "NULL"), _c("refunded", "money", "0"),
        _c("first_touch_channel", "channel", "NULL"),
    ),
    "touchpoints": (
        _c("user_id", "text"), _c("ts", "timestamp"), _c("market", "market"),
        _c("channel", "channel"), _c("campaign", "text", "''"), _c("interaction", "interaction"),
    ),
    "funnel_daily": (
        _c("date", "date"), _c("market", "market"), _c("step", "step"),
        _c("device", "text", "'all'"), _c("count", "count"),
    ),
    "lift_tests": (
        _c("test_id", "text"), _c("market", "market"), _c("channel", "channel"),
        _c("start_date", "date"), _c("end_date", "date"), _c("spend", "money"),
        _c("incremental_revenue", "money", signed=True), _c("incremental_revenue_se", "money"),
        _c("currency", "currency"), _c("method", "text", "'geo_holdout'"),
        _c("baseline_spend", "money", "0"),
    ),
    "fx_rates": (_c("date", "date"), _c("currency", "currency"), _c("per_base", "rate")),
    "margins": (
        _c("market", "market"), _c("gross_margin_pct", "percent"),
        _c("shipping_cost_per_order", "money"), _c("return_rate_pct", "percent"),
        _c("payment_fee_pct", "percent"),
    ),
}

FUNNEL_STEPS = ("sessions", "add_to_cart", "checkout", "purchase")
INTERACTIONS = ("click", "view")
