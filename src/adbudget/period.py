"""Periods: the one value type and grammar for plans, pacing, the report and the dashboard.

Spellings (the label is always written the canonical way, whatever was typed):

* ``2026-11``  a calendar month
* ``2026-W05`` an ISO week (Monday to Sunday; ``2026-w5`` is read too)
* ``2026-Q4``  a calendar quarter
* ``2026-11-01:2026-11-30`` a date range, both ends included (``..`` is read as ``:``)
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from adbudget.errors import InputError
from adbudget.i18n import t

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WEEK = re.compile(r"(\d{4})-[Ww](\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?::|\.\.)\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Period:
    """A named span of days: ``kind`` month | week | quarter | range, ``end`` inclusive."""

    label: str
    start: date
    end: date
    kind: str = "range"

    @property
    def days(self) -> int:
        """Number of days, both ends included."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read any spelling above; an unreadable text raises InputError naming the forms."""
        raw = str(text).strip()
        try:
            if m := _MONTH.fullmatch(raw):
                y, mo = int(m[1]), int(m[2])
                return cls(f"{y:04d}-{mo:02d}", date(y, mo, 1),
                           date(y, mo, calendar.monthrange(y, mo)[1]), "month")
            if m := _WEEK.fullmatch(raw):
                y, w = int(m[1]), int(m[2])
                start = date.fromisocalendar(y, w, 1)
                return cls(f"{y:04d}-W{w:02d}", start, start + timedelta(days=6), "week")
            if m := _QUARTER.fullmatch(raw):
                y, q = int(m[1]), int(m[2])
                last = 3 * q
                return cls(f"{y:04d}-Q{q}", date(y, last - 2, 1),
                           date(y, last, calendar.monthrange(y, last)[1]), "quarter")
            if m := _RANGE.fullmatch(raw):
                start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
                if end >= start:
                    return cls(f"{start.isoformat()}:{end.isoformat()}", start, end, "range")
        except ValueError:
            pass
        raise InputError(t("period.invalid", period=raw))


def parse_period(text: str) -> Period:
    """:meth:`Period.parse` as a function."""
    return Period.parse(text)


__all__ = ["Period", "parse_period"]
