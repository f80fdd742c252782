"""The dashboard's own Curves, Attribution and Tests views, the report's plan totals and its
Model chapter (pure code, small hand-made inputs with known answers)."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from adbudget.report import labels
from adbudget.report.mmm import model_section, planned_daily
from adbudget.report.plan import plan_section
from adbudget.web.curves_view import claims, curves_view
from adbudget.web.evidence_view import attribution_view
from adbudget.web.evidence_view import tests_view as build_tests_view


def summary_frame(with_claims: bool) -> pd.DataFrame:
    """The fit summary's per-line columns (two lines), with or without the claims columns."""
    nan = float("nan")
    rows = [dict(market="US", channel="meta", roas=1.2, roas_lo=0.9, roas_hi=1.5,
                 marginal_roas=0.8, marginal_roas_lo=0.6, marginal_roas_hi=1.0,
                 current_spend=100.0, contribution=420.0, saturation_pct=40.0, half_life=2.0,
                 claimed_revenue=30_000.0, claimed_roas=3.0, incremental_revenue=12_000.0,
                 incremental_revenue_lo=9_000.0, incremental_revenue_hi=15_000.0,
                 incremental_share=0.4, incremental_share_lo=0.3, incremental_share_hi=0.5,
                 organic_claim_share=0.55, organic_claim_share_lo=0.45,
                 organic_claim_share_hi=0.65, over_claim=2.5),
            dict(market="US", channel="google_search", roas=2.0, roas_lo=1.6, roas_hi=2.4,
                 marginal_roas=1.4, marginal_roas_lo=1.1, marginal_roas_hi=1.7,
                 current_spend=50.0, contribution=280.0, saturation_pct=30.0, half_life=1.0,
                 claimed_revenue=20_000.0, claimed_roas=2.0, incremental_revenue=16_000.0,
                 incremental_revenue_lo=14_000.0, incremental_revenue_hi=18_000.0,
                 incremental_share=0.8, incremental_share_lo=0.7, incremental_share_hi=0.9,
                 organic_claim_share=0.1, organic_claim_share_lo=0.05,
                 organic_claim_share_hi=0.15, over_claim=1.1)]
    df = pd.DataFrame(rows)
    if not with_claims:
        for c in df.columns:
            if c.startswith(("claimed", "incremental_share", "organic", "over_claim")):
                df[c] = nan
    return df


def _fit(with_claims: bool = True):
    """A saved fit's shape: two lines, their curves, a fit panel and a decomposition."""
    summary = summary_frame(with_claims)
    dates = pd.date_range("2026-01-01", periods=28, freq="D")
    fit = pd.DataFrame({"date": np.tile(dates, 1), "market": "US",
                        "actual": np.linspace(100, 130, 28), "predicted": np.linspace(101, 128, 28),
                        "train": [True] * 21 + [False] * 7})
    dec = pd.concat([pd.DataFrame({"date": dates, "component": c, "value": v})
                     for c, v in (("base", 80.0), ("meta", 15.0), ("google_search", 10.0))])
    grid = np.linspace(0, 200, 25)
    table = pd.concat([pd.DataFrame({"market": "US", "channel": c, "spend": grid,
                                     "mean": k * np.sqrt(grid), "lo": 0.8 * k * np.sqrt(grid),
                                     "hi": 1.2 * k * np.sqrt(grid), "marginal_roas": 1.0})
                       for c, k in (("meta", 20.0), ("google_search", 15.0))])
    return NS(summary=summary, fit=fit, decomposition=dec, interval=0.8, notices=[
        NS(key="response.notice.flat_spend", values={"channel": "google_search", "market": "US"})],
        diagnostics={}, curves_table=lambda points=25: table)


PLAN = {"lines": [
    {"bucket": "performance", "market": "US", "channel": "meta", "daily_budget_base": 100.0},
    {"bucket": "brand", "market": "US", "channel": "meta", "daily_budget_base": 20.0},
    {"bucket": "test", "market": "US", "channel": "meta", "daily_budget_base": 5.0},
    {"bucket": "reserve", "market": "US", "channel": "reserve", "daily_budget_base": 30.0},
    {"bucket": "performance", "market": "US", "channel": "google_search",
     "daily_budget_base": 60.0}]}


def test_planned_daily_counts_every_bucket_on_the_channel_but_the_reserve():
    assert planned_daily(PLAN) == {("US", "meta"): 125.0, ("US", "google_search"): 60.0}


def test_curves_page_says_what_the_platform_claims_and_what_it_caused():
    view = curves_view(_fit(), PLAN, "en", "USD")
    meta = [s for s in view["claims"] if s.startswith("US · Meta")][0]
    # claimed 30,000 over 10,000 spend (ROAS 3.00); caused 12,000 [9,000 to 15,000] (ROAS 1.20)
    assert "the platform claims $30,000.00 (ROAS 3.00)" in meta
    assert "caused $12,000.00 [80% interval $9,000.00 to $15,000.00] (ROAS 1.20)" in meta
    assert "an incrementality share of 40.0% [80% interval 30.0% to 50.0%]" in meta
    assert ("reads 55.0% of the claim (80% interval 45.0% to 65.0%) as buyers who were coming"
            " anyway") in meta
    table = {tb.key: tb for tb in view["tables"]}["curves-claims"]
    row = {r["market"] + r["channel"]: r for r in table.rows}["USMeta"]
    assert row["incremental_share"] == pytest.approx(40.0)
    assert row["share_interval"] == "30.0% – 50.0%" and row["over_claim"] == pytest.approx(2.5)
    lines = {tb.key: tb for tb in view["tables"]}["curves-lines"]
    assert {r["channel"]: r["planned"] for r in lines.rows} == {"Meta": 125.0,
                                                              "Google Search": 60.0}
    assert view["notes"][0].startswith("Google Search in US")  # the notice names the channel
    zh = curves_view(_fit(), PLAN, "zh", "USD")
    assert "平台声称 US$30,000.00" in [s for s in zh["claims"] if s.startswith("US · Meta")][0]
    # channel names on the curves' legends, not codes
    names = {tr["name"] for f in view["figures"] for tr in f["spec"]["data"]}
    assert "Google Search" in names and "google_search" not in names


def test_no_claims_block_without_claims():
    view = curves_view(_fit(with_claims=False), PLAN, "en", "USD")
    assert view["claims"] == []
    assert [tb.key for tb in view["tables"]] == ["curves-lines"]
    rows = [{"has_claims": False}]
    assert claims(rows, "80", "USD", "en") == ([], None)


def test_report_plan_profit_is_the_plans_total_with_its_interval():
    lines = [{"bucket": "performance", "market": "DE", "channel": "meta", "amount_base": 600.0,
              "expected_profit": -50.0, "expected_revenue": 700.0},
             {"bucket": "brand", "market": "DE", "channel": "meta", "amount_base": 300.0}]
    header = {"budget": 900.0, "period": "2026-11", "objective": "profit",
              "totals": {"profit": -3268.0, "profit_lo": -7533.0, "profit_hi": 1546.0,
                         "revenue": 900.0, "revenue_lo": 800.0, "revenue_hi": 1000.0}}
    s = plan_section(lines, header, "en", "USD", note_missing_frontier=False)
    kpis = {k.label: k for k in s.kpis}
    assert kpis["Expected profit"].value == -3268.0  # not the lines' -50
    assert kpis["Expected profit"].hint == "80% interval -$7,533.00 to $1,546.00"
    assert kpis["Expected revenue"].value == 900.0
    names = s.figures[1].spec["data"][0]["y"]
    assert sorted(names) == ["DE · Meta · Brand", "DE · Meta · Performance"]
    no_totals = plan_section(lines, {**header, "totals": None}, "en", "USD",
                             note_missing_frontier=False)
    k = {x.label: x for x in no_totals.kpis}["Expected profit"]
    assert k.value == -50.0 and k.hint == ""  # a sum of line intervals is no interval


def test_test_arms_get_their_own_labels_and_repeats_are_numbered():
    rec = {"market": "US", "channel": "meta", "bucket": "test", "reason_args": {"arm": "ugc"}}
    assert labels.plan_line_label(rec, "en") == "US · Meta · Test · ugc"
    assert labels.unique(["a", "b", "a", "a"]) == ["a", "b", "a (2)", "a (3)"]


def test_report_model_chapter_draws_the_dashboards_model_views():
    s = model_section(_fit(), planned_daily(PLAN), "en", "USD", stale=True)
    assert s.ok and len(s.figures) == 6
    assert [k.value for k in s.kpis][2] == pytest.approx(
        100 * np.mean(np.abs((np.linspace(100, 130, 28)[:21] - np.linspace(101, 128, 28)[:21])
                             / np.linspace(100, 130, 28)[:21])))
    claims_tb = s.tables[1]
    row = {r["label"]: r for r in claims_tb.rows}["US · Meta"]
    assert row["incremental_share"] == pytest.approx(40.0)
    assert row["organic_claim_share"] == pytest.approx(55.0)
    from adbudget.i18n import t

    assert t("web.stale.model_shown", "en") in s.notes  # a stale fit is labelled, not hidden
    assert any(n.startswith("Google Search in US") for n in s.notes)
    assert len(model_section(_fit(False), {}, "en", "USD").tables) == 1  # no claims table


def _attribution():
    table = pd.DataFrame({"channel": ["meta", "google_search"], "conversions": [60.0, 40.0],
                          "conversions_lo": [50.0, 30.0], "conversions_hi": [70.0, 50.0],
                          "revenue": [3000.0, 2000.0], "spend": [1000.0, 1000.0],
                          "roas": [3.0, 2.0], "platform_conversions": [90.0, 70.0],
                          "platform_roas": [4.5, 3.5], "overclaim": [1.5, 1.75],
                          "overclaim_revenue": [1.5, 1.75]})
    models = pd.DataFrame({"channel": ["meta", "google_search"], "markov": [60.0, 40.0],
                           "time_decay": [45.0, 55.0]})
    windows = pd.DataFrame({"channel": ["meta", "google_search"], "1d": [40.0, 30.0],
                            "7d": [60.0, 40.0], "spend": [1.0, 1.0], "roas_7d": [1.0, 2.0]})
    return NS(model="markov", windows="7d-click,1d-view", by="channel", table=table,
              totals={"orders": 120.0, "attributed_orders": 100.0, "platform_overclaim": 1.6,
                      "roas": 2.5}, models=models, windows_table=windows)


def test_attribution_view_names_codes_and_puts_roas_beside_the_channel():
    v = attribution_view(_attribution(), "en", "USD")
    tiles = {x.key: x for x in v["tiles"]}
    assert tiles["model"].value == "Markov chain" and tiles["model"].period == "7-day click, 1-day view"
    assert tiles["conv_overclaim"].value == 1.6 and tiles["conv_overclaim"].tip
    main = v["tables"][0]
    keys = [c[0] for c in main.columns]
    assert keys.index("roas") < 5 and keys.index("overclaim") < 7  # visible without scrolling
    assert main.rows[1]["channel"] == "Google Search"
    assert main.rows[0]["conversions_interval"] == "50 – 70"
    models = {f["id"]: f["spec"] for f in v["figures"]}["fig-attr-models"]
    assert [tr["name"] for tr in models["data"]] == ["Markov chain", "time decay"]
    windows = {f["id"]: f["spec"] for f in v["figures"]}["fig-attr-windows"]
    assert [tr["name"] for tr in windows["data"]] == ["1-day window", "7-day window"]
    zh = attribution_view(_attribution(), "zh", "USD")
    assert zh["tables"][0].rows[1]["channel"] == "谷歌搜索"


def test_tests_view_decisions_by_name_and_already_below():
    arm = dict(experiment="US-creative", arm="b", market="US", channel="meta", days=14,
               spend=700.0, conversions=60.0, roas=3.4, metric="roas", metric_mean=3.9,
               metric_lo=3.4, metric_hi=4.4, p_best=0.96, expected_loss=0.001,
               decision="continue", reason="b because")
    exp = NS(experiment="US-creative", arms=[NS(**arm)], graduation=None)
    fatigue = [{"market": "US", "channel": "meta", "campaign": "c", "creative": "v1",
                "age_days": 40, "spend": 900.0, "ctr_drop": 0.25, "cvr_drop": 0.1,
                "roas_now": 1.8, "breakeven_roas": 2.0, "days_to_breakeven": 0.0,
                "fatigued": True}]
    v = build_tests_view(NS(experiments=[exp]), fatigue, None, "en", "USD")
    arms = v["tables"][0].rows[0]
    assert arms["decision"] == "keep testing" and arms["interval"] == "3.40 – 4.40"
    fat = v["tables"][-1].rows[0]
    assert fat["days_to_breakeven"] == "already below"
    zh = build_tests_view(NS(experiments=[exp]), fatigue, None, "zh", "USD")
    assert zh["tables"][0].rows[0]["decision"] != "continue"
    assert build_tests_view(NS(experiments=[]), None, None, "en", "USD") == {
        "empty": "no running tests (tag test campaigns to see them here)"}


def test_report_rules_rows_read_in_words():
    """The report file shows rule actions, statuses and trigger metrics by name (the JSON
    API keeps the codes: localize works on a copy)."""
    from adbudget.report.localize import section as by_name
    from adbudget.report.model import Column, Section, Table

    row = {"action": "raise_budget", "before_status": "active",
           "metrics": "roas:last_7d=2.068, target_roas=3.011"}
    sec = Section(key="rules", title="Rules", tables=[Table("a", [
        Column("action", "Action"), Column("before_status", "Status"),
        Column("metrics", "Metrics")], [row])])
    en = by_name(sec, "en").tables[0].rows[0]
    assert en == {"action": "raise budget", "before_status": "active",
                  "metrics": "platform ROAS, last 7 days 2.07, target ROAS 3.01"}
    zh = by_name(sec, "zh").tables[0].rows[0]
    assert zh["action"] == "提高预算" and zh["before_status"] == "投放中"
    assert sec.tables[0].rows[0]["action"] == "raise_budget"  # the section itself unchanged
