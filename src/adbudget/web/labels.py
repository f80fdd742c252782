"""Display-time words for the dashboard: the pure module is :mod:`adbudget.report.labels`
(the offline report renders plan reasons and notes with it too); re-exported here."""

from adbudget.report.labels import (  # noqa: F401
    NOTE_PREFIXES,
    bucket,
    channel,
    line_label,
    notes,
    plan_line_label,
    reason,
    retranslate,
    unique,
    user_markup,
    word,
)
