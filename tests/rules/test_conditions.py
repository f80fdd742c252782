"""Every kind of condition: constants, other metrics, other windows, plan targets, nesting,
missing data, guards, scopes and schedules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from .conftest import fired, rows, run

PAUSE = "action: {type: notify}"


def rule(when: str, scope: str = "{}", extra: str = "") -> str:
    return f"rules:\n  - name: r\n    scope: {scope}\n    when: {when}\n    {PAUSE}\n{extra}"


@pytest.mark.parametrize("op,value,expected", [
    (">", 3.9, {"US_perf_win"}), (">=", 4.0, {"US_perf_win"}), ("<", 0.31, {"US_test_lose"}),
    ("<=", 2.0, {"US_test_lose", "US_perf_flat"}), ("==", 2.0, {"US_perf_flat"}),
    ("!=", 2.0, {"US_perf_win", "US_test_lose"}),  # US_perf_zero has no ROAS: never matches
    ("gt", 3.9, {"US_perf_win"}),
])
def test_compare_with_constant(daily, op, value, expected):
    ev = run(rule(f'{{metric: roas, window: last_7d, op: "{op}", value: {value}}}'), daily)
    assert {c for _, c in fired(ev)} == expected


@pytest.mark.parametrize("metric,value,expected", [
    ("spend", 600, {"US_perf_win", "US_test_lose"}), ("conversions", 30, {"US_perf_win"}),
    ("cpa", 150, {"US_test_lose"}), ("ctr", 0.019, {"US_perf_win", "US_test_lose", "US_perf_flat"}),
    ("cvr", 0.02, {"US_perf_win"}), ("cpm", 9, {"US_perf_win", "US_test_lose"}),
    ("cpc", 0.4, {"US_perf_win", "US_test_lose"}), ("impressions", 1, {"US_perf_win", "US_test_lose", "US_perf_flat"}),
    ("clicks", 1000, {"US_perf_win", "US_test_lose", "US_perf_flat"}), ("revenue", 2000, {"US_perf_win"}),
])
def test_every_metric(daily, metric, value, expected):
    ev = run(rule(f'{{metric: {metric}, window: last_7d, op: ">", value: {value}}}'), daily)
    assert {c for _, c in fired(ev)} == expected


def test_compare_with_other_metric_times_factor():
    # spend yesterday > 0.5 × daily budget (state): only the line whose budget was cut fires
    df = pd.DataFrame(rows("a", 10, 100.0, 1, 100) + rows("b", 10, 100.0, 1, 100))
    state = pd.DataFrame({"line": ["US|meta|a"], "daily_budget": [150.0]})
    text = rule('{metric: spend, window: yesterday, op: ">", than: {metric: daily_budget}, factor: 0.7}')
    ev = run(text, df, state=state)
    assert {c for _, c in fired(ev)} == {"b"}  # a: 100 > 105 false; b: 100 > 70 true


def test_compare_with_other_window():
    # yesterday's CPA 50 % above the 7-day average
    df = pd.DataFrame(rows("steady", 10, 100.0, 5, 100) + rows("jump", 10, 100.0, 5, 100))
    df.loc[(df["campaign"] == "jump") & (df["date"] == date(2026, 11, 19)), "conversions"] = 2
    text = rule('{metric: cpa, window: yesterday, op: ">", than: {window: last_7d}, factor: 1.5}')
    ev = run(text, df)
    assert {c for _, c in fired(ev)} == {"jump"}
    m = ev.actions["metrics"].iloc[0]
    assert m["cpa:yesterday"] == pytest.approx(50.0)
    assert m["cpa:last_7d"] == pytest.approx(700 / 32)


def test_compare_with_plan_target(daily):
    text = rule('{metric: roas, window: last_7d, op: "<", than: {target: breakeven_roas}}')
    ev = run(text, daily)  # breakeven 2.5 for the whole market
    assert {c for _, c in fired(ev)} == {"US_test_lose", "US_perf_flat"}
    assert ev.actions["metrics"].iloc[0]["breakeven_roas"] == 2.5
    # without a target nothing can be compared: no line fires
    ev = run(text, daily, targets=None)
    assert ev.actions.empty


def test_nested_all_any_not(daily):
    text = rule('{all: [{metric: spend, window: last_7d, op: ">", value: 100}, '
                '{any: [{metric: roas, window: last_7d, op: "<", value: 1}, '
                '{not: {metric: cpc, window: last_7d, op: "<", value: 0.4}}]}]}')
    ev = run(text, daily)
    # win: spend ok, roas 4, cpc 0.5 (not <0.4 → true) → fires; lose: roas 0.3 → fires;
    # flat: spend 350 ok, roas 2, cpc 0.25 → not(true) false → no; zero: spend 0 → no
    assert {c for _, c in fired(ev)} == {"US_perf_win", "US_test_lose"}


def test_not_on_missing_data_is_false(daily):
    ev = run(rule('{not: {metric: roas, window: last_7d, op: ">", value: 100}}'), daily)
    assert "US_perf_zero" not in {c for _, c in fired(ev)}
    assert len(fired(ev)) == 3


def test_guard_needs_enough_data():
    df = pd.DataFrame(rows("old", 10, 100.0, 0, 0) + rows("new", 2, 100.0, 0, 0))
    text = ("rules:\n  - name: r\n    when: {metric: conversions, window: last_7d, op: '<', value: 1}\n"
            "    guard: {window: last_7d, min_days: 5, min_spend: 300}\n    action: {type: pause}\n")
    ev = run(text, df)
    assert {c for _, c in fired(ev)} == {"old"}


@pytest.mark.parametrize("scope,expected", [
    ("{market: DE}", {"DE_a"}), ("{channel: [tiktok]}", {"US_b"}), ("{campaign: '^US_[ab]'}", {"US_a", "US_b"}),
    ("{bucket: test}", {"US_test_c"}), ("{test_arm: false}", {"DE_a", "US_a", "US_b"}),
    ("{market: [US], channel: meta}", {"US_a", "US_test_c"}),
])
def test_scopes(scope, expected):
    df = pd.DataFrame(rows("DE_a", 7, 10, 1, 10, market="DE") + rows("US_a", 7, 10, 1, 10)
                      + rows("US_b", 7, 10, 1, 10, channel="tiktok") + rows("US_test_c", 7, 10, 1, 10))
    ev = run(rule('{metric: spend, window: last_7d, op: ">", value: 0}', scope=scope), df)
    assert {c for _, c in fired(ev)} == expected


@pytest.mark.parametrize("schedule,fires", [
    ("{weekdays: [fri]}", True), ("{weekdays: [mon, tue]}", False),
    ("{start: 2026-11-21}", False), ("{end: 2026-11-19}", False), ("{start: 2026-11-01, end: 2026-11-30}", True),
])
def test_schedules(daily, schedule, fires):
    text = ("rules:\n  - name: r\n    when: {metric: spend, window: last_7d, op: '>', value: 0}\n"
            f"    schedule: {schedule}\n    action: {{type: notify}}\n")
    ev = run(text, daily)  # AS_OF 2026-11-20 is a Friday
    assert (not ev.actions.empty) == fires


def test_disabled_rule_never_fires(daily):
    text = ("rules:\n  - name: r\n    enabled: false\n    when: {metric: spend, window: last_7d, op: '>', value: 0}\n"
            "    action: {type: notify}\n")
    assert run(text, daily).actions.empty


def test_toml_and_yaml_give_the_same_rules(daily):
    yaml_text = rule('{metric: roas, window: last_7d, op: "<", than: {target: breakeven_roas}, factor: 0.5}',
                     scope="{test_arm: true}")
    toml_text = """
[[rules]]
name = "r"
scope = { test_arm = true }
when = { metric = "roas", window = "last_7d", op = "<", than = { target = "breakeven_roas" }, factor = 0.5 }
action = { type = "notify" }
"""
    a = run(yaml_text, daily)
    b = run(toml_text, daily, fmt="toml")
    assert fired(a) == fired(b) == {("r", "US_test_lose")}
