"""Calibration of the decision rule by simulation (1,000 experiments each, printed numbers).

Order values are log-normal (heavier tail than the Gamma the analysis assumes).
"""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.experiments.decide import SCALE, DecisionRules
from adbudget.experiments.design import clicks_per_arm, power_at
from adbudget.experiments.simulation import simulate_experiments, simulated_decisions

N = 1000
DAYS = 14
CVR, VALUE, CV = 0.03, 40.0, 1.0
DRAWS = 1000  # Monte Carlo draws per arm: P(beat) to +-0.5 points at 0.975


def _sim(n_arms, cvr, clicks_per_day, seed, cv=CV):
    return simulate_experiments(N, DAYS, [clicks_per_day] * n_arms, cvr, [VALUE] * n_arms, 1.0, cv,
                                seed=seed)


def test_no_true_difference_rarely_scales():
    rules = DecisionRules()
    rates = {}
    for n_arms, cv, seed in ((2, 1.0, 11), (3, 1.0, 12), (2, 2.0, 13)):
        data = _sim(n_arms, [CVR] * n_arms, 600, seed, cv)
        dec = simulated_decisions(data, rules, n_draws=DRAWS)
        rate = float((dec.decision == SCALE).any(-1).mean())
        rates[(n_arms, cv)] = rate
        print(f"null, {n_arms} arms, order value CV {cv}: scale in {rate:.1%} of {N} experiments")
        assert dec.ready.all()
        assert rate <= 0.05


def test_true_lift_picks_the_better_arm():
    n = clicks_per_arm(CVR, VALUE, CV, 0.2, power=0.95)
    data = _sim(2, [CVR, CVR * 1.2], n / DAYS, 21)
    dec = simulated_decisions(data, DecisionRules(), n_draws=DRAWS)
    chosen = float((dec.decision[:, 1] == SCALE).mean())
    wrong = float((dec.decision[:, 0] == SCALE).mean())
    print(f"20% lift, {n:,.0f} clicks per arm: better arm scaled in {chosen:.1%}, worse in {wrong:.1%}")
    assert chosen >= 0.90
    assert wrong <= 0.01


def test_power_calculation_matches_simulation():
    for lift, power, cv, seed in ((0.2, 0.8, 1.0, 31), (0.3, 0.6, 1.5, 32), (0.15, 0.9, 0.7, 33)):
        n = clicks_per_arm(CVR, VALUE, cv, lift, power=power)
        assert abs(power_at(n, CVR, VALUE, cv, lift) - power) < 1e-9
        data = _sim(2, [CVR, CVR * (1 + lift)], n / DAYS, seed, cv)
        observed = float((simulated_decisions(data, DecisionRules(), n_draws=DRAWS).decision[:, 1] == SCALE).mean())
        print(f"lift {lift:.0%}, CV {cv}: planned power {power:.0%} with {n:,.0f} clicks per arm, "
              f"simulated {observed:.1%}")
        assert abs(observed - power) <= 0.1 * power


@pytest.mark.slow
def test_daily_peeking_rate_is_reported():
    """Looking every day from min_days on and acting on the first 'scale' (not the design)."""
    rules = DecisionRules()
    data = _sim(2, [CVR, CVR], 600, 14)
    scaled = np.zeros(N, dtype=bool)
    for day in range(rules.min_days, DAYS + 1):
        scaled |= (simulated_decisions(data, rules, upto_day=day, seed=day, n_draws=DRAWS).decision == SCALE).any(-1)
    print(f"null, 2 arms, daily looks from day {rules.min_days} to {DAYS}: scale in {scaled.mean():.1%}")
    assert scaled.mean() <= 0.10
