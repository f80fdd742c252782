"""Any market: every ISO 3166-1 country and ISO 4217 currency, names in English and Chinese,
init + import + status for ten markets outside the first catalog, regions with profiles."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.config import default_settings, dump_settings, validate_settings
from adbudget.config.catalog import (
    CURRENCIES,
    DEFAULT_MARKETS,
    MARKETS,
    MINOR_UNITS,
    REGION_PROFILES,
    REGIONS,
    country_name,
    country_to_code,
    market_label,
)

runner = CliRunner()
COUNTRIES = sorted(c.alpha_2 for c in pycountry.countries)
NEW_TEN = ["JP", "AU", "KR", "IN", "TR", "PL", "NG", "ZA", "NZ", "CA"]


@given(st.sampled_from(COUNTRIES))
def test_every_country_round_trips_through_settings(code):
    """Any ISO country: settings from the catalog survive TOML and validation unchanged."""
    info = MARKETS[code]
    assert info.region in REGIONS and info.currency in CURRENCIES
    ZoneInfo(info.timezone)  # a real IANA zone
    settings = default_settings([code])
    back = validate_settings(__import__("tomllib").loads(dump_settings(settings)))
    assert back == settings
    assert back.markets[code].currency == info.currency
    assert country_name(code, "zh") != code and country_name(code, "en") != code
    # the names platforms print map back to the code, in both languages
    assert country_to_code(country_name(code, "en")) == code
    assert country_to_code(country_name(code, "zh")) == code


@given(st.sampled_from(sorted(CURRENCIES)))
def test_every_currency_is_a_base_and_has_minor_units(currency):
    settings = default_settings(["US"], base_currency=currency)
    assert settings.base_currency == currency
    assert MINOR_UNITS[currency] in (0, 2, 3, 4)


def test_catalog_is_the_whole_iso_list_and_keeps_the_first_nineteen():
    assert len(MARKETS) == len(COUNTRIES) == 249
    assert len(CURRENCIES) > 150 and {"XXX", "XAU"}.isdisjoint(CURRENCIES)
    # published ISO 4217 minor units
    assert (MINOR_UNITS["JPY"], MINOR_UNITS["KRW"], MINOR_UNITS["KWD"], MINOR_UNITS["BHD"],
            MINOR_UNITS["EUR"], MINOR_UNITS["CLP"]) == (0, 0, 3, 3, 2, 0)
    # the 19 markets of the first catalog keep region, currency and zone
    before = {"US": ("NA", "USD", "America/New_York"), "GB": ("EU", "GBP", "Europe/London"),
              "ID": ("SEA", "IDR", "Asia/Jakarta"), "AE": ("ME", "AED", "Asia/Dubai"),
              "BR": ("LATAM", "BRL", "America/Sao_Paulo"), "MX": ("LATAM", "MXN", "America/Mexico_City"),
              "CA": ("NA", "CAD", "America/Toronto"), "VN": ("SEA", "VND", "Asia/Ho_Chi_Minh")}
    for code, (region, currency, zone) in before.items():
        m = MARKETS[code]
        assert (m.region, m.currency, m.timezone) == (region, currency, zone)
    assert len(DEFAULT_MARKETS) == 19 and list(default_settings().markets) == list(DEFAULT_MARKETS)
    expected = {"JP": "EA", "AU": "OCE", "KR": "EA", "IN": "SAS", "TR": "EU", "PL": "EU",
                "NG": "AF", "ZA": "AF", "NZ": "OCE", "CA": "NA"}
    assert {c: MARKETS[c].region for c in NEW_TEN} == expected
    assert MARKETS["AU"].timezone == "Australia/Sydney" and MARKETS["RU"].timezone == "Europe/Moscow"


def test_every_region_has_a_profile_whose_shifts_add_to_zero():
    from adbudget.config.experiments import DEFAULT_ENTRY_PLATFORMS
    from adbudget.config.plan import PlanSettings
    from adbudget.i18n import t
    from adbudget.plan.allocators import TEST_PRIORITY
    from adbudget.plan.buckets import REGION_SHIFTS

    cpm = PlanSettings().default_cpm
    for region in REGIONS:
        p = REGION_PROFILES[region]
        assert abs(sum(p.bucket_shifts.values())) < 1e-9
        assert REGION_SHIFTS[region] == p.bucket_shifts and TEST_PRIORITY[region] == p.test_priority
        assert cpm[region] == p.default_cpm and DEFAULT_ENTRY_PLATFORMS[region]
        for lang in ("en", "zh"):
            assert t(f"markets.region.{region}", lang) != f"markets.region.{region}"
            if p.bucket_shifts:
                assert t(f"plan.shift.region_{region}", lang) != f"plan.shift.region_{region}"


def test_names_in_chinese_and_traditional_and_platform_spellings():
    assert market_label("JP", "zh") == "JP 日本" and market_label("NG", "en") == "NG Nigeria"
    for text, code in [("韓國", "KR"), ("韩国", "KR"), ("South Korea", "KR"), ("Türkiye", "TR"),
                       ("turkey", "TR"), ("新西兰", "NZ"), ("Viet Nam", "VN"), ("aus", "AU"),
                       ("uk", "GB"), ("pl", "PL")]:
        assert country_to_code(text) == code, text
    assert country_to_code("Atlantis") == "Atlantis"  # left for validation to name the row


def test_init_accepts_names_and_rejects_unknown_codes():
    assert list(default_settings(["Japan", "澳大利亚", "kr"]).markets) == ["JP", "AU", "KR"]
    from adbudget.errors import SettingsError

    with pytest.raises(SettingsError, match="QQ"):
        default_settings(["QQ"])


def _meta_export(code: str, currency: str, day: int) -> str:
    spend, value = 1000 + 10 * day, 2500 + 30 * day
    return (
        f"Reporting starts,Reporting ends,Campaign name,Ad set name,Ad name,Amount spent ({currency}),"
        "Impressions,Link clicks,Purchases,Purchases conversion value\n"
        f"2026-11-0{day},2026-11-0{day},{code} | Prospecting,Broad,hook,{spend},40000,800,20,{value}\n"
        f"2026-11-0{day + 1},2026-11-0{day + 1},{code} | Prospecting,Broad,hook,{spend + 5},41000,810,21,{value + 9}\n"
    )


def test_ten_new_markets_init_import_status_in_chinese(tmp_path):
    ws = str(tmp_path / "ws")
    r = runner.invoke(app, ["init", ws, "--markets", ",".join(NEW_TEN), "--base-currency", "CNY"])
    assert r.exit_code == 0, r.output
    currencies = {c: MARKETS[c].currency for c in NEW_TEN}
    assert currencies == {"JP": "JPY", "AU": "AUD", "KR": "KRW", "IN": "INR", "TR": "TRY", "PL": "PLN",
                          "NG": "NGN", "ZA": "ZAR", "NZ": "NZD", "CA": "CAD"}
    fx = tmp_path / "fx.csv"
    rates = {"JPY": 21.0, "AUD": 0.21, "KRW": 190.0, "INR": 11.6, "TRY": 4.9, "PLN": 0.55, "NGN": 210.0,
             "ZAR": 2.5, "NZD": 0.23, "CAD": 0.19}
    fx.write_text("date,currency,per_base\n" + "".join(
        f"2026-11-01,{c},{v}\n" for c, v in rates.items()))
    assert runner.invoke(app, ["import", str(fx), "-w", ws]).exit_code == 0
    for i, code in enumerate(NEW_TEN):
        path = tmp_path / f"meta_{code.lower()}.csv"
        path.write_text(_meta_export(code, currencies[code], 1 + i % 5), encoding="utf-8")
        r = runner.invoke(app, ["import", str(path), "--market", code, "-w", ws, "--json"])
        assert r.exit_code == 0, (code, r.output)
        assert json.loads(r.stdout)[0]["rows"] == 2
    r = runner.invoke(app, ["status", "-w", ws, "--json"])
    lines = {x["market"]: x for x in json.loads(r.stdout)["lines"]}
    assert set(lines) == set(NEW_TEN)
    # JPY has no minor unit, KRW neither: amounts converted to CNY at the loaded rate
    day = 1 + NEW_TEN.index("JP") % 5
    assert lines["JP"]["spend_base"] == pytest.approx((2 * (1000 + 10 * day) + 5) / 21.0, rel=1e-6)
    r = runner.invoke(app, ["status", "-w", ws, "--lang", "zh"])
    assert r.exit_code == 0, r.output
    for name in ("日本", "澳大利亚", "韩国", "印度", "土耳其", "波兰", "尼日利亚", "南非", "新西兰", "加拿大"):
        assert name in r.output, name
    r = runner.invoke(app, ["markets", "--region", "OCE", "--lang", "zh", "--json"])
    assert r.exit_code == 0, r.output
    rows = {m["code"]: m for m in json.loads(r.stdout)}
    assert rows["NZ"]["name"] == "新西兰" and rows["AU"]["currency"] == "AUD"
