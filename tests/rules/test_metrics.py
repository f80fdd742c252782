"""Window metrics against hand-computed values; windows, ratios, NaN on empty denominators."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from adbudget.rules.metrics import build_lines, compute_metrics, window_range

from .conftest import AS_OF, rows


def test_window_ranges():
    d = date(2026, 11, 20)
    assert window_range("today", d) == (d, d + timedelta(days=1))
    assert window_range("yesterday", d) == (d - timedelta(days=1), d)
    assert window_range("last_7d", d) == (date(2026, 11, 13), d)
    assert window_range("this_month", d) == (date(2026, 11, 1), d + timedelta(days=1))


def test_sums_and_ratios(daily):
    m = compute_metrics(daily, AS_OF, {"last_7d", "yesterday", "last_14d", "this_month", "today"})
    i = list(m.lines["campaign"]).index("US_perf_win")
    assert m.get("spend", "last_7d")[i] == pytest.approx(700.0)
    assert m.get("spend", "last_14d")[i] == pytest.approx(1400.0)
    assert m.get("spend", "yesterday")[i] == pytest.approx(100.0)
    assert m.get("spend", "today")[i] == 0.0  # no data for the evaluation day yet
    assert m.get("spend", "this_month")[i] == pytest.approx(19 * 100.0)  # Nov 1 .. Nov 19
    assert m.get("roas", "last_7d")[i] == pytest.approx(4.0)
    assert m.get("cpa", "last_7d")[i] == pytest.approx(20.0)
    assert m.get("ctr", "last_7d")[i] == pytest.approx(0.02)
    assert m.get("cvr", "last_7d")[i] == pytest.approx(5 / 200)
    assert m.get("cpm", "last_7d")[i] == pytest.approx(10.0)
    assert m.get("cpc", "last_7d")[i] == pytest.approx(0.5)
    assert m.get("days", "last_7d")[i] == 7
    assert m.get("daily_spend", "last_14d")[i] == pytest.approx(100.0)
    # default state: budget = 7-day average spend, bid = 7-day CPC
    assert m.get("daily_budget", "last_7d")[i] == pytest.approx(100.0)
    assert m.get("bid", "last_7d")[i] == pytest.approx(0.5)
    assert m.get("budget_use", "last_7d")[i] == pytest.approx(1.0)
    assert np.isnan(m.get("frequency", "last_7d")[i])  # no reach column


def test_empty_denominators_are_nan(daily):
    m = compute_metrics(daily, AS_OF, {"last_7d"})
    z = list(m.lines["campaign"]).index("US_perf_zero")
    for metric in ("roas", "cpa", "ctr", "cvr", "cpm", "cpc"):
        assert np.isnan(m.get(metric, "last_7d")[z]), metric


def test_frequency_with_reach():
    df = pd.DataFrame(rows("c", 7, 10.0, 1.0, 20.0, imp=3000, reach=1000))
    m = compute_metrics(df, AS_OF, {"last_7d"})
    assert m.get("frequency", "last_7d")[0] == pytest.approx(3.0)


def test_several_rows_per_line_are_added():
    df = pd.DataFrame(rows("c", 3, 10.0, 1.0, 20.0) + rows("c", 3, 5.0, 0.0, 0.0))
    m = compute_metrics(df, AS_OF, {"last_7d"})
    assert len(m.lines) == 1
    assert m.get("spend", "last_7d")[0] == pytest.approx(45.0)
    assert m.get("days", "last_7d")[0] == 3


def test_plan_share_is_per_market_and_channel():
    df = pd.DataFrame(rows("a", 5, 100.0, 1.0, 1.0) + rows("b", 5, 50.0, 1.0, 1.0))
    targets = pd.DataFrame([{"market": "US", "channel": "meta", "plan_amount": 1500.0,
                             "plan_daily_budget": 90.0}])
    m = compute_metrics(df, AS_OF, {"this_month"}, targets=targets)
    # both campaigns share the line's plan: (500 + 250) / 1500
    assert m.get("plan_share", "this_month") == pytest.approx([0.5, 0.5])
    # the line's plan daily budget is split by 7-day spend share 2:1
    assert m.target("plan_daily_budget") == pytest.approx([60.0, 30.0])


def test_buckets_from_names():
    df = pd.DataFrame(rows("US_Test_newcreative", 1, 1, 0, 0) + rows("US_brand_awareness", 1, 1, 0, 0)
                      + rows("US_prospecting", 1, 1, 0, 0) + rows("Latest-offers", 1, 1, 0, 0))
    lines = build_lines(df).set_index("campaign")
    assert lines.loc["US_Test_newcreative", "bucket"] == "test"
    assert bool(lines.loc["US_Test_newcreative", "test_arm"])
    assert lines.loc["US_brand_awareness", "bucket"] == "brand"
    assert lines.loc["US_prospecting", "bucket"] == "performance"
    assert lines.loc["Latest-offers", "bucket"] == "performance"  # "test" inside a word is not a tag
