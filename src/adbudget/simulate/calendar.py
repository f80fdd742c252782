"""Market calendars: weekly and yearly seasonality, holidays and peak-season cost inflation.

Everything is a deterministic function of the date, so the truth can be evaluated for any
period, including the planning period after the simulated history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Ramadan (first day, civil dates as observed) and Brazil's Carnival Monday for 2021-2029 as
# they were; other years are computed (Umm al-Qura calendar; Easter minus 48 days).
RAMADAN_START = {
    2021: "2021-04-13", 2022: "2022-04-02", 2023: "2023-03-23", 2024: "2024-03-11",
    2025: "2025-03-01", 2026: "2026-02-18", 2027: "2027-02-08", 2028: "2028-01-28",
    2029: "2029-01-16",
}
CARNIVAL = {
    2021: "2021-02-15", 2022: "2022-02-28", 2023: "2023-02-20", 2024: "2024-02-12",
    2025: "2025-03-03", 2026: "2026-02-16", 2027: "2027-02-08", 2028: "2028-02-28",
    2029: "2029-02-12",
}
MUSLIM_MAJORITY = {"SA", "AE", "ID", "MY"}  # the simulator's catalog markets


def ramadan_starts(year: int) -> list[pd.Timestamp]:
    """First days of the Ramadans that begin in ``year`` (two in some years, e.g. 2030): the
    table, else the Umm al-Qura calendar."""
    if year in RAMADAN_START:
        return [pd.Timestamp(RAMADAN_START[year])]
    from adbudget.response.holidays import ramadan

    return sorted({pd.Timestamp(s) for y in (year, year + 1) for s, _ in ramadan(y) if s.year == year})


def carnival_monday(year: int) -> pd.Timestamp:
    """Brazil's Carnival Monday: 48 days before Easter Sunday."""
    if year in CARNIVAL:
        return pd.Timestamp(CARNIVAL[year])
    from dateutil.easter import easter

    return pd.Timestamp(easter(year)) - pd.Timedelta(days=48)


# Day-of-week multipliers (Mon..Sun) per region.
WEEKLY = {
    "NA": [1.02, 1.00, 0.98, 0.97, 0.98, 1.00, 1.05],
    "EU": [1.04, 1.01, 0.99, 0.97, 0.95, 0.96, 1.08],
    "SEA": [0.95, 0.96, 0.97, 0.98, 1.02, 1.06, 1.06],
    "ME": [0.98, 0.98, 1.00, 1.06, 1.06, 0.96, 0.96],
    "LATAM": [1.03, 1.00, 0.98, 0.97, 0.98, 1.00, 1.04],
    "EA": [1.00, 0.99, 0.98, 0.98, 1.00, 1.03, 1.04],
    "SAS": [0.97, 0.97, 0.98, 0.99, 1.01, 1.04, 1.05],
    "OCE": [1.03, 1.00, 0.98, 0.97, 0.97, 0.99, 1.06],
    "AF": [0.98, 0.98, 0.99, 1.00, 1.04, 1.03, 0.99],
}
# Yearly Fourier coefficients (cos1, sin1, cos2, sin2) per region on log demand.
YEARLY = {
    "NA": (0.10, -0.04, 0.03, 0.02),
    "EU": (0.12, -0.03, 0.04, 0.01),
    "SEA": (0.04, 0.03, 0.05, -0.02),
    "ME": (0.03, 0.06, 0.02, 0.03),
    "LATAM": (0.06, 0.02, 0.03, 0.03),
    "EA": (0.08, -0.02, 0.03, 0.01),
    "SAS": (0.03, -0.05, 0.04, 0.02),
    "OCE": (0.09, -0.02, 0.03, 0.02),
    "AF": (0.05, -0.01, 0.02, 0.02),
}


@dataclass(frozen=True)
class Holiday:
    """One holiday window of a market: demand multiplier and ad-cost multiplier."""

    name: str
    start: str
    end: str
    demand: float
    cost: float


def thanksgiving(year: int) -> pd.Timestamp:
    """US Thanksgiving: the fourth Thursday of November."""
    nov1 = pd.Timestamp(year=year, month=11, day=1)
    first_thu = 1 + (3 - nov1.weekday()) % 7
    return pd.Timestamp(year=year, month=11, day=first_thu + 21)


def holidays(market: str, region: str, years: range) -> list[Holiday]:
    """The holiday windows of a market for the given years."""
    out: list[Holiday] = []
    day = pd.Timedelta(days=1)

    def add(name: str, start: pd.Timestamp, end: pd.Timestamp, demand: float, cost: float) -> None:
        out.append(Holiday(name, start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), demand, cost))

    for y in years:
        bf = thanksgiving(y) + day
        if region in ("NA", "EU", "ME", "LATAM"):
            lift = {"NA": 2.1, "EU": 1.7, "ME": 1.8, "LATAM": 1.9}[region]
            add("black_friday", bf - 3 * day, bf + 3 * day, lift, 1.6)
            add("pre_black_friday", bf - 14 * day, bf - 4 * day, 1.15, 1.3)
        if region in ("NA", "EU", "LATAM"):
            add("christmas", pd.Timestamp(y, 12, 5), pd.Timestamp(y, 12, 22), 1.35, 1.4)
            add("post_christmas", pd.Timestamp(y, 12, 26), pd.Timestamp(y, 12, 31), 1.15, 1.1)
        if region == "NA":
            add("prime_day", pd.Timestamp(y, 7, 11), pd.Timestamp(y, 7, 12), 1.5, 1.3)
        if region in ("SEA", "ME"):
            lift = 2.8 if region == "SEA" else 1.3
            add("double_11", pd.Timestamp(y, 11, 10), pd.Timestamp(y, 11, 12), lift, 1.7)
        if region == "SEA":
            add("double_12", pd.Timestamp(y, 12, 11), pd.Timestamp(y, 12, 13), 2.2, 1.5)
            add("double_9", pd.Timestamp(y, 9, 9), pd.Timestamp(y, 9, 9), 1.6, 1.2)
            add("christmas", pd.Timestamp(y, 12, 15), pd.Timestamp(y, 12, 24), 1.15, 1.2)
        for start in ramadan_starts(y) if market in MUSLIM_MAJORITY else []:
            add("ramadan", start, start + 28 * day, 1.3, 1.25)
            add("eid", start + 29 * day, start + 32 * day, 1.5, 1.3)
        if market == "BR":
            c = carnival_monday(y)
            add("carnival", c - 2 * day, c + 1 * day, 0.75, 1.0)
        if market == "MX":
            add("buen_fin", pd.Timestamp(y, 11, 14), pd.Timestamp(y, 11, 17), 1.7, 1.4)
    return out


def _to_days(dates: np.ndarray | pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[D]"))


def holiday_factors(
    dates: np.ndarray | pd.DatetimeIndex, market: str, region: str
) -> tuple[np.ndarray, np.ndarray]:
    """(demand multiplier, cost multiplier) per date from the market's holiday windows."""
    days = _to_days(dates)
    years = pd.DatetimeIndex(days).year
    demand = np.ones(len(days))
    cost = np.ones(len(days))
    if len(days) == 0:
        return demand, cost
    for h in holidays(market, region, range(int(years.min()) - 1, int(years.max()) + 1)):
        mask = (days >= np.datetime64(h.start)) & (days <= np.datetime64(h.end))
        demand[mask] *= h.demand
        cost[mask] = np.maximum(cost[mask], h.cost)
    return demand, cost


def weekly_factor(dates: np.ndarray | pd.DatetimeIndex, region: str) -> np.ndarray:
    """Day-of-week demand multiplier."""
    dow = pd.DatetimeIndex(_to_days(dates)).day_of_week.to_numpy()
    return np.asarray(WEEKLY[region])[dow]


def yearly_factor(
    dates: np.ndarray | pd.DatetimeIndex, region: str, jitter: tuple[float, ...] = (0, 0, 0, 0)
) -> np.ndarray:
    """Smooth yearly demand multiplier (two Fourier harmonics, region shape + market jitter)."""
    doy = pd.DatetimeIndex(_to_days(dates)).day_of_year.to_numpy() - 1
    a = 2 * np.pi * doy / 365.25
    c = np.asarray(YEARLY[region]) + np.asarray(jitter)
    return np.exp(c[0] * np.cos(a) + c[1] * np.sin(a) + c[2] * np.cos(2 * a) + c[3] * np.sin(2 * a))


__all__ = [
    "Holiday", "carnival_monday", "ramadan_starts", "holiday_factors", "holidays", "thanksgiving", "weekly_factor", "yearly_factor",
]
