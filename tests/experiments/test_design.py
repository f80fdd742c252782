"""Power and entry plan against textbook figures and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adbudget.experiments.design import (
    clicks_per_arm,
    design_test,
    entry_test_plan,
    minimum_detectable_lift,
    power_at,
)


def test_constant_order_value_reduces_to_two_proportions():
    # Two proportions 5 % vs 6 %, one-sided 2.5 % (= two-sided 5 %), power 80 % (Fleiss without
    # continuity correction): n = (1.959964 + 0.841621)^2 (0.05*0.95 + 0.06*0.94) / 0.01^2 = 8,155
    n = clicks_per_arm(0.05, 40.0, 0.0, 0.2, power=0.8, prob_to_scale=0.975)
    assert abs(n - 8155) < 2


def test_heavier_order_values_need_more_clicks():
    assert clicks_per_arm(0.03, 40, 2.0, 0.2) > clicks_per_arm(0.03, 40, 1.0, 0.2) > clicks_per_arm(0.03, 40, 0.0, 0.2)
    # more arms: stricter per-challenger probability, more clicks each
    assert clicks_per_arm(0.03, 40, 1.0, 0.2, n_arms=4) > clicks_per_arm(0.03, 40, 1.0, 0.2, n_arms=2)


def test_mde_inverts_power():
    n = clicks_per_arm(0.03, 40, 1.0, 0.25, power=0.8)
    assert abs(minimum_detectable_lift(n, 0.03, 40, 1.0, power=0.8) - 0.25) < 1e-6
    assert abs(power_at(n, 0.03, 40, 1.0, 0.25) - 0.8) < 1e-9


def test_design_budget_and_days():
    d = design_test(0.03, 40, 1.0, 0.5, 0.2, daily_budget=1000)
    assert d.spend_per_arm == d.clicks_per_arm * 0.5 and d.total_budget == 2 * d.spend_per_arm
    assert d.days == math.ceil(d.total_budget / 1000)
    assert d.mde_at_daily_budget > 0.2  # 14 days at 1,000/day are not enough for 20 %
    with pytest.raises(ValueError):
        clicks_per_arm(0.03, 40, 1.0, 0.0)


def test_entry_plan_fits_budget_and_cuts_in_order():
    kw = dict(platforms=["tiktok", "meta", "google_search"], creative_types=["video", "image"],
              targetings=["interest", "retargeting"], cpc={"tiktok": 0.5, "meta": 1.0, "google_search": 1.0},
              cvr={"tiktok": 0.02, "meta": 0.02, "google_search": 0.04}, cell_min_conversions=10)
    big = entry_test_plan("US", "NA", 100_000, **kw)
    assert big.feasible and len(big.cells) == 12 and big.dropped == []
    assert np.isclose(sum(c.budget for c in big.cells), 100_000)
    # cost per conversion: 25, 50, 25; 12 cells x 50 x 10 = 6,000 for the full grid
    assert np.isclose(big.budget_needed, 6000)
    small = entry_test_plan("US", "NA", 3000, **kw)
    assert small.dropped[0] == "platform:google_search"
    assert small.feasible and np.isclose(sum(c.budget for c in small.cells), 3000)
    assert all(c.expected_conversions >= 10 for c in small.cells)
    tiny = entry_test_plan("US", "NA", 100, **kw)
    assert not tiny.feasible and len(tiny.cells) == 1
    with pytest.raises(ValueError):
        entry_test_plan("US", "NA", 1000, days=30, **kw)
