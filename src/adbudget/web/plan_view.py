"""The plan as the dashboard shows it: the pure module is :mod:`adbudget.report.plan_view`
(the offline report's frontier marks come from it too); re-exported here."""

from adbudget.report.plan_view import (  # noqa: F401
    BUCKET_ORDER,
    FRONTIER_STEPS,
    PlanView,
    Tile,
    compare_plans,
    frontier_budgets,
    frontier_figure,
    frontier_marks,
    lines_figure,
    plan_view,
    tiles,
    top_moves,
)
