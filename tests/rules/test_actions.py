"""Every action, the budget arithmetic, conflicts, supersession, cooldowns, rebalance, reserve."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from adbudget.rules.actions import ACTIONS, change_values, split_amount
from adbudget.rules.spec import ACTION_TYPES

from .conftest import AS_OF, fired, rows, run

ALWAYS = "{metric: spend, window: last_7d, op: '>', value: 0}"


def one(action: str, *, name: str = "r", priority: int = 0, scope: str = "{}", cooldown: int = 0) -> str:
    return (f"  - name: {name}\n    priority: {priority}\n    scope: {scope}\n    when: {ALWAYS}\n"
            f"    action: {action}\n    cooldown_days: {cooldown}\n")


def rules(*parts: str) -> str:
    return "rules:\n" + "".join(parts)


@pytest.fixture
def two() -> pd.DataFrame:
    """Two lines at 100/day, CPC 0.5; ROAS 4 and 1."""
    return pd.DataFrame(rows("a", 10, 100.0, 5, 400.0) + rows("b", 10, 100.0, 1, 100.0))


def test_registry_covers_every_action_type():
    assert set(ACTIONS) == set(ACTION_TYPES)


def act(ev, campaign: str) -> pd.Series:
    sel = ev.actions[ev.actions["campaign"] == campaign]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_pause_pause_today_resume(two):
    ev = run(rules(one("{type: pause}", scope="{campaign: '^a$'}"),
                   one("{type: pause_today}", name="r2", scope="{campaign: '^b$'}")), two)
    assert act(ev, "a")["after_status"] == "paused"
    assert act(ev, "b")["after_status"] == "paused_today"
    state = pd.DataFrame({"line": ["US|meta|a"], "status": ["paused"]})
    ev = run(rules(one("{type: resume}")), two, state=state)
    # resuming an active line changes nothing: only the paused one is resumed
    assert fired(ev) == {("r", "a")}
    assert act(ev, "a")["after_status"] == "active"
    assert set(ev.skipped["reason"]) == {"no_change"}


def test_notify_changes_nothing(two):
    ev = run(rules(one("{type: notify, message: look}")), two)
    assert set(ev.actions["action"]) == {"notify"}
    assert (ev.actions["before_budget"] == ev.actions["after_budget"]).all()
    assert set(ev.actions["message"]) == {"look"}
    assert ev.state_after.equals(ev.state_before)


@pytest.mark.parametrize("action,expected", [
    ("{type: raise_budget, pct: 20}", 120.0),
    ("{type: raise_budget, amount: 15}", 115.0),
    ("{type: raise_budget, pct: 50, cap: 130}", 130.0),
    ("{type: raise_budget, pct: 50, max_step_pct: 10}", 110.0),
    ("{type: raise_budget, pct: 50, max_step: 7}", 107.0),
    ("{type: lower_budget, pct: 30}", 70.0),
    ("{type: lower_budget, amount: 40, floor: 80}", 80.0),
    ("{type: lower_budget, pct: 200}", 0.0),
])
def test_budget_changes(two, action, expected):
    ev = run(rules(one(action, scope="{campaign: '^a$'}")), two)
    row = act(ev, "a")
    assert row["before_budget"] == pytest.approx(100.0)
    assert row["after_budget"] == pytest.approx(expected)
    after = ev.state_after.set_index("line").loc["US|meta|a", "daily_budget"]
    assert after == pytest.approx(expected)


@pytest.mark.parametrize("action,expected", [
    ("{type: raise_bid, pct: 10}", 0.55), ("{type: lower_bid, amount: 0.1}", 0.4),
    ("{type: lower_bid, pct: 50, floor: 0.45}", 0.45), ("{type: raise_bid, amount: 1, cap: 0.6}", 0.6),
])
def test_bid_changes(two, action, expected):
    ev = run(rules(one(action, scope="{campaign: '^a$'}")), two)
    row = act(ev, "a")
    assert row["before_bid"] == pytest.approx(0.5)
    assert row["after_bid"] == pytest.approx(expected)


def test_a_limit_never_reverses_a_move(two):
    # budget already above the cap: a raise does nothing (it must not become a cut)
    state = pd.DataFrame({"line": ["US|meta|a"], "daily_budget": [200.0]})
    ev = run(rules(one("{type: raise_budget, pct: 10, cap: 150}", scope="{campaign: '^a$'}")), two, state=state)
    assert ev.actions.empty
    assert list(ev.skipped["reason"]) == ["no_change"]


def test_change_values_properties():
    rng = np.random.default_rng(0)
    old = rng.uniform(0, 500, 1000)
    nan = np.full(1000, np.nan)
    for direction in (1.0, -1.0):
        pct = rng.uniform(0, 100, 1000)
        floor = rng.uniform(0, 300, 1000)
        cap = floor + rng.uniform(0, 300, 1000)
        step = rng.uniform(0, 50, 1000)
        new = change_values(old, np.full(1000, direction), pct, nan, floor, cap, nan, step)
        assert np.all(new >= 0)
        assert np.all(np.abs(new - old) <= step + 1e-9)
        assert np.all(direction * (new - old) >= -1e-9)  # never the wrong way


def test_split_amount():
    assert split_amount(90, np.array([1, 2, 0])) == pytest.approx([30, 60, 0])
    assert split_amount(90, np.array([0, 0, np.nan])) == pytest.approx([30, 30, 30])


def test_conflict_priority_wins_and_loser_is_logged(two):
    ev = run(rules(one("{type: raise_budget, pct: 10}", name="up", priority=1),
                   one("{type: lower_budget, pct: 10}", name="down", priority=5)), two)
    assert set(ev.actions["rule"]) == {"down"}
    lost = ev.skipped[ev.skipped["reason"] == "conflict"]
    assert set(lost["rule"]) == {"up"} and set(lost["winner"]) == {"down"}
    assert len(lost) == 2


def test_conflict_tie_goes_to_the_safer_action(two):
    ev = run(rules(one("{type: resume}", name="go"), one("{type: pause}", name="stop")), two,
             state=pd.DataFrame({"line": ["US|meta|a", "US|meta|b"], "status": ["paused", "active"]}))
    # line a: pause is a no-op on a paused line, so resume wins there; line b: only pause applies
    assert fired(ev) == {("go", "a"), ("stop", "b")}
    ev = run(rules(one("{type: raise_budget, pct: 10}", name="up"), one("{type: lower_budget, pct: 10}", name="dn")), two)
    assert set(ev.actions["rule"]) == {"dn"}
    ev = run(rules(one("{type: lower_budget, pct: 10}", name="first"), one("{type: lower_budget, pct: 20}", name="second")), two)
    assert set(ev.actions["rule"]) == {"first"}  # same priority and safety: file order


def test_pause_supersedes_budget_changes_but_not_notify(two):
    ev = run(rules(one("{type: raise_budget, pct: 10}", name="up", priority=9), one("{type: pause}", name="stop"),
                   one("{type: notify}", name="tell")), two)
    assert set(ev.actions["action"]) == {"pause", "notify"}
    sup = ev.skipped[ev.skipped["reason"] == "superseded"]
    assert set(sup["rule"]) == {"up"} and set(sup["winner"]) == {"stop"}


def test_budget_and_bid_changes_both_apply(two):
    ev = run(rules(one("{type: raise_budget, pct: 10}", name="b"), one("{type: lower_bid, pct: 10}", name="c")), two)
    assert len(ev.actions) == 4 and ev.skipped.empty


def test_cooldown_and_already_applied(two):
    text = rules(one("{type: raise_budget, pct: 10}", cooldown=3))
    hist = lambda d: pd.DataFrame({"rule": ["r"], "line": ["US|meta|a"], "for_date": [d]})  # noqa: E731
    ev = run(text, two, history=hist(date(2026, 11, 18)))  # 2 days ago < 3
    assert fired(ev) == {("r", "b")}
    assert list(ev.skipped["reason"]) == ["cooldown"]
    ev = run(text, two, history=hist(date(2026, 11, 17)))  # 3 days ago: cooled down
    assert fired(ev) == {("r", "a"), ("r", "b")}
    ev = run(rules(one("{type: raise_budget, pct: 10}")), two, history=hist(AS_OF))  # same date twice
    assert fired(ev) == {("r", "b")}
    assert list(ev.skipped["reason"]) == ["already_applied"]


def test_rebalance_moves_money_and_conserves_it():
    df = pd.DataFrame(rows("loser", 10, 100.0, 0.5, 20.0) + rows("w1", 10, 100.0, 5, 400.0)
                      + rows("w2", 10, 300.0, 5, 300.0))
    text = """rules:
  - name: move
    when: {metric: roas, window: last_7d, op: "<", value: 0.5}
    action: {type: rebalance, pct: 40, to: {market: US}, weight: roas}
"""
    ev = run(text, df)
    before = ev.state_before["daily_budget"].sum()
    after = ev.state_after["daily_budget"].sum()
    assert after == pytest.approx(before)
    got = ev.state_after.set_index("line")["daily_budget"]
    assert got["US|meta|loser"] == pytest.approx(60.0)
    # 40 split by 7-day ROAS 4 : 1
    assert got["US|meta|w1"] == pytest.approx(132.0)
    assert got["US|meta|w2"] == pytest.approx(308.0)
    assert set(ev.actions["action"]) == {"rebalance", "rebalance_in"}


def test_rebalance_without_recipient_is_undone():
    df = pd.DataFrame(rows("loser", 10, 100.0, 0.5, 20.0, market="DE") + rows("w", 10, 100.0, 5, 400.0))
    text = """rules:
  - name: move
    when: {metric: roas, window: last_7d, op: "<", value: 0.5}
    action: {type: rebalance, pct: 40, to: {market: [DE]}}
"""
    ev = run(text, df)
    assert ev.actions.empty
    assert list(ev.skipped["reason"]) == ["no_recipient"]
    assert ev.state_after["daily_budget"].sum() == pytest.approx(ev.state_before["daily_budget"].sum())


def test_release_reserve_is_capped_by_the_pool(two):
    text = rules(one("{type: release_reserve, amount: 100, split: equal}", name="x"),
                 one("{type: release_reserve, pct_of_reserve: 100, split: budget, max_step_pct: 10}", name="y",
                     scope="{campaign: '^b$'}"))
    ev = run(text, two, reserve=60.0)
    # x wins on a and b (same priority, file order) and asks 50 + 50 = 100 > 60: scaled to 30 each
    got = ev.state_after.set_index("line")["daily_budget"]
    assert got["US|meta|a"] == pytest.approx(130.0)
    assert got["US|meta|b"] == pytest.approx(130.0)
    assert ev.state_after["daily_budget"].sum() - ev.state_before["daily_budget"].sum() == pytest.approx(60.0)
    assert "conflict" in set(ev.skipped["reason"])
    ev = run(text, two, reserve=0.0)
    assert ev.actions.empty and set(ev.skipped["reason"]) == {"no_reserve", "conflict"}


def test_release_reserve_step_cap(two):
    ev = run(rules(one("{type: release_reserve, amount: 100, max_step_pct: 25}")), two, reserve=1000.0)
    assert ev.actions["after_budget"].tolist() == pytest.approx([125.0, 125.0])


def test_snapshot_holds_the_triggering_metrics(two):
    text = """rules:
  - name: cut
    when: {all: [{metric: roas, window: last_7d, op: "<", than: {target: breakeven_roas}},
                 {metric: cpc, window: yesterday, op: ">", than: {window: last_14d}, factor: 0.5}]}
    guard: {window: last_7d, min_spend: 10}
    action: {type: lower_budget, pct: 10}
"""
    ev = run(text, two)
    snap = act(ev, "b")["metrics"]
    assert snap == {"roas:last_7d": 1.0, "cpc:yesterday": 0.5, "cpc:last_14d": 0.5,
                    "spend:last_7d": 700.0, "breakeven_roas": 2.5}
