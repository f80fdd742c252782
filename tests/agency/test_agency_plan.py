"""Fit and plan through agency mode on two tiny simulated sellers (slow: two SVI fits)."""

from __future__ import annotations

import math

import pytest

from adbudget.agency import find_sellers, run_sellers
from adbudget.period import parse_period


@pytest.mark.slow
def test_plan_fits_where_needed_and_sizes_the_budget(tmp_path) -> None:
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo

    steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import")]
    for seed in (0, 1):
        run_demo(seed, "tiny", tmp_path / f"shop-{seed}", steps=steps)
    results = run_sellers(find_sellers(tmp_path), "plan", backend="process", workers=2,
                          options={"method": "svi", "budget_change": 0.1})
    for r in results:
        assert r.ok, r.error
        assert "no fit: fitted first" in r.warnings and r.fit_method == "svi"
        days = parse_period(r.plan_period).days
        assert r.plan_budget == pytest.approx(r.spend_30d / 30 * days * 1.1, abs=0.01)
        assert math.isfinite(r.estimated_profit)
        assert r.estimated_profit_lo <= r.estimated_profit <= r.estimated_profit_hi
        assert 0 <= r.plan_change_pct <= 1
