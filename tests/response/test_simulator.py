"""Recovery on the simulator's worlds (other curve forms, demand-following spend, lift tests).

Slow (builds a world and fits 22 lines): run with ``-m slow``. Prints the numbers it checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from adbudget.config.response import ResponseSettings
from adbudget.response import fit_model

simulate = pytest.importorskip("adbudget.simulate")


@pytest.mark.slow
@pytest.mark.parametrize("use_lift", [False, True])
def test_recovery_on_a_tiny_simulated_seller(use_lift):
    world = simulate.World.build(seed=0, size="tiny")
    markets = world.daily_markets()
    lines = world.daily_lines()
    revenue = markets[["date", "market", "net_revenue", "orders"]].rename(columns={"net_revenue": "revenue"})
    spend = lines[["date", "market", "channel", "spend"]]
    lift = None
    if use_lift:
        tests = world.lift_tests()
        rate = tests["spend_base"] / tests["spend"]  # local currency -> base, as the workspace does
        lift = tests.assign(spend=tests["spend_base"], incremental_revenue=tests["incremental_revenue"] * rate,
                            incremental_revenue_se=tests["incremental_revenue_se"] * rate)
    regions = {m.code: m.region for m in world.markets}
    result = fit_model(revenue, spend, regions, ResponseSettings(holdout_days=0), method="laplace",
                       draws=200, lift_tests=lift)
    totals = lines.groupby(["market", "channel"])[["incremental_revenue", "spend"]].sum()
    truth = (totals["incremental_revenue"] / totals["spend"]).loc[result.lines].to_numpy()
    s = result.summary
    inside = (truth >= s["roas_lo"].to_numpy()) & (truth <= s["roas_hi"].to_numpy())
    true_marginal = np.array([world.true_marginal(m, c, x) for (m, c), x in
                              zip(result.lines, result.current_spend, strict=True)])
    rho_m = spearmanr(true_marginal, s["marginal_roas"]).correlation
    rho_r = spearmanr(truth, s["roas"]).correlation
    print(f"simulator tiny (lift={use_lift}): ROAS inside 90% interval {inside.mean():.0%}, "
          f"rank corr ROAS {rho_r:.2f}, marginal ROAS {rho_m:.2f}")
    assert inside.mean() >= 0.8
    assert rho_r > 0.4 and rho_m > 0.2
