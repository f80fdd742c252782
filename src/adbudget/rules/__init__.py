"""Automation rules: a rule language, vectorized evaluation, pacing, reserve release, exports.

Pure: functions take DataFrames and return typed results; no database, no printing (rule
files are read as text by the workspace; packaged templates and the peak calendar are data).
"""

from adbudget.rules.actions import ACTIONS, ActionKind, change_values, split_amount
from adbudget.rules.backtest import BacktestResult, backtest
from adbudget.rules.engine import find_candidates, schedule_allows
from adbudget.rules.export import EXPORT_FORMATS, export_actions
from adbudget.rules.expr import ExprError, parse_condition
from adbudget.rules.loader import detect_format, parse_rules
from adbudget.rules.metrics import (
    DEFAULT_BUCKET_PATTERNS,
    LineMetrics,
    build_lines,
    compute_metrics,
    line_key,
    window_range,
)
from adbudget.rules.pacing import PacingReport, pacing, parse_period
from adbudget.rules.peaks import easter, peak_calendar, peak_inflation
from adbudget.rules.reserve import ReserveReport, detect_surges, release_reserve
from adbudget.rules.resolve import ACTION_COLUMNS, SKIP_COLUMNS, Evaluation, evaluate
from adbudget.rules.spec import METRICS, TARGETS, Rule, RuleSet
from adbudget.rules.templates import load_template, template_names, template_text

__all__ = [
    "ACTIONS", "ACTION_COLUMNS", "ActionKind", "BacktestResult", "DEFAULT_BUCKET_PATTERNS",
    "EXPORT_FORMATS", "Evaluation", "ExprError", "LineMetrics", "METRICS", "PacingReport", "ReserveReport",
    "Rule", "RuleSet", "SKIP_COLUMNS", "TARGETS", "backtest", "build_lines", "change_values",
    "compute_metrics", "detect_format", "detect_surges", "easter", "evaluate", "export_actions",
    "find_candidates", "line_key", "load_template", "pacing", "parse_condition", "parse_period", "parse_rules",
    "peak_calendar", "peak_inflation", "release_reserve", "schedule_allows", "split_amount",
    "template_names", "template_text", "window_range",
]
