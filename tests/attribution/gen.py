"""Synthetic journeys whose per-channel incremental effect is known (for honest tests).

Each user is exposed to each channel independently; touches follow a funnel order (upper
funnel first, search and email last), and the purchase probability is additive:
``base + Σ effect_c · exposed_c``. The incremental conversions of channel c are therefore
``effect_c × users exposed to c`` exactly, which the data-driven models should approach
better than last touch (which hands everything to the lower funnel).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# channel: (stage in the funnel, exposure probability, incremental conversion effect)
FUNNEL = {
    "youtube": (0, 0.35, 0.10),
    "meta": (1, 0.45, 0.06),
    "tiktok": (1, 0.30, 0.04),
    "google_search": (2, 0.50, 0.010),
    "email": (3, 0.30, 0.005),
}
BASE = 0.004


def known_effect_journeys(n_users: int = 20000, seed: int = 0, market: str = "US",
                          funnel: dict | None = None, base: float = BASE):
    """Touchpoints, orders and the true incremental conversions per channel."""
    funnel = funnel or FUNNEL
    rng = np.random.default_rng(seed)
    names = list(funnel)
    stage = np.array([funnel[c][0] for c in names])
    expo = np.array([funnel[c][1] for c in names])
    effect = np.array([funnel[c][2] for c in names])
    exposed = rng.random((n_users, len(names))) < expo
    keep = exposed.any(axis=1)
    exposed = exposed[keep]
    n = len(exposed)
    p = np.clip(base + exposed @ effect, 0, 1)
    converted = rng.random(n) < p
    start = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.uniform(0, 60, n), unit="D")
    rows_u, rows_c = np.nonzero(exposed)
    offset = stage[rows_c] + rng.uniform(0, 0.8, len(rows_c))
    ts = start[rows_u] + pd.to_timedelta(offset, unit="D")
    users = np.array([f"u{i}" for i in range(n)], dtype=object)
    touch = pd.DataFrame({
        "user_id": users[rows_u], "ts": ts, "market": market,
        "channel": np.asarray(names, dtype=object)[rows_c], "campaign": "c1",
        "interaction": "click",
    }).sort_values(["user_id", "ts"]).reset_index(drop=True)
    last = touch.groupby("user_id")["ts"].max()
    buyers = users[converted]
    ordered_at = last.loc[buyers].to_numpy() + pd.to_timedelta(0.5, unit="D")
    revenue = np.round(rng.uniform(20, 80, len(buyers)), 2)
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(buyers))], "customer_id": buyers,
        "ordered_at": ordered_at, "order_date": pd.to_datetime(ordered_at).date,
        "market": market, "currency": "USD", "revenue": revenue, "cogs": 0.0, "shipping": 0.0,
        "refunded": 0.0, "first_touch_channel": None, "revenue_base": revenue,
        "refunded_base": 0.0,
    })
    truth = {c: float(effect[i] * exposed[:, i].sum()) for i, c in enumerate(names)}
    return touch, orders, truth


def journeys_to_paths(touch: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Aggregate the generated journeys directly (no windows): one path per user."""
    paths = touch.groupby("user_id")["channel"].agg(" > ".join)
    conv = paths.index.isin(orders["customer_id"])
    value = orders.set_index("customer_id")["revenue"].reindex(paths.index).fillna(0.0)
    df = pd.DataFrame({"path": paths.to_numpy(), "c": conv.astype(float), "v": value.to_numpy()})
    out = df.groupby("path", as_index=False).agg(total_conversions=("c", "sum"),
                                                 total_conversion_value=("v", "sum"),
                                                 n=("c", "size"))
    out["total_null"] = out["n"] - out["total_conversions"]
    return out.drop(columns="n")
