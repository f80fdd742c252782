"""The simulator's brand stock: drawn from its own stream, fed by brand campaigns, carried on
by continued periods, decaying when brand spend stops; the horizon scoring values it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.simulate import World
from adbudget.simulate.brand import campaign_weight, steady_path, stock_series
from adbudget.simulate.horizon import _Horizon, horizon_profit, line_brand_share
from adbudget.simulate.scoring import score_horizon, status_quo


@pytest.fixture(scope="module")
def tiny() -> World:
    return World.build(3, "tiny")


@pytest.fixture(scope="module")
def flat() -> World:
    return World.build(3, "tiny", brand="none")


def test_brand_parameters_leave_every_other_draw_unchanged(tiny: World, flat: World) -> None:
    assert tiny.spec.lines == flat.spec.lines and tiny.spec.markets == flat.spec.markets
    assert any(mb.active for mb in tiny.spec.brand)
    assert not any(mb.active for mb in flat.spec.brand)
    # the spend is the human team's, the same in both; only what it earns differs
    for code in tiny.panels:
        np.testing.assert_array_equal(tiny.panels[code].spend, flat.panels[code].spend)
    with pytest.raises(ValueError, match="brand must be one of"):
        World.build(3, "tiny", brand="huge")


def test_panel_demand_is_the_flat_worlds_times_the_stock_multipliers(tiny: World, flat: World) -> None:
    for mb in tiny.spec.brand:
        s = tiny.brand_stock(mb.market)
        p, q = tiny.panels[mb.market], flat.panels[mb.market]
        np.testing.assert_allclose(p.base_gross, q.base_gross * mb.m_base(s), rtol=1e-12)
        np.testing.assert_allclose(p.incr_gross, q.incr_gross * mb.m_perf(s)[None, :], rtol=1e-12)
        assert mb.m_base(mb.ref) == pytest.approx(1.0)


def test_only_brand_building_campaigns_feed_the_stock() -> None:
    assert campaign_weight("youtube", "US_YT_InStream") == 1.0
    assert campaign_weight("kol", "DE_KOL_Review") == 1.0
    assert campaign_weight("tiktok", "US_TT_Awareness") == 1.0
    assert campaign_weight("tiktok", "US_TT_Spark") == 0.0
    assert campaign_weight("google_search", "US_GSearch_Brand") == 0.0  # brand *search* harvests


def test_stock_is_a_slow_adstock_with_the_stated_half_life() -> None:
    s = stock_series(np.r_[np.full(50, 100.0), np.zeros(300)], half_life=60.0, start=100.0)
    assert s[49] == pytest.approx(100.0)
    assert s[49 + 60] == pytest.approx(50.0, rel=1e-9)  # half gone one half-life after going dark
    path = steady_path(100.0, 0.0, 60.0, 120)
    assert path[59] == pytest.approx(50.0) and path[119] == pytest.approx(25.0)


def _schedule(world: World, days: int, factor_brand: float) -> pd.DataFrame:
    start = pd.Timestamp(world.spec.end) + pd.Timedelta(days=1)
    share = line_brand_share(world)
    now = world.current_spend(28)
    rows = []
    for (m, c), s, b in zip(world.lines, now, share, strict=True):
        for d in range(days):
            rows.append({"date": start + pd.Timedelta(days=d), "market": m, "channel": c,
                         "spend": s * (factor_brand if b > 0.5 else 1.0)})
    return pd.DataFrame(rows)


def test_forward_carries_the_stock_and_brand_going_dark_lowers_demand(tiny: World) -> None:
    keep = tiny.forward(_schedule(tiny, 60, 1.0))
    dark = tiny.forward(_schedule(tiny, 60, 0.0))
    n = tiny.spec.days
    lost = []
    for mb in tiny.spec.brand:
        s_keep, s_dark = keep.brand_stock(mb.market), dark.brand_stock(mb.market)
        np.testing.assert_allclose(s_keep[:n], tiny.brand_stock(mb.market))  # history untouched
        if not mb.active or s_keep[n - 1] <= 0:
            continue
        # dark: the stock decays at its half-life from the last value of the history
        assert s_dark[n + 59] == pytest.approx(s_keep[n - 1] * 0.5 ** (60 / mb.half_life), rel=1e-6)
        b_keep = keep.panels[mb.market].base_gross[n:]
        b_dark = dark.panels[mb.market].base_gross[n:]
        # the same organic draws, scaled by the ratio of the brand multipliers
        np.testing.assert_allclose(b_dark / b_keep, mb.m_base(s_dark[n:]) / mb.m_base(s_keep[n:]),
                                   rtol=1e-9)
        lost.append(1 - b_dark[-7:].sum() / b_keep[-7:].sum())
    assert lost and max(lost) > 0.01


def test_horizon_values_brand_money_that_a_month_does_not_see() -> None:
    world = World.build(7, "small")
    budget = float(world.current_spend(30).sum())
    last = status_quo(world, budget)
    share = line_brand_share(world)
    no_brand = last.copy()
    no_brand[share > 0.5] = 0.0
    no_brand *= budget / no_brand.sum()
    h = _Horizon(world, 12, 0.10)
    v_last, v_dark = h.value(last), h.value(no_brand)
    # a month scored alone: moving brand money to performance lines looks no worse...
    assert world.true_profit(no_brand, world.next_month) > world.true_profit(last, world.next_month) - 0.05 * budget * 30
    # ...but over a year the brand stock it lets decay costs far more
    assert v_dark.brand < v_last.brand - 0.5 * budget * 30
    assert v_dark.profit < v_last.profit
    one = horizon_profit(world, last, months=1)
    assert one.months == 1 and len(one.monthly) == 1
    # in a world without a brand effect the horizon adds nothing beyond the short term
    flat = World.build(7, "small", brand="none")
    assert horizon_profit(flat, last, months=3).brand == 0.0


@pytest.mark.slow
def test_score_horizon_ranks_against_brand_aware_oracles() -> None:
    world = World.build(7, "small")
    budget = float(world.current_spend(30).sum())
    s = score_horizon(world, status_quo(world, budget), budget * 30, months=6, max_change=0.3)
    assert s.gain_captured == pytest.approx(0.0)
    assert s.oracle_profit >= s.trust_region_profit >= s.last_period_profit


def test_brand_lines_value_only_brand_building_lines(tiny: World, flat: World) -> None:
    lines = tiny.brand_lines(months=6)
    builds = lines["brand_share"] > 0
    assert builds.any() and (~builds).any()
    assert (lines.loc[~builds, ["lt_roas", "lt_revenue"]] == 0).all().all()
    assert (lines.loc[builds, "lt_revenue"] >= 0).all() and lines.loc[builds, "lt_revenue"].max() > 0
    assert (flat.brand_lines(months=6)["lt_revenue"] == 0).all()


def test_strong_brand_scales_the_same_draws() -> None:
    modest, strong = World.build(3, "tiny").spec, World.build(3, "tiny", brand="strong").spec
    assert modest.lines == strong.lines
    for a, b in zip(modest.brand, strong.brand, strict=True):
        assert b.base_lift == pytest.approx(3 * a.base_lift) and b.perf_lift == pytest.approx(2 * a.perf_lift)
        assert (b.half_life, b.ref, b.k) == (a.half_life, a.ref, a.k)


def test_truth_records_the_brand_mode_and_each_lines_long_term_value(tiny: World, flat: World,
                                                                      tmp_path) -> None:
    import json

    from adbudget.simulate.writer import truth_dict

    for world, mode in ((tiny, "modest"), (flat, "none")):
        truth = truth_dict(world)
        assert truth["brand_mode"] == mode
        lines = world.brand_lines().set_index(["market", "channel"])
        for ln in truth["lines"]:
            want = lines.loc[(ln["market"], ln["channel"])]
            assert ln["long_term_roas_12m"] == pytest.approx(want["lt_roas"], abs=1e-6)
            assert ln["brand_building_share"] == pytest.approx(want["brand_share"], abs=1e-6)
        values = [ln["long_term_roas_12m"] for ln in truth["lines"]]
        assert (max(values) > 0) == (mode != "none")
        assert any(m["brand"]["lt_roas"] > 0 for m in truth["markets"]) == (mode != "none")
        # the world rebuilt from truth.json is the same world, brand mode included
        (tmp_path / "truth.json").write_text(json.dumps(truth, default=str), encoding="utf-8")
        again = World.from_truth(tmp_path / "truth.json")
        assert again.spec.brand == world.spec.brand
