"""The oracle: equal marginal profit on interior lines, beats simple splits, honours bounds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from adbudget.curves import HillCurves
from adbudget.simulate import optimize


@pytest.fixture(scope="module")
def oracle(tiny_world):
    budget = float(tiny_world.current_spend().sum() * 30)
    return budget, tiny_world.oracle_allocation(budget, "next")


def test_spends_the_budget_with_equal_marginal_profit(oracle):
    budget, o = oracle
    assert abs(o.spend.sum() * o.days - budget) < 1e-6 * budget
    interior = o.interior
    assert interior.sum() >= 3
    mv = o.marginal_value[interior]
    assert np.allclose(mv, o.lam, rtol=1e-5), mv
    # lines held at zero could not do better: their marginal value there is below lambda
    at_zero = o.spend <= o.lower + 1e-9
    if at_zero.any():
        assert np.all(o.marginal_value[at_zero] <= o.lam * (1 + 1e-6))


def test_beats_equal_split_and_last_period_split(oracle, tiny_world):
    budget, o = oracle
    n = len(tiny_world.lines)
    now = tiny_world.current_spend()
    equal = tiny_world.true_profit(np.full(n, budget / o.days / n), "next")
    last = tiny_world.true_profit(now / now.sum() * budget / o.days, "next")
    assert o.profit > equal and o.profit > last
    assert abs(tiny_world.true_profit(o.spend, "next") - o.profit) < 1e-6 * abs(o.profit)


def test_no_random_reallocation_beats_it(oracle, tiny_world):
    budget, o = oracle
    rng = np.random.default_rng(0)
    for _ in range(200):
        move = rng.normal(0, 0.05, len(o.spend)) * o.spend.mean()
        move -= move.mean()
        cand = np.maximum(o.spend + move, 0)
        cand *= o.spend.sum() / cand.sum()
        assert tiny_world.true_profit(cand, "next") <= o.profit + 1e-6 * abs(o.profit)


def test_max_change_bounds_are_honoured(tiny_world):
    now = tiny_world.current_spend()
    budget = float(now.sum() * 30)
    o = tiny_world.oracle_allocation(budget, "next", max_change=0.3)
    assert np.all(o.spend >= now * 0.7 - 1e-9) and np.all(o.spend <= now * 1.3 + 1e-9)
    assert abs(o.spend.sum() * o.days - budget) < 1e-6 * budget
    interior = o.interior
    if interior.sum() >= 2:
        assert np.allclose(o.marginal_value[interior], o.lam, rtol=1e-5)


def test_without_spend_all_it_stops_at_zero_marginal_profit(tiny_world):
    now = tiny_world.current_spend()
    o = tiny_world.oracle_allocation(float(now.sum() * 30 * 5), "next", spend_all=False)
    if o.spend.sum() * o.days < now.sum() * 30 * 5 - 1:
        interior = o.interior
        assert np.allclose(o.marginal_value[interior], 1.0, rtol=1e-5)  # marginal profit 0


def test_matches_scipy_on_concave_curves():
    lines = [("US", "meta"), ("US", "google_search"), ("DE", "meta"), ("DE", "amazon")]
    curves = HillCurves(lines, beta=[900.0, 1200.0, 500.0, 800.0], half=[300.0, 500.0, 150.0, 400.0],
                        shape=[1.0, 0.8, 1.0, 0.9])
    w = np.asarray([0.4, 0.4, 0.35, 0.35])
    budget = 800.0
    o = optimize(curves, budget, w)

    def neg(s):
        return -(w * curves.response(np.maximum(s, 0))[0]).sum()

    res = minimize(neg, np.full(4, budget / 4), method="SLSQP", bounds=[(0, budget)] * 4,
                   constraints=[{"type": "eq", "fun": lambda s: s.sum() - budget}],
                   options={"ftol": 1e-12, "maxiter": 500})
    assert -res.fun <= (w * o.revenue).sum() + 1e-6
    assert np.allclose(o.spend, res.x, atol=0.5)


def test_s_shaped_line_is_either_off_or_on_its_concave_side():
    lines = [("US", "youtube"), ("US", "meta")]
    curves = HillCurves(lines, beta=[1000.0, 800.0], half=[400.0, 200.0], shape=[3.0, 1.0])
    o = optimize(curves, 300.0, np.asarray([0.4, 0.4]))
    s_yt = o.spend[0]
    inflection = 400.0 * ((3 - 1) / (3 + 1)) ** (1 / 3)
    assert s_yt == 0 or s_yt >= inflection
    grid = np.linspace(0, 300, 3001)
    best = max(0.4 * curves.response(np.asarray([g, 300 - g]))[0].sum() for g in grid)
    assert 0.4 * o.revenue.sum() >= best - 1e-3


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 6),
    seed=st.integers(0, 10_000),
    budget=st.floats(10.0, 5_000.0),
    bounded=st.booleans(),
)
def test_allocation_invariants_on_random_curves(n, seed, budget, bounded):
    rng = np.random.default_rng(seed)
    lines = [("US", f"c{i}") for i in range(n)]
    curves = HillCurves(lines, beta=rng.uniform(100, 3000, n), half=rng.uniform(20, 2000, n),
                        shape=rng.uniform(0.6, 2.5, n))
    w = rng.uniform(0.2, 0.6, n)
    lower = upper = None
    if bounded:
        share = rng.dirichlet(np.ones(n)) * budget
        lower, upper = share * 0.5, share * 1.5
    o = optimize(curves, budget, w, lower, upper)
    assert abs(o.spend.sum() - budget) < 1e-6 * budget
    assert np.all(o.spend >= o.lower - 1e-9) and np.all(o.spend <= o.upper + 1e-9)
    # no single pairwise move of 1 % of the budget improves the objective
    value = (w * curves.response(o.spend)[0]).sum()
    step = 0.01 * budget
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            cand = o.spend.copy()
            cand[i] += step
            cand[j] -= step
            if cand[j] < o.lower[j] - 1e-9 or cand[i] > o.upper[i] + 1e-9:
                continue
            assert (w * curves.response(cand)[0]).sum() <= value + 1e-7 * max(value, 1.0)


def test_score_plan_counts_money_on_missing_lines_as_wasted(tiny_world):
    from adbudget.workspace.simulate import score_plan

    now = tiny_world.current_spend()
    budget = float(now.sum() * 30)
    plan = {line: float(v) for line, v in zip(tiny_world.lines, now, strict=True)}
    same = score_plan(tiny_world, plan, budget, tiny_world.next_month)
    assert abs(same["plan_profit"] - same["last_period_profit"]) < 1e-6 * abs(same["plan_profit"])
    assert same["oracle_profit"] >= same["plan_profit"]
    extra = dict(plan) | {("US", "lazada"): 100.0, ("US", "reserve"): 50.0}
    worse = score_plan(tiny_world, extra, budget, tiny_world.next_month)
    days = tiny_world.oracle_allocation(budget, tiny_world.next_month).days
    assert abs(same["plan_profit"] - worse["plan_profit"] - 100.0 * days) < 1e-6
