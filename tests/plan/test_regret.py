"""Regret against the simulator's oracle, scored by the world's own truth."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.config.settings import MarketSettings, Settings
from adbudget.plan import PlanInputs, make_plan, value_per_revenue

simulate = pytest.importorskip("adbudget.simulate")

PURE = {"brand": 0.0, "performance": 100.0, "test": 0.0, "reserve": 0.0}


def world_settings(world) -> tuple[Settings, dict[str, float]]:
    markets, aov = {}, {}
    for m in world.markets:
        markets[m.code] = MarketSettings(
            region=m.region, currency=m.currency, timezone=m.timezone, stage=m.stage,
            gross_margin_pct=m.gross_margin_pct, shipping_cost_per_order=m.shipping_cost_per_order,
            return_rate_pct=m.return_rate_pct, payment_fee_pct=m.payment_fee_pct,
        )
        aov[m.code] = m.aov
    return Settings(markets=markets), aov


@pytest.fixture(scope="module")
def world():
    return simulate.World.build(0, "small")


def test_our_economics_match_the_worlds(world):
    s, aov = world_settings(world)
    ours = np.array([value_per_revenue(s.markets[m], aov[m]) for m, _ in world.lines])
    np.testing.assert_allclose(ours, world.profit_weights(), rtol=1e-12)


@pytest.mark.parametrize("factor", [0.6, 1.0, 1.5])
def test_regret_vs_oracle_small_world(world, factor):
    s, aov = world_settings(world)
    curves = world.true_curves("next")
    days = 30
    budget = float(curves.current_spend.sum()) * days * factor
    oracle = world.oracle_allocation(budget, "next")
    plan = make_plan(PlanInputs(budget=budget, period="next", days=days, settings=s, curves=curves,
                                buckets=PURE, max_change=None, aov=aov, entry_rule=False))
    daily = {(x.market, x.channel): x.amount_base / days for x in plan.lines}
    ours = world.true_profit(daily, "next")
    best = oracle.profit
    regret = (best - ours) / abs(best)
    equal = world.true_profit(np.full(len(world.lines), budget / days / len(world.lines)), "next")
    last = world.true_profit(curves.current_spend * factor, "next")
    assert regret <= 0.03, (ours, best)
    assert ours > equal and ours > last
    assert plan.check.passed
