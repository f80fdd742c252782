"""The performance optimizer against known optima (concave and S-shaped) and its KKT check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from adbudget.curves import HillCurves
from adbudget.plan.optimizer import solve
from tests.plan.conftest import brute_force, hill


def test_log_curves_closed_form(log_curves):
    # all interior: s_i = a_i / lam - b_i with lam = sum(a) / (B + sum(b))
    budget = 400.0
    lam = log_curves.a.sum() / (budget + log_curves.b.sum())
    exact = log_curves.a / lam - log_curves.b
    assert (exact > 0).all()
    sol = solve(log_curves, budget)
    np.testing.assert_allclose(sol.spend, exact, rtol=1e-4)
    best = float(log_curves.response(exact).sum())
    assert sol.value >= best * (1 - 1e-3)
    assert sol.check.passed and sol.check.n_free == 6
    assert sol.check.marginal_value == pytest.approx(lam, rel=1e-4)


def test_log_curves_corner_solution(log_curves):
    # a small budget: lines whose marginal at zero (a/b) is below lambda get nothing
    budget = 20.0
    a, b = log_curves.a, log_curves.b

    def used(lam):
        return np.maximum(a / lam - b, 0).sum() - budget

    lam = brentq(used, 1e-6, (a / b).max())
    exact = np.maximum(a / lam - b, 0)
    sol = solve(log_curves, budget)
    assert (exact == 0).any()
    np.testing.assert_allclose(sol.spend, exact, atol=1e-3 * budget)
    assert sol.check.passed


def test_concave_hill_known_optimum():
    # Hill k=1: s = sqrt(beta * half / lam) - half on interior lines
    c = hill(8, seed=1)
    beta, half = c.beta[0], c.half[0]
    budget = 300.0

    def used(lam):
        return np.maximum(np.sqrt(beta * half / lam) - half, 0).sum() - budget

    lam = brentq(used, 1e-8, (beta / half).max())
    exact = np.maximum(np.sqrt(beta * half / lam) - half, 0)
    sol = solve(c, budget)
    opt = float(c.response(exact).sum())
    assert sol.value >= opt * (1 - 1e-3)
    assert abs(sol.value - opt) <= 1e-3 * opt
    assert sol.check.passed


@pytest.mark.parametrize("seed", range(6))
def test_s_curves_match_brute_force(seed):
    c = hill(4, seed=seed, k_range=(1.5, 3.5))
    budget = float(np.random.default_rng(seed).uniform(40, 300))
    exact = brute_force(c, budget, points=1501)
    sol = solve(c, budget)
    # the grid optimum is a lower bound of the true optimum: ours must be at least as good
    assert sol.value >= exact * (1 - 1e-3)
    assert sol.spend.sum() == pytest.approx(budget, rel=1e-9)
    assert sol.check.passed, sol.check.violations


def test_s_curve_concentrates_small_budget():
    # two identical S-curves, a budget well below the threshold of splitting:
    # the global optimum puts everything on one line (a local search from an equal split
    # would stay at the split, a stationary point)
    c = HillCurves([("US", "a"), ("US", "b")], np.array([100.0, 100.0]), np.array([50.0, 50.0]),
                   np.array([3.0, 3.0]))
    budget = 60.0
    sol = solve(c, budget)
    assert sorted(np.round(sol.spend, 6)) == [0.0, 60.0]
    split = float(c.response(np.array([30.0, 30.0])).sum())
    assert sol.value > split * 1.2


def test_posterior_draws_mean_objective():
    c = hill(5, seed=4, draws=200, k_range=(1.0, 2.5))
    budget = 250.0
    sol = solve(c, budget)
    exact = brute_force(c, budget, points=1001)
    assert sol.value >= exact * (1 - 1e-3)
    assert sol.check.passed


def test_costs_equalize_marginal_per_budget_unit():
    c = hill(6, seed=2)
    cost = np.array([1.0, 1.0, 2.0, 2.0, 1.25, 1.25])
    sol = solve(c, 200.0, cost=cost)
    assert float(cost @ sol.spend) == pytest.approx(200.0, rel=1e-9)
    free = np.array([s == "free" for s in sol.status])
    per_budget = sol.marginal[free] / cost[free]
    assert per_budget.max() / per_budget.min() - 1 < 1e-3


def test_bounds_hold_and_check_reports_caps():
    c = hill(5, seed=5)
    lo = np.array([0.0, 20.0, 0.0, 0.0, 0.0])
    hi = np.array([10.0, np.inf, np.inf, 15.0, np.inf])
    sol = solve(c, 150.0, lower=lo, upper=hi)
    assert (sol.spend >= lo - 1e-9).all() and (sol.spend <= hi + 1e-9).all()
    assert sol.spend.sum() == pytest.approx(150.0)
    assert sol.check.passed
    assert sol.check.n_upper + sol.check.n_lower + sol.check.n_free + sol.check.n_off == 5


def test_weights_change_the_answer():
    c = hill(3, seed=7)
    a = solve(c, 100.0, weights=np.array([1.0, 1.0, 1.0]))
    b = solve(c, 100.0, weights=np.array([3.0, 1.0, 1.0]))
    assert b.spend[0] > a.spend[0]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), budget=st.floats(5.0, 600.0), k_hi=st.floats(1.0, 4.0),
       n=st.integers(2, 3))
def test_global_optimum_property(seed, budget, k_hi, n):
    # any mix of concave and S-shaped lines: never worse than the exhaustive grid optimum
    c = hill(n, seed=seed, k_range=(0.7, k_hi))
    exact = brute_force(c, budget, points=801)
    sol = solve(c, budget)
    assert sol.spend.sum() == pytest.approx(budget, rel=1e-7)
    assert sol.value >= exact * (1 - 1e-3)
