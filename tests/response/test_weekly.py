"""Weekly data: detection, weekly sums, the weekly carryover kernel, and recovery of the truth.

The worlds are generated daily (``make_world``) and summed per week, so the truth (ROAS over
the period, current daily spend) is known exactly. The quick Laplace fit runs by default;
the side-by-side comparison with a daily fit of the same world is behind ``-m slow``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.config.response import ResponseSettings
from adbudget.response import fit_model, prepare_data
from adbudget.response.data import resolve_granularity, to_weekly
from adbudget.response.synthetic import make_world
from adbudget.response.transforms import ADSTOCKS, period_matrix

WEEKLY = ResponseSettings(holdout_days=0, max_lag=14)


@pytest.fixture(scope="module")
def world():
    # 3 years: weekly data needs more history than daily for the same information
    return make_world(["US", "DE"], ["meta", "google_search", "tiktok"], days=1092, seed=7)


@pytest.fixture(scope="module")
def weekly(world):
    revenue, spend = to_weekly(world.revenue, world.spend, pd.Timestamp(world.revenue["date"].min()))
    return revenue, spend


@pytest.fixture(scope="module")
def weekly_fit(world, weekly):
    revenue, spend = weekly
    return fit_model(revenue, spend, world.regions, WEEKLY, method="laplace", draws=200)


def _truth(world, result):
    return world.truth.set_index(["market", "channel"]).loc[result.lines]


@pytest.mark.parametrize("name,half_life,shape", [("geometric", 2.5, 1.0), ("weibull", 3.0, 2.0),
                                                  ("delayed_geometric", 2.0, 3.0)])
def test_weekly_kernel_is_the_daily_kernel_summed_into_weeks(name, half_life, shape):
    """One week's spend spread over its 7 days, carried over day by day, then summed per week."""
    adstock = ADSTOCKS[name]
    weeks = 4
    daily = adstock.weights(np, np.array([half_life]), np.array([shape]), weeks * 7)[:, 0]
    daily = daily / daily.sum()
    effect = np.zeros(weeks * 7 + 7)
    for day in range(7):
        effect[day : day + weeks * 7] += daily / 7
    expected = effect[: weeks * 7].reshape(weeks, 7).sum(axis=1)
    got = adstock.weights(np, np.array([half_life]), np.array([shape]), weeks, period_days=7)[:, 0]
    np.testing.assert_allclose(got, expected / expected.sum(), rtol=1e-5)
    assert period_matrix(weeks, 1).shape == (weeks, weeks)
    np.testing.assert_allclose(period_matrix(weeks, 1), np.eye(weeks))


def test_granularity_detection_and_weekly_sums(world):
    rev, sp = world.revenue, world.spend
    assert resolve_granularity(rev, sp)[0] == "daily"
    assert resolve_granularity(rev, sp, "weekly") == ("weekly", pd.Timestamp("2024-01-01"))  # a Monday
    # spend exported weekly (dated on its week starts, here Wednesdays), revenue daily from orders
    anchor = pd.Timestamp("2024-01-03")
    _, sp_week = to_weekly(rev, sp, anchor)
    found, grid = resolve_granularity(rev, sp_week)
    assert found == "weekly" and (grid - anchor).days % 7 == 0  # weeks start on Wednesdays
    rev_week, again = to_weekly(rev, sp_week, anchor)
    pd.testing.assert_frame_equal(again, sp_week)  # already weekly: unchanged
    # the partial first week (Mon-Tue) and last week are dropped; full weeks keep every day
    assert rev_week["date"].min() == anchor
    assert (rev_week["date"].max() + pd.Timedelta(days=6)) <= pd.Timestamp(rev["date"].max())
    us = rev[(rev["market"] == "US") & (pd.to_datetime(rev["date"]) >= anchor)
             & (pd.to_datetime(rev["date"]) < anchor + pd.Timedelta(days=7))]
    first = rev_week[(rev_week["market"] == "US") & (rev_week["date"] == anchor)]
    assert first["revenue"].iloc[0] == pytest.approx(us["revenue"].sum())
    assert sp_week["spend"].sum() == pytest.approx(sp["spend"].sum())


def test_weekly_model_data_in_weeks_with_daily_outputs(world, weekly):
    revenue, spend = weekly
    settings = ResponseSettings(holdout_days=28, max_lag=21, weekly_harmonics=3, yearly_harmonics=4)
    data = prepare_data(revenue, spend, world.regions, settings)
    assert data.period_days == 7 and data.granularity == "weekly"
    assert len(data.dates) == 156 and (~data.train).sum() == 4  # 28 hold-out days = 4 weeks
    assert data.lagged.shape[0] == 3  # 21 days of carryover = 3 weeks
    assert data.fourier.shape[1] == 8  # yearly terms only: no day-of-week on weekly data
    # current spend per DAY (mean of the last 4 weeks / 7), as the planner expects
    truth = world.truth.set_index(["market", "channel"]).loc[data.lines]
    np.testing.assert_allclose(data.current_spend, truth["current_spend"], rtol=1e-9)
    # Black Friday week: the share of its days inside the event (Fri-Mon) or its lead-in
    bf = data.holiday_names.index("black_friday")
    week = data.dates.get_loc(pd.Timestamp("2024-11-25"))  # Mon 25 Nov; Black Friday is the 29th
    assert 0 < data.holidays[week, 0, bf] < 1
    assert data.holidays[:, 0, bf].sum() == pytest.approx(
        prepare_data(world.revenue, world.spend, world.regions, settings).holidays[:, 0, bf].sum() / 7,
        rel=0.05)


def test_weekly_fit_recovers_roas_with_daily_curves(world, weekly_fit):
    r = weekly_fit
    truth = _truth(world, r)
    s = r.summary
    assert r.diagnostics["period_days"] == 7
    mape = np.mean(np.abs(s["roas"].to_numpy() / truth["roas"].to_numpy() - 1))
    assert mape < 0.2, s[["market", "channel", "roas"]].assign(truth=truth["roas"].to_numpy())
    inside = (truth["roas"].to_numpy() >= s["roas_lo"].to_numpy()) & (
        truth["roas"].to_numpy() <= s["roas_hi"].to_numpy())
    assert inside.mean() >= 0.6
    # curves are daily spend -> daily revenue: at the current daily spend, a daily curve's
    # revenue per unit spend is of the order of the line's ROAS (a weekly curve would be 7x off)
    curves = r.curves()
    per_unit = curves.response(r.current_spend).mean(axis=0) / r.current_spend
    assert np.all(per_unit > 0.3 * truth["roas"].to_numpy())
    assert np.all(per_unit < 3.0 * truth["roas"].to_numpy())
    # half-lives are reported in days
    assert s["half_life"].between(0.3, 8).all()


@pytest.mark.slow
def test_weekly_recovers_roas_about_as_well_as_daily(world, weekly_fit):
    daily = fit_model(world.revenue, world.spend, world.regions, WEEKLY, method="laplace", draws=200)

    def mape(result):
        truth = _truth(world, result)
        return np.mean(np.abs(result.summary["roas"].to_numpy() / truth["roas"].to_numpy() - 1))

    assert daily.diagnostics["period_days"] == 1
    assert mape(weekly_fit) <= mape(daily) + 0.08
    # the same world fitted daily and weekly: the curves' marginal ROAS at current spend agree
    m_w = weekly_fit.summary["marginal_roas"].to_numpy()
    m_d = daily.summary["marginal_roas"].to_numpy()
    assert np.corrcoef(np.log(m_w), np.log(m_d))[0, 1] > 0.7
