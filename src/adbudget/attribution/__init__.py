"""Multi-touch attribution: one de-duplicated view of what each platform really drove.

Pure package: takes path tables (or the SQL that builds them) and returns credits; no I/O.
Models are registered by name in :data:`MODELS` and all offer ``credit(paths) -> Credit``;
the time-aware models in :data:`TOUCH_MODELS` (``hazard``) read touch-level journeys
(:class:`TouchTable`, built by :func:`touch_sql`) with ``credit_touches(table) -> Credit``.
"""

from adbudget.attribution.base import AttributionModel, Credit
from adbudget.attribution.bootstrap import Interval, bootstrap, bootstrap_touches, resample_journeys
from adbudget.attribution.hazard import Hazard, HazardFit, TouchTable, fit_hazard
from adbudget.attribution.markov import Markov, removal_effects
from adbudget.attribution.order import MarkovAuto, choose_order, order_scores
from adbudget.attribution.paths import PathTable
from adbudget.attribution.registry import MODELS, TOUCH_MODELS, make_model
from adbudget.attribution.report import (
    BY as BY_VALUES,
)
from adbudget.attribution.report import (
    AttributionReport,
    add_platform,
    credit_frame,
    keys_for,
    side_by_side,
)
from adbudget.attribution.rules import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    PositionBased,
    TimeDecay,
)
from adbudget.attribution.shapley import Shapley, ShapleyOrdered, ShapleySimplified, shapley_values
from adbudget.attribution.sql import orders_sql, path_sql
from adbudget.attribution.touch_sql import touch_sql
from adbudget.attribution.windows import PLATFORM_WINDOWS, Windows, parse_windows

__all__ = [
    "BY_VALUES", "MODELS", "PLATFORM_WINDOWS", "TOUCH_MODELS",
    "AttributionModel", "AttributionReport", "Credit", "FirstTouch", "Hazard", "HazardFit",
    "Interval", "LastNonDirect", "LastTouch", "Linear", "Markov", "MarkovAuto", "PathTable",
    "PositionBased", "Shapley", "ShapleyOrdered", "ShapleySimplified", "TimeDecay", "TouchTable",
    "Windows", "add_platform", "bootstrap", "bootstrap_touches", "choose_order", "credit_frame", "fit_hazard",
    "keys_for", "make_model", "order_scores", "orders_sql", "parse_windows", "path_sql", "removal_effects", "side_by_side",
    "resample_journeys", "shapley_values", "touch_sql",
]
