"""A small generator of ad_daily rows with known truth: performance lines and test arms.

Each campaign has a true CPM, CTR, CVR and order value; conversions are Poisson draws, so
a rule that judges on noisy data can be checked against the truth it should find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Arm:
    market: str
    channel: str
    campaign: str
    budget: float  # daily spend, base currency
    roas: float  # true ROAS
    cpm: float = 10.0
    ctr: float = 0.015
    aov: float = 60.0


def make_arms(markets=("US", "DE"), n_perf=3, n_test=8, loser_share=0.5, seed=0,
              perf_budget=500.0, test_budget=40.0) -> list[Arm]:
    """Performance lines (ROAS 2.5–4) and test arms, a share of them losers (ROAS 0.3–0.8).

    Default budgets put about 18 % of spend in tests, near the method's 10–15 % test bucket.
    """
    rng = np.random.default_rng(seed)
    arms = []
    for m in markets:
        for i in range(n_perf):
            arms.append(Arm(m, ["meta", "google_search", "tiktok"][i % 3], f"{m}_perf_{i}",
                            budget=perf_budget, roas=float(rng.uniform(2.5, 4.0)), cpm=float(rng.uniform(8, 14))))
        n_lose = int(round(n_test * loser_share))
        for i in range(n_test):
            lose = i < n_lose
            arms.append(Arm(m, ["meta", "tiktok"][i % 2], f"{m}_test_arm{i}", budget=test_budget,
                            roas=float(rng.uniform(0.3, 0.8) if lose else rng.uniform(2.5, 4.0)),
                            cpm=float(rng.uniform(8, 14))))
    return arms


def make_daily(arms: list[Arm], start: date, days: int, seed: int = 0,
               cost_surge: dict[str, tuple[date, float]] | None = None) -> pd.DataFrame:
    """Daily rows (base currency) for *arms*; *cost_surge* multiplies CPM per market from a date."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(days):
        day = start + timedelta(days=d)
        for a in arms:
            spend = a.budget * float(rng.lognormal(0, 0.08))
            cpm = a.cpm
            if cost_surge and a.market in cost_surge and day >= cost_surge[a.market][0]:
                cpm *= cost_surge[a.market][1]
            imp = spend / cpm * 1000
            clicks = float(rng.poisson(imp * a.ctr))
            exp_conv = spend * a.roas / a.aov
            conv = float(rng.poisson(exp_conv))
            rev = conv * a.aov * float(rng.lognormal(0, 0.05)) if conv else 0.0
            rows.append((day, a.market, a.channel, a.campaign, spend, round(imp), clicks, conv, rev))
    return pd.DataFrame(rows, columns=["date", "market", "channel", "campaign", "spend", "impressions",
                                       "clicks", "conversions", "revenue"])


def to_ad_daily(daily: pd.DataFrame, fx: dict[str, tuple[str, float]] | None = None) -> pd.DataFrame:
    """The store's ad_daily columns (local currency = base × rate per market)."""
    fx = fx or {"US": ("USD", 1.0), "DE": ("EUR", 0.9)}
    cur = daily["market"].map(lambda m: fx.get(m, ("USD", 1.0))[0])
    rate = daily["market"].map(lambda m: fx.get(m, ("USD", 1.0))[1])
    return pd.DataFrame({
        "date": pd.to_datetime(daily["date"]), "market": daily["market"], "channel": daily["channel"],
        "account": "acc", "campaign": daily["campaign"], "ad_group": "ag", "creative": "cr",
        "currency": cur, "spend": (daily["spend"] * rate).round(4),
        "impressions": daily["impressions"].astype("int64"), "clicks": daily["clicks"].astype("int64"),
        "conversions": daily["conversions"], "revenue": (daily["revenue"] * rate).round(4),
        "spend_base": daily["spend"].round(4), "revenue_base": daily["revenue"].round(4),
    })
