"""Thompson allocation: lower regret than an equal split; floors and budgets hold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.experiments.allocate import (
    LiveArm,
    allocate_test_budget,
    split_with_floors,
    thompson_weights,
)
from adbudget.experiments.simulation import bandit_regret


def test_thompson_beats_equal_split_on_regret():
    # true ROAS 0.8, 0.96, 1.12, 0.8 (cvr x 40 / cpc 1)
    run = bandit_regret([0.02, 0.024, 0.028, 0.02], [40] * 4, [1.0] * 4, budget=4000, periods=12,
                        runs=30, seed=3)
    ratio = run.thompson.mean() / run.equal.mean()
    print(f"cumulative regret over 12 periods: Thompson {run.thompson.mean():,.0f}, equal split "
          f"{run.equal.mean():,.0f} (ratio {ratio:.2f}); best arm's share in the last period "
          f"{run.best_share_last.mean():.0%}")
    assert ratio < 0.7
    assert (run.thompson < run.equal).mean() >= 0.8
    assert run.best_share_last.mean() > 0.5


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1e6), st.lists(st.floats(0, 1), min_size=1, max_size=6), st.data())
def test_split_with_floors_invariants(budget, weights, data):
    floors = np.array(data.draw(st.lists(st.floats(0, 1e5), min_size=len(weights), max_size=len(weights))))
    amounts = split_with_floors(budget, np.array(weights), floors)
    assert np.isclose(amounts.sum(), budget, rtol=1e-9, atol=1e-6)
    assert (amounts >= -1e-9).all()
    if floors.sum() <= budget:
        assert (amounts >= floors - 1e-6).all()


def test_allocation_floors_and_columns(rng):
    draws_a = np.stack([rng.normal(2.0, 0.05, 4000), rng.normal(1.0, 0.05, 4000), rng.normal(1.0, 0.05, 4000)])
    arms_a = [LiveArm("a", f"x{i}", "US", "meta", clicks, 0.5) for i, clicks in enumerate([5000, 5000, 50])]
    draws_b = np.stack([rng.normal(1.0, 0.3, 4000), rng.normal(1.0, 0.3, 4000)])
    arms_b = [LiveArm("b", f"y{i}", "DE", "tiktok", 5000, 0.4) for i in range(2)]
    df = allocate_test_budget(5000, [(arms_a, draws_a), (arms_b, draws_b)], floor_share=0.1,
                              min_clicks=1000, period_days=10)
    assert list(df.columns) == ["experiment", "arm", "market", "channel", "amount", "daily_amount",
                                "share", "p_best", "floor"]
    assert np.isclose(df["amount"].sum(), 5000)
    by_exp = df.groupby("experiment")["amount"].sum()
    assert np.isclose(by_exp["a"], 3000) and np.isclose(by_exp["b"], 2000)  # 3 vs 2 live arms
    a = df[df.experiment == "a"].set_index("arm")
    assert a.loc["x0", "amount"] > 2000  # the clear leader takes most
    assert np.isclose(a.loc["x1", "amount"], 100)  # 10 % of an equal share
    assert np.isclose(a.loc["x2", "amount"], (1000 - 50) * 0.5)  # enough to reach min clicks
    np.testing.assert_allclose(df["daily_amount"], df["amount"] / 10)


def test_thompson_weights_sum_to_one(rng):
    w = thompson_weights(rng.normal(size=(4, 1000)))
    assert np.isclose(w.sum(), 1)
    assert allocate_test_budget(100, []).empty


@pytest.mark.slow
def test_weekly_loop_graduates_the_best_arm_cheaper():
    from adbudget.experiments.simulation import simulate_test_bucket

    kw = dict(weekly_budget=20_000, weeks=8, runs=60)
    ours = simulate_test_bucket([0.03, 0.027, 0.036, 0.03], 40.0, 1.0, **kw)
    equal = simulate_test_bucket([0.03, 0.027, 0.036, 0.03], 40.0, 1.0, adaptive=False, **kw)
    print(f"best arm graduated: Thompson {np.mean(ours.graduated == 2):.0%}, equal {np.mean(equal.graduated == 2):.0%}; "
          f"regret {ours.regret.mean():,.0f} vs {equal.regret.mean():,.0f}")
    assert np.mean(ours.graduated == 2) >= 0.6
    assert np.mean((ours.graduated >= 0) & (ours.graduated != 2)) <= 0.05
    assert ours.regret.mean() < 0.7 * equal.regret.mean()
