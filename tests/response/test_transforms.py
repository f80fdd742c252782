"""Adstock and saturation maths: every registry entry against naive formulas and invariants."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.curves import HillCurves
from adbudget.response.curves import FittedCurves
from adbudget.response.holidays import _black_friday, holiday_features
from adbudget.response.transforms import ADSTOCKS, SATURATIONS, apply_adstock, lag_tensor


@settings(max_examples=30, deadline=None)
@given(
    spend=st.lists(st.floats(0, 1000), min_size=5, max_size=40),
    half_life=st.floats(0.3, 10),
)
def test_matmul_adstock_equals_recursive_geometric(spend, half_life):
    x = np.array(spend)[:, None]
    lag = 30
    w = ADSTOCKS["geometric"].weights(np, np.array([half_life]), np.array([1.0]), lag)
    got = apply_adstock(np, lag_tensor(x, lag), w)[:, 0]
    alpha = 0.5 ** (1 / half_life)
    carry, want = 0.0, []
    for t, s in enumerate(spend):
        carry = alpha * carry + s
        # drop what left the window L days ago
        if t >= lag:
            carry -= alpha**lag * spend[t - lag]
        want.append(carry)
    norm = (1 - alpha**lag) / (1 - alpha)
    np.testing.assert_allclose(got, np.array(want) / norm, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(ADSTOCKS))
def test_kernels_sum_to_one_and_steady_spend_is_kept(name):
    w = ADSTOCKS[name].weights(np, np.array([1.0, 3.0, 6.0]), np.array([1.5, 1.0, 2.0]), 21)
    np.testing.assert_allclose(w.sum(axis=0), 1.0, rtol=1e-9)
    assert (w >= 0).all()
    steady = apply_adstock(np, lag_tensor(np.full((60, 3), 100.0), 21), w)
    np.testing.assert_allclose(steady[30:], 100.0, rtol=1e-9)


def test_weibull_median_lag_is_half_life():
    w = ADSTOCKS["weibull"].weights(np, np.array([4.0]), np.array([2.0]), 60)[:, 0]
    assert np.cumsum(w)[3] == pytest.approx(0.5, abs=1e-6)  # CDF at 4 days = 0.5


@pytest.mark.parametrize("name", sorted(SATURATIONS))
def test_saturation_rises_to_one_slope_and_inverse(name):
    sat = SATURATIONS[name]
    x = np.linspace(0.01, 20, 400)
    scale, shape = 1.3, 1.4
    v = sat.value(np, x, scale, shape)
    assert (np.diff(v) > 0).all() and v[-1] < 1 and sat.value(np, 1e6, scale, shape) == pytest.approx(1, abs=1e-3)
    h = 1e-5
    numeric = (sat.value(np, x + h, scale, shape) - sat.value(np, x - h, scale, shape)) / (2 * h)
    np.testing.assert_allclose(sat.slope(np, x, scale, shape), numeric, rtol=1e-4, atol=1e-8)
    for q in (0.2, 0.5, 0.8):
        assert sat.value(np, sat.inverse(q, scale, shape), scale, shape) == pytest.approx(q)


def test_fitted_hill_curves_match_reference_implementation():
    rng = np.random.default_rng(0)
    beta, half, k = rng.uniform(100, 500, (7, 3)), rng.uniform(50, 200, (7, 3)), rng.uniform(0.8, 2, (7, 3))
    lines = [("US", "meta"), ("US", "tiktok"), ("DE", "meta")]
    ours = FittedCurves(lines, "hill", beta, half, k, np.array([10.0, 20.0, 30.0]))
    ref = HillCurves(lines, beta, half, k)
    grid = np.array([[0.0, 1.0, 5.0], [80.0, 150.0, 400.0]])
    np.testing.assert_allclose(ours.response(grid), ref.response(grid), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.marginal(grid[1]), ref.marginal(grid[1]), rtol=1e-8)
    assert ours.response(grid).shape == (7, 2, 3)
    sub = ours.subset(markets=["DE"])
    assert sub.lines == [("DE", "meta")] and sub.response(np.array([5.0])).shape == (7, 1)


def test_black_friday_and_holiday_features():
    assert _black_friday(2024) == date(2024, 11, 29)
    assert _black_friday(2025) == date(2025, 11, 28)
    dates = pd.date_range("2024-11-01", "2024-12-31")
    feats, names = holiday_features(dates, ["NA", "SEA"], lead_days=2)
    bf = feats[:, :, names.index("black_friday")]
    i = list(dates.date).index(date(2024, 11, 29))
    assert bf[i, 0] == 1 and bf[i - 1, 0] == pytest.approx(2 / 3) and bf[i + 3, 0] == 1
    assert feats[:, 0, names.index("singles_day")].sum() == 0  # 11.11 is not an NA event
    assert feats[list(dates.date).index(date(2024, 11, 11)), 1, names.index("singles_day")] == 1
