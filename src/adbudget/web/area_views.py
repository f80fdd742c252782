"""LTV, cohorts and the funnel as dashboard tables, and the dashboard's table type: the pure
module is :mod:`adbudget.report.area_tables` (the offline report's chapters use it too)."""

from adbudget.report.area_tables import (  # noqa: F401
    WebTable,
    area_tables,
    cohort_tables,
    funnel_tables,
    ltv_tables,
)
