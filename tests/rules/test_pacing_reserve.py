"""Pacing against hand-computed numbers; peak calendar dates; surge detection; reserve release."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from adbudget.curves import HillCurves
from adbudget.errors import InputError
from adbudget.rules.pacing import pacing, parse_period
from adbudget.rules.peaks import easter, event_dates, nth_weekday, peak_calendar
from adbudget.rules.reserve import detect_surges, release_reserve

from .world import Arm, make_daily


def test_parse_period():
    assert parse_period("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_period("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026-11-10..2026-11-20") == (date(2026, 11, 10), date(2026, 11, 20))
    for bad in ("2026-13", "Nov 2026", "2026-11-20..2026-11-10"):
        with pytest.raises(InputError):
            parse_period(bad)


def test_pacing_numbers():
    # 30-day month, as of the 11th: 10 full days elapsed, 20 left (today included)
    days = [date(2026, 11, d) for d in range(1, 11)]
    spend = pd.DataFrame(
        [{"date": d, "market": "US", "channel": "meta", "spend": 120.0} for d in days]
        + [{"date": d, "market": "US", "channel": "tiktok", "spend": 50.0} for d in days]
        + [{"date": d, "market": "DE", "channel": "kol", "spend": 10.0} for d in days]
        + [{"date": date(2026, 10, 31), "market": "US", "channel": "meta", "spend": 999.0}]  # before the period
    )
    plan = pd.DataFrame([
        {"market": "US", "channel": "meta", "amount_base": 3000.0, "bucket": "performance"},
        {"market": "US", "channel": "tiktok", "amount_base": 1000.0, "bucket": "performance"},
        {"market": "US", "channel": "tiktok", "amount_base": 500.0, "bucket": "test"},
        {"market": "US", "channel": "meta", "amount_base": 300.0, "bucket": "reserve"},
    ])
    rep = pacing(plan, spend, "2026-11", date(2026, 11, 11))
    assert (rep.days_total, rep.days_elapsed) == (30, 10)
    assert rep.reserve == 300.0
    t = rep.lines.set_index(["market", "channel"])
    meta = t.loc[("US", "meta")]
    assert meta["spent"] == pytest.approx(1200.0)
    assert meta["expected_to_date"] == pytest.approx(1000.0)
    assert meta["pace"] == pytest.approx(1.2)
    assert meta["projected"] == pytest.approx(1200 + 120 * 20)  # run rate of the last 7 days
    assert meta["required_daily"] == pytest.approx((3000 - 1200) / 20)
    assert meta["status"] == "over"
    tt = t.loc[("US", "tiktok")]
    assert tt["plan"] == pytest.approx(1500.0) and tt["bucket"] == "performance+test"
    assert tt["projected"] == pytest.approx(500 + 50 * 20)
    assert tt["status"] == "on_track"
    assert t.loc[("DE", "kol"), "status"] == "unplanned"


def test_pacing_under_plan_and_period_end():
    spend = pd.DataFrame([{"date": date(2026, 11, d), "market": "US", "channel": "meta", "spend": 10.0}
                          for d in range(1, 31)])
    plan = pd.DataFrame([{"market": "US", "channel": "meta", "amount_base": 3000.0}])
    rep = pacing(plan, spend, "2026-11", date(2026, 12, 5))  # after the period: all days elapsed
    row = rep.lines.iloc[0]
    assert rep.days_elapsed == 30 and row["days_left"] == 0
    assert row["projected"] == pytest.approx(300.0) and row["status"] == "under"
    assert row["required_daily"] == 0.0


def test_calendar_dates():
    assert easter(2024) == date(2024, 3, 31) and easter(2025) == date(2025, 4, 20)
    assert easter(2026) == date(2026, 4, 5) and easter(2000) == date(2000, 4, 23)
    assert nth_weekday(2026, 11, 3, 4) == date(2026, 11, 26)  # Thanksgiving
    assert nth_weekday(2026, 5, 0, -1) == date(2026, 5, 25)  # last Monday of May
    assert event_dates("black_friday", 2025) == [date(2025, 11, 28)]
    assert event_dates("black_friday", 2026) == [date(2026, 11, 27)]
    assert event_dates("cyber_monday", 2025) == [date(2025, 12, 1)]
    assert event_dates("carnival", 2026) == [date(2026, 2, 17)]  # Carnival Tuesday
    assert event_dates("ramadan", 2026) == [date(2026, 2, 18)]
    assert event_dates("singles_day", 2026) == [date(2026, 11, 11)]


def test_peak_calendar_by_market():
    cal = peak_calendar(date(2026, 11, 9), date(2026, 11, 11), ["ID", "US"])
    assert set(cal["market"]) == {"ID"}  # 11.11 is a Southeast Asian peak
    assert set(cal["date"]) == {date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 11)}
    ramadan = peak_calendar(date(2026, 3, 1), date(2026, 3, 1), ["SA", "US"])
    assert set(ramadan["market"]) == {"SA"} and "ramadan" in set(ramadan["event"])


def _spend(start, days, surge_from=None, factor=1.0):
    arms = [Arm("US", "meta", "a", 100.0, 3.0, cpm=10.0), Arm("US", "tiktok", "b", 100.0, 3.0, cpm=10.0),
            Arm("DE", "meta", "c", 100.0, 3.0, cpm=10.0)]
    surge = {"US": (surge_from, factor)} if surge_from else None
    d = make_daily(arms, start, days, seed=0, cost_surge=surge)
    return d.groupby(["date", "market", "channel"], as_index=False)[["spend", "impressions", "clicks", "revenue"]].sum()


def test_surge_detection_measures_cpm_ratio():
    start = date(2026, 9, 1)
    as_of = start + timedelta(days=40)
    spend = _spend(start, 40, surge_from=as_of - timedelta(days=3), factor=1.5)
    s = detect_surges(spend, as_of).set_index(["market", "channel"])
    assert s.loc[("US", "meta"), "cpm_ratio"] == pytest.approx(1.5, rel=0.03)
    assert s.loc[("US", "meta"), "surge"] and s.loc[("US", "tiktok"), "surge"]
    assert not s.loc[("DE", "meta"), "surge"]
    assert s.loc[("DE", "meta"), "cpm_ratio"] == pytest.approx(1.0, rel=0.03)


def test_peak_day_flags_a_market_before_costs_move():
    start = date(2026, 10, 20)
    as_of = date(2026, 11, 27)  # Black Friday
    s = detect_surges(_spend(start, 38), as_of).set_index(["market", "channel"])
    assert s.loc[("US", "meta"), "surge"] and s.loc[("US", "meta"), "peak"] == "Black Friday"
    assert s.loc[("US", "meta"), "inflation"] == pytest.approx(1.6)
    assert s.loc[("DE", "meta"), "surge"]  # Black Friday is a European peak too


def test_release_goes_to_lines_still_above_target_at_inflated_cost():
    surges = pd.DataFrame({"market": ["US", "US", "US"], "channel": ["meta", "tiktok", "google_search"],
                           "inflation": [1.5, 1.5, 1.5], "surge": [True, True, True]})
    lines = [("US", "meta"), ("US", "tiktok"), ("US", "google_search")]
    # meta has head room (marginal ROAS at 100/day = 5), tiktok is saturated (0.8), search is between
    curves = HillCurves(lines, beta=np.array([[2000.0, 300.0, 900.0]]), half=np.array([[300.0, 60.0, 200.0]]),
                        shape=np.array([[1.0, 1.0, 1.0]]), spend_now=np.array([100.0, 100.0, 100.0]))
    current = pd.DataFrame({"market": ["US"] * 3, "channel": ["meta", "tiktok", "google_search"], "spend": [100.0] * 3})
    target = pd.DataFrame({"market": ["US"], "channel": ["*"], "target_roas": [1.2]})
    rep = release_reserve(surges, 120.0, current, as_of=date(2026, 11, 27), target_roas=target, curves=curves,
                          max_increase_pct=80.0)
    r = rep.releases.set_index("channel")
    assert r.loc["tiktok", "release_daily"] == 0 and r.loc["tiktok", "reason"] == "below_target"
    assert r.loc["meta", "release_daily"] > 0
    assert rep.released_daily == pytest.approx(r["release_daily"].sum())
    assert rep.released_daily <= 120.0 + 1e-9
    assert (r["release_daily"] <= 80.0 + 1e-9).all()  # per-line cap: 80 % of 100/day
    # where money went, the marginal ROAS at inflated cost is still at or above target
    for ch in r.index[r["release_daily"] > 0]:
        j = lines.index(("US", ch))
        s = np.array([100.0, 100.0, 100.0])
        s[j] = (100.0 + r.loc[ch, "release_daily"]) / 1.5
        m = curves.marginal(s).mean(axis=0)[j] / 1.5
        assert m >= 1.2 - 0.05


def test_release_without_curves_uses_average_roas_and_splits_by_spend():
    surges = pd.DataFrame({"market": ["US", "US"], "channel": ["meta", "tiktok"], "inflation": [1.25, 1.25],
                           "surge": [True, True]})
    current = pd.DataFrame({"market": ["US", "US"], "channel": ["meta", "tiktok"], "spend": [300.0, 100.0]})
    avg = pd.DataFrame({"market": ["US", "US"], "channel": ["meta", "tiktok"], "roas": [4.0, 1.5]})
    target = pd.DataFrame({"market": ["US"], "channel": ["*"], "target_roas": [1.5]})
    rep = release_reserve(surges, 100.0, current, as_of=date(2026, 11, 27), target_roas=target,
                          average_roas=avg, marginal_to_average=0.7)
    r = rep.releases.set_index("channel")
    # meta: 4 × 0.7 / 1.25 = 2.24 ≥ 1.5; tiktok: 1.5 × 0.7 / 1.25 = 0.84 < 1.5
    assert r.loc["meta", "marginal_roas_inflated"] == pytest.approx(2.24)
    assert r.loc["meta", "release_daily"] == pytest.approx(100.0) and r.loc["meta", "source"] == "average_roas"
    assert r.loc["tiktok", "release_daily"] == 0.0
