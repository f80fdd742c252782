"""Backtest: the stop-loss template on worlds with known losing test arms."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from adbudget.curves import HillCurves
from adbudget.rules.backtest import _response_ratio, backtest
from adbudget.rules.loader import parse_rules
from adbudget.rules.metrics import build_lines
from adbudget.rules.templates import load_template

from .world import Arm, make_arms, make_daily

START = date(2026, 8, 1)
TARGETS = pd.DataFrame([{"market": m, "channel": "*", "breakeven_roas": 2.5, "target_roas": 3.0}
                        for m in ("US", "DE", "ID", "SA")])


def test_stop_loss_saves_spend_on_losing_arms_and_keeps_conversions():
    arms = make_arms(seed=3)
    daily = make_daily(arms, START, 75, seed=3)
    res = backtest(load_template("stop_loss"), daily, START + timedelta(days=14), START + timedelta(days=74),
                   targets=TARGETS)
    lost_pct = -res.conversions_change_pct
    print(f"\nstop-loss backtest (own generator): spend saved {res.spend_saved:,.0f} "
          f"({res.spend_saved_pct:.1f} %), conversions lost {-res.conversions_change:,.1f} ({lost_pct:.2f} %)")
    truth = {a.campaign: a.roas for a in arms}
    paused = set(res.actions.loc[res.actions["action"] == "pause", "campaign"].astype(str))
    losers = {c for c, r in truth.items() if r < 1.0}
    assert paused == losers  # every losing arm and nothing else
    assert res.spend_saved > 0
    # the saving is the losers' spend after they were paused (5-8 days of data to be judged)
    by = res.by_line.set_index("campaign")
    loser_spend = by.loc[sorted(losers), "spend_actual"].sum()
    assert 0.75 * loser_spend < res.spend_saved <= loser_spend
    assert 0 < lost_pct < 5.0
    # with rules, the losers' conversions are the only ones lost
    winners = [c for c in truth if c not in losers]
    assert by.loc[winners, "conversions_rules"].sum() == pytest.approx(by.loc[winners, "conversions_actual"].sum())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_stop_loss_on_the_simulated_seller():
    """The simulator's tiny world (no test arms of its own) with losing and winning arms added."""
    simulate = pytest.importorskip("adbudget.simulate")
    world = simulate.World.build(0, "tiny")
    ad = world.ad_daily()
    base = pd.DataFrame({
        "date": pd.to_datetime(ad["date"]).dt.date, "market": ad["market"].astype(object),
        "channel": ad["channel"].astype(object), "campaign": ad["campaign"].astype(object),
        "spend": ad["spend_base"].astype(float), "impressions": ad["impressions"].astype(float),
        "clicks": ad["clicks"].astype(float), "conversions": ad["conversions"].astype(float),
        "revenue": ad["revenue_base"].astype(float),
    })
    start = base["date"].min()
    days = (base["date"].max() - start).days + 1
    rng = np.random.default_rng(1)
    arms = [Arm(m, "tiktok", f"{m}_TEST_arm{i}", budget=60.0,
                roas=float(rng.uniform(0.2, 0.7) if i % 2 else rng.uniform(3.0, 4.5)))
            for m in ("US", "DE") for i in range(4)]
    tests = make_daily(arms, start, days, seed=2)
    daily = pd.concat([base, tests], ignore_index=True)
    lines = build_lines(daily)
    assert not lines[lines["test_arm"]]["campaign"].str.startswith(("US_TT", "DE_TT")).any()
    end = base["date"].max()
    res = backtest(load_template("stop_loss"), daily, end - timedelta(days=89), end, targets=TARGETS)
    arm_conv = res.by_line[res.by_line["bucket"] == "test"]["conversions_actual"].sum()
    print(f"\nstop-loss on simulated seller: spend saved {res.spend_saved:,.0f} ({res.spend_saved_pct:.1f} %), "
          f"conversions lost {-res.conversions_change:,.1f} ({-res.conversions_change_pct:.2f} % of all, "
          f"{-100 * res.conversions_change / arm_conv:.1f} % of test-arm conversions)")
    paused = set(res.actions.loc[res.actions["action"] == "pause", "campaign"].astype(str))
    assert paused == {a.campaign for a in arms if a.roas < 1.0}
    assert res.spend_saved > 0
    assert -res.conversions_change_pct < 5.0
    # the same replay with the world's true response curves: same decisions, same saving
    truth = backtest(load_template("stop_loss"), daily, end - timedelta(days=89), end, targets=TARGETS,
                     curves=world.true_curves())
    assert truth.method == "curves" and truth.spend_saved == pytest.approx(res.spend_saved)
    assert -truth.conversions_change_pct < 5.0


def test_curves_make_raises_worth_less_than_proportional():
    lines = pd.DataFrame({"market": ["US", "US"], "channel": ["meta", "tiktok"], "campaign": ["a", "b"]})
    curves = HillCurves([("US", "meta"), ("US", "tiktok")], beta=np.array([[1000.0, 500.0]]),
                        half=np.array([[100.0, 100.0]]), shape=np.array([[1.0, 1.0]]),
                        spend_now=np.array([100.0, 50.0]))
    g = _response_ratio(lines, curves)
    out = g(np.array([2.0, 0.0]))
    # r(200)/r(100) = (200/300)/(100/200) = 4/3 < 2; a pause loses everything
    assert out == pytest.approx([4 / 3, 0.0])
    assert g(np.array([1.0, 1.0])) == pytest.approx([1.0, 1.0])


def test_backtest_budget_rule_changes_spend_from_the_next_day():
    arms = [Arm("US", "meta", "only", budget=100.0, roas=3.0)]
    daily = make_daily(arms, START, 30, seed=0)
    rs = parse_rules("""rules:
  - name: halve
    when: {metric: spend, window: yesterday, op: ">", value: 0}
    action: {type: lower_budget, pct: 50, floor: 50}
    cooldown_days: 100
""", "h.yaml")
    res = backtest(rs, daily, START + timedelta(days=10), START + timedelta(days=19))
    assert len(res.actions) == 1  # once, then in cooldown
    assert res.spend_rules == pytest.approx(0.5 * res.spend_actual, rel=1e-6)
    assert res.method == "proportional"
    assert res.conversions_rules == pytest.approx(0.5 * res.conversions_actual)


def test_backtest_with_curves_uses_them():
    arms = [Arm("US", "meta", "US_perf", 300.0, 3.0), Arm("US", "meta", "US_test_bad", 40.0, 0.3)]
    daily = make_daily(arms, START, 40, seed=1)
    curves = HillCurves([("US", "meta")], beta=np.array([[2000.0]]), half=np.array([[100.0]]),
                        shape=np.array([[1.0]]), spend_now=np.array([340.0]))
    rs = parse_rules("""rules:
  - name: stop
    scope: {test_arm: true}
    when: {metric: roas, window: last_7d, op: "<", value: 1}
    action: {type: pause}
  - name: grow
    scope: {bucket: performance}
    when: {metric: roas, window: last_7d, op: ">", value: 2}
    action: {type: raise_budget, pct: 50}
    cooldown_days: 100
""", "c.yaml")
    lin = backtest(rs, daily, START + timedelta(days=14), START + timedelta(days=39))
    cur = backtest(rs, daily, START + timedelta(days=14), START + timedelta(days=39), curves=curves)
    assert (lin.method, cur.method) == ("proportional", "curves")
    assert cur.spend_rules == pytest.approx(lin.spend_rules)  # spend does not depend on the curves
    by_lin, by_cur = lin.by_line.set_index("campaign"), cur.by_line.set_index("campaign")
    # a pause loses everything either way; a 50 % raise gains 50 % linearly, less on the curve
    assert by_cur.loc["US_test_bad", "conversions_rules"] == pytest.approx(by_lin.loc["US_test_bad", "conversions_rules"])
    gain_lin = by_lin.loc["US_perf", "conversions_rules"] / by_lin.loc["US_perf", "conversions_actual"]
    gain_cur = by_cur.loc["US_perf", "conversions_rules"] / by_cur.loc["US_perf", "conversions_actual"]
    assert 1.0 < gain_cur < gain_lin
