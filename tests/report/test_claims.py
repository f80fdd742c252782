"""The claims block (issue 23, item 5): what each platform claims next to what the model
estimates the line caused, rendered from the fit summary's own fields, the same on the Model
and Curves chapters, /api/model and /api/curves, in English and Chinese."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from adbudget.report import claims
from adbudget.report.curves import curves_section
from adbudget.report.mmm import model_section
from adbudget.report.render import render_report
from tests.web.test_own_views import _fit

ORDERS = {"claimed_conversions": [1000.0, 500.0], "caused_conversions": [400.0, 400.0]}


def _summary(orders: bool = True) -> pd.DataFrame:
    s = _fit().summary.copy()
    if orders:
        for k, v in ORDERS.items():
            s[k] = v
    return s


def _curves(summary: pd.DataFrame, lang: str = "en", interval: float | None = 0.8):
    table = _fit().curves_table()
    return curves_section(table, lang, "USD", {("US", "meta"): 100.0}, {}, summary,
                          interval=interval)


def test_the_sentence_says_orders_money_roas_interval_share_and_organic():
    row = claims.claim_rows(_summary(), "en")[0]
    # claimed 30,000 on 10,000 spend: ROAS 3.00; caused 12,000 [9,000, 15,000]: ROAS 1.20
    assert claims.sentence(row, "80", "USD", "en") == (
        "US · Meta: the platform claims 1,000 orders worth $30,000.00 (ROAS 3.00); we "
        "estimate it caused 400 orders, $12,000.00 [80% interval $9,000.00 to $15,000.00] "
        "(ROAS 1.20): an incrementality share of 40.0% [80% interval 30.0% to 50.0%]. "
        "The model reads 55.0% of the claim (80% interval 45.0% to 65.0%) as buyers who "
        "were coming anyway.")
    zh = claims.sentence(claims.claim_rows(_summary(), "zh")[0], "80", "USD", "zh")
    assert zh.startswith("US · Meta：平台声称带来 1,000 笔订单、US$30,000.00（ROAS 3.00）")
    assert "400 笔订单、US$12,000.00［80% 区间 US$9,000.00 至 US$15,000.00］" in zh
    assert "增量占比 40.0%［80% 区间 30.0% 至 50.0%］。模型认为" in zh  # no space between


def test_without_conversions_the_sentence_is_about_revenue_only():
    row = claims.claim_rows(_summary(orders=False), "en")[0]
    text = claims.sentence(row, "80", "USD", "en")
    assert text.startswith("US · Meta: the platform claims $30,000.00 (ROAS 3.00); we estimate"
                           " it caused $12,000.00")
    assert "orders" not in text


def test_fields_the_fit_does_not_carry_are_left_out_not_computed():
    s = _summary()
    s["organic_claim_share"] = float("nan")  # a line checked out of the likelihood
    s["incremental_share_lo"] = float("nan")
    row = claims.claim_rows(s, "en")[0]
    text = claims.sentence(row, "80", "USD", "en")
    assert "coming anyway" not in text and "an incrementality share of 40.0%." in text
    table = claims.claims_table(claims.claim_rows(s, "en"), "80", "en")
    assert "organic_claim_share" not in [c.key for c in table.columns]
    # a line whose platform claims nothing is not a claims line
    s.loc[1, "claimed_revenue"] = float("nan")
    assert [r["channel"] for r in claims.claim_rows(s, "en")] == ["meta"]
    # a summary without claims columns at all (a shop-only fit)
    assert claims.claim_rows(s.drop(columns=["claimed_revenue"]), "en") == []


def test_curves_chapter_has_the_model_chapters_claims_fields_and_sentences():
    summary = _summary()
    curves = _curves(summary)
    fit = _fit()
    fit.summary = summary
    model = model_section(fit, {}, "en", "USD")
    # the same table, column for column, and the same sentences
    assert [c.key for c in curves.tables[-1].columns] == [c.key for c in model.tables[-1].columns]
    assert curves.tables[-1].rows == model.tables[-1].rows
    assert curves.data["claims"] == model.data["claims"]
    assert len(curves.data["claims"]["sentences"]) == 2
    # data.lines carries the claim fields under /api/model's names, shares 0-1 like there
    c_lines = {(r["market"], r["channel"]): r for r in curves.data["lines"]}
    m_lines = {(r["market"], r["channel"]): r for r in model.data["lines"]}
    for key, m in m_lines.items():
        for f in claims.CLAIM_FIELDS:
            assert c_lines[key][f] == pytest.approx(m[f]), (key, f)
    assert c_lines[("US", "meta")]["incremental_share"] == pytest.approx(0.4)
    row = {r["label"]: r for r in curves.tables[-1].rows}["US · Google Search"]
    assert row["incremental_share"] == pytest.approx(80.0)  # % in the table
    assert (row["incremental_share_lo"], row["incremental_share_hi"]) == pytest.approx((70, 90))
    assert row["claimed_conversions"] == 500.0 and row["caused_conversions"] == 400.0


def test_curves_chapter_without_claims_says_nothing_about_them():
    curves = _curves(_fit(with_claims=False).summary)
    assert "claims" not in curves.data and len(curves.tables) == 1
    assert "has_claims" not in curves.data["lines"][0]


def test_interval_defaults_to_the_fits_default():
    s = _curves(_summary(), interval=None)
    assert "[90% interval" in s.data["claims"]["sentences"][0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_file_shows_the_claims_block_in_the_curves_chapter(lang):
    section = _curves(_summary(), lang)
    html = render_report({"curves": section}, lang, "ws", "USD")
    block = html.split('id="curves-claims"')[1].split("</div>")[0]
    items = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", block)]
    assert items == section.data["claims"]["sentences"]
    assert "<li><strong>US · Meta</strong>" in block  # the line first, in bold
