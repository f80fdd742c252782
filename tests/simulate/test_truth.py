"""The true world: forms, carryover, over-claiming platforms, demand-following spend, journeys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.curves import ResponseCurves
from adbudget.simulate import ADSTOCKS, SATURATIONS, World
from adbudget.simulate.spec import build_spec


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(SATURATIONS)), x=st.floats(0.01, 20), k=st.floats(0.6, 3.0))
def test_saturation_forms_rise_and_slope_matches(name, x, k):
    form = SATURATIONS[name]
    kk = np.asarray(k if form.s_shaped else 1.0)
    assert float(form.value(np.asarray(0.0), kk)) == 0.0
    h = 1e-6 * max(x, 1)
    numeric = (form.value(np.asarray(x + h), kk) - form.value(np.asarray(x - h), kk)) / (2 * h)
    assert float(form.slope(np.asarray(x), kk)) >= 0
    assert abs(float(numeric) - float(form.slope(np.asarray(x), kk))) < 1e-4 * (1 + abs(float(numeric)))


def test_kernels_sum_to_one_and_delayed_peaks_late():
    for make in ADSTOCKS.values():
        assert abs(make(0.6, 28, 4.0).sum() - 1) < 1e-12
    assert int(np.argmax(ADSTOCKS["delayed"](0.6, 28, 4.0))) == 4
    assert int(np.argmax(ADSTOCKS["geometric"](0.6, 28))) == 0


def test_world_is_not_a_textbook_mmm(tiny_world):
    spec = tiny_world.spec
    assert {ln.saturation for ln in spec.lines} - {"hill"}  # other forms than Hill
    assert any(ln.adstock == "delayed" for ln in spec.lines)
    assert any(ln.go_dark or ln.heavy_up for ln in spec.lines)
    assert any(ln.flighting for ln in spec.lines)
    assert any(m.stage == "entry" and m.entry_day > 0 for m in spec.markets)
    # budgets follow foreseeable demand: over a year (with Q4), weekly spend and organic demand
    # move together (panels only: cheap even for `small`)
    year = World.build(seed=11, size="small")
    corrs = []
    for code, panel in year.panels.items():
        live = slice(year.spec.market(code).entry_day, None)
        weeks = len(panel.dates[live]) // 7
        demand = panel.base_gross[live][: weeks * 7].reshape(weeks, 7).sum(axis=1)
        spend = panel.spend.sum(axis=0)[live][: weeks * 7].reshape(weeks, 7).sum(axis=1)
        corrs.append(np.corrcoef(np.log(demand), np.log(spend + 1))[0, 1])
    assert np.mean(corrs) > 0.3 and min(corrs) > 0, corrs


def test_platforms_over_claim_unevenly(tiny_world):
    """Claims over-claim on most lines and under-claim on some (0.4-3x on what they caused,
    plus organic buyers), most where campaigns reach buyers already on their way."""
    daily = tiny_world.daily_lines()
    by_channel = daily.groupby("channel")[["platform_conversions", "caused_orders",
                                           "platform_revenue", "incremental_revenue_gross"]].sum()
    ratio = by_channel["platform_revenue"] / by_channel["incremental_revenue_gross"]
    assert (ratio > 1).mean() >= 0.6
    assert ratio.min() < 1.0 < 2.0 < ratio.max()
    # demand-capture channels (brand / shopping search, marketplace search) claim the most
    assert ratio[["amazon", "google_search"]].min() > ratio[["kol", "youtube"]].max()
    factors = [ln.claim for ln in tiny_world.spec.lines]
    assert min(factors) < 1.0 and max(factors) > 2.0


def test_claims_settings_change_only_the_claims():
    """The robustness settings keep spend and truth and make claims follow organic demand
    (or noise) instead of the line's own spend."""
    import dataclasses

    informative = World.build(seed=3, size="tiny")
    organic = World(dataclasses.replace(informative.spec, claims="organic"))
    a, b = informative.daily_lines(), organic.daily_lines()
    assert np.allclose(a["spend"], b["spend"]) and np.allclose(a["incremental_revenue"],
                                                               b["incremental_revenue"])
    totals = b.groupby(["market", "channel"])[["platform_revenue", "spend"]].sum()
    claimed_roas = totals["platform_revenue"] / totals["spend"]
    assert claimed_roas.std() / claimed_roas.mean() < 0.2  # the same claimed ROAS everywhere

    def spend_corr(frame):
        out = []
        for _, g in frame.groupby(["market", "channel"]):
            if g["spend"].std() > 0 and g["incremental_revenue"].std() > 0:
                out.append(np.corrcoef(g["platform_revenue"], g["incremental_revenue"])[0, 1])
        return float(np.mean(out))

    assert spend_corr(a) > spend_corr(b) + 0.1
    with pytest.raises(ValueError, match="claims"):
        build_spec(3, "tiny", claims="sometimes")


def test_true_response_api_is_consistent(tiny_world):
    m, c = tiny_world.lines[0]
    s = np.linspace(1, 500, 50)
    r = tiny_world.true_response(m, c, s)
    assert np.all(np.diff(r) > 0)
    mr = tiny_world.true_marginal(m, c, s)
    numeric = np.gradient(r, s)
    assert np.allclose(mr[1:-1], numeric[1:-1], rtol=0.02)
    assert np.allclose(tiny_world.true_roas(m, c, s), r / s)
    gross = tiny_world.true_response(m, c, 100.0, gross=True)
    net = tiny_world.true_response(m, c, 100.0)
    assert abs(net / gross - (1 - tiny_world.spec.market(m).return_rate_pct / 100)) < 1e-12
    assert tiny_world.true_response(m, c, 100.0, "history") > 0
    assert tiny_world.true_response(m, c, 100.0, ("2026-07-01", "2026-07-01")) == tiny_world.true_response(
        m, c, 100.0, ("2026-07-01", "2026-07-01"))
    curves = tiny_world.true_curves("next")
    assert isinstance(curves, ResponseCurves)
    spend = np.full(len(curves.lines), 50.0)
    assert curves.response(spend).shape == (1, len(curves.lines))
    assert curves.response(np.vstack([spend, spend * 2])).shape == (1, 2, len(curves.lines))
    assert abs(curves.response(spend)[0, 0] - tiny_world.true_response(m, c, 50.0, "next")) < 1e-9


def test_realized_orders_follow_expected_revenue(tiny_world):
    daily = tiny_world.daily_markets()
    net_share = {m.code: 1 - m.return_rate_pct / 100 for m in tiny_world.spec.markets}
    expected = (daily["organic_revenue"] + daily["incremental_revenue"]) / daily["market"].map(net_share)
    assert abs(daily["revenue"].sum() / expected.sum() - 1) < 0.03


def test_steady_spend_reaches_the_steady_response(tiny_world):
    # A constant spend run through the carryover kernel gives true_response once settled.
    from adbudget.simulate.forms import carryover
    from adbudget.simulate.panel import kernel

    ln = tiny_world.spec.lines[1]
    x = carryover(np.full(60, 80.0) / ln.half, kernel(ln))
    settled = ln.beta * SATURATIONS[ln.saturation].value(x[-1], np.asarray(ln.k))
    assert abs(settled - tiny_world.true_response(*ln.key, 80.0, gross=True)) < 1e-6 * settled


def test_journey_credit_is_the_caused_conversions(tiny_world):
    tp = tiny_world.touchpoints()
    assert set(tp["interaction"]) <= {"click", "view"}
    assert (tp["ts"].str.endswith("Z")).all()
    credit = tiny_world.true_channel_credit()
    assert abs(credit["share"].sum() - 1) < 1e-9
    by_market = pd.concat([tiny_world.true_channel_credit(m.code) for m in tiny_world.spec.markets])
    assert by_market["conversions"].sum() == credit["conversions"].sum()
    assert by_market["touches"].sum() == len(tp)
    # every caused tracked conversion has a touch of its channel before the order
    orders = tiny_world.orders()
    first = orders.sort_values("ordered_at", kind="stable").drop_duplicates("customer_id")
    first = first[first["customer_id"].isin(set(tp["user_id"])) & (first["cause"] != "organic")]
    assert len(first) == credit["conversions"].sum()
    touches = tp.merge(first[["customer_id", "cause", "ordered_at"]], left_on="user_id",
                       right_on="customer_id")
    touches = touches[touches["channel"] == touches["cause"]]
    touches = touches[pd.to_datetime(touches["ts"].str.rstrip("Z")) < touches["ordered_at"]]
    assert set(first["customer_id"]) <= set(touches["user_id"])


def test_weak_funnel_step_is_the_weakest(tiny_world):
    market, step = tiny_world.spec.weak_step
    funnel = tiny_world.funnel_daily().groupby(["market", "step"])["count"].sum().unstack()
    prev = {"add_to_cart": "sessions", "checkout": "add_to_cart", "purchase": "checkout"}[step]
    rate = funnel[step] / funnel[prev]
    assert rate.idxmin() == market


def test_lift_tests_measure_the_truth(tiny_world):
    lift = tiny_world.lift_tests()
    assert len(lift) >= 2
    fx = {m.code: m for m in tiny_world.spec.markets}
    for rec in lift.to_dict("records"):
        assert fx[rec["market"]].currency == rec["currency"]
        rate = rec["spend"] / rec["spend_base"]
        measured = rec["incremental_revenue"] / rate
        assert abs(measured - rec["true_incremental_revenue_base"]) < 4 * rec["incremental_revenue_se"] / rate


def test_scale_tests_measure_the_gain_of_the_extra_spend(tiny_world):
    """A scale test's truth is the line rerun with the window's spend multiplied: rerunning it at
    1x reproduces the panel, the gain is positive (every true curve rises) and below what the
    extra spend would earn at the line's average ROAS on a concave curve."""
    lift = tiny_world.lift_tests()
    scale = lift[lift["method"] == "geo_scale"]
    assert len(scale) >= 1 and (scale["baseline_spend"] > 0).all()
    assert (lift.loc[lift["method"] == "geo_holdout", "baseline_spend"] == 0).all()
    for rec in scale.to_dict("records"):
        p = tiny_world.panels[rec["market"]]
        i = [ln.channel for ln in p.lines].index(rec["channel"])
        ln = p.lines[i]
        start, length, factor = ln.scale_test
        np.testing.assert_allclose(tiny_world._scaled_response(p, i, slice(start, start + length), 1.0),
                                   p.incr_gross[i], rtol=1e-9, atol=1e-9)
        assert rec["spend"] == pytest.approx(factor * rec["baseline_spend"], rel=1e-6)
        assert rec["true_incremental_revenue_base"] > 0
        if not SATURATIONS[ln.saturation].s_shaped or ln.k <= 1:
            net = 1 - tiny_world.spec.market(rec["market"]).return_rate_pct / 100
            window = p.incr_gross[i, start:start + length].sum() * net
            assert rec["true_incremental_revenue_base"] < (factor - 1) * window
