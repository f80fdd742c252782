"""The report package: numbers checked by hand, plan tables, curves, guarded sections, the file."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.curves import HillCurves
from adbudget.errors import NotFittedError
from adbudget.report import curves_section, fmt, plan_csv, plan_section
from adbudget.report.generic import describe
from adbudget.report.overview import UnitEconomics, overview_section
from adbudget.workspace.report_pages import build
from tests.web.data import DAYS, PLAN_LINES, ad_daily_frame


def test_overview_totals_match_hand_computation(web_ws):
    section = build(web_ws, "overview")
    assert section.ok
    ad = ad_daily_frame()
    spend = ad["spend"].sum()
    revenue = DAYS * (10 * 40.0 + 10 * 30.0)  # ten orders a day per market
    orders = DAYS * 20
    totals = section.data["totals"]
    assert totals["spend"] == pytest.approx(spend)
    assert totals["revenue"] == pytest.approx(revenue)
    assert totals["mer"] == pytest.approx(revenue / spend)
    assert totals["platform_roas"] == pytest.approx(3.0, rel=1e-3)  # rows claim 3x spend
    assert totals["overclaim"] == pytest.approx(ad["revenue"].sum() / revenue)
    # default unit economics: margin 50 %, returns 5 %, fees 3 % of gross revenue (net / 0.95),
    # shipping 5 per order (adbudget.economics)
    assert totals["profit"] == pytest.approx(revenue * (0.50 - 0.03 / 0.95) - orders * 5.0 - spend)
    by_market = {r["market"]: r for r in section.tables[0].rows}
    assert by_market["US"]["revenue"] == pytest.approx(DAYS * 400)
    assert sum(r["spend"] for r in by_market.values()) == pytest.approx(spend)


def test_overview_finds_the_gap_and_staleness():
    ad = ad_daily_frame(gap=("DE", "tiktok", "2025-02-03"))
    ad = ad[~((ad["market"] == "US") & (ad["channel"] == "meta")
              & (pd.to_datetime(ad["date"]) > "2025-02-25"))]  # US meta stops 5 days early
    spend = ad.rename(columns={"spend_base": "spend_b"}).assign(
        platform_revenue=ad["revenue_base"])[["date", "market", "channel", "spend", "impressions",
                                              "clicks", "conversions", "platform_revenue"]]
    section = overview_section(spend, pd.DataFrame(columns=["date", "market", "revenue", "orders"]),
                               {}, "en")
    fresh = {(r["market"], r["channel"]): r for r in section.tables[-1].rows}
    assert fresh[("DE", "tiktok")]["missing_days"] == 1
    assert fresh[("DE", "tiktok")]["missing_examples"] == "2025-02-03"
    assert fresh[("US", "meta")]["days_behind"] == 5
    assert fresh[("US", "google_search")]["days_behind"] == 0


def test_overview_empty_workspace_says_so(tmp_path):
    from adbudget.config import default_settings
    from adbudget.workspace import Workspace

    ws = Workspace.init(tmp_path / "empty", default_settings(["US"]))
    try:
        section = build(ws, "overview")
        assert section.status == "empty" and "adbudget import" in section.message
    finally:
        ws.close()


def test_plan_section_buckets_and_csv():
    section = plan_section(PLAN_LINES, {"budget": 18000.0, "period": "2025-03"}, "en")
    assert section.ok
    buckets = {r["market"]: r for r in section.tables[0].rows}
    assert buckets["US"]["total"] == pytest.approx(13000.0)
    assert buckets["DE"]["reserve"] == pytest.approx(1000.0)
    for row in buckets.values():  # shares of a market add to 100 %
        shares = [v for k, v in row.items() if k.endswith("_pct") and v is not None]
        assert sum(shares) == pytest.approx(100.0)
    csv = pd.read_csv(pd.io.common.StringIO(plan_csv(PLAN_LINES)))
    assert list(csv.columns[:3]) == ["bucket", "market", "channel"]
    assert csv["amount_base"].sum() == pytest.approx(18000.0)
    assert len(csv) == len(PLAN_LINES)


def test_plan_section_frontier_figure():
    frontier = pd.DataFrame({"budget": [1e4, 2e4, 3e4], "expected_profit": [1e3, 1.5e3, 1.2e3]})
    section = plan_section(PLAN_LINES, {"budget": 18000.0}, "en", frontier=frontier)
    ids = [f.id for f in section.figures]
    assert "fig-plan-frontier" in ids
    fig = section.figures[ids.index("fig-plan-frontier")].spec
    by_name = {tr.get("name"): tr for tr in fig["data"]}
    assert by_name["this plan"]["x"] == [18000.0]  # the plan marked at its budget
    assert by_name["Profit-maximising budget"]["x"] == [2e4]  # the best point tried
    assert "Break-even budget" not in by_name  # profitable at every budget tried
    assert "Profit-maximising budget: $20,000.00" in section.notes[-1]


def test_curves_section_marks_today_and_plan_on_the_curve():
    lines = [("US", "meta"), ("US", "tiktok")]
    rng = np.random.default_rng(0)
    curves = HillCurves(lines, beta=rng.uniform(900, 1100, (50, 2)),
                        half=np.full((50, 2), 300.0), shape=np.full((50, 2), 1.5))
    grid = np.linspace(0, 1500, 61)
    resp = curves.response(np.repeat(grid[:, None], 2, axis=1))  # (draws, k, lines)
    rows = []
    for j, (m, c) in enumerate(lines):
        for k, s in enumerate(grid):
            d = resp[:, k, j]
            rows.append({"market": m, "channel": c, "spend": s, "mean": d.mean(),
                         "lo": np.quantile(d, 0.05), "hi": np.quantile(d, 0.95)})
    table = pd.DataFrame(rows)
    section = curves_section(table, "en", current={("US", "meta"): 300.0},
                             planned={("US", "meta"): 450.0})
    assert section.ok and len(section.figures) == 1
    traces = section.figures[0].spec["data"]
    today = [tr for tr in traces if tr.get("mode") == "markers" and tr["x"] == [300.0]][0]
    expected = float(np.interp(300.0, grid, resp[:, :, 0].mean(axis=0)))
    assert today["y"][0] == pytest.approx(expected)
    facts = {(r["market"], r["channel"]): r for r in section.tables[0].rows}
    # Hill with k=1.5 at the half-saturation spend: half of beta, about 50 % of the grid's top
    top = resp[:, :, 0].mean(axis=0).max()
    assert facts[("US", "meta")]["saturation_pct"] == pytest.approx(expected / top * 100)
    assert facts[("US", "tiktok")]["current"] is None


class _Broken:
    """Stands in for a workspace whose areas misbehave."""

    def __init__(self, ws, exc):
        self._ws, self._exc = ws, exc
        self.settings = ws.settings

    def curves_table(self, *a, **k):
        raise self._exc

    def attribute(self, *a, **k):
        raise self._exc


def test_guarded_sections_say_not_fitted_and_never_leak(web_ws):
    s = build(_Broken(web_ws, NotFittedError("no response model saved")), "curves")
    assert s.status == "not_fitted" and "adbudget fit" in s.message
    s = build(_Broken(web_ws, RuntimeError("secret internals")), "attribution")
    assert s.status == "error" and "secret" not in s.message and "Traceback" not in s.message
    s = build(_Broken(web_ws, RuntimeError("x")), "tests")  # no experiments_status at all
    assert s.status == "not_built" and "experiments_status" in s.message


def test_describe_turns_results_into_kpis_and_tables():
    from dataclasses import dataclass, field

    @dataclass
    class R:
        model: str = "markov"
        total: float = 12.5
        rows: list = field(default_factory=lambda: [{"channel": "meta", "credit": 3.0}])

    kpis, tables = describe(R(), "x")
    assert [k.label for k in kpis] == ["model", "total"]
    assert tables[0].rows == [{"channel": "meta", "credit": 3.0}]
    assert [c.fmt for c in tables[0].columns] == ["text", "num"]


@given(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.integers(),
                 st.text(max_size=5)),
       st.sampled_from(["text", "money", "int", "ratio", "pct", "date", "num"]))
def test_fmt_never_raises(value, kind):
    assert isinstance(fmt(value, kind), str)


@settings(deadline=None, max_examples=12)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_overview_market_rows_add_to_totals(spends):
    n = len(spends)
    dates = pd.date_range("2025-01-01", periods=n).date
    spend = pd.DataFrame({"date": dates, "market": ["US", "DE"] * (n // 2) + ["US"] * (n % 2),
                          "channel": "meta", "spend": spends, "impressions": 0, "clicks": 0,
                          "conversions": 0.0, "platform_revenue": [s * 2 for s in spends]})
    revenue = pd.DataFrame({"date": dates, "market": "US", "revenue": 100.0, "orders": 2})
    econ = {"US": UnitEconomics(gross_margin_pct=40, payment_fee_pct=2, shipping_cost_per_order=3),
            "DE": UnitEconomics(gross_margin_pct=60, payment_fee_pct=5, shipping_cost_per_order=1)}
    section = overview_section(spend, revenue, econ, "en")
    rows = section.tables[0].rows
    assert sum(r["spend"] for r in rows) == pytest.approx(sum(spends))
    assert sum(r["profit"] for r in rows) == pytest.approx(section.data["totals"]["profit"])
    assert section.data["totals"]["profit"] == pytest.approx(
        n * (100 * 0.38 - 2 * 3) - sum(spends))


def test_report_file_is_self_contained_and_translated(web_ws, tmp_path):
    out = web_ws.write_report(tmp_path / "plan.html", lang="zh")
    html = out.read_text(encoding="utf-8")
    assert "Plotly" in html and "newPlot" in html
    # offline: no external scripts, styles or fonts
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)
    assert "广告预算计划" in html and "总览" in html and "计划" in html
    sections = web_ws.report_sections("zh")
    for s in sections.values():  # chapters that cannot show results say why, in Chinese
        if s.status != "ok":
            assert s.message in html or s.message.replace("'", "&#39;") in html
            assert {"not_built": "尚未构建", "not_fitted": "尚无拟合模型", "empty": "暂无内容",
                    "error": "无法加载"}[s.status] in html
    assert html.index('id="summary"') < html.index('id="overview"')  # one-pager first


def test_report_refuses_non_html_out(web_ws, tmp_path):
    from adbudget.errors import UsageError

    with pytest.raises(UsageError):
        web_ws.write_report(tmp_path / "plan.pdf")


def test_report_cli(web_ws, tmp_path):
    from typer.testing import CliRunner

    from adbudget.cli.app import app

    root = web_ws.root
    web_ws.close()
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "-w", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1_000_000  # plotly.js is inlined
    assert '"overview"' in result.output
    bad = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "r.txt"), "-w", str(root)])
    assert bad.exit_code == 2


def test_tests_section_arms_decisions_and_fatigue():
    from types import SimpleNamespace as NS

    from adbudget.report.areas import tests_section

    def arm(name, mean, lo, hi, p_best, loss, decision):
        return NS(experiment="US-creative", arm=name, is_control=name == "a", market="US",
                  channel="meta", days=14, spend=700.0, impressions=1e5, clicks=2e3,
                  conversions=60.0, revenue=2400.0, roas=3.4, cvr=0.03, metric="roas",
                  metric_mean=mean, metric_lo=lo, metric_hi=hi, roas_mean=mean, roas_lo=lo,
                  roas_hi=hi, p_best=p_best, p_beat_control=None, expected_loss=loss,
                  breakeven_roas=2.0, p_above_breakeven=0.9, decision=decision,
                  reason_code="x", reason=f"{name} because")

    exp = NS(experiment="US-creative", start="2025-01-01", end="2025-01-14", metric="roas",
             control="a", ready=True, required_prob=0.95, loss_threshold=0.01,
             arms=[arm("a", 3.0, 2.5, 3.5, 0.04, 0.2, "stop"),
                   arm("b", 3.9, 3.4, 4.4, 0.96, 0.001, "scale")], graduation=None)
    fatigue = [{"market": "US", "channel": "meta", "campaign": "c", "creative": "v1",
                "age_days": 40, "spend": 900.0, "ctr_drop": 0.25, "cvr_drop": 0.1,
                "roas_now": 1.8, "breakeven_roas": 2.0, "days_to_breakeven": 0.0,
                "fatigued": True},
               {"market": "US", "channel": "meta", "campaign": "c", "creative": "v2",
                "fatigued": False}]
    s = tests_section(NS(experiments=[exp], base_currency="USD"), fatigue, "en")
    assert s.ok
    assert [k.value for k in s.kpis] == [1, 1, 1, 1]  # experiments, scale, stop, fatigued
    arms = {r["arm"]: r for r in s.tables[0].rows}
    assert arms["b"]["decision"] == "scale" and arms["b"]["p_best"] == 0.96
    trace = s.figures[0].spec["data"][0]
    assert trace["y"] == [3.0, 3.9]
    assert trace["error_y"]["array"] == pytest.approx([0.5, 0.5])
    fat = s.tables[-1]
    assert [r["creative"] for r in fat.rows] == ["v1"]  # only fatigued ones
    assert fat.rows[0]["ctr_drop"] == pytest.approx(25.0)  # shown as a percentage


def test_tests_section_lists_lift_tests_with_what_each_measures():
    """Imported lift tests reach the report (and the dashboard's Tests page): a holdout's
    average return, a scale test's marginal return with its baseline; they alone make the
    section non-empty."""
    import pandas as pd

    from adbudget.experiments.lift import analyze_lift_tests
    from adbudget.report.areas import tests_section

    lift = analyze_lift_tests(pd.DataFrame({
        "test_id": ["h", "s"], "market": ["US", "US"], "channel": ["meta", "meta"],
        "start_date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
        "end_date": pd.to_datetime(["2025-01-28", "2025-03-28"]),
        "spend": [10_000.0, 20_000.0], "baseline_spend": [0.0, 10_000.0],
        "incremental_revenue": [25_000.0, 8_000.0], "incremental_revenue_se": [5_000.0, 3_000.0],
        "currency": ["USD", "USD"], "method": ["geo_holdout", "geo_scale"]}))
    s = tests_section(None, None, "en", lift)
    assert s.ok and s.status != "empty"
    rows = {r["test_id"]: r for r in s.tables[-1].rows}
    assert rows["h"]["measures"] == "average" and rows["h"]["baseline_spend"] is None
    assert rows["s"]["measures"] == "marginal" and rows["s"]["baseline_spend"] == 10_000.0
    assert rows["s"]["iroas"] == pytest.approx(0.8)  # 8,000 over the 10,000 extra
    zh = tests_section(None, None, "zh", lift)
    assert {r["measures"] for r in zh.tables[-1].rows} == {"平均", "边际"}


def test_attribution_section_side_by_side():
    from types import SimpleNamespace as NS

    from adbudget.report.areas import attribution_section

    table = pd.DataFrame({"channel": ["meta", "google_search"], "conversions": [60.0, 40.0],
                          "platform_conversions": [90.0, 70.0], "revenue": [3000.0, 2000.0]})
    models = pd.DataFrame({"channel": ["meta", "google_search"], "markov": [60.0, 40.0],
                           "last": [45.0, 55.0]})
    windows = pd.DataFrame({"channel": ["meta", "google_search"], "1d": [40.0, 30.0],
                            "7d": [60.0, 40.0], "spend": [1.0, 1.0], "roas_7d": [1.0, 2.0]})
    rep = NS(model="markov", windows="7d-click", by="channel", table=table,
             totals={"orders": 120.0, "attributed_orders": 100.0, "platform_overclaim": 1.6},
             models=models, windows_table=windows)
    s = attribution_section(rep, "en")
    figs = {f.id: f.spec for f in s.figures}
    assert [t["name"] for t in figs["fig-attr-models"]["data"]] == ["markov", "last"]
    assert [t["name"] for t in figs["fig-attr-windows"]["data"]] == ["1d", "7d"]  # no spend/roas
    plat = figs["fig-attr-platform"]["data"]
    assert plat[0]["y"] == [60.0, 40.0] and plat[1]["y"] == [90.0, 70.0]
    assert s.kpis[3].value == 1.6


def test_plan_lines_without_estimates_render(tmp_path):
    """Reserve lines and lines without a fitted curve carry None estimates: no NaN in JSON."""
    from adbudget.report.render import json_script

    lines = [dict(PLAN_LINES[0]), dict(PLAN_LINES[5], expected_revenue=None,
                                      expected_revenue_lo=None, expected_revenue_hi=None,
                                      expected_profit=None, marginal_roas=None)]
    section = plan_section(lines, {"budget": 7000.0}, "en")
    for fig in section.figures:
        assert "NaN" not in str(json_script(fig.spec))
