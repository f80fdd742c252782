"""Orders (with repeat customers and refunds) and the daily funnel, sampled from the panel.

Each order carries its true cause: organic demand or one advertising line. Expected counts
per cause and day are the panel's expected revenue divided by the market's mean order value.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.simulate.panel import MarketPanel

ORDER_VALUE_SD = 0.55  # log-normal spread of order values
# Share of orders per local hour (evening peak).
HOURS = np.asarray([1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.2, 3.5, 3.6, 4.0, 3.8, 3.6,
                    3.6, 3.7, 4.0, 4.5, 5.2, 5.8, 5.5, 4.2, 2.4])
HOURS = HOURS / HOURS.sum()
FUNNEL_STEPS = ("sessions", "add_to_cart", "checkout", "purchase")


@dataclass
class OrdersBlock:
    """One market's orders as column arrays, sorted by time."""

    market: str
    order_id: np.ndarray
    customer: np.ndarray  # int index of the customer's first order
    ts: np.ndarray  # datetime64[s] UTC
    local_seconds: np.ndarray  # seconds since local midnight
    day: np.ndarray  # index of the market-local day
    cause: np.ndarray  # -1 organic, else line index in panel.lines
    revenue_minor: np.ndarray  # local minor units
    refunded: np.ndarray  # bool
    value_base: np.ndarray  # revenue / fx, base currency
    first_touch: np.ndarray  # object: channel name or None

    @property
    def is_new(self) -> np.ndarray:
        return self.customer == np.arange(len(self.customer))


def utc_offsets(dates: np.ndarray, timezone: str) -> np.ndarray:
    """UTC offset in seconds of a timezone at local noon of each date."""
    noon = pd.DatetimeIndex(dates) + pd.Timedelta(hours=12)
    local = noon.tz_localize(timezone)
    return (local.tz_localize(None) - local.tz_convert("UTC").tz_localize(None)).total_seconds().to_numpy()


def sample_orders(seed: int, panel: MarketPanel) -> OrdersBlock:
    """Sample a market's orders: counts per cause and day, values, times, customers, refunds."""
    m = panel.market
    rng = np.random.default_rng([seed, 4, zlib.crc32(m.code.encode())])
    n_days = len(panel.dates)
    lam = np.vstack([panel.base_gross[None, :], panel.incr_gross]) / m.aov
    counts = rng.poisson(lam)
    cause_idx, day = np.nonzero(counts)
    reps = counts[cause_idx, day]
    cause = np.repeat(cause_idx - 1, reps)
    day = np.repeat(day, reps)
    n = len(day)
    hour = rng.choice(24, size=n, p=HOURS)
    local_seconds = hour * 3600 + rng.integers(0, 3600, n)
    value = m.aov * np.exp(rng.normal(0, ORDER_VALUE_SD, n) - ORDER_VALUE_SD**2 / 2)
    scale = 10 ** m.minor_units
    minor = np.maximum(1, np.round(value * panel.fx[day] * scale)).astype(np.int64)
    refunded = rng.random(n) < m.return_rate_pct / 100
    # Local wall time -> UTC through the real timezone rules (DST-safe).
    local = panel.dates[day].astype("datetime64[s]") + local_seconds.astype("timedelta64[s]")
    idx = pd.DatetimeIndex(local).tz_localize(
        m.timezone, ambiguous=np.zeros(n, dtype=bool), nonexistent="shift_forward"
    )
    ts = idx.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    order = np.lexsort((cause, ts))
    ts, day, cause, minor, refunded, local_seconds = (
        ts[order], day[order], cause[order], minor[order], refunded[order], local_seconds[order]
    )
    # Repeat purchases: an order belongs, with the stage's repeat probability, to the customer of
    # an earlier order (recent ones more likely); pointer jumping finds each first order.
    parent = np.arange(n)
    pos = np.arange(n)
    repeat = (rng.random(n) < m.repeat_prob) & (pos > 0)
    back = np.floor(rng.random(n) ** 2 * pos).astype(np.int64)
    parent[repeat] = (pos - 1 - back)[repeat]
    while True:
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            break
        parent = nxt
    first_touch = np.full(n, None, dtype=object)
    channels = np.asarray([ln.channel for ln in panel.lines] + [None], dtype=object)
    first_cause = cause[parent]
    first_touch[:] = channels[np.where(first_cause >= 0, first_cause, len(panel.lines))]
    order_id = ids(f"{m.code}-", np.arange(1, n + 1), 8)
    del n_days
    return OrdersBlock(
        market=m.code, order_id=order_id, customer=parent, ts=ts, local_seconds=local_seconds,
        day=day, cause=cause, revenue_minor=minor, refunded=refunded,
        value_base=minor / scale / panel.fx[day], first_touch=first_touch,
    )


def customer_ids(block: OrdersBlock) -> np.ndarray:
    """Customer id strings (the first order's position)."""
    return ids(f"{block.market}-C", block.customer, 7)


def money_text(minor: np.ndarray, digits: int) -> np.ndarray:
    """Exact decimal strings of integer minor units ('%.{digits}f' of minor / 10**digits is
    exact below 2**53 / 10**digits)."""
    minor = np.asarray(minor, dtype=np.int64)
    if digits == 0:
        return np.asarray([str(v) for v in minor.tolist()], dtype=object)
    fmt = f"{{:.{digits}f}}".format
    return np.asarray([fmt(v) for v in (minor / 10**digits).tolist()], dtype=object)


def ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """'PREFIX' + zero-padded numbers, as an object array."""
    return np.asarray([f"{prefix}{v:0{width}d}" for v in np.asarray(numbers).tolist()], dtype=object)


def orders_frame(block: OrdersBlock, panel: MarketPanel) -> pd.DataFrame:
    """Canonical orders rows (local currency strings exactly as written) plus base amounts."""
    m = panel.market
    d = m.minor_units
    scale = 10**d
    fx = panel.fx[block.day]
    cogs = np.round(block.revenue_minor * (1 - m.gross_margin_pct / 100)).astype(np.int64)
    ship = np.round(m.shipping_cost_per_order * fx * scale).astype(np.int64)
    refunded = np.where(block.refunded, block.revenue_minor, 0)
    ts_text = np.datetime_as_string(block.ts, unit="s").astype(object) + "Z"
    return pd.DataFrame({
        "order_id": block.order_id,
        "customer_id": customer_ids(block),
        "ordered_at": ts_text,
        "market": m.code,
        "currency": m.currency,
        "revenue": money_text(block.revenue_minor, d),
        "cogs": money_text(cogs, d),
        "shipping": money_text(ship, d),
        "refunded": money_text(refunded, d),
        "first_touch_channel": pd.array(block.first_touch, dtype="string"),
        "order_date": panel.dates[block.day],
        "revenue_base": block.revenue_minor / scale / fx,
        "refunded_base": refunded / scale / fx,
        "cause": np.asarray([ln.channel for ln in panel.lines] + ["organic"], dtype=object)[
            np.where(block.cause >= 0, block.cause, len(panel.lines))],
    })


def funnel_frame(seed: int, panel: MarketPanel, block: OrdersBlock, weak: tuple[str, str]) -> pd.DataFrame:
    """Daily funnel counts per device; purchases equal the day's orders."""
    m = panel.market
    rng = np.random.default_rng([seed, 5, zlib.crc32(m.code.encode())])
    n_days = len(panel.dates)
    purchases = np.bincount(block.day, minlength=n_days)
    mobile = rng.binomial(purchases, m.mobile_share)
    rates = list(m.funnel_rates)
    steps = {"add_to_cart": 0, "checkout": 1, "purchase": 2}
    if weak[0] == m.code:
        rates[steps[weak[1]]] *= 0.55
    frames = []
    for device, bought in (("mobile", mobile), ("desktop", purchases - mobile)):
        penalty = 0.85 if device == "mobile" else 1.0
        counts = {"purchase": bought}
        checkout = np.ceil(bought / (rates[2] * penalty) * np.exp(rng.normal(0, 0.04, n_days)))
        counts["checkout"] = np.maximum(checkout, bought)
        cart = np.ceil(counts["checkout"] / rates[1] * np.exp(rng.normal(0, 0.04, n_days)))
        counts["add_to_cart"] = np.maximum(cart, counts["checkout"])
        sessions = np.ceil(counts["add_to_cart"] / rates[0] * np.exp(rng.normal(0, 0.04, n_days)))
        counts["sessions"] = np.maximum(sessions, counts["add_to_cart"])
        for step in FUNNEL_STEPS:
            frames.append(pd.DataFrame({
                "date": panel.dates, "market": m.code, "step": step, "device": device,
                "count": counts[step].astype(np.int64),
            }))
    out = pd.concat(frames, ignore_index=True)
    live = out["date"] >= panel.dates[m.entry_day]
    return out[live].sort_values(["date", "device", "step"], kind="stable").reset_index(drop=True)


__all__ = [
    "FUNNEL_STEPS", "OrdersBlock", "customer_ids", "funnel_frame", "ids", "money_text", "orders_frame",
    "sample_orders", "utc_offsets",
]
