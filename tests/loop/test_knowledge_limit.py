"""The knowledge move limit as a planner constraint (issue 24, item 6)."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.config import default_settings
from adbudget.curves import HillCurves
from adbudget.i18n import set_language, t
from adbudget.plan import PlanInputs, make_plan
from adbudget.plan.constraints import LineContext
from adbudget.plan.knowledge import (
    KnowledgeMoveLimit,
    LineKnowledge,
    active,
    from_limits,
    move_knowledge,
)
from adbudget.workspace.loop_knowledge import with_move_reasons

LINES = [("US", "meta"), ("US", "google_search"), ("US", "tiktok"), ("DE", "meta"),
         ("DE", "google_search")]


def _curves(seed: int = 0) -> HillCurves:
    rng = np.random.default_rng(seed)
    n = len(LINES)
    beta = rng.uniform(2000, 8000, n) * rng.lognormal(0, 0.1, (40, n))
    half = rng.uniform(300, 1500, n) * rng.lognormal(0, 0.1, (40, n))
    k = np.broadcast_to(rng.uniform(0.9, 2.2, n), (40, n)).copy()
    return HillCurves(LINES, beta, half, k, spend_now=rng.uniform(200, 900, n))


def _inputs() -> PlanInputs:
    return PlanInputs(budget=60_000.0, period="2026-12", days=31,
                      settings=default_settings(["US", "DE"]), curves=_curves(),
                      buckets={"performance": 100}, max_change=0.3, entry_rule=False)


KNOW = {
    "US.meta": LineKnowledge("tested", 1.0, 0.6),
    "US.google_search": LineKnowledge("unsure", 0.3, 0.15),
    "US.tiktok": LineKnowledge("default", 0.6, 0.3, max_seen=100.0, beyond_seen=1.5),
    "DE.meta": LineKnowledge("missed", 0.3, 0.15),
    "DE.google_search": LineKnowledge("pinned", 1.0, 0.6),
}


def test_bounds_follow_each_lines_rule_and_the_highest_spend_seen() -> None:
    ref = np.array([100.0, 200.0, 300.0, 50.0, 80.0])
    ctx = LineContext([f"{m}/{c}" for m, c in LINES], ref, ref, np.ones(5), np.ones(5))
    lo, hi = KnowledgeMoveLimit(KNOW).bounds(ctx)
    np.testing.assert_allclose(lo, [0.0, 140.0, 120.0, 35.0, 0.0])
    # US/tiktok: +30 % would be 390, but 1.5 x the 100 a day ever seen caps it at 150
    np.testing.assert_allclose(hi, [160.0, 230.0, 150.0, 57.5, 128.0])
    names = KnowledgeMoveLimit(KNOW).line_names(ctx)
    assert "+60" in names[0] and "−100" in names[0] and "+15" in names[1]


def test_the_planner_keeps_every_line_inside_its_own_limit_and_says_which() -> None:
    inp = _inputs()
    plain = make_plan(inp)
    with move_knowledge(KNOW):
        assert active() is not None
        plan = with_move_reasons(make_plan(inp), KNOW)
    assert active() is None  # the context ends: plain plans again
    cur = dict(zip(LINES, inp.curves.current_spend, strict=True))
    scale = (inp.budget / inp.days) / sum(cur.values())
    moved_beyond_30 = False
    for x in plan.lines:
        k = KNOW[f"{x.market}.{x.channel}"]
        ref = cur[(x.market, x.channel)] * scale
        daily = x.amount_base / inp.days
        hi = max(ref, cur[(x.market, x.channel)]) * (1 + k.up)  # raises: from spend seen
        if k.max_seen:
            hi = min(hi, k.max_seen * k.beyond_seen)
        assert ref * (1 - k.down) - 0.02 <= daily <= hi + 0.02
        moved_beyond_30 |= abs(daily / ref - 1) > 0.31
        assert k.rule in str(x.reason_args.get("move_rule", "")) or "move limit" in x.reason
    assert moved_beyond_30  # the tested/pinned lines use the room ±30 % would not give
    assert sum(x.amount_base for x in plan.lines) == pytest.approx(inp.budget, abs=0.01)
    assert sum(x.amount_base for x in plain.lines) == pytest.approx(inp.budget, abs=0.01)


def test_the_rule_reads_in_both_languages() -> None:
    k = KNOW["US.meta"]
    try:
        for lang, word in (("en", "scale test"), ("zh", "放量测试")):
            set_language(lang)
            text = t("loop.move.limit", down="100", up="60", why=t(f"loop.move.{k.rule}"))
            assert word in text and "60" in text
    finally:
        set_language("en")


def test_from_limits_maps_the_accountability_frame() -> None:
    import pandas as pd

    from adbudget.experiments.accountability import knowledge_move_limits

    lines = pd.DataFrame({"market": ["US", "US", "DE"], "channel": ["meta", "tiktok", "meta"],
                          "reference": [100.0, 100.0, 100.0], "mroas_mean": [2.0, 2.0, 2.0],
                          "mroas_sd": [0.2, 1.5, 0.6], "tested": [False, False, False],
                          "missed": [False, False, True], "max_seen": [300.0, 0.0, 400.0]})
    know = from_limits(knowledge_move_limits(lines))
    assert know["US.meta"].rule == "pinned" and know["US.meta"].down == 0.6  # not a test
    assert know["US.tiktok"].rule == "unsure" and know["US.tiktok"].up == 0.15
    assert know["DE.meta"].rule == "missed" and know["DE.meta"].max_seen == 400.0


def test_the_reference_is_last_periods_performance_money_not_brand_money() -> None:
    # a brand channel spent 120 a day of brand money and 4 of performance money; counting the
    # brand money in its performance reference would hold it at >= 40 % of 124 scaled
    ref = np.array([124.0, 200.0])  # recent spend, all buckets, already scaled to the bucket
    ctx = LineContext(["US/kol", "US/amazon"], ref, ref, np.ones(2), np.ones(2))
    know = {"US.kol": LineKnowledge("default", 0.6, 0.3, base=4.0),
            "US.amazon": LineKnowledge("default", 0.6, 0.3, base=200.0)}
    lo, hi = KnowledgeMoveLimit(know).bounds(ctx)
    scale = 324.0 / 204.0  # the same bucket total, split as last period's performance money
    np.testing.assert_allclose(lo, [4.0 * scale * 0.4, 200.0 * scale * 0.4])
    # raises are taken around what the line was seen spending (all buckets, scaled to this
    # bucket) when that is more: the floor never ratchets, but a line whose money was all
    # brand money is not locked out of the performance bucket
    np.testing.assert_allclose(hi, [124.0 * 1.3, 200.0 * scale * 1.3])
    # a bucket smaller than the recent spend scales the references down, but a raise is
    # still taken from what the line was seen spending (Amazon: 200 a day, not 100)
    half = LineContext(["US/kol", "US/amazon"], ref, ref / 2, np.ones(2), np.ones(2))
    lo, hi = KnowledgeMoveLimit(know).bounds(half)
    np.testing.assert_allclose(lo, [4.0 * scale * 0.4 / 2, 200.0 * scale * 0.4 / 2])
    np.testing.assert_allclose(hi, [124.0 * 1.3, 200.0 * 1.3])
    # without a base for every line the planner's own reference stands
    partial = {**know, "US.kol": LineKnowledge("default", 0.6, 0.3)}
    lo2, _ = KnowledgeMoveLimit(partial).bounds(ctx)
    np.testing.assert_allclose(lo2, ref * 0.4)
