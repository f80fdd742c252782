"""The response model's views for the dashboard: the pure module is :mod:`adbudget.report.mmm`
(the offline report's Model chapter draws the same figures); re-exported here."""

from adbudget.report.mmm import (  # noqa: F401
    CLAIM_FIELDS,
    contributions_figure,
    current_vs_planned_figure,
    fit_figure,
    fit_stats,
    line_rows,
    roas_figure,
    share_figure,
    waterfall_figure,
)
