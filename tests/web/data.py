"""A small workspace for the web and report tests: two markets, three channels, 8 weeks.

Data are inserted directly (no importer needed). Shop revenue is built from spend with known
returns so the overview's totals can be checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from adbudget.config.settings import default_settings

MARKETS = ["US", "DE"]
CHANNELS = ["meta", "google_search", "tiktok"]
START = "2025-01-06"
DAYS = 56


def ad_daily_frame(seed: int = 7, gap: tuple[str, str, str] | None = ("DE", "tiktok", "2025-02-03")
                   ) -> pd.DataFrame:
    """Daily platform rows; one row dropped (a gap) when *gap* is given."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in pd.date_range(START, periods=DAYS, freq="D"):
        for m in MARKETS:
            for j, c in enumerate(CHANNELS):
                if gap and (m, c, d.date().isoformat()) == gap:
                    continue
                spend = round(float(100 + 50 * j + rng.uniform(0, 20)), 2)
                rows.append({
                    "date": d.date(), "market": m, "channel": c, "account": "acc",
                    "campaign": f"{m}-{c}", "ad_group": "g", "creative": "cr",
                    "currency": "USD", "spend": spend, "impressions": 10000, "clicks": 200,
                    "conversions": 10.0, "revenue": round(spend * 3.0, 2),
                    "spend_base": spend, "revenue_base": round(spend * 3.0, 2),
                })
    return pd.DataFrame(rows)


def orders_frame(seed: int = 11) -> pd.DataFrame:
    """Ten orders a day per market of 40 (US) / 30 (DE) base units, no refunds."""
    rows = []
    k = 0
    for d in pd.date_range(START, periods=DAYS, freq="D"):
        for m, value in (("US", 40.0), ("DE", 30.0)):
            for _ in range(10):
                k += 1
                rows.append({
                    "order_id": f"o{k}", "customer_id": f"c{k % 97}",
                    "ordered_at": d + pd.Timedelta(hours=12), "order_date": d.date(),
                    "market": m, "currency": "USD", "revenue": value, "cogs": value * 0.4,
                    "shipping": 5.0, "refunded": 0.0, "first_touch_channel": "meta",
                    "revenue_base": value, "refunded_base": 0.0,
                })
    return pd.DataFrame(rows)


PLAN_LINES = [
    {"bucket": b, "market": m, "channel": c, "amount_base": a, "amount_local": a, "currency": "USD",
     "daily_budget_base": a / 30, "expected_revenue": a * 2.5, "expected_revenue_lo": a * 1.8,
     "expected_revenue_hi": a * 3.1, "expected_profit": a * 0.4, "marginal_roas": 1.6,
     "breakeven_roas": 2.0, "saturation_pct": 55.0, "change_pct": 10.0, "reason": "equal marginal"}
    for b, m, c, a in [
        ("performance", "US", "meta", 6000.0), ("performance", "US", "google_search", 5000.0),
        ("brand", "US", "tiktok", 2000.0), ("test", "DE", "tiktok", 1000.0),
        ("performance", "DE", "meta", 3000.0), ("reserve", "DE", "google_search", 1000.0),
    ]
]


def make_workspace(root: Path, with_plan: bool = True):
    """A workspace with ad_daily, orders and (optionally) one stored plan."""
    from adbudget.workspace import Workspace

    ws = Workspace.init(root, default_settings(MARKETS))
    ad = ad_daily_frame()
    ws.store.con.register("ad_df", ad)
    ws.store.execute("INSERT INTO ad_daily BY NAME SELECT *, 0 AS import_id FROM ad_df")
    ws.store.con.unregister("ad_df")
    od = orders_frame()
    ws.store.con.register("o_df", od)
    ws.store.execute("INSERT INTO orders BY NAME SELECT *, 0 AS import_id FROM o_df")
    ws.store.con.unregister("o_df")
    if with_plan:
        store_plan(ws, PLAN_LINES, budget=18000.0, period="2025-03")
    return ws


def store_plan(ws, lines, budget: float, period: str) -> int:
    """Insert a plan row the way the plan area saves it."""
    import json

    next_id = int(ws.store.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM plans"))
    ws.store.execute(
        "INSERT INTO plans VALUES (?, now(), ?, ?, 'profit', ?, ?)",
        [next_id, period, budget, json.dumps({"budget": budget}), json.dumps(lines)],
    )
    return next_id


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
