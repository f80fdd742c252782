"""Bootstrap intervals over journeys, by multinomial reweighting of the path counts.

Resampling N journeys with replacement is the same as drawing new counts for the 2·P cells
(path × converted / not converted) from a multinomial with the observed shares, so a replicate
costs one ``multinomial`` draw and one model fit on the *same* path structure (its caches,
e.g. Markov transition incidences, are shared). A path's value moves with its conversions at
the path's mean order value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.attribution.base import AttributionModel, Credit
from adbudget.attribution.paths import PathTable


@dataclass(frozen=True)
class Interval:
    """Percentile interval per channel for conversions and value, plus the replicate draws."""

    level: float
    conversions_lo: np.ndarray
    conversions_hi: np.ndarray
    value_lo: np.ndarray
    value_hi: np.ndarray
    draws: np.ndarray  # (n_boot, C) credited conversions


def replicate_counts(paths: PathTable, rng: np.random.Generator) -> PathTable:
    """One bootstrap replicate of the journeys (same paths, new counts)."""
    conv, nul = paths.conversions, paths.nulls
    total = conv.sum() + nul.sum()
    n = int(round(total))
    p = np.concatenate([conv, nul]) / total
    draw = rng.multinomial(n, p).astype(float) * (total / n if n else 0.0)
    k = paths.n_paths
    new_conv, new_nul = draw[:k], draw[k:]
    per_order = np.divide(paths.value, conv, out=np.zeros_like(conv), where=conv > 0)
    return paths.with_counts(new_conv, new_conv * per_order, new_nul)


def bootstrap(
    model: AttributionModel,
    paths: PathTable,
    n_boot: int = 100,
    level: float = 0.9,
    seed: int = 0,
    progress: object | None = None,
) -> Interval:
    """Percentile intervals of *model*'s channel credit over ``n_boot`` replicates.

    ``progress`` may be a callable ``progress(done, total)`` (the CLI passes a progress bar).
    """
    paths = paths.drop_empty()
    rng = np.random.default_rng(seed)
    c = paths.n_channels
    conv = np.zeros((n_boot, c))
    value = np.zeros((n_boot, c))
    for b in range(n_boot):
        rep: Credit = model.credit(replicate_counts(paths, rng))
        conv[b], value[b] = rep.conversions, rep.value
        if callable(progress):
            progress(b + 1, n_boot)
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    if n_boot == 0:
        nan = np.full(c, np.nan)
        return Interval(level, nan, nan, nan, nan, conv)
    clo, chi = np.percentile(conv, q, axis=0)
    vlo, vhi = np.percentile(value, q, axis=0)
    return Interval(level, clo, chi, vlo, vhi, conv)
