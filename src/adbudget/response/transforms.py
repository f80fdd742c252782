"""Carryover (adstock) and diminishing returns (saturation): stateless maths in registries.

Every function takes ``xp`` (``numpy`` or ``jax.numpy``) so the same formula serves the
sampler (JAX) and the fitted curves (NumPy). Adstock kernels are normalised to sum to one,
so a steady spend ``s`` is carried over to exactly ``s``: the fitted ROAS is the total
(carried-over) return of a unit of spend, and the steady-state curve is ``beta * S(s)``.

Adstock is applied without a scan: the spend history is laid out once as a lag tensor
``(L, T, N)`` and the convolution becomes one contraction with the ``(L, N)`` kernel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# -- adstock ---------------------------------------------------------------------------------


def lag_tensor(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Lay out ``x`` (T, N) as (L, T, N) with ``out[l, t] = x[t - l]`` (zeros before the start)."""
    t, n = x.shape
    out = np.zeros((max_lag, t, n), dtype=x.dtype)
    for lag in range(min(max_lag, t)):
        out[lag, lag:] = x[: t - lag]
    return out


def apply_adstock(xp: Any, lagged: Any, weights: Any) -> Any:
    """Convolve (L, T, N) lagged spend with per-line (L, N) kernels -> (T, N).

    Written as L fused multiply-adds rather than one einsum: XLA on CPU turns the einsum
    into N tiny batched matrix products, 3-4x slower (measured, value and gradient).
    """
    out = lagged[0] * weights[0]
    for lag in range(1, lagged.shape[0]):
        out = out + lagged[lag] * weights[lag]
    return out


def period_matrix(max_lag: int, period_days: int) -> np.ndarray:
    """(L, L * p) matrix summing a daily kernel into a kernel over periods of ``p`` days.

    Spend of one period is taken as spread evenly over its ``p`` days; entry ``[k, d]`` is the
    share of those days whose effect at daily lag ``d`` lands ``k`` periods later.
    """
    p = period_days
    out = np.zeros((max_lag, max_lag * p))
    for d in range(max_lag * p):
        for j in range(p):
            k = (j + d) // p
            if k < max_lag:
                out[k, d] += 1.0 / p
    return out


@dataclass(frozen=True)
class Adstock:
    """A carryover family parametrised by its half-life (days) and at most one shape value."""

    name: str = "base"
    has_shape: bool = False
    shape_prior: tuple[float, float] = (0.0, 0.3)  # log-normal (log median, sd) of the shape

    def weights(self, xp: Any, half_life: Any, shape: Any, max_lag: int,
                period_days: int = 1) -> Any:
        """Kernel (L, C) over lags of one period, normalised to sum to one per column.

        ``half_life`` and ``shape`` are in days, (C,). On periods of ``period_days`` days
        (7: weekly data) the daily kernel over ``max_lag * period_days`` days is summed into
        periods as :func:`period_matrix` does, so half-lives keep their meaning in days.
        (A geometric kernel with the half-life simply divided by 7 would miss the spill of
        late-week spend into the next week and fit half-lives about twice too long.)
        """
        raw = self._raw(xp, half_life, shape, max_lag * period_days)
        if period_days > 1:
            raw = xp.asarray(period_matrix(max_lag, period_days), dtype=raw.dtype) @ raw
        return raw / xp.maximum(raw.sum(axis=0, keepdims=True), 1e-12)

    def _raw(self, xp: Any, half_life: Any, shape: Any, max_lag: int) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class GeometricAdstock(Adstock):
    """``w_l = alpha^l`` with ``alpha = 0.5^(1/half_life)``: the effect halves every half-life."""

    name: str = "geometric"

    def _raw(self, xp: Any, half_life: Any, shape: Any, max_lag: int) -> Any:
        lags = xp.arange(max_lag, dtype=xp.float32)[:, None]
        return xp.exp(lags * (math.log(0.5) / half_life[None, :]))


@dataclass(frozen=True)
class WeibullAdstock(Adstock):
    """Discretised Weibull (CDF differences) whose median lag is the half-life; shape > 1 delays the peak."""

    name: str = "weibull"
    has_shape: bool = True
    shape_prior: tuple[float, float] = (math.log(1.5), 0.3)

    def _raw(self, xp: Any, half_life: Any, shape: Any, max_lag: int) -> Any:
        scale = half_life / (math.log(2.0) ** (1.0 / shape))
        edges = xp.arange(max_lag + 1, dtype=xp.float32)[:, None]
        cdf = 1.0 - xp.exp(-((edges / scale[None, :]) ** shape[None, :]))
        return cdf[1:] - cdf[:-1] + 1e-12


@dataclass(frozen=True)
class DelayedGeometricAdstock(Adstock):
    """``w_l = alpha^(|l - delay|)``: peak after ``delay`` days (shape), halving every half-life around it."""

    name: str = "delayed_geometric"
    has_shape: bool = True
    shape_prior: tuple[float, float] = (math.log(1.0), 0.5)

    def _raw(self, xp: Any, half_life: Any, shape: Any, max_lag: int) -> Any:
        lags = xp.arange(max_lag, dtype=xp.float32)[:, None]
        return xp.exp(xp.abs(lags - shape[None, :]) * (math.log(0.5) / half_life[None, :]))


ADSTOCKS: dict[str, Adstock] = {
    "geometric": GeometricAdstock(),
    "weibull": WeibullAdstock(),
    "delayed_geometric": DelayedGeometricAdstock(),
}

# -- saturation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saturation:
    """Diminishing returns ``S(x)`` on spend in units of the line's average spend; ``S(inf) = 1``.

    ``scale`` (per line) sets where the curve bends; ``shape`` (per channel) its form where used.
    """

    name: str = "base"
    has_shape: bool = False
    scale_prior: tuple[float, float] = (0.0, 0.7)  # log-normal (log median, sd)
    shape_prior: tuple[float, float] = (0.0, 0.3)

    def value(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        raise NotImplementedError

    def slope(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        """dS/dx."""
        raise NotImplementedError

    def inverse(self, q: float, scale: Any, shape: Any) -> Any:
        """The x where S(x) = q (NumPy)."""
        raise NotImplementedError


@dataclass(frozen=True)
class HillSaturation(Saturation):
    """``x^k / (x^k + K^k)``: K (scale) is the spend at half saturation, k (shape) > 1 an S-curve."""

    name: str = "hill"
    has_shape: bool = True
    scale_prior: tuple[float, float] = (math.log(1.5), 0.7)
    shape_prior: tuple[float, float] = (0.0, 0.3)

    # As a logistic in log spend, 0.5 * (1 + tanh(k/2 * log(x/K))): finite values and
    # derivatives of every order at zero spend (a plain power has NaN second derivatives there).
    def value(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        u = shape * (xp.log(xp.maximum(x, 1e-12)) - xp.log(scale))
        return 0.5 * (1.0 + xp.tanh(0.5 * u))

    def slope(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        x = xp.maximum(x, 1e-12)
        v = self.value(xp, x, scale, shape)
        return shape * v * (1.0 - v) / x

    def inverse(self, q: float, scale: Any, shape: Any) -> Any:
        return np.asarray(scale) * (q / (1.0 - q)) ** (1.0 / np.asarray(shape))


@dataclass(frozen=True)
class LogisticSaturation(Saturation):
    """``(1 - e^(-x/s)) / (1 + e^(-x/s))`` (PyMC-Marketing's logistic saturation with lam = 1/s)."""

    name: str = "logistic"
    scale_prior: tuple[float, float] = (math.log(1.5), 0.7)

    def value(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        return xp.tanh(xp.maximum(x, 0.0) / (2.0 * scale))

    def slope(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        th = xp.tanh(xp.maximum(x, 0.0) / (2.0 * scale))
        return (1.0 - th**2) / (2.0 * scale)

    def inverse(self, q: float, scale: Any, shape: Any) -> Any:
        return 2.0 * np.asarray(scale) * np.arctanh(q) + 0.0 * np.asarray(shape)


@dataclass(frozen=True)
class ExponentialSaturation(Saturation):
    """``1 - e^(-x/s)``: concave from the first unit of spend."""

    name: str = "exponential"
    scale_prior: tuple[float, float] = (math.log(1.5), 0.7)

    def value(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        return 1.0 - xp.exp(-xp.maximum(x, 0.0) / scale)

    def slope(self, xp: Any, x: Any, scale: Any, shape: Any) -> Any:
        return xp.exp(-xp.maximum(x, 0.0) / scale) / scale

    def inverse(self, q: float, scale: Any, shape: Any) -> Any:
        return -np.asarray(scale) * math.log(1.0 - q) + 0.0 * np.asarray(shape)


SATURATIONS: dict[str, Saturation] = {
    "hill": HillSaturation(),
    "logistic": LogisticSaturation(),
    "exponential": ExponentialSaturation(),
}

__all__ = [
    "ADSTOCKS",
    "SATURATIONS",
    "Adstock",
    "Saturation",
    "apply_adstock",
    "lag_tensor",
    "period_matrix",
]
