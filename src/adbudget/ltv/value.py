"""Customer value per market (and market x channel): what a new customer is worth over a
horizon, what the existing customers will still buy, and the LTV multiplier for the planner.

Expected value of a new customer over ``h`` days = first order + E[X(h)] repeat purchases
(BG/NBD, unconditional) x expected spend per repeat purchase (Gamma-Gamma population mean).
Profit uses the group's observed contribution margin on repeat orders. Intervals come from
Laplace draws of both models' parameters (parameter uncertainty, not customer-level noise).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from adbudget.ltv.bgnbd import (
    conditional_expected_purchases,
    expected_purchases_new,
    prob_alive,
)
from adbudget.ltv.gammagamma import conditional_expected_spend, population_mean_spend
from adbudget.ltv.pooling import GroupFit, Key, fit_hierarchy
from adbudget.ltv.summary import DAYS_PER_WEEK

ALL = "*"


@dataclass(frozen=True)
class SegmentValue:
    """Value of one group's customers; money per customer in the base currency."""

    market: str
    channel: str
    customers: int
    fit_customers: int  # customers acquired in the fit window (the models' data)
    repeaters: int
    first_revenue: float
    first_profit: float
    repeat_purchases: float
    repeat_purchases_lo: float
    repeat_purchases_hi: float
    spend_per_repeat: float
    repeat_margin: float
    value: float
    value_lo: float
    value_hi: float
    profit: float
    profit_lo: float
    profit_hi: float
    multiplier: float | None
    existing_purchases: float
    existing_revenue: float
    existing_revenue_lo: float
    existing_revenue_hi: float
    p_alive: float
    holdout_predicted: float | None
    holdout_actual: float | None
    bgnbd: dict[str, float]
    gamma_gamma: dict[str, float] | None
    bgnbd_pooling: float
    gg_pooling: float


@dataclass(frozen=True)
class LtvReport:
    """Every group's value and the fitted parameters of every model."""

    calibration_end: str
    holdout_end: str
    holdout_days: int
    horizon_days: int
    interval: float
    fit_window_days: int | None = None
    segments: list[SegmentValue] = field(default_factory=list)

    def table(self, by: str = "market") -> pd.DataFrame:
        """Segments as a DataFrame: ``by='market'`` (one row per market, plus '*' = all),
        ``by='channel'`` (market x channel cells)."""
        rows = [s for s in self.segments if (s.channel == ALL) == (by == "market")]
        return pd.DataFrame([{k: v for k, v in s.__dict__.items()
                              if k not in ("bgnbd", "gamma_gamma")} for s in rows])

    def multipliers(self, channels: Sequence[str] = ()) -> dict[tuple[str, str], float]:
        """(market, channel) -> expected horizon profit per acquired customer / first-order profit.

        Cells come from market x channel fits; each of ``channels`` that a market has no
        customers from gets the market's own multiplier (a better guess than 1.0).
        """
        out: dict[tuple[str, str], float] = {}
        market_level: dict[str, float] = {}
        for s in self.segments:
            if s.market == ALL or s.multiplier is None:
                continue
            if s.channel == ALL:
                market_level[s.market] = s.multiplier
            else:
                out[(s.market, s.channel)] = s.multiplier
        for market, value in market_level.items():
            for channel in channels:
                out.setdefault((market, channel), value)
        return out


def _quantiles(draws: np.ndarray, interval: float) -> tuple[float, float]:
    d = draws[np.isfinite(draws)]
    if len(d) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(d, [(1 - interval) / 2, (1 + interval) / 2])
    return float(lo), float(hi)


def _quiet(func):
    """Extreme Laplace draws may overflow; they are dropped from the intervals, not reported."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    return wrapper


@_quiet
def segment_value(
    fit: GroupFit,
    data: pd.DataFrame,
    recent: pd.DataFrame | None = None,
    *,
    horizon_days: int,
    holdout_weeks: float,
    interval: float = 0.9,
    draws: int = 200,
    max_multiplier: float = 10.0,
    seed: int = 0,
) -> SegmentValue:
    """Value of one group from its fitted models and its customers' summaries."""
    h = horizon_days / DAYS_PER_WEEK
    bg, gg = fit.bgnbd, fit.gamma_gamma
    # a new customer looks like the recently acquired ones (the fit window), when there are any
    new = recent if recent is not None and len(recent) else data
    first_rev = float(new["first_revenue"].mean())
    first_profit = float(new["first_profit"].mean())
    rep_rev = float(new["repeat_revenue"].sum())
    rep_profit = float(new["repeat_profit"].sum())
    if rep_rev > 0:
        margin = rep_profit / rep_rev
    else:
        margin = float(new["first_profit"].sum() / max(new["first_revenue"].sum(), 1e-9))
    spend = gg.mean_spend if gg is not None else first_rev
    if not np.isfinite(spend):
        spend = first_rev
    bg_draws = bg.draws(draws, seed)
    ex_draws = expected_purchases_new(bg_draws, h).reshape(-1)
    if gg is not None:
        sp_draws = population_mean_spend(gg.draws(draws, seed + 1))
        sp_draws = np.where(np.isfinite(sp_draws), sp_draws, spend)
    else:
        sp_draws = np.full(draws, spend)
    ex = float(expected_purchases_new(bg, h).reshape(-1)[0])
    value = first_rev + ex * spend
    value_draws = first_rev + ex_draws * sp_draws
    profit = first_profit + ex * spend * margin
    profit_draws = first_profit + ex_draws * sp_draws * margin
    mult = None
    if first_profit > 0:
        mult = float(min(profit / first_profit, max_multiplier))
    # the existing customers: what they will still buy over the horizon, after the calibration end
    x, t_x, T = (data[c].to_numpy(dtype=float) for c in ("x", "t_x", "T"))
    cond = conditional_expected_purchases(bg, h, x, t_x, T)
    cond_spend = (conditional_expected_spend(gg, x, data["m"].to_numpy(dtype=float))
                  if gg is not None else np.full(len(x), spend))
    existing_rev = float(np.sum(cond * cond_spend))
    sub = _subsample(len(x), 500, seed)  # parameter draws x customers: a ratio estimate
    cond_draws = conditional_expected_purchases(bg_draws, h, x[sub], t_x[sub], T[sub])
    point_sub = float(np.sum(cond[sub] * cond_spend[sub]))
    ex_rev_draws = (cond_draws * cond_spend[sub]).sum(axis=1) * (existing_rev / max(point_sub, 1e-12))
    hold_pred = hold_act = None
    if holdout_weeks > 0:
        hold_pred = float(np.sum(conditional_expected_purchases(bg, holdout_weeks, x, t_x, T)))
        hold_act = float(data["hold_x"].sum())
    ex_lo, ex_hi = _quantiles(ex_draws, interval)
    v_lo, v_hi = _quantiles(value_draws, interval)
    p_lo, p_hi = _quantiles(profit_draws, interval)
    e_lo, e_hi = _quantiles(ex_rev_draws, interval)
    key = fit.key + (ALL,) * (2 - len(fit.key))
    customers = len(data)
    return SegmentValue(
        market=key[0], channel=key[1], customers=customers, fit_customers=fit.n_customers,
        repeaters=fit.n_repeaters,
        first_revenue=first_rev, first_profit=first_profit,
        repeat_purchases=ex, repeat_purchases_lo=ex_lo, repeat_purchases_hi=ex_hi,
        spend_per_repeat=float(spend), repeat_margin=float(margin),
        value=float(value), value_lo=v_lo, value_hi=v_hi,
        profit=float(profit), profit_lo=p_lo, profit_hi=p_hi, multiplier=mult,
        existing_purchases=float(cond.sum()), existing_revenue=existing_rev,
        existing_revenue_lo=e_lo, existing_revenue_hi=e_hi,
        p_alive=float(np.mean(prob_alive(bg, x, t_x, T))) if len(x) else float("nan"),
        holdout_predicted=hold_pred, holdout_actual=hold_act,
        bgnbd=bg.as_dict(), gamma_gamma=gg.as_dict() if gg is not None else None,
        bgnbd_pooling=fit.bgnbd_pooling, gg_pooling=fit.gg_pooling,
    )


def _subsample(n: int, k: int, seed: int) -> np.ndarray:
    if n <= k:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def ltv_report(
    summary: pd.DataFrame,
    *,
    horizon_days: int = 180,
    by_channel: bool = True,
    interval: float = 0.9,
    draws: int = 200,
    market_prior_sd: float | None = None,
    channel_prior_sd: float = 0.5,
    min_customers: int = 500,
    max_multiplier: float = 10.0,
    fit_window_days: int | None = None,
    seed: int = 0,
) -> LtvReport:
    """Fit the hierarchy on customer summaries and value every group (pool = market '*').

    ``fit_window_days`` fits the models on customers acquired in the last so many days before
    the calibration end only (behaviour drifts; older cohorts mislead), while every customer
    is still valued (P(alive), expected purchases) with those models. Falls back to all
    customers when the window holds fewer than 100.
    """
    recent = summary
    cal_end = summary.attrs.get("calibration_end")
    if fit_window_days is not None and cal_end is not None:
        start = pd.Timestamp(cal_end) - pd.Timedelta(days=fit_window_days)
        win = summary[summary["first_date"] > start]
        if len(win) >= 100:
            recent = win
    fits = fit_hierarchy(
        recent, by_channel=by_channel, market_prior_sd=market_prior_sd,
        channel_prior_sd=channel_prior_sd, min_customers=min_customers,
    )
    holdout_weeks = float(summary.attrs.get("holdout_weeks", 0.0))
    segments = []
    for key, fit in fits.items():
        data = _rows(summary, key)
        segments.append(segment_value(
            fit, data, _rows(recent, key), horizon_days=horizon_days, holdout_weeks=holdout_weeks,
            interval=interval, draws=draws, max_multiplier=max_multiplier, seed=seed,
        ))
    hold_end = summary.attrs.get("holdout_end")
    return LtvReport(
        calibration_end=str(pd.Timestamp(cal_end).date()) if cal_end is not None else "",
        holdout_end=str(pd.Timestamp(hold_end).date()) if hold_end is not None else "",
        holdout_days=int(round(holdout_weeks * DAYS_PER_WEEK)),
        horizon_days=horizon_days, interval=interval, fit_window_days=fit_window_days,
        segments=segments,
    )


def _rows(summary: pd.DataFrame, key: Key) -> pd.DataFrame:
    mask = np.ones(len(summary), dtype=bool)
    if len(key) >= 1:
        mask &= (summary["market"] == key[0]).to_numpy()
    if len(key) >= 2:
        mask &= (summary["channel"] == key[1]).to_numpy()
    return summary[mask]


__all__ = ["ALL", "LtvReport", "SegmentValue", "ltv_report", "segment_value"]
