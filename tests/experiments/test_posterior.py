"""Posterior draws against closed forms and known truth; invariants of the summaries."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.experiments.posterior import metric_draws, order_value_cv2, summarize_draws
from adbudget.experiments.simulation import order_values


def test_conversion_rate_posterior_is_beta_binomial():
    clicks = np.array([[1000.0], [50.0]])
    conv = np.array([[30.0], [0.0]])
    draws = metric_draws(clicks, clicks, conv, conv * 40, metric="conversion_rate", n_draws=200_000)
    a, b = 1 + conv[:, 0], 1 + clicks[:, 0] - conv[:, 0]
    np.testing.assert_allclose(draws.mean(-1), a / (a + b), rtol=0.01)
    np.testing.assert_allclose(draws.var(-1), a * b / ((a + b) ** 2 * (a + b + 1)), rtol=0.03)


def test_order_value_cv_is_recovered_from_daily_totals(rng):
    # 2 arms x 60 days, 10-40 orders a day, true CV 1.5 (log-normal orders)
    conv = rng.integers(10, 40, size=(2, 60)).astype(float)
    rev = np.array([[order_values(int(n), 50.0, 1.5, rng).sum() for n in row] for row in conv])
    cv2, df = order_value_cv2(conv, rev, prior_cv=1.0)
    assert df == 118
    assert abs(np.sqrt(cv2) - 1.5) < 0.3


def test_roas_posterior_centres_on_truth(rng):
    # true ROAS = cvr x order value / cpc = 0.04 x 50 / 0.8 = 2.5
    clicks = np.full((1, 30), 2000.0)
    conv = rng.binomial(2000, 0.04, size=(1, 30)).astype(float)
    rev = np.array([[order_values(int(n), 50.0, 1.0, rng).sum() for n in conv[0]]])
    for model in ("gamma", "gamma_mc"):
        draws = metric_draws(clicks * 0.8, clicks, conv, rev, revenue_model=model, n_draws=20_000, rng=rng)
        lo, hi = np.quantile(draws[0], [0.005, 0.995])
        assert lo < 2.5 < hi
        assert abs(draws.mean() - 2.5) < 0.1


def test_heavier_tail_widens_the_interval(rng):
    clicks = np.full((1, 14), 500.0)
    conv = np.full((1, 14), 10.0)
    calm = np.full((1, 14), 400.0)  # every day's average order is 40
    wild = calm.copy()
    wild[0, ::3] = 4000.0  # a few days with one huge order
    w_calm = metric_draws(clicks, clicks, conv, calm, n_draws=20_000, rng=rng)
    w_wild = metric_draws(clicks, clicks, conv, wild, n_draws=20_000, rng=rng)
    rel = lambda d: np.diff(np.quantile(d[0], [0.05, 0.95]))[0] / d.mean()  # noqa: E731
    assert rel(w_wild) > 1.5 * rel(w_calm)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000))
def test_summary_invariants(n_arms, seed):
    rng = np.random.default_rng(seed)
    draws = rng.gamma(5.0, 1.0, size=(n_arms, 500)) * rng.uniform(0.5, 2.0, size=(n_arms, 1))
    s = summarize_draws(draws, control=0)
    assert abs(s.p_best.sum() - 1) < 1e-9
    assert (s.expected_loss >= 0).all()
    # the arm most often best has the smallest expected loss or nearly so
    assert s.expected_loss[np.argmax(s.p_best)] <= s.expected_loss.min() + 0.5
    assert np.isnan(s.p_beat_control[0]) and np.all((s.p_beat_control[1:] >= 0) & (s.p_beat_control[1:] <= 1))
    assert (s.lo <= s.mean).all() and (s.mean <= s.hi).all()


def test_identical_arms_split_p_best():
    draws = np.random.default_rng(1).normal(1.0, 0.1, size=(1, 2, 100_000))
    draws[0, 1] = draws[0, 0][::-1]
    s = summarize_draws(draws, np.array([0]))
    np.testing.assert_allclose(s.p_best[0], [0.5, 0.5], atol=0.01)
    np.testing.assert_allclose(s.expected_loss[0, 0], s.expected_loss[0, 1], rtol=0.02)
