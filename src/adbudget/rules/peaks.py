"""The peak-day calendar: known shopping events per market, when auction costs surge.

Events live in ``rules/data/peaks.toml`` (fixed dates, n-th weekdays, Easter-relative dates,
explicit lunar/Islamic dates per year, and events relative to other events). Each expands to
a window of days (lead-in and tail) with a typical cost-inflation factor.
"""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from functools import cache
from importlib import resources

import pandas as pd


@cache
def peak_events() -> dict[str, dict]:
    """The packaged event definitions, by id."""
    text = resources.files("adbudget.rules.data").joinpath("peaks.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["events"]


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0 = Monday) of a month; n = -1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def event_dates(event_id: str, year: int, _depth: int = 0) -> list[date]:
    """The main day(s) of an event in a year."""
    ev = peak_events()[event_id]
    kind = ev["kind"]
    if kind == "fixed":
        return [date(year, ev["month"], ev["day"])]
    if kind == "nth_weekday":
        return [nth_weekday(year, ev["month"], ev["weekday"], ev["n"])]
    if kind == "easter":
        return [easter(year) + timedelta(days=ev["offset"])]
    if kind == "dates":
        return [d for d in (date.fromisoformat(x) for x in ev["dates"]) if d.year == year]
    if kind == "relative":
        if _depth > 5:
            raise ValueError(f"peak event {event_id!r}: relative events nest too deeply")
        return [d + timedelta(days=ev["offset"]) for d in event_dates(ev["of"], year, _depth + 1)]
    raise ValueError(f"peak event {event_id!r}: unknown kind {kind!r}")


def peak_calendar(start: date, end: date, markets: list[str] | None = None) -> pd.DataFrame:
    """Every (date, market) inside a peak window between *start* and *end* (inclusive).

    Columns: ``date, market, event, name, inflation, days_to_event``. A day in two events'
    windows appears twice (callers take the max inflation).
    """
    rows = []
    for event_id, ev in peak_events().items():
        names = ev["markets"]
        for year in range(start.year - 1, end.year + 2):
            for main in event_dates(event_id, year):
                for off in range(-int(ev.get("before", 0)), int(ev.get("after", 0)) + 1):
                    day = main + timedelta(days=off)
                    if not start <= day <= end:
                        continue
                    for mkt in names:
                        if mkt != "*" and markets is not None and mkt not in markets:
                            continue
                        for m in (markets or []) if mkt == "*" else [mkt]:
                            rows.append((day, m, event_id, ev["name"], float(ev["inflation"]), -off))
    df = pd.DataFrame(rows, columns=["date", "market", "event", "name", "inflation", "days_to_event"])
    return df.sort_values(["date", "market", "event"]).reset_index(drop=True)


def peak_inflation(day: date, markets: list[str]) -> dict[str, tuple[float, str]]:
    """Markets with a peak on *day*: market → (expected cost inflation, event names)."""
    cal = peak_calendar(day, day, markets)
    out: dict[str, tuple[float, str]] = {}
    for market, grp in cal.groupby("market"):
        out[str(market)] = (float(grp["inflation"].max()), ", ".join(sorted(set(grp["name"]))))
    return out
