"""Planner: bucket policy, market split, performance optimizer, brand/test/reserve, scenarios.

Pure: takes settings, curves and DataFrames, returns typed results (no I/O). ``make_plan``
runs the stages of ``plan/stages.py``; ``plan/serde.py`` is the versioned saved-plan format.
"""

from adbudget.plan.buckets import (
    BUCKETS,
    BucketPolicy,
    bucket_policy,
    parse_buckets,
    validate_shares,
)
from adbudget.plan.constraints import (
    CONSTRAINTS,
    AlwaysOn,
    BreakEvenFloor,
    BucketTotal,
    ConstraintSet,
    LineCap,
    LineContext,
    LineFloor,
    MaxChange,
    combine,
    from_settings,
)
from adbudget.plan.optimizer import OptimalityCheck, Solution, solve
from adbudget.plan.period import Period, parse_period
from adbudget.plan.planner import PlanInputs, make_plan, value_per_revenue
from adbudget.plan.result import Frontier, FrontierPoint, PlanLine, PlanResult, StageAdvice
from adbudget.plan.rounding import round_to_total
from adbudget.plan.serde import FORMAT_VERSION, PlanFormatError, from_record, to_record

__all__ = [
    "BUCKETS", "CONSTRAINTS", "FORMAT_VERSION", "AlwaysOn", "BreakEvenFloor", "BucketPolicy", "BucketTotal", "ConstraintSet",
    "Frontier", "FrontierPoint", "LineCap", "LineContext", "LineFloor", "MaxChange",
    "OptimalityCheck", "Period", "PlanFormatError", "PlanInputs", "PlanLine", "PlanResult",
    "Solution", "StageAdvice", "bucket_policy", "combine", "from_record", "from_settings",
    "make_plan", "parse_buckets", "parse_period", "round_to_total", "solve", "to_record",
    "validate_shares", "value_per_revenue",
]
