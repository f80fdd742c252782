"""Shared helpers: put a synthetic world into a workspace."""

from __future__ import annotations

import pandas as pd

from adbudget.config.settings import default_settings
from adbudget.response.synthetic import SyntheticWorld, make_world
from adbudget.workspace import Workspace


def workspace_with(tmp_path, world: SyntheticWorld, settings=None) -> Workspace:
    """A workspace whose orders and ad_daily hold the world's revenue and spend (USD)."""
    if settings is None:
        settings = default_settings(sorted(world.regions))
        settings.response.max_lag = TEST_LAG
    ws = Workspace.init(tmp_path, settings)
    rev = world.revenue
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(rev))],
        "customer_id": "c",
        "ordered_at": pd.to_datetime(rev["date"]) + pd.Timedelta(hours=12),
        "order_date": pd.to_datetime(rev["date"]).dt.date,
        "market": rev["market"], "currency": "USD", "revenue": rev["revenue"].round(2),
        "cogs": 0.0, "shipping": 0.0, "refunded": 0.0, "first_touch_channel": None,
        "revenue_base": rev["revenue"].round(2), "refunded_base": 0.0,
    })
    sp = world.spend
    ad = pd.DataFrame({
        "date": pd.to_datetime(sp["date"]).dt.date, "market": sp["market"], "channel": sp["channel"],
        "account": "a", "campaign": "c", "ad_group": "g", "creative": "x", "currency": "USD",
        "spend": sp["spend"].round(2), "impressions": 0, "clicks": 0, "conversions": 0.0,
        "revenue": 0.0, "spend_base": sp["spend"].round(2), "revenue_base": 0.0,
    })
    ws.store.con.register("orders_df", orders)
    ws.store.execute("INSERT INTO orders BY NAME SELECT *, 0 AS import_id FROM orders_df")
    ws.store.con.register("ad_df", ad)
    ws.store.execute("INSERT INTO ad_daily BY NAME SELECT *, 0 AS import_id FROM ad_df")
    return ws


MARKETS = ["US", "CA", "DE", "FR"]
CHANNELS = ["meta", "google_search", "tiktok"]
THIN = "DE"
TEST_LAG = 10  # the test world's half-lives are <= 3 days; a shorter kernel compiles faster  # only its last 45 days exist: an entry-stage market


def shared_world() -> SyntheticWorld:
    """The one world most tests fit (same array shapes, so JAX compiles once per session)."""
    return make_world(MARKETS, CHANNELS, days=400, seed=5, spend_days={THIN: 45})
