"""Fixtures of the experiments tests: tagged ad rows from simulated arms with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.config import default_settings
from adbudget.experiments.simulation import simulate_experiments


def arm_rows(names: list[str], cvr: list[float], *, days: int = 21, clicks_per_day: float = 400,
             order_value: float = 40.0, cpc: float = 1.0, seed: int = 0, market: str = "US",
             channel: str = "meta", start: str = "2025-03-01") -> pd.DataFrame:
    """ad_daily rows, one creative per arm named ``ad <name>``, from a simulated experiment."""
    n = len(names)
    d = simulate_experiments(1, days, [clicks_per_day] * n, cvr, [order_value] * n, cpc, 1.0, seed=seed)
    dates = pd.date_range(start, periods=days)
    rows = []
    for a, name in enumerate(names):
        for i, day in enumerate(dates):
            spend = round(float(d.spend[0, a, i]), 2)
            revenue = round(float(d.revenue[0, a, i]), 2)
            rows.append(dict(
                date=day.date(), market=market, channel=channel, account="acc",
                campaign=f"{market} prospecting", ad_group="broad", creative=f"ad {name}",
                currency="USD", spend=spend, impressions=int(d.clicks[0, a, i] * 50),
                clicks=int(d.clicks[0, a, i]), conversions=float(d.conversions[0, a, i]),
                revenue=revenue, spend_base=spend, revenue_base=revenue,
            ))
    return pd.DataFrame(rows)


def insert_ad_daily(ws, df: pd.DataFrame) -> None:
    ws.store.con.register("df_in", df)
    ws.store.execute("INSERT INTO ad_daily BY NAME SELECT *, 0 AS import_id FROM df_in")
    ws.store.con.unregister("df_in")


@pytest.fixture
def settings():
    """US and DE; US margins set so a ROAS of about 1.3 breaks even."""
    s = default_settings(["US", "DE"])
    s.markets["US"].gross_margin_pct = 85.0
    s.markets["US"].shipping_cost_per_order = 0.0
    return s


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_collection_modifyitems(config, items):
    """Skip this area's slow tests unless they are asked for (-m slow)."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords and "tests/experiments/" in item.nodeid:
            item.add_marker(skip)
