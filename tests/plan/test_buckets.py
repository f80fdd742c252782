"""Bucket policy: method defaults, stage and region shifts, overrides, validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adbudget.config.plan import PlanSettings
from adbudget.errors import SettingsError
from adbudget.plan.buckets import (
    BUCKETS,
    METHOD_DEFAULT,
    REGION_SHIFTS,
    STAGE_SHIFTS,
    bucket_policy,
    parse_buckets,
)

LIMITS = PlanSettings().bucket_limits


def test_method_default_is_inside_the_method_ranges():
    assert sum(METHOD_DEFAULT.values()) == 100
    assert 20 <= METHOD_DEFAULT["brand"] <= 30 and 50 <= METHOD_DEFAULT["performance"] <= 60
    assert 10 <= METHOD_DEFAULT["test"] <= 15 and 5 <= METHOD_DEFAULT["reserve"] <= 10


def test_shift_tables_add_to_zero():
    for table in (STAGE_SHIFTS, REGION_SHIFTS):
        for shifts in table.values():
            assert sum(shifts.values()) == 0


@pytest.mark.parametrize("stage", ["entry", "growth", "maturity"])
@pytest.mark.parametrize("region", ["NA", "EU", "SEA", "ME", "LATAM"])
def test_every_profile_is_valid(stage, region):
    p = bucket_policy("XX", stage, region, limits=LIMITS)
    assert sum(p.shares.values()) == pytest.approx(100)
    assert all(v >= 0 for v in p.shares.values())


def test_direction_of_shifts_follows_the_method():
    entry = bucket_policy("US", "entry", "ME", limits=LIMITS).shares
    growth = bucket_policy("US", "growth", "ME", limits=LIMITS).shares
    mature = bucket_policy("US", "maturity", "ME", limits=LIMITS).shares
    assert entry["test"] > growth["test"] > mature["test"]  # entry tests most, maturity least
    assert entry["brand"] < growth["brand"] < mature["brand"]  # little brand at entry
    assert growth["performance"] > mature["performance"]  # growth is performance-heavy
    na = bucket_policy("US", "growth", "NA", limits=LIMITS).shares
    sea = bucket_policy("ID", "growth", "SEA", limits=LIMITS).shares
    assert na["brand"] > growth["brand"] and sea["performance"] > growth["performance"]


def test_every_shift_is_explained_in_both_languages():
    p = bucket_policy("ID", "entry", "SEA", limits=LIMITS)
    en, zh = p.explain("en"), p.explain("zh")
    assert len(en) == len(p.shifts) == 5 and len(zh) == 5
    assert "entry market" in en[0] and "进入期" in zh[0]


def test_overrides_settings_then_cli():
    p = bucket_policy("US", "growth", "NA", limits=LIMITS,
                      market_override={"brand": 30, "performance": 50, "test": 10, "reserve": 10},
                      cli_override=parse_buckets("performance=100"))
    assert p.shares == {"brand": 0.0, "performance": 100.0, "test": 0.0, "reserve": 0.0}
    assert p.source == "cli"
    assert any("--buckets" in s for s in p.explain("en"))


def test_parse_and_validation_errors():
    assert parse_buckets("brand=25, performance=55%,test=12,reserve=8") == {
        "brand": 25.0, "performance": 55.0, "test": 12.0, "reserve": 8.0}
    with pytest.raises(SettingsError, match="add to 90"):
        bucket_policy("US", "growth", "NA", limits=LIMITS, cli_override=parse_buckets("performance=90"))
    with pytest.raises(SettingsError, match="reserve = 40% is outside"):
        bucket_policy("US", "growth", "NA", limits=LIMITS,
                      cli_override=parse_buckets("performance=60,reserve=40"))
    with pytest.raises(SettingsError, match="unknown bucket 'tv'"):
        parse_buckets("tv=10")
    with pytest.raises(SettingsError, match="cannot read"):
        parse_buckets("brand:25")


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=4, max_size=4))
def test_any_valid_override_is_accepted_exactly(values):
    total = sum(values)
    if total <= 0:
        return
    shares = {b: v * 100 / total for b, v in zip(BUCKETS, values, strict=True)}
    shares["reserve"] = 100 - shares["brand"] - shares["performance"] - shares["test"]
    limits = dict.fromkeys(BUCKETS, (0.0, 100.0))
    if shares["reserve"] < 0:
        return
    p = bucket_policy("US", "growth", "NA", limits=limits, cli_override=shares)
    assert p.shares == pytest.approx(shares)
