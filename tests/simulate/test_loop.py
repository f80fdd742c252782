"""The budgeting loop end to end on the tiny world (slow: two fits per month)."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.simulate import World
from adbudget.simulate.forward import own_spend_schedule, truncate
from adbudget.workspace.loop import run_loop, schedule_profit


def test_schedule_profit_is_the_true_profit_of_a_steady_schedule() -> None:
    world = World.build(0, "tiny")
    start = truncate(world, 100)
    sched = own_spend_schedule(world, 100, 30)
    flat = sched.groupby(["market", "channel"])["spend"].transform("mean")
    sched = sched.assign(spend=flat)
    daily = sched.groupby(["market", "channel"])["spend"].mean().to_dict()
    period = (str(sched["date"].min().date()), str(sched["date"].max().date()))
    # a steady schedule: the sum of each day's profit is the period's true profit
    assert schedule_profit(start, sched) == pytest.approx(start.true_profit(daily, period), rel=1e-6)


@pytest.mark.slow
def test_two_months_of_the_loop_on_the_tiny_world(tmp_path) -> None:
    result = run_loop(0, "tiny", 2, folder=tmp_path / "ws", fit={"method": "laplace"})
    assert [p.period for p in result.periods] == ["2026-11", "2026-12"]
    for p in result.periods:
        assert p.oracle_profit >= p.status_quo_profit - 1e-6  # the oracle is the best split
        assert np.isfinite(p.plan_profit) and np.isfinite(p.mroas_error)
        assert p.test_spend <= p.test_bucket + 1e-6  # tests stay inside the test bucket
        assert {m["market"] for m in p.misses} <= {"US", "DE", "ID", "SA"}
    assert result.periods[-1].cumulative_regret == pytest.approx(
        sum(p.oracle_profit - p.plan_profit for p in result.periods))
    s = result.summary()
    assert s["periods"] == 2 and s["share_of_oracle"] == pytest.approx(
        sum(p.plan_profit for p in result.periods) / sum(p.oracle_profit for p in result.periods))


def test_the_loop_table_renders_in_both_languages(capsys) -> None:
    from adbudget.cli.loop import render_loop
    from adbudget.i18n import set_language
    from adbudget.workspace.loop import LoopPeriod, LoopResult

    test = {"test_id": "SB-US-meta", "market": "US", "channel": "meta", "estimate": 900.0, "se": 400.0,
            "slope": 1.8, "slope_se": 0.6, "true": 1000.0, "true_slope": 2.0, "covered": True}
    periods = [LoopPeriod("2026-11", 30000.0, 5000.0, 9000.0, 6000.0, 4000.0, 5000 / 9000, 0.3),
               LoopPeriod("2026-12", 31000.0, 7000.0, 9500.0, 6500.0, 6500.0, 12000 / 18500, 0.2,
                          tests=[test],
                          misses=[{"market": "US", "forecast": 9000.0, "lo": 8000.0, "hi": 10000.0,
                                   "actual": 6000.0, "missed": True},
                                  {"market": "DE", "forecast": 900.0, "lo": 800.0, "hi": 1000.0,
                                   "actual": 950.0, "missed": False}])]
    result = LoopResult(seed=0, size="tiny", periods=periods, seconds=12.0)
    for lang, word in (("en", "Status quo"), ("zh", "维持原分配")):
        set_language(lang)
        render_loop(result)
        out = capsys.readouterr().out
        assert word in out and "2026-12" in out and "+1.80" in out
        assert "6,000" in out and "DE" not in out.split("2026-12 ")[-1]  # misses only
    set_language("en")
    assert result.summary()["beats_status_quo_from_second"] is True
    assert result.frame()["plan_profit"].tolist() == [5000.0, 7000.0]
