"""Daily panel of a market: FX, base demand, human-made spend per campaign, true response.

Spend is what a human team does: budgets that step up and down, follow anticipated demand
(peak season, promotions), flight on and off, go dark and heavy up. The true incremental
revenue is computed from the spend actually written to the files (rounded local amounts
divided by the written FX rate), so the truth and the files agree to the cent.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.simulate.brand import apply_brand
from adbudget.simulate.calendar import holiday_factors, weekly_factor, yearly_factor
from adbudget.simulate.forms import ADSTOCKS, SATURATIONS, carryover
from adbudget.simulate.spec import FX_LEVEL, PEGGED, LineSpec, MarketSpec, WorldSpec

KERNEL_LENGTH = 28


def dates_of(spec: WorldSpec) -> np.ndarray:
    """The simulated days, datetime64[D]."""
    return np.arange(np.datetime64(spec.start), np.datetime64(spec.end) + 1)


def fx_series(spec: WorldSpec, currency: str) -> np.ndarray:
    """Daily units of ``currency`` per base unit, rounded to 6 decimals as written."""
    n = spec.days
    if currency == spec.base_currency:
        return np.ones(n)
    level = FX_LEVEL.get(currency, 1.0)
    if currency in PEGGED:
        return np.full(n, round(level, 6))
    rng = np.random.default_rng([spec.seed, 2, zlib.crc32(currency.encode())])
    vol = rng.uniform(0.002, 0.006)
    steps = rng.normal(0, vol, n)
    walk = np.cumsum(steps) - 0.98 * np.cumsum(steps).mean()
    return np.round(level * np.exp(walk), 6)


def anticipated_demand(market: MarketSpec, dates: np.ndarray) -> np.ndarray:
    """Demand the seller can foresee (season and holidays): budgets follow it."""
    hol, _ = holiday_factors(dates, market.code, market.region)
    return yearly_factor(dates, market.region, market.yearly_jitter) * hol


def line_conditions(market: MarketSpec, line: LineSpec, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cost index, ad effectiveness) of a line on each date: deterministic in the date."""
    _, cost = holiday_factors(dates, market.code, market.region)
    effect = anticipated_demand(market, dates) ** line.rho
    return cost, effect


def kernel(line: LineSpec) -> np.ndarray:
    """The line's carryover weights (sum 1)."""
    return ADSTOCKS[line.adstock](line.decay, KERNEL_LENGTH, line.peak)


def steady_response(line: LineSpec, spend: np.ndarray, cost: np.ndarray, effect: np.ndarray) -> np.ndarray:
    """Gross incremental revenue per day at a steady daily spend, averaged over the days.

    ``spend`` (...,) -> (...,); ``cost``/``effect`` (n_days,).
    """
    s = np.asarray(spend, dtype=float)[..., None]
    x = s / (cost * line.half)
    f = SATURATIONS[line.saturation].value(x, np.asarray(line.k))
    return line.beta * (f * effect).mean(axis=-1)


def steady_marginal(line: LineSpec, spend: np.ndarray, cost: np.ndarray, effect: np.ndarray) -> np.ndarray:
    """d steady_response / d spend."""
    s = np.asarray(spend, dtype=float)[..., None]
    x = s / (cost * line.half)
    g = SATURATIONS[line.saturation].slope(x, np.asarray(line.k))
    return line.beta * (g * effect / (cost * line.half)).mean(axis=-1)


@dataclass
class MarketPanel:
    """Every daily array of one market (base currency unless named *_minor)."""

    market: MarketSpec
    dates: np.ndarray
    fx: np.ndarray  # (days,)
    base_gross: np.ndarray  # expected organic gross revenue per day
    lines: list[LineSpec]
    campaign_minor: list[np.ndarray]  # per line (n_campaigns, days) local minor units
    spend: np.ndarray  # (n_lines, days) realized spend, base currency
    cost: np.ndarray  # (n_lines, days)
    effect: np.ndarray  # (n_lines, days)
    incr_gross: np.ndarray  # (n_lines, days) expected incremental gross revenue


def _steps(rng: np.random.Generator, n: int, every: float, sd: float) -> np.ndarray:
    """Piecewise-constant log-level with mean-reverting jumps at random change points."""
    out = np.zeros(n)
    level = 0.0
    t = int(rng.exponential(every))
    while t < n:
        level += rng.normal(0, sd) - 0.3 * level
        out[t:] = level
        t += max(7, int(rng.exponential(every)))
    return np.exp(out)


def _flight(rng: np.random.Generator, n: int) -> np.ndarray:
    out = np.zeros(n)
    t = 0
    on = bool(rng.random() < 0.5)
    while t < n:
        length = int(rng.integers(7, 22)) if on else int(rng.integers(5, 15))
        out[t:t + length] = 1.5 if on else 0.0
        t += length
        on = not on
    return out


def market_panel(spec: WorldSpec, market: MarketSpec) -> MarketPanel:
    """Generate one market's daily panel (deterministic in the seed and market)."""
    rng = np.random.default_rng([spec.seed, 3, zlib.crc32(market.code.encode())])
    dates = dates_of(spec)
    n = len(dates)
    t = np.arange(n)
    fx = fx_series(spec, market.currency)
    anticipated = anticipated_demand(market, dates)
    hol, _ = holiday_factors(dates, market.code, market.region)
    # Organic demand: trend x week x year x holidays x AR(1) noise, zero before entry.
    ar = np.zeros(n)
    eps = rng.normal(0, market.noise, n)
    for i in range(1, n):
        ar[i] = 0.6 * ar[i - 1] + eps[i]
    trend = np.exp(market.growth * (t - (n - 1)) / 365.0)
    live = t >= market.entry_day
    ramp = np.where(live, 1 - np.exp(-(t - market.entry_day + 1) / 30.0), 0.0)
    if market.entry_day == 0:  # an established market: no ramp-up at the start of the data
        ramp = np.ones(n)
    base = market.level * trend * weekly_factor(dates, market.region) * anticipated * np.exp(ar) * ramp
    lines = spec.lines_of(market.code)
    market_steps = _steps(rng, n, 35, 0.12)
    scale = 10 ** market.minor_units
    campaign_minor, spend, cost, effect, incr = [], [], [], [], []
    for line in lines:
        plan = line.spend0 * market_steps * _steps(rng, n, 45, 0.15)
        # budgets follow what the team can foresee: season, holidays and the business's growth
        plan *= (anticipated / anticipated.mean() * trend / trend.mean()) ** (
            market.follow * rng.uniform(0.7, 1.3))
        plan *= np.exp(rng.normal(0, 0.08, n))
        if line.flighting:
            plan *= _flight(rng, n)
        for start, length, factor in line.heavy_up:
            plan[start:start + length] *= factor
        if line.go_dark:
            start, length = line.go_dark
            plan[start:start + length] = 0.0
        on = t >= line.launch_day
        if line.launch_day > 0:  # a new line (or market) ramps up over two weeks
            plan *= np.where(on, np.minimum(1.0, (t - line.launch_day + 1) / 14.0), 0.0)
        # Split over campaigns with shares that change every month or two.
        k = len(line.campaigns)
        shares = np.zeros((k, n))
        s0 = 0
        while s0 < n:
            length = int(rng.integers(30, 75))
            shares[:, s0:s0 + length] = rng.dirichlet(np.full(k, 3.0))[:, None]
            s0 += length
        minor = np.round(plan[None, :] * shares * fx[None, :] * scale).astype(np.int64)
        campaign_minor.append(minor)
        realized = minor.sum(axis=0) / scale / fx
        c, e = line_conditions(market, line, dates)
        x = carryover(realized / c / line.half, kernel(line))
        resp = line.beta * SATURATIONS[line.saturation].value(x, np.asarray(line.k)) * e
        spend.append(realized)
        cost.append(c)
        effect.append(e)
        incr.append(resp)
    del hol
    empty = np.zeros((0, n))
    return apply_brand(spec, MarketPanel(
        market=market, dates=dates, fx=fx, base_gross=base, lines=lines,
        campaign_minor=campaign_minor,
        spend=np.asarray(spend) if spend else empty,
        cost=np.asarray(cost) if cost else empty,
        effect=np.asarray(effect) if effect else empty,
        incr_gross=np.asarray(incr) if incr else empty,
    ))


def daily_lines_frame(panels: list[MarketPanel]) -> pd.DataFrame:
    """Truth per market x channel x day: spend and expected incremental revenue (base)."""
    frames = []
    for p in panels:
        r = 1 - p.market.return_rate_pct / 100
        for i, line in enumerate(p.lines):
            frames.append(pd.DataFrame({
                "date": p.dates, "market": line.market, "channel": line.channel,
                "spend": p.spend[i], "incremental_revenue": p.incr_gross[i] * r,
                "incremental_revenue_gross": p.incr_gross[i],
            }))
    return pd.concat(frames, ignore_index=True)


__all__ = [
    "MarketPanel", "anticipated_demand", "daily_lines_frame", "dates_of", "fx_series", "kernel",
    "line_conditions", "market_panel", "steady_marginal", "steady_response",
]
