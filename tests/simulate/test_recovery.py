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


def test_the_true_claim_split_adds_up_to_what_the_platforms_expect_to_report(tiny_world):
    """Caused (over-claimed, on exposure days) plus organic buyers reached is, line by line,
    the expected conversions the simulated platforms report (platforms.expected_claims)."""
    from adbudget.simulate.platforms import expected_claims
    from adbudget.simulate.recovery import true_claim_split

    split = true_claim_split(tiny_world).set_index(["market", "channel"])
    checked = 0
    for code, panel in tiny_world.panels.items():
        scale = 10 ** panel.market.minor_units
        for i, line in enumerate(panel.lines):
            cidx, day = np.nonzero(panel.campaign_minor[i] > 0)
            spend_base = panel.campaign_minor[i][cidx, day] / scale / panel.fx[day]
            expected = expected_claims(panel, i, cidx, day, spend_base).sum()
            row = split.loc[(code, line.channel)]
            assert row["caused"] + row["organic"] == pytest.approx(expected, rel=1e-6)
            assert 0.0 <= row["organic_share"] <= 1.0
            checked += 1
    assert checked == len(tiny_world.spec.lines)


def test_claim_coverage_counts_a_truthful_interval_and_misses_a_wrong_one(tiny_world):
    """The incrementality share and the organic share of the claim are scored against the
    world's truth: intervals around the truth cover it, intervals beside it do not."""
    from adbudget.simulate.recovery import true_claim_split

    roas, marginal = _truth(tiny_world)
    fit = _fake_fit(tiny_world, roas, marginal, 0.05)
    keys = [(ln.market, ln.channel) for ln in tiny_world.spec.lines]
    split = true_claim_split(tiny_world).set_index(["market", "channel"]).loc[keys]
    spend = tiny_world.daily_lines().groupby(["market", "channel"])["spend"].sum().loc[keys].to_numpy()
    claimed = roas * spend * 2.0  # the platforms claim twice what the lines caused
    organic = split["organic_share"].to_numpy()
    for shift, expected in ((0.0, 1.0), (0.3, 0.0)):
        summary = fit.summary.assign(
            market=[m for m, _ in keys], channel=[c for _, c in keys], claimed_revenue=claimed,
            incremental_revenue=roas * spend, incremental_share=0.5 + shift,
            incremental_share_lo=0.45 + shift, incremental_share_hi=0.55 + shift,
            organic_claim_share=organic + shift, organic_claim_share_lo=organic - 0.01 + shift,
            organic_claim_share_hi=organic + 0.01 + shift)
        r = score_fit(tiny_world, SimpleNamespace(lines=keys, current_spend=fit.current_spend,
                                                  summary=summary))
        assert r.coverage_incremental_share == pytest.approx(expected)
        assert r.coverage_organic_share == pytest.approx(expected)
        assert r.organic_share_bias == pytest.approx(shift, abs=1e-9)
