"""BG/NBD and Gamma-Gamma against ground truth: known-parameter worlds, JAX autodiff, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.errors import InputError
from adbudget.ltv import (
    conditional_expected_purchases,
    expected_purchases_new,
    fit_bgnbd,
    fit_gamma_gamma,
    prob_alive,
    simulate_bgnbd,
    simulate_gamma_gamma,
)
from adbudget.ltv.bgnbd import _Likelihood as BgLik
from adbudget.ltv.gammagamma import _Likelihood as GgLik

TRUE = (0.6, 9.0, 0.7, 3.0)


def _paper_loglik_jax(theta, x, t_x, T):
    """BG/NBD log-likelihood written straight from the paper, differentiated by JAX."""
    import jax.numpy as jnp
    from jax.scipy.special import betaln, gammaln

    r, alpha, a, b = jnp.exp(theta)
    has = x > 0
    xs = jnp.where(has, x, 1.0)
    a1 = gammaln(r + x) - gammaln(r) + r * jnp.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * jnp.log(alpha + T)
    a3 = betaln(a + 1, b + xs - 1) - betaln(a, b) - (r + xs) * jnp.log(alpha + t_x)
    return jnp.sum(a1 + jnp.where(has, jnp.logaddexp(a2, a3), a2))


@pytest.mark.slow  # importing and tracing JAX costs ~20 s on a busy machine
def test_exact_gradients_equal_jax_autodiff():
    import jax

    x, t_x, T = simulate_bgnbd(300, *TRUE, T=30.0, seed=1)
    theta = np.log([0.4, 6.0, 1.3, 2.0])
    with jax.enable_x64(True):
        ll, g = jax.value_and_grad(_paper_loglik_jax)(theta, x, t_x, T)
    v, grad = BgLik(x, t_x, T, np.ones_like(x))(theta)
    assert -v == pytest.approx(float(ll), rel=1e-7)
    np.testing.assert_allclose(-grad, np.asarray(g), rtol=1e-6, atol=1e-6)


def test_gamma_gamma_gradient_equals_finite_differences():
    x = np.array([1.0, 2, 3, 5, 8])
    m = np.array([10.0, 20, 35, 12, 40])
    lik = GgLik(x, m, np.ones(5))
    theta = np.log([3.0, 4.0, 20.0])
    _, g = lik(theta)
    eps = 1e-6
    fd = [(lik(theta + e)[0] - lik(theta - e)[0]) / (2 * eps) for e in np.eye(3) * eps]
    np.testing.assert_allclose(g, fd, rtol=1e-5)


def test_bgnbd_recovers_known_parameters():
    # ages in whole days, as summaries from daily orders are (identical rows get merged)
    T = np.random.default_rng(0).integers(70, 560, 15_000) / 7.0
    x, t_x, T = simulate_bgnbd(15_000, *TRUE, T=T, seed=2)
    t_x = np.floor(t_x * 7.0) / 7.0
    p = fit_bgnbd(x, t_x, T)
    se = np.sqrt(np.diag(p.cov))
    z = (p.log_params - np.log(TRUE)) / se
    assert np.all(np.abs(z) < 3.5), (p.as_dict(), z)


def test_expected_purchases_new_matches_monte_carlo():
    # E[X(t)] of a new customer, against the simulated mean with T = t for everybody
    x, _, _ = simulate_bgnbd(200_000, *TRUE, T=26.0, seed=3)
    ex = expected_purchases_new(np.array([TRUE]), 26.0)[0, 0]
    assert ex == pytest.approx(x.mean(), rel=0.02)


def test_a_equal_one_is_handled():
    ex = expected_purchases_new(np.array([[0.5, 5.0, 1.0, 2.0]]), 20.0)[0, 0]
    near = expected_purchases_new(np.array([[0.5, 5.0, 1.001, 2.0]]), 20.0)[0, 0]
    assert np.isfinite(ex) and ex == pytest.approx(near, rel=1e-3)


def test_gamma_gamma_recovers_population_mean_spend():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, 8_000)
    p, q, v = 5.0, 4.0, 30.0
    m = simulate_gamma_gamma(x, p, q, v, seed=5)
    gg = fit_gamma_gamma(x, m)
    assert gg.mean_spend == pytest.approx(p * v / (q - 1), rel=0.06)


@settings(max_examples=40, deadline=None)
@given(
    x=st.integers(0, 30), t_frac=st.floats(0.0, 1.0), T=st.floats(0.5, 100.0),
    r=st.floats(0.05, 5), alpha=st.floats(0.5, 50), a=st.floats(0.05, 5), b=st.floats(0.1, 10),
)
def test_prob_alive_and_expectations_are_well_behaved(x, t_frac, T, r, alpha, a, b):
    t_x = t_frac * T if x > 0 else 0.0
    params = np.array([[r, alpha, a, b]])
    pa = prob_alive(params, x, t_x, T)[0]
    assert 0.0 <= pa <= 1.0
    if x == 0:
        assert pa == 1.0
    e1 = conditional_expected_purchases(params, 10.0, x, t_x, T)[0]
    e2 = conditional_expected_purchases(params, 20.0, x, t_x, T)[0]
    assert 0.0 <= e1 <= e2 + 1e-9
    if x > 0 and t_frac < 1.0:
        # a later last purchase means more likely alive
        assert prob_alive(params, x, T, T)[0] >= pa - 1e-12


def test_bad_summaries_are_refused():
    with pytest.raises(InputError):
        fit_bgnbd(np.array([1.0]), np.array([5.0]), np.array([3.0]))  # t_x > T
    with pytest.raises(InputError):
        fit_bgnbd(np.array([]), np.array([]), np.array([]))
    with pytest.raises(InputError):
        fit_gamma_gamma(np.array([0.0, 0.0]), np.array([0.0, 0.0]))
