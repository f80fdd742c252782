"""Recovery on the simulator's worlds (other curve forms and carryover kernels, ad effectiveness
that follows demand, holiday ad costs, demand-following spend, lift tests).

Slow (builds a world and fits 22-27 lines): run with
``.venv/bin/pytest tests/response/test_simulator.py -m slow -s``; each test prints what it
checks: share of true ROAS inside the 90 % interval, rank correlation of true vs estimated
ROAS and marginal ROAS at current spend, and the mean |log error| of the marginal ROAS.

Measured (quick Laplace fit, 200 draws; numbers from the commit that set these floors):

- tiny world seed 0 (150 days, 4 markets, 22 lines) with its lift tests: coverage 91 %, ROAS
  rank 0.65, marginal-ROAS rank 0.39, mean |log error| of marginal ROAS 0.76 (without lift
  tests 95 %, 0.61, 0.43; seed 1 with lift tests: 95 %, 0.80, 0.47).
- small world seed 0 (365 days, 5 markets, 27 lines, 7 lift tests): coverage 96 %, ROAS rank
  0.84, marginal-ROAS rank 0.54, |log error| 0.44 (seed 7: 88 %, 0.64, 0.56).

The issue's floor for the marginal-ROAS rank (0.8) is NOT met on these worlds; the floors
below are the honest ones under the measured numbers. Why it is short (docs/response.md):
even the TRUE average ROAS of each line plus a prior-only curvature ranks marginal ROAS at
only 0.51-0.77 on these worlds, so the rest must come from each line's curvature, which
150-365 noisy days with 4-6 correlated lines per market barely identify.
"""

from __future__ import annotations

import pytest

from adbudget.config.response import ResponseSettings
from adbudget.response import fit_model

simulate = pytest.importorskip("adbudget.simulate")
from adbudget.simulate.recovery import fit_inputs, score_fit  # noqa: E402


def _recovery(world, use_lift: bool, scale_tests: bool = True) -> dict[str, float]:
    """Fit the world's shop revenue and spend as the workspace would see them; score vs truth."""
    inputs = fit_inputs(world, use_lift, scale_tests)
    result = fit_model(inputs.revenue, inputs.spend, inputs.regions, ResponseSettings(holdout_days=0),
                       method="laplace", draws=200, lift_tests=inputs.lift_tests)
    return score_fit(world, result).as_dict()


def _show(name: str, r: dict[str, float]) -> None:
    print(f"{name}: ROAS inside 90% interval {r['coverage']:.0%}, rank corr ROAS {r['rank_roas']:.2f}, "
          f"marginal ROAS {r['rank_marginal']:.2f}, mean |log error| of marginal ROAS "
          f"{r['log_error_marginal']:.2f}")


@pytest.mark.slow
@pytest.mark.parametrize("use_lift", [False, True])
def test_recovery_on_a_tiny_simulated_seller(use_lift):
    r = _recovery(simulate.World.build(seed=0, size="tiny"), use_lift)
    _show(f"simulator tiny seed 0 (lift={use_lift})", r)
    assert r["coverage"] >= 0.8
    assert r["rank_roas"] >= 0.5
    assert r["rank_marginal"] >= 0.3  # measured 0.39-0.43; the 0.8 is not met (see above)


@pytest.mark.slow
def test_recovery_on_a_small_simulated_seller():
    # the holdouts only, as when these floors were set: one noisy scale test of this world
    # (ID Shopee, 1.8 SE off) moves two lines' ROAS a lot (docs/benchmarks/response.md)
    r = _recovery(simulate.World.build(seed=0, size="small"), use_lift=True, scale_tests=False)
    _show("simulator small seed 0 (holdouts)", r)
    assert r["coverage"] >= 0.8
    assert r["rank_roas"] >= 0.7
    assert r["rank_marginal"] >= 0.45  # measured 0.54; the 0.8 is not met (see above)


@pytest.mark.slow
@pytest.mark.parametrize("size, seed", [("tiny", 1), ("small", 0)])
def test_scale_tests_bring_the_tested_lines_marginal_roas_closer(size, seed):
    """A geo scale test measures the return of extra spend: the lines that have one get a
    marginal ROAS closer to the truth than the same fit without their scale tests (measured
    0.26 vs 0.47 on tiny 1, 0.17 vs 0.50 on small 0)."""
    world = simulate.World.build(seed=seed, size=size)
    with_tests = _recovery(world, use_lift=True)
    without = _recovery(world, use_lift=True, scale_tests=False)
    key = "log_error_marginal_scale_tested"
    print(f"simulator {size} seed {seed}: |log error| of the scale-tested lines' marginal ROAS "
          f"{with_tests[key]:.2f} with their scale tests, {without[key]:.2f} without")
    assert with_tests[key] < 0.75 * without[key]
