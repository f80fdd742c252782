"""The scoring that tests and benchmarks/recovery.py apply to response fits (simulate/recovery.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from adbudget.simulate import World
from adbudget.simulate.recovery import fit_inputs, score_fit


def _fake_fit(world: World, roas: np.ndarray, marginal: np.ndarray, width: float) -> SimpleNamespace:
    lines = [(ln.market, ln.channel) for ln in world.spec.lines]
    return SimpleNamespace(
        lines=lines, current_spend=world.current_spend(28),
        summary=pd.DataFrame({"roas": roas, "roas_lo": roas * (1 - width), "roas_hi": roas * (1 + width),
                              "marginal_roas": marginal}))


def _truth(world: World) -> tuple[np.ndarray, np.ndarray]:
    totals = world.daily_lines().groupby(["market", "channel"])[["incremental_revenue", "spend"]].sum()
    keys = [(ln.market, ln.channel) for ln in world.spec.lines]
    roas = (totals["incremental_revenue"] / totals["spend"]).loc[keys].to_numpy()
    current = world.current_spend(28)
    marginal = np.array([world.true_marginal(m, c, x) for (m, c), x in zip(keys, current, strict=True)])
    return roas, marginal


def test_a_fit_equal_to_the_truth_scores_perfectly(tiny_world):
    roas, marginal = _truth(tiny_world)
    r = score_fit(tiny_world, _fake_fit(tiny_world, roas, marginal, 0.05))
    assert r.lines == len(tiny_world.spec.lines)
    assert r.coverage == 1.0
    assert r.rank_roas == pytest.approx(1.0)
    assert r.rank_marginal == pytest.approx(1.0)
    assert r.log_error_marginal == pytest.approx(0.0, abs=1e-9)
    assert -1.0 <= r.rank_marginal_prior_curvature <= 1.0
    assert set(r.roas_bias) == {ln.channel for ln in tiny_world.spec.lines}
    assert max(abs(v) for v in r.roas_bias.values()) < 1e-9


def test_a_wrong_fit_scores_badly(tiny_world):
    roas, marginal = _truth(tiny_world)
    # reversed order, everything twice as large, intervals that miss: every score must show it
    r = score_fit(tiny_world, _fake_fit(tiny_world, 2 * roas.max() - roas + 1, 2 * (2 * marginal.max() - marginal),
                                        0.01))
    assert r.rank_roas == pytest.approx(-1.0)
    assert r.rank_marginal == pytest.approx(-1.0)
    assert r.coverage < 0.5
    assert r.log_error_marginal > np.log(2) * 0.9
    # a fit twice the truth is biased by log 2 on every channel
    doubled = score_fit(tiny_world, _fake_fit(tiny_world, 2 * roas, marginal, 0.05))
    assert all(v == pytest.approx(np.log(2)) for v in doubled.roas_bias.values())


def test_fit_inputs_start_each_market_at_its_first_sale(tiny_world):
    inputs = fit_inputs(tiny_world, use_lift=True)
    first = inputs.revenue.groupby("market")["date"].min()
    daily = tiny_world.daily_markets()
    for market, day in first.items():
        before = daily[(daily["market"] == market) & (daily["date"] < day)]
        assert (before["net_revenue"] <= 0).all()
    assert set(inputs.regions) == {m.code for m in tiny_world.markets}
    lift = inputs.lift_tests
    assert lift is not None and len(lift) > 0
    assert np.allclose(lift["spend"], tiny_world.lift_tests()["spend_base"])
    assert fit_inputs(tiny_world, use_lift=False).lift_tests is None
