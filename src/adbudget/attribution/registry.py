"""Name → model registry: the CLI, settings and reports pick models by these names only."""

from __future__ import annotations

from typing import Any

from adbudget.attribution.base import AttributionModel
from adbudget.attribution.hazard import Hazard
from adbudget.attribution.markov import Markov
from adbudget.attribution.order import MarkovAuto
from adbudget.attribution.rules import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    PositionBased,
    TimeDecay,
)
from adbudget.attribution.shapley import Shapley, ShapleyOrdered, ShapleySimplified
from adbudget.errors import SettingsError


class Markov2(Markov):
    """Second-order Markov chain."""

    def __init__(self) -> None:
        super().__init__(2)


class Markov3(Markov):
    """Third-order Markov chain."""

    def __init__(self) -> None:
        super().__init__(3)


class Markov4(Markov):
    """Fourth-order Markov chain."""

    def __init__(self) -> None:
        super().__init__(4)


MODELS: dict[str, type[AttributionModel]] = {
    "first": FirstTouch,
    "last": LastTouch,
    "last_non_direct": LastNonDirect,
    "linear": Linear,
    "time_decay": TimeDecay,
    "position": PositionBased,
    "markov": Markov,
    "markov_2": Markov2,
    "markov_3": Markov3,
    "markov_4": Markov4,
    "markov_auto": MarkovAuto,
    "shapley": Shapley,
    "shapley_simplified": ShapleySimplified,
    "shapley_ordered": ShapleyOrdered,
}

# Models that read touch-level journeys (``needs_touches``: ``credit_touches(TouchTable)``)
# instead of path tables. Kept apart from MODELS, whose every entry offers ``credit(paths)``
# (path files, bootstrap, the comparisons and the invariant tests rely on that).
TOUCH_MODELS: dict[str, type[AttributionModel]] = {
    "hazard": Hazard,
}

# Settings that configure a model: model name -> {option name -> constructor argument}.
_OPTIONS: dict[str, dict[str, str]] = {
    "last_non_direct": {"direct_channels": "direct_channels"},
    "time_decay": {"half_life_days": "half_life_days"},
    "position": {"position_first": "first", "position_last": "last"},
}


def make_model(name: str, **options: Any) -> AttributionModel:
    """Build the model called *name*; options it does not use are ignored."""
    cls = MODELS.get(name) or TOUCH_MODELS.get(name)
    if cls is None:
        raise SettingsError(
            f"unknown attribution model {name!r}; allowed: {', '.join([*MODELS, *TOUCH_MODELS])}"
        )
    wanted = _OPTIONS.get(name, {})
    kwargs = {arg: options[opt] for opt, arg in wanted.items() if options.get(opt) is not None}
    if name == "last_non_direct" and "direct_channels" in kwargs:
        kwargs["direct_channels"] = tuple(kwargs["direct_channels"])
    return cls(**kwargs)
