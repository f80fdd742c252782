"""Test budget: test arms, Bayesian decisions, bandit allocation, test design, lift tests and
creative fatigue. Pure: DataFrames and arrays in, typed results out."""

from adbudget.experiments.allocate import (
    ALLOCATION_COLUMNS,
    LiveArm,
    allocate_test_budget,
    split_with_floors,
    thompson_weights,
)
from adbudget.experiments.analysis import (
    AnalysisOptions,
    ArmResult,
    ExperimentResult,
    Graduation,
    analyze_experiment,
    breakeven_roas,
)
from adbudget.experiments.arms import (
    ArmDeclaration,
    ExperimentData,
    TagRules,
    experiment_data,
    parse_tag,
    tag_rows,
)
from adbudget.experiments.decide import DECISIONS, DecisionRules, Decisions, decide
from adbudget.experiments.design import (
    EntryPlan,
    PlanCell,
    PowerDesign,
    clicks_per_arm,
    design_test,
    entry_test_plan,
    minimum_detectable_lift,
    power_at,
)
from adbudget.experiments.fatigue import CreativeFatigue, DecayFit, creative_fatigue, fit_decay
from adbudget.experiments.lift import LiftResult, analyze_lift_tests, lift_calibration
from adbudget.experiments.posterior import (
    METRICS,
    REVENUE_MODELS,
    DrawSummary,
    metric_draws,
    order_value_cv2,
    summarize_draws,
)

__all__ = [
    "ALLOCATION_COLUMNS", "DECISIONS", "METRICS", "REVENUE_MODELS",
    "AnalysisOptions", "ArmDeclaration", "ArmResult", "CreativeFatigue", "DecayFit",
    "DecisionRules", "Decisions", "DrawSummary", "EntryPlan", "ExperimentData",
    "ExperimentResult", "Graduation", "LiftResult", "LiveArm", "PlanCell", "PowerDesign",
    "TagRules",
    "allocate_test_budget", "analyze_experiment", "analyze_lift_tests", "breakeven_roas",
    "clicks_per_arm", "creative_fatigue", "decide", "design_test", "entry_test_plan",
    "experiment_data", "fit_decay", "lift_calibration", "metric_draws",
    "minimum_detectable_lift", "order_value_cv2", "parse_tag", "power_at", "split_with_floors",
    "summarize_draws", "tag_rows", "thompson_weights",
]
