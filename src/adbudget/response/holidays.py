"""Built-in shopping holidays per region, as day-level features with a lead-in ramp.

Sellers raise budgets when demand peaks; unless the model knows these days, it credits the
peak to media. The calendar covers the events the domain brief names (Black Friday, Christmas,
11.11 and 12.12 in Southeast Asia, Prime Day, Eid al-Fitr, Lunar New Year) for 2021-2027;
settings add more.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

ALL = ("NA", "EU", "SEA", "ME", "LATAM")

# name -> regions where it moves demand
HOLIDAY_REGIONS: dict[str, tuple[str, ...]] = {
    "new_year": ALL,
    "black_friday": ALL,
    "christmas": ("NA", "EU", "LATAM"),
    "singles_day": ("SEA",),
    "double_12": ("SEA",),
    "mega_sale_9_9": ("SEA",),
    "prime_day": ("NA", "EU"),
    "eid_al_fitr": ("ME", "SEA"),
    "lunar_new_year": ("SEA",),
}

_PRIME_DAY = ["2021-06-21", "2022-07-12", "2023-07-11", "2024-07-16", "2025-07-08", "2026-07-14",
              "2027-07-13"]
_EID = ["2021-05-13", "2022-05-02", "2023-04-21", "2024-04-10", "2025-03-30", "2026-03-20",
        "2027-03-09"]
_LUNAR = ["2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17",
          "2027-02-06"]


def _black_friday(year: int) -> date:
    """Day after the fourth Thursday of November."""
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1)


def holiday_days(years: range) -> dict[str, list[tuple[date, int]]]:
    """name -> [(first day, length in days)] for the given years."""
    out: dict[str, list[tuple[date, int]]] = {name: [] for name in HOLIDAY_REGIONS}
    for year in years:
        out["new_year"].append((date(year, 1, 1), 1))
        out["black_friday"].append((_black_friday(year), 4))  # Friday through Cyber Monday
        out["christmas"].append((date(year, 12, 20), 6))  # last shipping days before the 25th
        out["singles_day"].append((date(year, 11, 11), 1))
        out["double_12"].append((date(year, 12, 12), 1))
        out["mega_sale_9_9"].append((date(year, 9, 9), 1))
    for name, days, length in (("prime_day", _PRIME_DAY, 2), ("eid_al_fitr", _EID, 3),
                               ("lunar_new_year", _LUNAR, 3)):
        for day in days:
            d = date.fromisoformat(day)
            if d.year in years:
                out[name].append((d, length))
    return out


def holiday_features(
    dates: pd.DatetimeIndex,
    market_regions: list[str],
    lead_days: int = 3,
    extra: dict[str, str] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Features (T, M, H) in [0, 1]: 1 on the event's days, a linear ramp over the lead-in days.

    Only events that fall inside ``dates`` in at least one market are kept; ``extra`` maps
    "YYYY-MM-DD" -> name and applies to every market.
    """
    if len(dates) == 0:
        return np.zeros((0, len(market_regions), 0)), []
    years = range(dates.min().year, dates.max().year + 1)
    events = holiday_days(years)
    regions_of = dict(HOLIDAY_REGIONS)
    for day, name in (extra or {}).items():
        key = f"custom_{name}"
        events.setdefault(key, []).append((date.fromisoformat(day), 1))
        regions_of[key] = ALL
    index = {d: i for i, d in enumerate(dates.date)}
    names: list[str] = []
    columns: list[np.ndarray] = []
    for name, spans in events.items():
        signal = np.zeros(len(dates))
        for first, length in spans:
            for k in range(-lead_days, length):
                i = index.get(first + timedelta(days=k))
                if i is not None:
                    signal[i] = max(signal[i], 1.0 if k >= 0 else (lead_days + k + 1) / (lead_days + 1))
        if not signal.any():
            continue
        applies = np.array([r in regions_of[name] for r in market_regions], dtype=float)
        if not applies.any():
            continue
        names.append(name)
        columns.append(signal[:, None] * applies[None, :])
    if not names:
        return np.zeros((len(dates), len(market_regions), 0)), []
    return np.stack(columns, axis=-1), names


__all__ = ["HOLIDAY_REGIONS", "holiday_days", "holiday_features"]
