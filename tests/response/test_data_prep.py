"""Model data from raw frames: a market is live from its first sale, not from its first row."""

from __future__ import annotations

import numpy as np

from adbudget.config.response import ResponseSettings
from adbudget.response import prepare_data
from adbudget.response.synthetic import make_world


def test_leading_zero_revenue_days_are_not_live():
    world = make_world(["US", "DE"], ["meta", "google_search"], days=200, seed=3)
    revenue = world.revenue.copy()
    dates = sorted(revenue["date"].unique())
    opened = dates[60]
    closed = (revenue["market"] == "DE") & (revenue["date"] < opened)
    revenue.loc[closed, ["revenue", "orders"]] = 0.0  # DE's store was not open yet
    data = prepare_data(revenue, world.spend, world.regions, ResponseSettings(holdout_days=0))
    de = list(data.markets).index("DE")
    us = list(data.markets).index("US")
    assert not data.active[:60, de].any() and data.active[60:, de].all()
    assert data.active[:, us].all()
    assert np.array_equal(data.obs_mask[:, de], data.active[:, de])
