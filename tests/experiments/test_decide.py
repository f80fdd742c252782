"""The decision rule on hand-made summaries, one branch at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.experiments.decide import CONTINUE, KEEP, REASONS, SCALE, STOP, DecisionRules, decide
from adbudget.experiments.posterior import DrawSummary


def _summary(p_best, p_beat, loss):
    p_best, p_beat, loss = (np.asarray(x, dtype=float) for x in (p_best, p_beat, loss))
    z = np.zeros_like(loss)
    return DrawSummary(mean=z, lo=z, hi=z, p_best=p_best, p_beat_control=p_beat, expected_loss=loss,
                       loss_rel=loss)


RULES = DecisionRules(min_clicks=100, min_conversions=10, min_days=7)
ENOUGH = dict(clicks=np.array([1000, 1000]), conversions=np.array([50, 50]), days=np.array([14, 14]))


def _run(summary, control=0, **kw):
    args = dict(ENOUGH, **kw)
    d = decide(summary, args["clicks"], args["conversions"], args["days"], control, RULES)
    return d.decision.tolist(), [REASONS[r] for r in d.reason]


def test_guard_keeps_testing():
    dec, why = _run(_summary([0.0, 1.0], [np.nan, 1.0], [0.5, 0.0]), conversions=np.array([50, 5]))
    assert dec == [CONTINUE, CONTINUE] and why == ["not_enough_data", "not_enough_data"]


def test_scale_winner_and_stop_rest():
    dec, why = _run(_summary([0.01, 0.99], [np.nan, 0.99], [0.2, 0.001]))
    assert dec == [STOP, SCALE] and why == ["replaced", "scale"]


def test_probability_without_small_loss_keeps_testing():
    dec, why = _run(_summary([0.01, 0.99], [np.nan, 0.99], [0.2, 0.05]))
    assert dec == [CONTINUE, CONTINUE] and why[1] == "likely_but_risky"


def test_settled_without_winner_keeps_control():
    dec, why = _run(_summary([0.6, 0.4], [np.nan, 0.4], [0.002, 0.004]))
    assert dec == [KEEP, STOP] and why == ["keep_control", "no_winner"]


def test_clear_loser_stops_while_test_runs():
    dec, why = _run(_summary([0.99, 0.01], [np.nan, 0.01], [0.02, 0.3]))
    # control's loss 2 % > 1 % threshold: the test is not settled, but the challenger loses
    assert dec == [CONTINUE, STOP] and why == ["control_running", "control_better"]


def test_below_breakeven_stops_early():
    d = decide(_summary([0.5, 0.5], [np.nan, 0.5], [0.05, 0.05]), ENOUGH["clicks"], ENOUGH["conversions"],
               ENOUGH["days"], 0, RULES, p_breakeven=np.array([0.5, 0.01]))
    assert d.decision.tolist() == [CONTINUE, STOP] and REASONS[d.reason[1]] == "below_breakeven"


def test_bonferroni_split_over_challengers():
    rules = DecisionRules(prob_to_scale=0.975)
    assert np.isclose(rules.required_prob(1), 0.975)
    assert np.isclose(rules.required_prob(3), 1 - 0.025 / 3)


def test_single_arm_is_never_scaled():
    s = _summary([1.0], [np.nan], [0.0])
    d = decide(s, np.array([5000]), np.array([500]), np.array([30]), None, RULES)
    assert d.decision.tolist() == [CONTINUE] and REASONS[d.reason[0]] == "single_arm"


def test_no_control_scales_on_p_best():
    s = _summary([0.995, 0.005], [np.nan, np.nan], [0.001, 0.3])
    dec, why = _run(s, control=None)
    assert dec == [SCALE, STOP]
    s = _summary([0.5, 0.5], [np.nan, np.nan], [0.003, 0.003])
    dec, why = _run(s, control=None)
    assert dec == [KEEP, KEEP] and why == ["no_difference", "no_difference"]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.booleans(), st.integers(0, 2**32 - 1))
def test_decision_invariants(n_arms, with_control, seed):
    rng = np.random.default_rng(seed)
    draws = rng.gamma(20.0, 0.05, size=(n_arms, 400)) * rng.uniform(0.7, 1.3, size=(n_arms, 1))
    control = 0 if with_control else None
    from adbudget.experiments.posterior import summarize_draws

    s = summarize_draws(draws, control)
    clicks = rng.integers(0, 3000, n_arms)
    d = decide(s, clicks, rng.integers(0, 100, n_arms), rng.integers(0, 20, n_arms), control, RULES,
               p_breakeven=rng.uniform(0, 1, n_arms))
    dec = d.decision.tolist()
    assert dec.count(SCALE) <= 1
    if SCALE in dec:
        assert d.winner >= 0 and dec[int(d.winner)] == SCALE
        assert all(x == STOP for i, x in enumerate(dec) if i != d.winner)
        assert not (with_control and d.winner == 0)  # the control is never "scaled"
        assert d.ready and n_arms >= 2
    else:
        assert d.winner == -1
    if KEEP in dec:
        assert d.ready and SCALE not in dec
    if not d.ready:
        assert SCALE not in dec and KEEP not in dec
