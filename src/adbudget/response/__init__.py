"""Response model: how revenue answers to spend per market × channel (pure, no I/O).

Hierarchical Bayesian media-mix model (adstock + saturation + trend, seasonality, holidays)
in NumPyro; fitted curves satisfy :class:`adbudget.curves.ResponseCurves`.
"""

from adbudget.response.curves import FittedCurves
from adbudget.response.data import ModelData, Notice, prepare_data
from adbudget.response.fit import METHODS, fit_model
from adbudget.response.results import MODEL_VERSION, FitResult
from adbudget.response.serde import from_bytes, to_bytes
from adbudget.response.transforms import ADSTOCKS, SATURATIONS

__all__ = [
    "ADSTOCKS",
    "METHODS",
    "MODEL_VERSION",
    "SATURATIONS",
    "FitResult",
    "FittedCurves",
    "ModelData",
    "Notice",
    "fit_model",
    "from_bytes",
    "prepare_data",
    "to_bytes",
]
