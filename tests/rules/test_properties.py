"""Invariants of evaluation over random rule sets and random data (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.rules.actions import ACTIONS
from adbudget.rules.metrics import compute_metrics
from adbudget.rules.resolve import evaluate
from adbudget.rules.spec import RuleSet

AS_OF = date(2026, 11, 20)
MARKETS = ["US", "DE"]
CHANNELS = ["meta", "tiktok"]


def _daily(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(12):
        m, c = MARKETS[i % 2], CHANNELS[(i // 2) % 2]
        camp = f"{m}_{'test' if i % 3 == 0 else 'perf'}_{i}"
        for k in range(1, 15):
            spend = float(rng.uniform(0, 200)) if rng.random() > 0.1 else 0.0
            clicks = float(rng.integers(0, 300))
            conv = float(rng.integers(0, 10))
            rows.append((AS_OF - timedelta(days=k), m, c, camp, spend, clicks * 50, clicks, conv, conv * 40))
    return pd.DataFrame(rows, columns=["date", "market", "channel", "campaign", "spend", "impressions",
                                       "clicks", "conversions", "revenue"])


leaf = st.fixed_dictionaries({
    "metric": st.sampled_from(["spend", "roas", "cpa", "cpc", "conversions", "days"]),
    "window": st.sampled_from(["yesterday", "last_3d", "last_7d", "this_month"]),
    "op": st.sampled_from(["<", ">", "<=", ">="]),
    "value": st.floats(0, 500),
})
cond = st.recursive(leaf, lambda inner: st.one_of(
    st.fixed_dictionaries({"all": st.lists(inner, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"any": st.lists(inner, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"not": inner})), max_leaves=5)
change = st.fixed_dictionaries(
    {"type": st.sampled_from(["raise_budget", "lower_budget", "raise_bid", "lower_bid"]), "pct": st.floats(0, 100)},
    optional={"floor": st.floats(0, 50), "max_step": st.floats(0, 100)})
action = st.one_of(
    st.sampled_from([{"type": t} for t in ("pause", "pause_today", "resume", "notify")]),
    change,
    st.fixed_dictionaries({"type": st.just("rebalance"), "pct": st.floats(1, 100),
                           "to": st.sampled_from([{}, {"market": "US"}, {"channel": "tiktok"}])}),
    st.fixed_dictionaries({"type": st.just("release_reserve"), "amount": st.floats(1, 500)}),
)
scope = st.sampled_from([{}, {"market": "US"}, {"channel": "meta"}, {"test_arm": True}, {"campaign": "perf"}])
rule_sets = st.lists(st.fixed_dictionaries({"priority": st.integers(0, 3), "scope": scope, "when": cond,
                                            "action": action}), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_sets, st.integers(0, 3), st.floats(0, 300))
def test_evaluation_invariants(raw, seed, reserve):
    rs = RuleSet.model_validate({"rules": [dict(r, name=f"r{i}") for i, r in enumerate(raw)]})
    daily = _daily(seed)
    state = pd.DataFrame({"line": ["US|meta|US_test_0", "DE|tiktok|DE_perf_1"], "status": ["paused", "active"]})
    m = compute_metrics(daily, AS_OF, rs.windows(), state=state)
    ev = evaluate(rs, m, reserve_daily=reserve)
    acts = ev.actions
    # every candidate is either an action or skipped (rebalance/reserve legs aside)
    base = acts[~acts["action"].isin(["rebalance_in"])]
    assert len(base) + ev.n_skipped >= ev.n_candidates - len(base[base["action"] == "release_reserve"])
    # one winner per line and family; notify is free
    fam = base["action"].map(lambda a: ACTIONS[a].family)
    single = base[fam != "notify"].assign(fam=fam[fam != "notify"])
    no_rebalance = single[single["action"] != "release_reserve"]
    assert not no_rebalance.duplicated(["line", "fam"]).any()
    # a paused line has no budget or bid change on the same day
    paused = set(acts.loc[acts["action"].isin(["pause", "pause_today"]), "line"].astype(str))
    moved = set(acts.loc[acts["action"].isin(["raise_budget", "lower_budget", "raise_bid", "lower_bid"]), "line"].astype(str))
    assert not paused & moved
    # directions hold and nothing goes negative
    for a, sign in (("raise_budget", 1), ("lower_budget", -1), ("raise_bid", 1), ("lower_bid", -1)):
        sel = acts[acts["action"] == a]
        col = "budget" if "budget" in a else "bid"
        diff = (sel[f"after_{col}"] - sel[f"before_{col}"]).to_numpy(float)
        assert np.all(sign * diff > 0)
        assert np.all(sel[f"after_{col}"].to_numpy(float) >= 0)
    # money: rebalance moves it, reserve adds at most the pool
    added = ev.state_after["daily_budget"].sum() - ev.state_before["daily_budget"].sum()
    direct = acts[acts["action"].isin(["raise_budget", "lower_budget"])]
    direct_change = float((direct["after_budget"] - direct["before_budget"]).sum())
    released = float((acts.loc[acts["action"] == "release_reserve", "after_budget"]
                      - acts.loc[acts["action"] == "release_reserve", "before_budget"]).sum())
    assert released <= reserve + 1e-6
    assert np.isclose(np.nansum([added]), direct_change + released, atol=1e-6)
    # actions stay inside each rule's scope
    for name, grp in acts.groupby("rule", observed=True):
        rule = rs.rules[int(str(name)[1:])]
        if rule.action.type == "rebalance":
            continue
        s = rule.scope
        if s.market:
            assert set(grp["market"].astype(str)) <= set(s.market)
        if s.channel:
            assert set(grp["channel"].astype(str)) <= set(s.channel)
        if s.test_arm:
            assert set(grp["bucket"].astype(str)) == {"test"}
