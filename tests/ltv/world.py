"""Synthetic sellers with known customer dynamics (BG/NBD purchases, Gamma-Gamma spend)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.ltv.bgnbd import expected_purchases_new


@dataclass(frozen=True)
class MarketWorld:
    """True parameters of one market's customers."""

    r: float
    alpha: float  # weeks
    a: float
    b: float
    p: float
    q: float
    v: float
    customers: int
    margin: float = 0.4  # contribution share of revenue (cogs = 1 - margin, no shipping, no fee)
    channels: tuple[str, ...] = ("meta", "google_search")

    def true_value(self, horizon_days: int) -> float:
        """Expected net revenue per new customer over the horizon, first order included."""
        spend = self.p * self.v / (self.q - 1.0)
        ex = float(expected_purchases_new(np.array([[self.r, self.alpha, self.a, self.b]]),
                                          horizon_days / 7.0)[0, 0])
        return spend * (1.0 + ex)


def make_orders(
    worlds: dict[str, MarketWorld], start: str = "2024-01-01", acquire_days: int = 365,
    total_days: int = 545, seed: int = 0,
) -> pd.DataFrame:
    """Orders of every market's customers, as the `orders` table holds them (base = local)."""
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp(start)
    frames = []
    for market, w in worlds.items():
        n = w.customers
        first_day = rng.integers(0, acquire_days, size=n)
        lam = rng.gamma(w.r, 1.0 / w.alpha, size=n)
        pdrop = rng.beta(w.a, w.b, size=n)
        nu = rng.gamma(w.q, 1.0 / w.v, size=n)
        cust, days = [], []
        for i in range(n):
            horizon = (total_days - first_day[i]) / 7.0
            t, times = 0.0, [0.0]
            while True:
                t += rng.exponential(1.0 / lam[i])
                if t > horizon:
                    break
                times.append(t)
                if rng.random() < pdrop[i]:
                    break
            d = np.unique(first_day[i] + np.floor(np.asarray(times) * 7.0).astype(int))
            d = d[d < total_days]
            cust += [i] * len(d)
            days += list(d)
        cust = np.asarray(cust)
        revenue = rng.gamma(w.p, 1.0 / nu[cust])
        ch = np.asarray(w.channels)[np.arange(n) % len(w.channels)]
        frames.append(pd.DataFrame({
            "order_id": [f"{market}-{k}" for k in range(len(cust))],
            "customer_id": [f"{market}-c{c}" for c in cust],
            "order_date": t0 + pd.to_timedelta(np.asarray(days), unit="D"),
            "market": market, "currency": "USD",
            "revenue": revenue, "cogs": revenue * (1 - w.margin), "shipping": 0.0,
            "refunded": 0.0, "first_touch_channel": ch[cust],
        }))
    df = pd.concat(frames, ignore_index=True)
    df["ordered_at"] = df["order_date"] + pd.Timedelta(hours=12)
    df["revenue_base"] = df["revenue"]
    df["refunded_base"] = df["refunded"]
    return df
