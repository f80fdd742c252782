"""Money rounding that keeps totals exact: largest-remainder apportionment in minor units."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np


def to_minor_units(total: float, decimals: int = 2) -> int:
    """A money amount as an integer count of minor units (cents), rounded half-even."""
    q = Decimal(1).scaleb(-decimals)
    return int(Decimal(str(total)).quantize(q, rounding=ROUND_HALF_EVEN).scaleb(decimals))


def round_to_total(amounts: np.ndarray, total: float, decimals: int = 2) -> np.ndarray:
    """Round non-negative ``amounts`` to ``decimals`` so they add up exactly to ``total``.

    Amounts are first scaled to the total (if they do not add to it), then floored to
    minor units; the units left over go to the largest remainders (Hamilton's method), ties
    to the earlier line. Returns integer minor units, shape of ``amounts``.
    """
    a = np.maximum(np.asarray(amounts, dtype=float), 0.0)
    units = to_minor_units(total, decimals)
    if units < 0:
        raise ValueError("total must not be negative")
    if a.size == 0:
        if units:
            raise ValueError("cannot spread a non-zero total over no lines")
        return np.zeros(0, dtype=np.int64)
    s = a.sum()
    if s <= 0:
        a = np.ones_like(a)
        s = a.sum()
    exact = a / s * units
    base = np.floor(exact).astype(np.int64)
    left = int(units - base.sum())
    if left > 0:
        order = np.lexsort((np.arange(a.size), -(exact - base)))
        base[order[:left]] += 1
    elif left < 0:  # cannot happen with floor, kept for safety
        order = np.lexsort((np.arange(a.size), exact - base))
        base[order[: -left]] -= 1
    return base


def units_to_amounts(units: np.ndarray, decimals: int = 2) -> list[float]:
    """Integer minor units back to floats (exact decimal values, e.g. 12.34)."""
    return [float(Decimal(int(u)).scaleb(-decimals)) for u in units]


__all__ = ["round_to_total", "to_minor_units", "units_to_amounts"]
