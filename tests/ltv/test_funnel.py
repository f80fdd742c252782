"""Funnel: the injected weak step is the one flagged, and the gain is computed as stated."""

from __future__ import annotations

import pytest

from adbudget.errors import InputError
from adbudget.funnel import analyze_funnel
from tests.ltv.conftest import make_funnel

BASE = (0.09, 0.5, 0.7)


@pytest.mark.parametrize("step_index, step", [(0, "add_to_cart"), (1, "checkout"), (2, "purchase")])
def test_injected_weak_step_is_flagged(step_index, step):
    rates = {m: tuple(r * f for r, f in zip(BASE, fac, strict=True)) for m, fac in {
        "US": (1.0, 1.0, 1.0), "GB": (1.05, 0.95, 1.0), "DE": (0.95, 1.05, 1.03),
        "FR": (1.0, 1.0, 0.97), "ID": (1.02, 0.98, 1.0)}.items()}
    weak = list(rates["DE"])
    weak[step_index] *= 0.6
    rates["DE"] = tuple(weak)
    rep = analyze_funnel(make_funnel(rates, days=60, seed=step_index), window_days=28,
                         revenue_per_purchase={"DE": 50.0})
    by = {m.market: m for m in rep.markets}
    de = by["DE"]
    assert de.weakest_step == step
    assert de.weakest_basis == "peers"
    assert de.weakest_gap < -0.3 and de.weakest_prob > 0.99
    # gain: sessions x rates with the weak one at the other markets' median, minus purchases
    s = next(x for x in de.steps if x.step == step)
    others = [x.rate for x in de.steps if x.step != step]
    expected = de.sessions * s.peer_median * others[0] * others[1] - de.purchases
    assert de.gain_purchases == pytest.approx(expected, rel=1e-9)
    assert de.gain_revenue == pytest.approx(50.0 * expected)
    assert de.flagged
    # healthy markets (within 5 % of each other) are not flagged
    assert [m for m in ("US", "GB", "FR", "ID") if by[m].flagged] == []


def test_single_market_compared_with_its_own_history():
    df = make_funnel({"US": BASE}, days=112, change={"US": (1, 84, 0.6)}, seed=3)
    rep = analyze_funnel(df, window_days=28, history_days=84)
    us = rep.markets[0]
    assert us.weakest_basis == "history" and us.weakest_step == "checkout"
    step = next(s for s in us.steps if s.step == "checkout")
    assert step.vs_history == pytest.approx(-0.4, abs=0.08)
    assert step.peer_median is None


def test_intervals_cover_the_true_rate_and_devices():
    df = make_funnel({"US": BASE, "DE": BASE}, days=28, seed=4)
    rep = analyze_funnel(df, window_days=28, by_device=True, interval=0.99)
    assert {m.device for m in rep.markets} == {"desktop", "mobile"}
    for m in rep.markets:
        for s, true in zip(m.steps, BASE, strict=True):
            assert s.lo < true < s.hi


def test_bad_input():
    with pytest.raises(InputError):
        analyze_funnel(make_funnel({"US": BASE}, days=3).iloc[:0])
    bad = make_funnel({"US": BASE}, days=3)
    bad.loc[0, "step"] = "landing"
    with pytest.raises(InputError):
        analyze_funnel(bad)
