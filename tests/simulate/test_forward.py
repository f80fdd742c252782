"""The simulator runs forward: continued periods are generated as history, carryover continuing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.simulate import World
from adbudget.simulate.forms import SATURATIONS
from adbudget.simulate.forward import (
    ScheduleError,
    designed_test_truth,
    own_spend_schedule,
    truncate,
)

CUT = 100


@pytest.fixture(scope="module")
def tiny() -> World:
    return World.build(0, "tiny")


@pytest.fixture(scope="module")
def replay(tiny: World) -> World:
    """The tiny world cut after CUT days, continued with the spend it really had."""
    return truncate(tiny, CUT).forward(own_spend_schedule(tiny, CUT, 30))


def test_continuing_with_the_worlds_own_spend_reproduces_its_truth(tiny: World, replay: World) -> None:
    for code, p in tiny.panels.items():
        q = replay.panels[code]
        want = p.incr_gross[:, CUT:CUT + 30]
        got = q.incr_gross[:, CUT:]
        # spend is re-split over campaigns and rounded to the cent: nothing else may differ
        assert np.abs(got - want).max() <= 1e-3 * max(np.abs(want).max(), 1.0)
        assert np.abs(q.spend[:, CUT:] - p.spend[:, CUT:CUT + 30]).max() < 0.02


def test_carryover_continues_from_the_history(tiny: World, replay: World) -> None:
    """On the first continued days the response still carries the history's adstock: a
    restart from zero spend would fall well short of it on slow-decay lines."""
    gaps = []
    for code, p in tiny.panels.items():
        for i, ln in enumerate(p.lines):
            if p.spend[i, CUT - 28:CUT].sum() <= 0:
                continue
            from adbudget.simulate.forms import carryover
            from adbudget.simulate.panel import kernel

            x = carryover(p.spend[i, CUT:CUT + 3] / p.cost[i, CUT:CUT + 3] / ln.half, kernel(ln))
            cold = ln.beta * SATURATIONS[ln.saturation].value(x, np.asarray(ln.k)) * p.effect[i, CUT:CUT + 3]
            warm = replay.panels[code].incr_gross[i, CUT:CUT + 3]
            assert np.allclose(warm, p.incr_gross[i, CUT:CUT + 3], rtol=1e-3, atol=1e-6)
            gaps.append(float((warm - cold).sum() / max(warm.sum(), 1e-9)))
    assert max(gaps) > 0.2  # some line's first days owe a fifth or more to the history


def test_history_is_untouched_and_new_rows_are_unique(tiny: World, replay: World) -> None:
    old = truncate(tiny, CUT).frames()
    new = replay.frames()
    o_old, o_new = old["orders"], new["orders"]
    pd.testing.assert_frame_equal(o_new[o_new["order_id"].isin(o_old["order_id"])].reset_index(drop=True),
                                  o_old.reset_index(drop=True))
    a_old, a_new = old["ad_daily"], new["ad_daily"]
    pd.testing.assert_frame_equal(a_new[a_new["date"] < pd.Timestamp(replay.period_start)]
                                  .reset_index(drop=True), a_old.reset_index(drop=True))
    assert o_new["order_id"].is_unique
    since = replay.frames(since=replay.period_start)
    assert pd.to_datetime(since["ad_daily"]["date"]).min() == pd.Timestamp(replay.period_start)
    assert len(since["orders"]) == len(o_new) - len(o_old)
    # returning customers: some of the period's orders belong to customers of the history
    old_customers = set(o_old["customer_id"])
    assert since["orders"]["customer_id"].isin(old_customers).mean() > 0.05
    # touchpoint user ids never collide with the history's non-converters
    tp = since["touchpoints"]
    assert not tp["user_id"].str.contains(r"-U\d{7}$").any()


def test_continuing_is_deterministic_and_chains(tiny: World) -> None:
    start = truncate(tiny, CUT)
    sched = own_spend_schedule(tiny, CUT, 14)
    a, b = start.forward(sched), start.forward(sched)
    pd.testing.assert_frame_equal(a.frames()["orders"], b.frames()["orders"])
    two = a.forward(own_spend_schedule(tiny, CUT + 14, 14))
    assert two.spec.days == CUT + 28 and len(two.schedules) == 2
    # the second period's first days still carry the first period's spend
    p, q = tiny.panels["US"], two.panels["US"]
    assert np.allclose(q.incr_gross[:, CUT + 14:CUT + 17], p.incr_gross[:, CUT + 14:CUT + 17], rtol=1e-3)


def test_a_bad_schedule_is_refused_with_its_row(tiny: World) -> None:
    sched = own_spend_schedule(tiny, CUT, 5)
    with pytest.raises(ScheduleError, match="must start on"):
        truncate(tiny, CUT - 1).forward(sched)
    bad = sched.copy()
    bad.loc[3, "spend"] = -1.0
    with pytest.raises(ScheduleError, match="schedule:5: column .spend."):
        truncate(tiny, CUT).forward(bad)


def test_designed_test_truth_is_the_true_curve_difference(tiny: World) -> None:
    start = truncate(tiny, CUT)
    sched = own_spend_schedule(tiny, CUT, 28)
    m, c = tiny.lines[0]
    sel = (sched["market"] == m) & (sched["channel"] == c)
    arm = np.where((np.arange(sel.sum()) // 7) % 2 == 0, "hi", "lo")
    sched.loc[sel, "test_id"] = "T1"
    sched.loc[sel, "arm"] = arm
    sched.loc[sel, "spend"] = np.where(arm == "hi", 300.0, 100.0)
    truth = designed_test_truth(start, sched)
    row = truth.iloc[0]
    assert (row["hi_days"], row["lo_days"]) == (14, 14)
    window = (str(row["start_date"])[:10], str(row["end_date"])[:10])
    want = start.true_response(m, c, 300.0, window) - start.true_response(m, c, 100.0, window)
    assert row["true_daily_difference"] == pytest.approx(want)
    assert row["true_slope"] == pytest.approx(want / 200.0)


def test_a_month_without_spend_still_continues(tiny: World) -> None:
    sched = own_spend_schedule(tiny, CUT, 7).assign(spend=0.0)
    world = truncate(tiny, CUT).forward(sched)
    new = world.frames(since=world.period_start)
    assert new["ad_daily"].empty and "spend_base" in new["ad_daily"].columns
    assert len(new["orders"]) > 0  # organic demand goes on
    # with no spend the ads' effect only decays: the last day earns less than the first
    inc = world.daily_markets().groupby("date")["incremental_revenue"].sum()
    assert inc.iloc[-1] < inc.iloc[CUT]
