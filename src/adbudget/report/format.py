"""How the dashboard and the report write numbers: money with its symbol and ISO 4217 minor units, percents
as %, ratios with two decimals, days as days, dates as ISO dates; in the page's language.

One formatter for every page (Jinja's ``fmt`` filter is replaced by :func:`fmt` in the web's
environment), so "75.04" never stands beside "1,354" again: every money cell of a currency
has the same number of decimals (Babel's CLDR data gives the minor units: USD 2, JPY 0).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol
from jinja2 import pass_context

from adbudget.i18n import t

LOCALES = {"en": "en_US", "zh": "zh_CN"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, "en_US")


def finite(value: Any) -> float | None:
    """A value as a float, or None where it is missing, not a number, NaN or infinite (what a
    table cell or a chart point shows as "-")."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def money(value: Any, currency: str = "USD", lang: str = "en", signed: bool = False) -> str:
    """``$1,234.50`` / ``US$1,234.50``; JPY without decimals; ``+`` on gains when *signed*."""
    if _missing(value):
        return "—"
    v = float(value)
    text = format_currency(v, currency, locale=_locale(lang), currency_digits=True)
    return ("+" + text) if signed and v > 0 else text


def symbol(currency: str, lang: str = "en") -> str:
    """The currency's symbol in the language (``$``, ``US$``, ``€``)."""
    return get_currency_symbol(currency, locale=_locale(lang))


def pct(value: Any, lang: str = "en", signed: bool = False, digits: int = 1) -> str:
    """A percentage given in 0–100 units: ``12.3%``."""
    if _missing(value):
        return "—"
    v = float(value)
    fmt_ = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    text = format_percent(v / 100.0, fmt_, locale=_locale(lang))
    return ("+" + text) if signed and v > 0 else text


def share(value: Any, lang: str = "en", digits: int = 1) -> str:
    """A share given in 0–1 units as a percentage."""
    return "—" if _missing(value) else pct(float(value) * 100.0, lang, digits=digits)


def ratio(value: Any, lang: str = "en") -> str:
    """A ratio (ROAS, MER) with two decimals: ``2.35``."""
    if _missing(value):
        return "—"
    return format_decimal(float(value), "#,##0.00", locale=_locale(lang))


def number(value: Any, lang: str = "en", digits: int = 0) -> str:
    if _missing(value):
        return "—"
    fmt_ = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(float(value), fmt_, locale=_locale(lang))


def days(value: Any, lang: str = "en") -> str:
    """Whole days: ``12 days`` / ``12 天``."""
    if _missing(value):
        return "—"
    n = int(round(float(value)))
    return t("web.unit.days_one" if n == 1 else "web.unit.days", lang, n=number(n, lang))


def date(value: Any) -> str:
    """An ISO date (timestamps lose their time: previews showed ``2025-01-06T00:00:00``)."""
    if _missing(value):
        return "—"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" and text[:4].isdigit():
        return text[:10]
    return text


def datetime_(value: Any) -> str:
    """A timestamp to the minute (``2026-12-07 18:00``)."""
    if _missing(value):
        return "—"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("T", " ")[:16]


def fmt_value(value: Any, kind: str = "text", currency: str = "USD", lang: str = "en") -> str:
    """Format one cell by its column format (the report's kinds, plus ``days`` and ``share``)."""
    if _missing(value):
        return "—"
    try:
        if kind == "money":
            return money(value, currency, lang)
        if kind == "money_signed":
            return money(value, currency, lang, signed=True)
        if kind == "int":
            return number(value, lang)
        if kind == "ratio":
            return ratio(value, lang)
        if kind == "pct":
            return pct(value, lang)
        if kind == "pct_signed":
            return pct(value, lang, signed=True)
        if kind == "share":
            return share(value, lang)
        if kind == "num":
            v = float(value)
            return number(v, lang) if abs(v) >= 100 else number(v, lang, 2)
        if kind == "days":
            return days(value, lang)
        if kind == "date":
            return date(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return date(value)
    return str(value)


@pass_context
def fmt(context: Any, value: Any, kind: str = "text") -> str:
    """Jinja filter: like the report's ``fmt`` but with the page's currency and language."""
    return fmt_value(value, kind, context.get("base_currency") or "USD",
                     context.get("lang") or "en")


def install(env: Any) -> None:
    """Replace the shared environment's number filters with the dashboard's."""
    env.filters["fmt"] = fmt
    env.filters["isodate"] = date
    env.filters["stamp"] = datetime_
