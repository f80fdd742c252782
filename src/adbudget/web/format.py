"""How the dashboard writes numbers: the pure module is :mod:`adbudget.report.format` (the
offline report formats its cells the same way); re-exported here."""

from adbudget.report.format import (  # noqa: F401
    LOCALES,
    date,
    datetime_,
    days,
    fmt,
    fmt_value,
    install,
    money,
    number,
    pct,
    ratio,
    share,
    symbol,
)
