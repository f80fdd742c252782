"""Calendars for any year: public holidays per market from `holidays`, shopping events by rule."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from adbudget.config.catalog import MARKETS
from adbudget.response.holidays import (
    holiday_days,
    holiday_features,
    lunar_new_year,
    market_events,
    prime_day,
    ramadan,
)

TESTED = ["PH", "VN", "JP", "AU", "KR", "IN", "TR", "PL", "NG", "ZA", "NZ", "CA", "US", "MX", "SA", "ID"]


def _features(markets, start="2031-01-01", end="2031-12-31"):
    dates = pd.date_range(start, end, freq="D")
    regions = [MARKETS[m].region for m in markets]
    feats, names = holiday_features(dates, regions, lead_days=3, markets=markets)
    return dates, feats, names


def test_2031_features_in_every_market_philippine_christmas_vietnamese_tet():
    dates, feats, names = _features(TESTED)
    assert feats.shape == (len(dates), len(TESTED), len(names))
    for j, m in enumerate(TESTED):
        assert feats[:, j, :].any(), m  # every market has holiday features in 2031
        assert feats[:, j, names.index("public_holiday")].any() or m in ()  # from `holidays`
    day = {d.date(): i for i, d in enumerate(dates)}
    ph, vn = TESTED.index("PH"), TESTED.index("VN")
    xmas = names.index("christmas")
    assert feats[day[date(2031, 12, 24)], ph, xmas] == 1.0  # the Philippines has Christmas
    tet = names.index("lunar_new_year")
    assert lunar_new_year(2031) == date(2031, 1, 23)  # published: Tết 2031 is 23 January
    assert feats[day[date(2031, 1, 23)], vn, tet] == 1.0
    assert feats[day[date(2031, 1, 27)], vn, tet] == 1.0  # Vietnam's own five Tết days
    assert feats[day[date(2031, 12, 24)], vn, xmas] == 0.0  # not a holiday in Vietnam
    # events by market: Diwali in India, Buen Fin in Mexico, Ramadan in Saudi Arabia, Boxing Day in AU
    on = {m: {names[h] for h in range(len(names)) if feats[:, j, h].any()} for j, m in enumerate(TESTED)}
    assert "diwali" in on["IN"] and "diwali" not in on["US"]
    assert {"buen_fin", "hot_sale"} <= on["MX"] and "ramadan" in on["SA"] and "boxing_day" in on["AU"]
    assert {"singles_day", "double_12", "lunar_new_year"} <= on["ID"]
    assert "eid_al_fitr" in on["TR"] and "eid_al_fitr" in on["NG"]


def test_shopping_events_by_rule_for_any_year():
    spans = holiday_days([2031, 2040])
    assert (date(2031, 11, 28), 4) in spans["black_friday"]  # Friday after 27 Nov 2031 Thanksgiving
    assert (date(2040, 11, 23), 4) in spans["black_friday"]
    assert (date(2031, 11, 11), 1) in spans["singles_day"] and (date(2031, 6, 18), 1) in spans["mid_year_6_18"]
    assert prime_day(2031) == (date(2031, 7, 8), 2)  # second Tuesday of July
    assert prime_day(2025) == (date(2025, 7, 8), 4)  # as announced
    (start, eid), = ramadan(2031)
    assert eid == date(2031, 1, 24) and (eid - start).days in (29, 30)
    assert (date(2031, 11, 14), 4) in spans["buen_fin"]  # Revolution Day 2031 is Monday 17 Nov


def test_region_only_features_unchanged_for_known_years_and_present_later():
    dates = pd.date_range("2029-12-01", "2032-01-31", freq="D")
    feats, names = holiday_features(dates, ["NA", "SEA", "ME", "EA", "OCE", "AF", "SAS"])
    assert {"black_friday", "lunar_new_year", "eid_al_fitr", "prime_day"} <= set(names)
    for year in (2030, 2031):
        i = dates.get_loc(pd.Timestamp(lunar_new_year(year)))
        assert feats[i, 1, names.index("lunar_new_year")] == 1.0  # SEA
        assert feats[i, 0, names.index("lunar_new_year")] == 0.0  # not NA
    assert np.all(feats[:, :, names.index("new_year")].max(axis=0) == 1.0)


def test_market_events_follow_public_holidays():
    ev = market_events("KR", "EA", [2031])
    assert "lunar_new_year" in ev and "christmas" in ev  # Seollal; Christmas is a holiday in Korea
    assert "christmas" not in market_events("JP", "EA", [2031])
