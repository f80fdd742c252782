"""Plan periods: a month (2026-12), an ISO week (2026-W50) or a date range."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from adbudget.errors import InputError
from adbudget.i18n import t


@dataclass(frozen=True)
class Period:
    """A named span of days the plan covers."""

    label: str
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(text: str) -> Period:
    """``YYYY-MM``, ``YYYY-Www`` or ``YYYY-MM-DD:YYYY-MM-DD`` (inclusive)."""
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            y, mo = int(m[1]), int(m[2])
            return Period(text, date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]))
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", text, flags=re.IGNORECASE):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(text.upper(), start, start + timedelta(days=6))
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?::|\.\.)(\d{4}-\d{2}-\d{2})", text):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end >= start:
                return Period(text, start, end)
    except ValueError:
        pass
    raise InputError(t("plan.error.period", period=text))


__all__ = ["Period", "parse_period"]
