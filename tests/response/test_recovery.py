"""Parameter recovery on worlds generated with known ROAS, hierarchy and lift-test calibration.

The quick Laplace fit runs by default (seconds); the NUTS versions are behind ``-m slow``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from adbudget.config.response import ResponseSettings
from adbudget.curves import ResponseCurves
from adbudget.response import fit_model

from .helpers import CHANNELS, MARKETS, TEST_LAG, THIN, shared_world

# the recovery worlds have no holidays or shopping events (response.synthetic): none are fitted
QUICK = ResponseSettings(holdout_days=0, max_lag=TEST_LAG, holidays=False)


def _aligned(world, result):
    truth = world.truth.set_index(["market", "channel"]).loc[result.lines]
    return truth, result.summary


@pytest.fixture(scope="module")
def world():
    return shared_world()


@pytest.fixture(scope="module")
def quick_fit(world):
    return fit_model(world.revenue, world.spend, world.regions, QUICK, method="laplace", draws=200)


def _established(result):
    return np.array([m != THIN for m, _ in result.lines])


def test_true_roas_inside_90pct_interval_for_most_lines(world, quick_fit):
    truth, s = _aligned(world, quick_fit)
    inside = (truth["roas"].to_numpy() >= s["roas_lo"].to_numpy()) & (
        truth["roas"].to_numpy() <= s["roas_hi"].to_numpy())
    assert inside[_established(quick_fit)].mean() >= 0.8, pd.DataFrame({"truth": truth["roas"].to_numpy(), "lo": s["roas_lo"], "hi": s["roas_hi"]})


def test_marginal_roas_ranked_like_the_truth(world, quick_fit):
    truth, s = _aligned(world, quick_fit)
    keep = _established(quick_fit)
    rho = spearmanr(truth["marginal_roas"].to_numpy()[keep], s["marginal_roas"].to_numpy()[keep]).correlation
    assert rho >= 0.8


def test_fit_outputs_are_consistent(world, quick_fit):
    r = quick_fit
    curves = r.curves()
    assert isinstance(curves, ResponseCurves)
    resp = curves.response(r.current_spend)
    assert resp.shape == (curves.n_draws, 12) and curves.n_draws >= 200 and (resp >= 0).all()
    # ROAS x spend = contribution over the fitted period (ROAS is defined that way)
    spend = world.spend.groupby(["market", "channel"])["spend"].sum().loc[r.lines].to_numpy()
    keep = _established(r)  # (the thin market's draws are too spread for a 100-draw mean)
    # exact per draw; the contribution is a mean over 100 path draws, ROAS over all of them
    np.testing.assert_allclose((r.summary["roas"] * spend)[keep], r.summary["contribution"][keep], rtol=0.06)
    # decomposition adds up to the fitted mean
    total = r.decomposition.groupby(["date", "market"])["value"].sum()
    fitted = r.fit.set_index(["date", "market"])["predicted"]
    np.testing.assert_allclose(total.loc[fitted.index].to_numpy(), fitted.to_numpy(), rtol=1e-4)
    assert r.diagnostics["r2_in_sample"] > 0.6
    assert ((r.summary["prior_weight"] >= 0) & (r.summary["prior_weight"] <= 1)).all()
    table = r.curves_table(points=5)
    assert len(table) == 60 and (table.groupby(["market", "channel"])["mean"].diff().dropna() >= 0).all()


def _log_error(world, result, market):
    truth, s = _aligned(world, result)
    rows = [i for i, (m, _) in enumerate(result.lines) if m == market]
    return float(np.mean(np.abs(np.log(s["roas"].to_numpy()[rows]) - np.log(truth["roas"].to_numpy()[rows]))))


def test_hierarchy_shrinks_the_thin_market_error(world, quick_fit):
    alone = fit_model(world.revenue, world.spend, world.regions, QUICK, method="laplace", draws=200,
                      markets=[THIN])
    err_joint, err_alone = _log_error(world, quick_fit, THIN), _log_error(world, alone, THIN)
    print(f"thin market DE: |log ROAS error| joint {err_joint:.3f} vs alone {err_alone:.3f}")
    assert err_joint < err_alone


def test_lift_test_moves_a_misspecified_channel_toward_truth(world):
    wrong = ResponseSettings(holdout_days=0, max_lag=TEST_LAG, roas_prior={"meta": 1.5, "google_search": 2.0,
                                                         "tiktok": 6.0},
                             roas_prior_sd=0.15, region_sd=0.1, market_sd=0.1)
    lines = [(m, c) for m in MARKETS for c in CHANNELS]
    n = lines.index(("US", "tiktok"))
    spend = world.spend[(world.spend.market == "US") & (world.spend.channel == "tiktok")]
    window = slice(200, 228)
    lift = pd.DataFrame([{
        "test_id": "t1", "market": "US", "channel": "tiktok",
        "start_date": spend["date"].iloc[window.start], "end_date": spend["date"].iloc[window.stop - 1],
        "spend": float(spend["spend"].iloc[window].sum()),
        "incremental_revenue": float(world.contributions[window, n].sum()),
        "incremental_revenue_se": 0.05 * float(world.contributions[window, n].sum()),
    }])
    truth = float(world.truth.set_index(["market", "channel"]).loc[("US", "tiktok"), "roas"])
    without = fit_model(world.revenue, world.spend, world.regions, wrong, method="laplace", draws=200)
    with_lift = fit_model(world.revenue, world.spend, world.regions, wrong, lift_tests=lift,
                          method="laplace", draws=200)

    def est(r):
        return float(r.summary.set_index(["market", "channel"]).loc[("US", "tiktok"), "roas"])

    print(f"US tiktok ROAS truth {truth:.2f}; prior 6.0; without lift {est(without):.2f}; with {est(with_lift):.2f}")
    assert abs(np.log(est(with_lift) / truth)) < 0.5 * abs(np.log(est(without) / truth))


@pytest.mark.slow
def test_nuts_recovery_and_convergence(world):
    r = fit_model(world.revenue, world.spend, world.regions, QUICK, method="nuts", draws=300,
                  warmup=300, chains=2)
    truth, s = _aligned(world, r)
    inside = (truth["roas"].to_numpy() >= s["roas_lo"].to_numpy()) & (
        truth["roas"].to_numpy() <= s["roas_hi"].to_numpy())
    keep = _established(r)
    assert inside[keep].mean() >= 0.8
    assert spearmanr(truth["marginal_roas"].to_numpy()[keep], s["marginal_roas"].to_numpy()[keep]).correlation >= 0.8
    assert r.diagnostics["r_hat_max"] < 1.05 and r.diagnostics["divergences"] <= 5
