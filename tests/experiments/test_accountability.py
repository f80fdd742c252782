"""Forecasts against outcomes (misses first) and the move limit that follows what is known."""

from __future__ import annotations

import pandas as pd
import pytest

from adbudget.experiments.accountability import forecast_check, knowledge_move_limits


def test_misses_come_first_with_their_errors() -> None:
    fc = pd.DataFrame({"market": ["US", "DE", "ID"], "forecast": [1000.0, 500.0, 200.0],
                       "lo": [800.0, 400.0, 150.0], "hi": [1200.0, 600.0, 250.0]})
    actual = pd.DataFrame({"market": ["US", "DE", "ID"], "actual": [1150.0, 300.0, 260.0]})
    out = forecast_check(fc, actual)
    assert list(out["market"]) == ["DE", "ID", "US"]  # DE missed by 2 half-widths, ID by 1.2
    assert list(out["missed"]) == [True, True, False]
    assert out.loc[0, "error"] == -200.0 and out.loc[0, "error_pct"] == pytest.approx(-40.0)


def test_move_limit_follows_knowledge_and_seen_spend() -> None:
    lines = pd.DataFrame({
        "market": ["US"] * 5, "channel": ["a", "b", "c", "d", "e"],
        "reference": [100.0] * 5,
        "mroas_mean": [2.0, 2.0, 2.0, 2.0, 2.0],
        "mroas_sd": [0.2, 0.6, 1.5, 0.2, 1.5],  # cv 0.1 (pinned), 0.3, 0.75 (unsure)
        "tested": [False, False, False, False, True],
        "missed": [False, False, False, True, False],
        "max_seen": [1000.0, 1000.0, 1000.0, 1000.0, 120.0],
    })
    out = knowledge_move_limits(lines).set_index("channel")
    assert list(out["rule"]) == ["pinned", "default", "unsure", "missed", "tested"]
    assert out.loc["a", "hi"] == pytest.approx(160.0) and out.loc["b", "hi"] == pytest.approx(130.0)
    assert out.loc["c", "lo"] == pytest.approx(85.0) and out.loc["d", "hi"] == pytest.approx(115.0)
    # tested may move ±60 %, but never beyond 1.5x the highest spend seen (120 -> 180 > 160: no cap)
    assert out.loc["e", "hi"] == pytest.approx(160.0) and not out.loc["e", "seen_cap"]
    lines.loc[4, "max_seen"] = 90.0
    capped = knowledge_move_limits(lines).set_index("channel")
    assert capped.loc["e", "hi"] == pytest.approx(135.0) and capped.loc["e", "seen_cap"]


def test_a_posterior_clearly_on_one_side_of_break_even_frees_that_direction() -> None:
    # break-even 2.0; the fit's errors are ~exp(0.35) on the log scale, so a narrow posterior
    # near break-even does not count, one far from it does
    lines = pd.DataFrame({
        "market": ["US"] * 5, "channel": ["far_up", "near_up", "far_down", "wide_up", "missed"],
        "reference": [100.0] * 5,
        "mroas_mean": [3.5, 2.4, 0.8, 5.0, 0.5],
        "mroas_sd": [0.3, 0.05, 0.1, 2.6, 0.05],
        "missed": [False, False, False, False, True],
        "break_even": [2.0] * 5,
    })
    out = knowledge_move_limits(lines).set_index("channel")
    assert out.loc["far_up", "rule"] == "clear_above"  # 3.5 - 0.6 > 2 and 3.5 / 1.42 > 2
    assert out.loc["near_up", "rule"] == "pinned"  # 2.4 / 1.42 < 2: a 40 % error flips it
    assert out.loc["far_down", "rule"] == "clear_below"  # 0.8 + 0.2 < 2 and 0.8 x 1.42 < 2
    assert out.loc["wide_up", "rule"] == "unsure"  # 5.0 - 5.2 < 2
    assert out.loc["missed", "rule"] == "missed"  # a miss outranks a clear posterior
    # without break-evens the rules are as before
    assert "clear_above" not in set(knowledge_move_limits(lines.drop(columns="break_even"))["rule"])


def test_only_a_test_that_read_the_slope_well_frees_a_line() -> None:
    from adbudget.workspace.loop_knowledge import informative_tests

    lift = pd.DataFrame({
        "market": ["US", "US", "SA", "DE"], "channel": ["meta", "amazon", "tiktok", "meta"],
        "spend": [3000.0, 3000.0, 300.0, 2000.0], "baseline_spend": [1000.0, 1000.0, 100.0, 0.0],
        "incremental_revenue_se": [1000.0, 3000.0, 5800.0, 500.0],  # slope SE 0.5, 1.5, 29, 0.25
    })
    be = {("US", "meta"): 2.3, ("US", "amazon"): 2.3, ("SA", "tiktok"): 2.6, ("DE", "meta"): 2.9}
    assert informative_tests(lift, be) == {("US", "meta"), ("DE", "meta")}
    assert informative_tests(lift.iloc[:0], be) == set()
