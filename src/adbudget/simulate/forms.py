"""True-world functional forms: saturation curves and carryover kernels (registries).

The simulator draws each line's forms from these registries so that the true world is not
the textbook adstock + Hill model a response model assumes (negative-exponential, log,
Weibull-CDF saturation; delayed-peak carryover).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Saturation:
    """A saturation form f(x; k) of exposure x = spend / half-saturation spend.

    ``value`` and ``slope`` (df/dx) are vectorized over any shapes that broadcast.
    ``s_shaped`` is true when f is convex near zero for k > 1.
    """

    name: str
    value: Callable[[Array, Array], Array]
    slope: Callable[[Array, Array], Array]
    s_shaped: bool


def _hill(x: Array, k: Array) -> Array:
    xk = np.power(np.maximum(x, 0.0), k)
    return xk / (1.0 + xk)


def _hill_slope(x: Array, k: Array) -> Array:
    x = np.maximum(x, 1e-12)
    xk = np.power(x, k)
    return k * xk / (x * (1.0 + xk) ** 2)


def _negexp(x: Array, k: Array) -> Array:
    return 1.0 - np.exp(-np.maximum(x, 0.0) + 0.0 * k)


def _negexp_slope(x: Array, k: Array) -> Array:
    return np.exp(-np.maximum(x, 0.0) + 0.0 * k)


def _log(x: Array, k: Array) -> Array:
    return np.log1p(np.maximum(x, 0.0) + 0.0 * k)


def _log_slope(x: Array, k: Array) -> Array:
    return 1.0 / (1.0 + np.maximum(x, 0.0) + 0.0 * k)


def _weibull(x: Array, k: Array) -> Array:
    return 1.0 - np.exp(-np.power(np.maximum(x, 0.0), k))


def _weibull_slope(x: Array, k: Array) -> Array:
    x = np.maximum(x, 1e-12)
    xk = np.power(x, k)
    return k * xk / x * np.exp(-xk)


SATURATIONS: dict[str, Saturation] = {
    "hill": Saturation("hill", _hill, _hill_slope, True),
    "negexp": Saturation("negexp", _negexp, _negexp_slope, False),
    "log": Saturation("log", _log, _log_slope, False),
    "weibull": Saturation("weibull", _weibull, _weibull_slope, True),
}


def geometric_kernel(decay: float, length: int = 28, peak: float = 0.0) -> Array:
    """Geometric carryover: weight decay**lag, normalized to sum 1 (``peak`` unused)."""
    lags = np.arange(length, dtype=float)
    w = np.power(decay, lags)
    return w / w.sum()


def delayed_kernel(decay: float, length: int = 28, peak: float = 3.0) -> Array:
    """Delayed-peak carryover (Jin et al. 2017): decay**((lag - peak)**2), normalized."""
    lags = np.arange(length, dtype=float)
    w = np.power(decay, (lags - peak) ** 2)
    return w / w.sum()


ADSTOCKS: dict[str, Callable[..., Array]] = {
    "geometric": geometric_kernel,
    "delayed": delayed_kernel,
}


def carryover(x: Array, kernel: Array) -> Array:
    """Apply a carryover kernel along the last axis (past only; weights sum to 1)."""
    x = np.asarray(x, dtype=float)
    n = x.shape[-1]
    out = np.zeros_like(x)
    for lag, w in enumerate(kernel):
        if lag >= n:
            break
        if lag == 0:
            out += w * x
        else:
            out[..., lag:] += w * x[..., :-lag]
    return out


__all__ = ["ADSTOCKS", "SATURATIONS", "Saturation", "carryover", "delayed_kernel", "geometric_kernel"]
