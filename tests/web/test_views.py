"""The dashboard's pure view code: formatting, display-time language, plan numbers, marks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from adbudget.i18n import t
from adbudget.report.model import Column, Kpi, Section, Table
from adbudget.web import format as wf
from adbudget.web import labels, localize
from adbudget.web import model_view as mv
from adbudget.web import overview_view as ov
from adbudget.web import plan_view as pv


def test_money_has_symbol_and_iso_minor_units():
    assert wf.money(75.04, "USD", "en") == "$75.04"
    assert wf.money(1354, "USD", "en") == "$1,354.00"  # same decimals as 75.04 beside it
    assert wf.money(1354, "USD", "zh") == "US$1,354.00"
    assert wf.money(1354.6, "JPY", "en") == "¥1,355"  # JPY has no minor unit
    assert wf.money(-3268.4, "EUR", "en") == "-€3,268.40"
    assert wf.money(12.5, "USD", "en", signed=True) == "+$12.50"
    assert wf.money(None) == "—"


def test_percent_ratio_days_dates():
    assert wf.pct(12.345) == "12.3%" and wf.pct(-4, signed=True) == "-4.0%"
    assert wf.share(0.394) == "39.4%"  # P(best) as the CLI writes it
    assert wf.ratio(2.346) == "2.35"
    assert wf.days(1) == "1 day" and wf.days(12, "zh") == "12 天"
    assert wf.date("2025-01-06T00:00:00") == "2025-01-06"
    assert wf.date(dt.datetime(2025, 1, 6, 13, 5)) == "2025-01-06"
    assert wf.fmt_value(58612.48, "money", "USD", "en") == "$58,612.48"


def test_reason_renders_in_the_page_language_from_key_and_args():
    rec = {"reason": "受限于上限……", "reason_key": "plan.reason.perf_upper",
           "reason_args": {"mroas": 3.1907, "by": "max change ±30% vs last period's split"}}
    en = labels.reason(rec, "en")
    assert en.startswith("Held at its limit") and "3.19" in en
    zh = labels.reason(rec, "zh")
    assert zh == t("plan.reason.perf_upper", "zh", mroas="3.19",
                   by=t("plan.constraint.max_change", "zh", pct="30"))


def test_stored_note_text_is_retranslated_both_ways():
    en = t("plan.note.no_curve_market", "en", market="DE")
    zh = t("plan.note.no_curve_market", "zh", market="DE")
    assert labels.retranslate(en, "zh") == zh
    assert labels.retranslate(zh, "en") == en
    assert labels.retranslate("winner: budget +20 %", "zh") == "winner: budget +20 %"  # user text


def _plan(lines, totals, budget=1000.0):
    return {"period": "2026-11", "budget": budget, "objective": "profit", "lines": lines,
            "totals": totals, "notes": [], "advice": []}


def _line(bucket, market, channel, amount, profit=None, change=None):
    return {"bucket": bucket, "market": market, "channel": channel, "amount_base": amount,
            "expected_profit": profit, "change_pct": change, "reason": "r"}


def test_profit_tile_is_the_plans_total_not_the_sum_of_lines_with_a_curve():
    lines = [_line("performance", "DE", "meta", 600, profit=-50.0, change=20.0),
             _line("brand", "DE", "meta", 300, profit=None), _line("test", "DE", "meta", 100)]
    totals = {"profit": -3268.0, "profit_lo": -7533.0, "profit_hi": 1546.0}
    view = pv.plan_view(_plan(lines, totals), "en")
    tile = {x.key: x for x in pv.tiles(view, "en")}["profit"]
    assert (tile.value, tile.lo, tile.hi) == (-3268.0, -7533.0, 1546.0)
    assert view.profit == -3268.0  # the table's total row reads the same field
    only = pv.plan_view(_plan(lines, {}), "en")  # no totals saved: the lines' sum
    assert only.profit == -50.0


def test_per_line_chart_keeps_buckets_of_one_channel_apart():
    lines = [_line(b, "DE", "meta", a) for b, a in (("performance", 500), ("brand", 200),
                                                     ("test", 100), ("reserve", 50))]
    fig = pv.lines_figure(pv.plan_view(_plan(lines, {}), "en"), "en", "USD")
    cats = fig["data"][1]["y"]
    assert len(cats) == len(set(cats)) == 4
    assert "DE · Meta · Brand" in cats


def test_top_moves_are_the_largest_changes_with_the_amount_before():
    lines = [_line("performance", "US", "meta", 1200, change=20.0),
             _line("performance", "US", "tiktok", 500, change=-50.0),
             _line("performance", "DE", "meta", 1010, change=1.0)]
    moves = pv.top_moves(pv.plan_view(_plan(lines, {}), "en"), 2)
    assert [m["channel"] for m in moves] == ["tiktok", "meta"]
    assert moves[0]["before"] == pytest.approx(1000) and moves[0]["delta"] == pytest.approx(-500)


def test_frontier_marks_profit_max_and_break_even():
    budgets = np.linspace(100, 1000, 10)
    profit = 2.0 * budgets - 0.002 * budgets ** 2 - 300  # max at 500, zero at 190 and 810
    points = [{"budget": b, "profit": p} for b, p in zip(budgets, profit, strict=True)]
    marks = pv.frontier_marks(points, zero_marginal=500.0)
    assert marks["best"] == pytest.approx(500.0)
    b0, b1 = 800.0, 900.0  # break-even interpolated between the bracketing points
    p0, p1 = 2 * b0 - 0.002 * b0 ** 2 - 300, 2 * b1 - 0.002 * b1 ** 2 - 300
    assert marks["breakeven"] == pytest.approx(b0 + p0 / (p0 - p1) * (b1 - b0))
    # a planner zero far from the best point tried is not called profit-maximising
    assert pv.frontier_marks(points, zero_marginal=150.0)["best"] == pytest.approx(500.0)


def test_overview_tiles_name_the_period_and_the_change():
    days = pd.date_range("2025-01-01", periods=14, freq="D")
    daily = pd.DataFrame({"date": days, "market": "US", "spend": [10.0] * 7 + [20.0] * 7,
                          "platform_revenue": 0.0, "revenue": [50.0] * 14, "orders": 1.0,
                          "profit": 5.0})
    tiles, info = ov.kpi_tiles(daily, 7, "en")
    spend = {x.key: x for x in tiles}["spend"]
    assert spend.value == 140.0 and spend.delta_pct == pytest.approx(100.0)
    assert info["start"] == dt.date(2025, 1, 8) and "2025-01-08 to 2025-01-14" in spend.period
    mer = {x.key: x for x in tiles}["mer"]
    assert mer.value == pytest.approx(2.5) and mer.delta_pct == pytest.approx(-50.0)


def test_fit_stats_against_numpy():
    rng = np.random.default_rng(0)
    a = rng.uniform(50, 150, 40)
    p = a + rng.normal(0, 5, 40)
    fit = pd.DataFrame({"actual": a, "predicted": p, "train": [True] * 30 + [False] * 10})
    s = mv.fit_stats(fit, {})
    h_a, h_p = a[30:], p[30:]
    assert s["r2_holdout"] == pytest.approx(1 - ((h_a - h_p) ** 2).sum() / ((h_a - h_a.mean()) ** 2).sum())
    assert s["mape_train"] == pytest.approx(np.mean(np.abs((a[:30] - p[:30]) / a[:30])))


def test_report_sections_show_codes_by_name_and_one_meaning_per_word():
    sec = Section("attribution", "A", kpis=[Kpi(t("report.col.overclaim", "zh"), 0.98, "ratio", "x")],
                  tables=[Table("T", [Column("channel", "渠道"), Column("overclaim", "多报", "ratio"),
                                      Column("p_best", "P", "ratio")],
                                [{"channel": "google_search", "overclaim": 2.0, "p_best": 0.39}])])
    out = localize.section(sec, "zh")
    assert out.tables[0].rows[0]["channel"] == "谷歌搜索"
    assert sec.tables[0].rows[0]["channel"] == "google_search"  # the API's copy keeps codes
    assert out.kpis[0].label == t("web.glossary.conv_overclaim.name", "zh")
    assert [c.label for c in out.tables[0].columns][1] == t("web.glossary.attr_overclaim.name", "zh")
    assert out.tables[0].columns[2].fmt == "share"
    assert localize.display("7d-click,1d-view", "en") == "7-day click, 1-day view"
