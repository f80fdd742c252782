"""Scale-test candidates: the lines whose next unit may or may not beat the plan's cut-off."""

from __future__ import annotations

import numpy as np

from adbudget.curves import HillCurves
from adbudget.plan.learning import scale_test_candidates


def _curves(marginal_draws: np.ndarray) -> HillCurves:
    """Hill curves of shape 1 at half-saturation 100: at spend 100 the marginal is beta / 400."""
    n = marginal_draws.shape[1]
    lines = [("US", c) for c in ("meta", "google_search", "tiktok", "youtube")[:n]]
    return HillCurves(lines, beta=400 * marginal_draws, half=np.full_like(marginal_draws, 100.0),
                      shape=np.ones_like(marginal_draws))


def test_only_lines_whose_band_straddles_the_cutoff_are_named_most_money_first():
    rng = np.random.default_rng(0)
    draws = 400
    marginal = np.column_stack([
        np.full(draws, 1.0) * np.exp(rng.normal(0, 0.05, draws)),  # clearly above the cut-off
        np.full(draws, 0.2) * np.exp(rng.normal(0, 0.05, draws)),  # clearly below
        0.5 * np.exp(rng.normal(0, 0.5, draws)),  # straddles it
        0.55 * np.exp(rng.normal(0, 0.5, draws)),  # straddles it too, less money
    ])
    curves = _curves(marginal)
    spend = np.array([100.0, 100.0, 100.0, 100.0])
    got = scale_test_candidates(curves, spend, np.ones(4), np.ones(4), cutoff=0.5)
    assert [c.channel for c in got] == ["tiktok", "youtube"]
    p = float((marginal[:, 2] > 0.5).mean())
    assert got[0].p_above == p and 0.4 < p < 0.6
    lo, hi = np.quantile(marginal[:, 2], [0.1, 0.9])
    assert np.isclose(got[0].marginal_lo, lo, rtol=1e-6) and np.isclose(got[0].marginal_hi, hi, rtol=1e-6)
    # weights and costs move the line's value per unit of budget: a 3x weight lifts youtube clear
    weights = np.array([1.0, 1.0, 1.0, 3.0])
    assert [c.channel for c in scale_test_candidates(curves, spend, weights, np.ones(4), 0.5)] == ["tiktok"]
    # a line without planned spend and a single-draw (point) fit are never named
    assert [c.channel for c in scale_test_candidates(curves, np.array([100.0, 100.0, 0.0, 100.0]),
                                                     np.ones(4), np.ones(4), 0.5)] == ["youtube"]
    assert scale_test_candidates(_curves(marginal[:1]), spend, np.ones(4), np.ones(4), 0.5) == []
