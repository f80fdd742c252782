"""The one interface every attribution model offers, and the credit it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from adbudget.attribution.paths import PathTable


@dataclass(frozen=True)
class Credit:
    """Conversions and value credited to each channel; totals equal the table's totals.

    Models with an organic baseline (``hazard``) leave part of the orders to no channel:
    then channel credit + ``baseline`` = conversions (and + ``baseline_value`` = value).
    """

    model: str
    channels: tuple[str, ...]
    conversions: np.ndarray  # (C,)
    value: np.ndarray  # (C,)
    extra: dict[str, Any] = field(default_factory=dict)  # model details (removal effects, order)
    baseline: float = 0.0  # conversions credited to no channel (organic), models with a baseline
    baseline_value: float = 0.0  # their value

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "channel": list(self.channels),
            "conversions": self.conversions,
            "value": self.value,
        })

    def as_dict(self) -> dict[str, float]:
        return {c: float(v) for c, v in zip(self.channels, self.conversions, strict=True)}


class AttributionModel:
    """Base class: ``credit(paths) -> Credit``. Subclasses set ``name`` and implement ``_credit``.

    Models consume the aggregated :class:`PathTable` only, so they run the same on paths
    from the store, from a ChannelAttribution file or from a bootstrap replicate.
    """

    name: ClassVar[str] = "base"
    data_driven: ClassVar[bool] = False  # uses non-converting journeys
    needs_touches: ClassVar[bool] = False  # reads touch-level journeys (``credit_touches``)

    def credit(self, paths: PathTable) -> Credit:
        """Credit conversions and value of *paths* to its channels."""
        paths = paths.drop_empty()
        if paths.n_paths == 0 or paths.total_conversions <= 0:
            zero = np.zeros(paths.n_channels)
            return Credit(self.name, paths.channels, zero, zero.copy())
        conv, value, extra = self._credit(paths)
        return Credit(self.name, paths.channels, conv, value, extra)

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        raise NotImplementedError

    def credit_touches(self, table: Any) -> Credit:
        """Credit touch-level journeys (models with ``needs_touches``; see ``hazard.TouchTable``)."""
        raise NotImplementedError


def normalise(scores: np.ndarray, total: float, present: np.ndarray | None = None) -> np.ndarray:
    """Scale non-negative scores to sum to *total*; channels not ``present`` get 0, and if
    every score is 0 the total is split equally among the present channels."""
    scores = np.clip(np.asarray(scores, dtype=float), 0.0, None)
    mask = np.ones(len(scores), bool) if present is None else np.asarray(present, bool)
    scores = np.where(mask, scores, 0.0)
    s = scores.sum()
    if s <= 0:
        n = int(mask.sum())
        return np.where(mask, total / max(n, 1), 0.0)
    return scores * (total / s)
