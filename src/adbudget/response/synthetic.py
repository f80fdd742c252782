"""Small worlds with known parameters, for recovery tests and the benchmark.

These use the model's own family (geometric carryover, Hill saturation) so a test can tell
"the sampler recovers what generated the data" apart from "the model is right about the world";
the second question is the simulator's (``adbudget.simulate``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.response.transforms import ADSTOCKS, SATURATIONS, apply_adstock, lag_tensor

_REGIONS = {"US": "NA", "CA": "NA", "GB": "EU", "DE": "EU", "FR": "EU", "IT": "EU", "ES": "EU",
            "NL": "EU", "SE": "EU", "ID": "SEA", "TH": "SEA", "VN": "SEA", "PH": "SEA",
            "MY": "SEA", "SG": "SEA", "SA": "ME", "AE": "ME", "BR": "LATAM", "MX": "LATAM"}
_CHANNEL_ROAS = {"meta": 2.0, "tiktok": 1.2, "google_search": 3.0, "youtube": 0.6, "amazon": 2.5,
                 "shopee": 1.8, "lazada": 1.5, "kol": 0.9, "live_commerce": 1.4, "email": 4.0,
                 "other": 1.0}
_CHANNEL_HL = {"meta": 2.0, "tiktok": 1.5, "google_search": 1.0, "youtube": 5.0, "amazon": 1.0,
               "shopee": 1.0, "lazada": 1.0, "kol": 4.0, "live_commerce": 1.0, "email": 1.0,
               "other": 2.0}


@dataclass(frozen=True)
class SyntheticWorld:
    """Generated tables and the truth behind them (per line, in base currency)."""

    revenue: pd.DataFrame  # date, market, revenue, orders
    spend: pd.DataFrame  # date, market, channel, spend
    regions: dict[str, str]
    truth: pd.DataFrame  # market, channel, roas, marginal_roas, half_life, beta, half_sat, shape, current_spend
    contributions: np.ndarray  # (T, N) true daily incremental revenue

    def true_response(self, market: str, channel: str, spend: np.ndarray) -> np.ndarray:
        """Steady-state daily incremental revenue of a line at daily spend ``spend``."""
        row = self.truth.set_index(["market", "channel"]).loc[(market, channel)]
        r = (np.asarray(spend, float) / row["half_sat"]) ** row["shape"]
        return row["beta"] * r / (1 + r)


def make_world(
    markets: list[str],
    channels: list[str],
    days: int = 365,
    seed: int = 0,
    start: str = "2024-01-01",
    market_size: dict[str, float] | None = None,
    media_share: float = 0.35,
    demand_following: float = 0.0,
    noise: float = 0.08,
    spend_days: dict[str, int] | None = None,
) -> SyntheticWorld:
    """Generate a world; ``spend_days`` limits a market's data to its last N days (a thin market)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    t = np.arange(days)
    lines = [(m, c) for m in markets for c in channels]
    n_lines = len(lines)
    season = 0.15 * np.sin(2 * math.pi * (t + 30) / 365.25) + 0.06 * np.sin(2 * math.pi * t / 7)
    bf = np.zeros(days)
    for i, d in enumerate(dates):
        if d.month == 11 and 22 <= d.day <= 28 and d.weekday() in (4, 5, 6):
            bf[i] = 0.5
    spend = np.zeros((days, n_lines))
    rows = []
    contributions = np.zeros((days, n_lines))
    hill, geo = SATURATIONS["hill"], ADSTOCKS["geometric"]
    base_rev = {}
    for m in markets:
        size = (market_size or {}).get(m, float(rng.uniform(5_000, 20_000)))
        base_rev[m] = size
    region_shift = {r: rng.normal(0, 0.2) for r in sorted(set(_REGIONS.values()))}
    for n, (m, c) in enumerate(lines):
        size = base_rev[m]
        mean_spend = size * media_share / len(channels) / _CHANNEL_ROAS.get(c, 1.0)
        walk = np.cumsum(rng.normal(0, 0.08, days))
        walk -= walk.mean()
        level = np.exp(walk + demand_following * (season + bf) * 3)
        flights = np.ones(days)
        for _ in range(max(1, days // 120)):
            off = int(rng.integers(0, days - 14))
            flights[off : off + int(rng.integers(5, 14))] = 0.0
        heavy = np.ones(days)
        for _ in range(max(1, days // 180)):
            on = int(rng.integers(0, days - 10))
            heavy[on : on + 10] = 2.0
        daily = mean_spend * level * flights * heavy * rng.lognormal(0, 0.2, days)
        spend[:, n] = daily
        half_sat = float(mean_spend * rng.uniform(0.8, 2.0))
        shape = float(rng.uniform(1.0, 1.8))
        hl = _CHANNEL_HL.get(c, 2.0) * float(rng.uniform(0.7, 1.4))
        weights = geo.weights(np, np.array([hl]), np.array([1.0]), 21)
        carried = apply_adstock(np, lag_tensor(daily[:, None], 21), weights)[:, 0]
        s = hill.value(np, carried, half_sat, shape)
        roas = _CHANNEL_ROAS.get(c, 1.0) * math.exp(region_shift[_REGIONS[m]] + rng.normal(0, 0.15))
        first = days - (spend_days or {}).get(m, days)
        beta = roas * daily[first:].sum() / s[first:].sum()  # ROAS over the visible days
        contributions[:, n] = beta * s
        current = float(daily[-28:].mean())
        r = (current / half_sat) ** shape
        marginal = beta * shape * r / (current * (1 + r) ** 2)
        rows.append({"market": m, "channel": c, "roas": roas, "marginal_roas": marginal,
                     "half_life": hl, "beta": beta, "half_sat": half_sat, "shape": shape,
                     "current_spend": current})
    rev_rows, spend_rows = [], []
    for m in markets:
        idx = [n for n, (mm, _) in enumerate(lines) if mm == m]
        base = base_rev[m] * (1 - media_share) * (1 + season + bf + 0.1 * t / days)
        mean = base + contributions[:, idx].sum(axis=1)
        revenue = mean * (1 + noise * rng.standard_t(5, days))
        first = days - (spend_days or {}).get(m, days)
        for i in range(first, days):
            rev_rows.append({"date": dates[i], "market": m, "revenue": float(max(revenue[i], 0.0)),
                             "orders": int(max(revenue[i], 0.0) / 40)})
            for n in idx:
                spend_rows.append({"date": dates[i], "market": m, "channel": lines[n][1],
                                   "spend": float(spend[i, n])})
    return SyntheticWorld(
        revenue=pd.DataFrame(rev_rows), spend=pd.DataFrame(spend_rows),
        regions={m: _REGIONS[m] for m in markets}, truth=pd.DataFrame(rows),
        contributions=contributions,
    )


def synthetic_claims(world: SyntheticWorld, phi: np.ndarray | None = None, organic: float = 0.25,
                     noise: float = 0.2, informative: bool = True, seed: int = 0) -> pd.DataFrame:
    """Platform claims for a synthetic world: per line and day ``phi`` (default 0.6-2.5x,
    drawn) times the line's true contribution, plus organic buyers following the market's
    revenue (``organic`` x the caused mean), times log-normal noise. ``informative=False``:
    noise around a level proportional to spend, the same claimed ROAS for every line (claims
    that say nothing about the lines). Columns: date, market, channel, claimed_revenue,
    claimed_conversions (at 40 per order)."""
    rng = np.random.default_rng(seed)
    keys = list(world.truth[["market", "channel"]].itertuples(index=False, name=None))
    if phi is None:
        phi = np.exp(rng.uniform(np.log(0.6), np.log(2.5), len(keys)))
    dates = pd.DatetimeIndex(sorted(world.revenue["date"].unique()))
    rev = world.revenue.pivot_table(index="date", columns="market", values="revenue").reindex(dates)
    spend = world.spend.pivot_table(index="date", columns=["market", "channel"], values="spend")
    spend = spend.reindex(dates).fillna(0.0)
    mean_roas = float(world.truth["roas"].mean())
    rows = []
    for n, (m, c) in enumerate(keys):
        caused = phi[n] * world.contributions[-len(dates):, n]
        demand = (rev[m] / rev[m].mean()).to_numpy()
        value = caused + organic * caused.mean() * demand
        if not informative:
            line_spend = spend[(m, c)].to_numpy()
            value = 1.5 * mean_roas * line_spend.mean() * rng.lognormal(0, 0.5, len(dates))
        value = value * rng.lognormal(0, noise, len(dates))
        rows.append(pd.DataFrame({"date": dates, "market": m, "channel": c,
                                  "claimed_revenue": value, "claimed_conversions": value / 40}))
    return pd.concat(rows, ignore_index=True)


__all__ = ["SyntheticWorld", "make_world", "synthetic_claims"]
