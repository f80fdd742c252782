"""Shopping events and public holidays as day-level features with a lead-in ramp, for any year.

Sellers raise budgets when demand peaks; unless the model knows these days, it credits the
peak to media. Shopping events are computed by rule for any year: 11.11, 12.12, 9.9, 6.18,
Black Friday to Cyber Monday, Prime Day (as Amazon announced it, else the second Tuesday of
July), Ramadan and Eid al-Fitr (Umm al-Qura calendar, ``hijridate``), Lunar New Year
(``lunardate``), Diwali, Buen Fin, Hot Sale, Boxing Day, back-to-school. Public holidays come
from the ``holidays`` package per market: they decide which events a market keeps (the
Philippines has Christmas, Vietnam has Tết as its Lunar New Year, India has Eid and Diwali)
and the days no event covers become one ``public_holiday`` feature. Settings add more dates.

Given only regions (``markets=None``), the nine events the calendar always had apply by region
as they always did (now for any year); the rest needs the markets.
"""

from __future__ import annotations

import calendar
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache

import numpy as np
import pandas as pd

ALL = ("NA", "EU", "SEA", "ME", "LATAM", "EA", "SAS", "OCE", "AF")

# name -> regions where it moves demand: all that applies when only regions are known (the
# events and regions the calendar always had, the four newer regions added)
HOLIDAY_REGIONS: dict[str, tuple[str, ...]] = {
    "new_year": ALL,
    "black_friday": ALL,
    "christmas": ("NA", "EU", "LATAM", "OCE"),
    "singles_day": ("SEA", "EA"),
    "double_12": ("SEA", "EA"),
    "mega_sale_9_9": ("SEA",),
    "prime_day": ("NA", "EU"),
    "eid_al_fitr": ("ME", "SEA"),
    "lunar_new_year": ("SEA", "EA"),
}
# events that need the market to be known (features by market): name -> regions
MARKET_EVENT_REGIONS: dict[str, tuple[str, ...]] = {
    "mid_year_6_18": ("EA",),
    "ramadan": ("ME",),
    "diwali": ("SAS",),
    "back_to_school": ("NA", "EU", "OCE"),
}
# events of single markets: name -> ISO 3166 codes
EVENT_MARKETS: dict[str, frozenset[str]] = {
    "buen_fin": frozenset({"MX"}),
    "hot_sale": frozenset({"MX", "AR"}),
    "boxing_day": frozenset({"GB", "IE", "CA", "AU", "NZ", "ZA", "HK", "KE", "NG"}),
    "prime_day": frozenset({"JP", "AU", "IN", "SG", "AE", "SA", "EG", "TR", "BR", "MX"}),
}
# Muslim-majority markets: Ramadan moves demand there (and Eid wherever it is a public holiday)
MUSLIM_MAJORITY = frozenset(
    "AE AF AL AZ BD BH BN DJ DZ EG EH GM GN ID IQ IR JO KG KM KW KZ LB LY MA ML MR MV MY NE OM "
    "PK PS QA SA SD SN SO SY TJ TM TN TR UZ YE".split()
)

# Prime Day as Amazon announced it (first day, days); other years: the second Tuesday of July.
PRIME_DAY_ANNOUNCED = {2021: ("2021-06-21", 2), 2022: ("2022-07-12", 2), 2023: ("2023-07-11", 2),
                       2024: ("2024-07-16", 2), 2025: ("2025-07-08", 4), 2026: ("2026-07-14", 2),
                       2027: ("2027-07-13", 2)}
# Eid al-Fitr as observed where it differs from the Umm al-Qura calendar is by sighting; the
# dates the calendar had before it was computed are kept so older fits do not move.
_EID_OBSERVED = {2021: "2021-05-13", 2022: "2022-05-02", 2023: "2023-04-21", 2024: "2024-04-10",
                 2025: "2025-03-30", 2026: "2026-03-20", 2027: "2027-03-09"}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th ``weekday`` (Mon = 0) of a month; n = -1 for the last one."""
    if n < 0:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _black_friday(year: int) -> date:
    """Day after the fourth Thursday of November."""
    return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)


def prime_day(year: int) -> tuple[date, int]:
    """Prime Day's first day and length: as announced, else the second Tuesday of July, 2 days."""
    if year in PRIME_DAY_ANNOUNCED:
        day, length = PRIME_DAY_ANNOUNCED[year]
        return date.fromisoformat(day), length
    return _nth_weekday(year, 7, 1, 2), 2


@cache
def ramadan(year: int) -> list[tuple[date, date]]:
    """(1 Ramadan, 1 Shawwal = Eid al-Fitr) pairs whose Eid falls in ``year`` (Umm al-Qura)."""
    from hijridate import Gregorian, Hijri

    out = []
    h = Gregorian(year, 6, 30).to_hijri().year
    for hy in (h - 1, h, h + 1):
        try:
            eid = Hijri(hy, 10, 1).to_gregorian()
            start = Hijri(hy, 9, 1).to_gregorian()
        except (ValueError, OverflowError):  # outside the calendar's 1343-1500 AH
            continue
        if eid.year == year:
            eid_day = date.fromisoformat(_EID_OBSERVED[year]) if year in _EID_OBSERVED else eid
            out.append((date(start.year, start.month, start.day), eid_day))
    return out


def lunar_new_year(year: int) -> date:
    """First day of the first month of the Chinese lunisolar calendar (Tết, Seollal)."""
    from lunardate import LunarDate

    return LunarDate(year, 1, 1).to_solar_date()


def _buen_fin(year: int) -> date:
    """Mexico's Buen Fin: Friday to the Monday of Revolution Day (third Monday of November)."""
    return _nth_weekday(year, 11, 0, 3) - timedelta(days=3)


def _region_back_to_school(year: int) -> dict[str, tuple[date, int]]:
    return {"NA": (date(year, 7, 25), 27), "EU": (date(year, 8, 16), 21),
            "OCE": (date(year, 1, 10), 22)}


def holiday_days(years: Iterable[int]) -> dict[str, list[tuple[date, int]]]:
    """name -> [(first day, length in days)] of every built-in event for the given years.

    ``back_to_school`` here is North America's window (see :func:`market_events` for others).
    """
    names = list(dict.fromkeys([*HOLIDAY_REGIONS, *MARKET_EVENT_REGIONS, *EVENT_MARKETS]))
    out: dict[str, list[tuple[date, int]]] = {name: [] for name in names}
    for year in years:
        out["new_year"].append((date(year, 1, 1), 1))
        out["black_friday"].append((_black_friday(year), 4))  # Friday through Cyber Monday
        out["christmas"].append((date(year, 12, 20), 6))  # last shipping days before the 25th
        out["singles_day"].append((date(year, 11, 11), 1))
        out["double_12"].append((date(year, 12, 12), 1))
        out["mega_sale_9_9"].append((date(year, 9, 9), 1))
        out["mid_year_6_18"].append((date(year, 6, 18), 1))
        out["prime_day"].append(prime_day(year))
        for start, eid in ramadan(year):
            out["eid_al_fitr"].append((eid, 3))
            out["ramadan"].append((start, (eid - start).days))
        out["lunar_new_year"].append((lunar_new_year(year), 3))
        diwali = _diwali(year)
        if diwali is not None:
            out["diwali"].append((diwali - timedelta(days=2), 5))  # Dhanteras to Bhai Dooj
        out["back_to_school"].append(_region_back_to_school(year)["NA"])
        out["buen_fin"].append((_buen_fin(year), 4))
        out["hot_sale"].append((_nth_weekday(year, 5, 0, -1), 9))  # Mexico: last Monday of May
        out["boxing_day"].append((date(year, 12, 26), 1))
    return out


@cache
def _diwali(year: int) -> date | None:
    """Diwali (Lakshmi Puja) from India's calendar in the ``holidays`` package."""
    for day, name in _public(("IN", year)).items():
        if "diwali" in name.lower() or "deepavali" in name.lower():
            return day
    return None


@cache
def _public(key: tuple[str, int]) -> dict[date, str]:
    """Public holidays of one market and year from the ``holidays`` package ({} if it has none)."""
    import holidays

    code, year = key
    with warnings.catch_warnings():  # "available only from 2001 to 2035" (lunisolar tables)
        warnings.simplefilter("ignore", UserWarning)
        try:
            cal = holidays.country_holidays(code, years=year, language="en_US")
        except (NotImplementedError, KeyError, ValueError):
            try:
                cal = holidays.country_holidays(code, years=year)
            except (NotImplementedError, KeyError, ValueError):
                return {}
        return dict(cal.items())


def public_holidays(market: str, years: Iterable[int]) -> dict[date, str]:
    """The market's public holidays (date -> name) for the given years."""
    out: dict[date, str] = {}
    for year in years:
        out.update(_public((market.upper(), int(year))))
    return out


# words in the English names the ``holidays`` package gives these holidays
_KEYWORDS = {
    "lunar_new_year": ("lunar new year", "chinese new year", "korean new year", "spring festival",
                       "tết", "seollal"),
    "eid_al_fitr": ("fitr", "puasa", "ramazan bayram", "lebaran"),
    "diwali": ("diwali", "deepavali", "divali", "tihar"),
}


def _own_days(public: dict[date, str], name: str, near: list[date], within: int = 7) -> list[date]:
    """The market's public holidays named like event *name* within a few days of its dates."""
    words = _KEYWORDS[name]
    return [d for d, label in public.items()
            if any(w in label.lower() for w in words) and any(abs((d - n).days) <= within for n in near)]


def market_events(market: str, region: str, years: Sequence[int]
                  ) -> dict[str, list[tuple[date, int]]]:
    """name -> [(first day, length)] of the events that move demand in one market.

    Region events apply as before; the market's own public holidays add Christmas, Lunar New
    Year, Eid al-Fitr and Diwali where they are holidays there, and every public holiday no
    event covers becomes ``public_holiday``.
    """
    years = list(years)
    every = holiday_days(years)
    public = public_holidays(market, years)
    out: dict[str, list[tuple[date, int]]] = {}
    for name, spans in every.items():
        regions = HOLIDAY_REGIONS.get(name, ()) + MARKET_EVENT_REGIONS.get(name, ())
        keep = region in regions or market in EVENT_MARKETS.get(name, frozenset())
        if name == "christmas":
            keep = keep or any(date(y, 12, 25) in public for y in years)
        elif name in _KEYWORDS:
            shift = 2 if name == "diwali" else 0  # the span starts two days before Diwali
            own = _own_days(public, name, [first + timedelta(days=shift) for first, _ in spans])
            keep = keep or bool(own)
            if own and name == "lunar_new_year":  # the market's own days (Tết, Seollal, …)
                spans = sorted(set(spans) | {(d, 1) for d in own})
        elif name == "ramadan":
            keep = region == "ME" or market in MUSLIM_MAJORITY
        elif name == "back_to_school":
            windows = [_region_back_to_school(y).get(region) for y in years]
            spans = [w for w in windows if w is not None]
            keep = bool(spans)
        if keep and spans:
            out[name] = list(spans)
    covered = {first + timedelta(days=k) for spans in out.values() for first, n in spans
               for k in range(n)}
    rest = [(d, 1) for d in sorted(public) if d not in covered]
    if rest:
        out["public_holiday"] = rest
    return out


def _signal(index: dict[date, int], n: int, spans: list[tuple[date, int]], lead_days: int
            ) -> np.ndarray:
    signal = np.zeros(n)
    for first, length in spans:
        for k in range(-lead_days, length):
            i = index.get(first + timedelta(days=k))
            if i is not None:
                signal[i] = max(signal[i], 1.0 if k >= 0 else (lead_days + k + 1) / (lead_days + 1))
    return signal


def holiday_features(
    dates: pd.DatetimeIndex,
    market_regions: list[str],
    lead_days: int = 3,
    extra: dict[str, str] | None = None,
    markets: list[str] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Features (T, M, H) in [0, 1]: 1 on the event's days, a linear ramp over the lead-in days.

    ``market_regions`` is the region of each market (column). With ``markets`` (the ISO codes
    in the same order) events and public holidays are the market's own; without, events apply
    by region. Only events that fall inside ``dates`` in at least one market are kept;
    ``extra`` maps "YYYY-MM-DD" -> name and applies to every market.
    """
    n_m = len(market_regions)
    if len(dates) == 0:
        return np.zeros((0, n_m, 0)), []
    if markets is not None and len(markets) != n_m:
        raise ValueError("markets and market_regions must have the same length")
    years = list(range(dates.min().year, dates.max().year + 1))
    index = {d: i for i, d in enumerate(dates.date)}
    n_t = len(dates)
    per_market: list[dict[str, list[tuple[date, int]]]]
    if markets is None:
        every = holiday_days(years)
        per_market = [{name: spans for name, spans in every.items()
                       if r in HOLIDAY_REGIONS.get(name, ())} for r in market_regions]
    else:
        per_market = [market_events(m, r, years) for m, r in zip(markets, market_regions, strict=True)]
    custom = {}
    for day, name in (extra or {}).items():
        custom.setdefault(f"custom_{name}", []).append((date.fromisoformat(day), 1))
    present = {n for events in per_market for n in events}
    order = [*holiday_days(years[:1]), "public_holiday"]  # the calendar's order, then custom
    names = [n for n in order if n in present] + list(custom)
    out_names: list[str] = []
    columns: list[np.ndarray] = []
    cache_signal: dict[tuple, np.ndarray] = {}
    for name in names:
        column = np.zeros((n_t, n_m))
        for j, events in enumerate(per_market):
            spans = custom.get(name) or events.get(name)
            if not spans:
                continue
            key = tuple(spans)
            if key not in cache_signal:
                cache_signal[key] = _signal(index, n_t, list(spans), lead_days)
            column[:, j] = cache_signal[key]
        if column.any():
            out_names.append(name)
            columns.append(column)
    if not out_names:
        return np.zeros((n_t, n_m, 0)), []
    return np.stack(columns, axis=-1), out_names


__all__ = [
    "EVENT_MARKETS", "HOLIDAY_REGIONS", "MARKET_EVENT_REGIONS", "MUSLIM_MAJORITY", "holiday_days", "holiday_features",
    "lunar_new_year", "market_events", "prime_day", "public_holidays", "ramadan",
]
