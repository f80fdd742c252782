"""Scale tests (lift tests that compare two spend levels) in the response model's likelihood.

A holdout measures what a line's spend earned: its average return. A scale test (test cells at
1.5-2x budget against cells at business as usual) measures what the spend beyond the baseline
earned: the slope of the curve, which observational data hardly pins. These tests check the
prediction against the curve computed independently, and that on a fitted world a scale test
moves the line's marginal ROAS toward the truth where a holdout of the same precision does not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.config.response import ResponseSettings
from adbudget.response import fit_model
from adbudget.response.data import prepare_data
from adbudget.response.model import compute, lift_prediction, make_spec
from adbudget.response.transforms import ADSTOCKS, SATURATIONS, apply_adstock, lag_tensor

from .helpers import TEST_LAG, shared_world

QUICK = ResponseSettings(holdout_days=0, max_lag=TEST_LAG)
LINE = ("FR", "google_search")  # the line whose marginal ROAS the observational fit misses most


@pytest.fixture(scope="module")
def world():
    return shared_world()


def _window(world, line, start_from_end=120, days=28):
    spend = world.spend[(world.spend.market == line[0]) & (world.spend.channel == line[1])].reset_index(drop=True)
    window = slice(len(spend) - start_from_end, len(spend) - start_from_end + days)
    return spend, window


def _test_row(daily, window, line, **values):
    return {"test_id": "t", "market": line[0], "channel": line[1],
            "start_date": daily["date"].iloc[window.start], "end_date": daily["date"].iloc[window.stop - 1],
            **values}


def _true_response(world, line, daily):
    """The synthetic world's own curve: geometric carryover, then Hill (its generator's form)."""
    row = world.truth.set_index(["market", "channel"]).loc[line]
    weights = ADSTOCKS["geometric"].weights(np, np.array([row["half_life"]]), np.array([1.0]), 21)
    carried = apply_adstock(np, lag_tensor(np.asarray(daily, float)[:, None], 21), weights)[:, 0]
    return row["beta"] * SATURATIONS["hill"].value(np, carried, row["half_sat"], row["shape"])


def _spec_and_draw(world, lift, seed=0):
    data = prepare_data(world.revenue, world.spend, world.regions, QUICK, lift)
    spec = make_spec(data, QUICK)
    z = np.random.default_rng(seed).normal(0, 0.5, spec.n_latent).astype(np.float32)
    return data, spec, compute(spec, z)


def _curve_gain(data, spec, out, share, hi, lo):
    """The drawn curve's window response between intensities ``hi`` and ``lo`` of today's
    carried spend, for a cell with ``share`` of the line's window spend (by hand, in NumPy)."""
    n = data.lines.index(LINE)
    carried = np.asarray(out["carried"])[:, n]
    scale, shape, beta = (float(np.asarray(out["lines"][k])[n]) for k in ("sat_scale", "sat_shape", "beta"))
    hill = SATURATIONS["hill"]
    gain = beta * (hill.value(np, hi * carried, scale, shape) - hill.value(np, lo * carried, scale, shape))
    return share * (np.asarray(spec.arrays["lift_window"])[0] * gain).sum()


def test_a_holdout_predicts_the_window_contribution_times_the_cell_share(world):
    spend, window = _window(world, LINE)
    w_spend = float(spend["spend"].iloc[window].sum())
    lift = pd.DataFrame([_test_row(spend, window, LINE, spend=0.25 * w_spend, incremental_revenue=1.0,
                                   incremental_revenue_se=1.0)])
    data, spec, out = _spec_and_draw(world, lift)
    n = data.lines.index(LINE)
    contrib = np.asarray(out["contrib"])[:, n]
    expected = 0.25 * (np.asarray(spec.arrays["lift_window"])[0] * contrib).sum()
    np.testing.assert_allclose(float(lift_prediction(spec, out)[0]), expected, rtol=1e-5)


def test_a_scale_test_predicts_the_gain_between_the_two_spend_levels(world):
    spend, window = _window(world, LINE)
    w_spend = float(spend["spend"].iloc[window].sum())
    # a cell with a tenth of the market's spend, at 2x against 1x
    lift = pd.DataFrame([_test_row(spend, window, LINE, spend=0.2 * w_spend, baseline_spend=0.1 * w_spend,
                                   incremental_revenue=1.0, incremental_revenue_se=1.0)])
    data, spec, out = _spec_and_draw(world, lift, seed=3)
    expected = _curve_gain(data, spec, out, share=0.1, hi=2.0, lo=1.0)
    assert expected > 0
    np.testing.assert_allclose(float(lift_prediction(spec, out)[0]), expected, rtol=1e-4)


def test_a_test_without_contrast_is_left_out_with_a_notice(world):
    spend, window = _window(world, LINE)
    lift = pd.DataFrame([_test_row(spend, window, LINE, spend=100.0, baseline_spend=100.0,
                                   incremental_revenue=5.0, incremental_revenue_se=1.0)])
    data = prepare_data(world.revenue, world.spend, world.regions, QUICK, lift)
    assert data.lift_line.size == 0
    assert [n.key for n in data.notices if "lift" in n.key] == ["response.notice.lift_no_contrast"]


def test_a_scale_test_moves_the_marginal_roas_toward_the_truth_a_holdout_does_not(world):
    spend, window = _window(world, LINE)
    daily = spend["spend"].to_numpy()
    base = _true_response(world, LINE, daily)
    doubled = daily.copy()
    doubled[window] *= 2
    gain = float((_true_response(world, LINE, doubled) - base)[window].sum())
    contribution = float(base[window].sum())
    w_spend = float(daily[window].sum())
    se = 0.1 * contribution  # both tests equally precise
    holdout = pd.DataFrame([_test_row(spend, window, LINE, spend=w_spend, incremental_revenue=contribution,
                                      incremental_revenue_se=se)])
    scale = pd.DataFrame([_test_row(spend, window, LINE, spend=2 * w_spend, baseline_spend=w_spend,
                                    incremental_revenue=gain, incremental_revenue_se=se)])
    truth = float(world.truth.set_index(["market", "channel"]).loc[LINE, "marginal_roas"])

    def error(lift):
        r = fit_model(world.revenue, world.spend, world.regions, QUICK, method="laplace", draws=200,
                      lift_tests=lift)
        return abs(np.log(float(r.summary.set_index(["market", "channel"]).loc[LINE, "marginal_roas"]) / truth))

    none, with_holdout, with_scale = error(None), error(holdout), error(scale)
    print(f"{LINE} |log marginal-ROAS error|: no test {none:.3f}, holdout {with_holdout:.3f}, "
          f"scale test {with_scale:.3f}")
    assert none > 0.3  # the observational fit really misses this line (else the test shows nothing)
    assert with_scale < 0.5 * none
    assert with_holdout > 0.8 * none


def test_a_scale_down_test_predicts_the_revenue_given_up(world):
    """Cells cut to half their budget against cells at business as usual: the result is the
    (negative) revenue the cut gave up, from the same curve read the other way."""
    spend, window = _window(world, LINE)
    w_spend = float(spend["spend"].iloc[window].sum())
    down = pd.DataFrame([_test_row(spend, window, LINE, spend=0.05 * w_spend, baseline_spend=0.1 * w_spend,
                                   incremental_revenue=-1.0, incremental_revenue_se=1.0)])
    data, spec, out = _spec_and_draw(world, down, seed=4)
    expected = _curve_gain(data, spec, out, share=0.1, hi=0.5, lo=1.0)
    assert expected < 0
    np.testing.assert_allclose(float(lift_prediction(spec, out)[0]), expected, rtol=1e-4)
