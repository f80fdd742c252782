"""Planner: bucket policy, market split, performance optimizer, brand/test/reserve, scenarios.

Pure: takes settings, curves and DataFrames, returns typed results (no I/O).
"""

from adbudget.plan.buckets import (
    BUCKETS,
    BucketPolicy,
    bucket_policy,
    parse_buckets,
    validate_shares,
)
from adbudget.plan.constraints import (
    AlwaysOn,
    BreakEvenFloor,
    BucketTotal,
    ConstraintSet,
    LineCap,
    LineContext,
    LineFloor,
    MaxChange,
    combine,
)
from adbudget.plan.optimizer import OptimalityCheck, Solution, solve
from adbudget.plan.planner import PlanInputs, make_plan, value_per_revenue
from adbudget.plan.result import Frontier, FrontierPoint, PlanLine, PlanResult, StageAdvice
from adbudget.plan.rounding import round_to_total

__all__ = [
    "BUCKETS", "AlwaysOn", "BreakEvenFloor", "BucketPolicy", "BucketTotal", "ConstraintSet",
    "Frontier", "FrontierPoint", "LineCap", "LineContext", "LineFloor", "MaxChange",
    "OptimalityCheck", "PlanInputs", "PlanLine", "PlanResult", "Solution", "StageAdvice",
    "bucket_policy", "combine", "make_plan", "parse_buckets", "round_to_total", "solve",
    "validate_shares", "value_per_revenue",
]
