"""Unit economics of one market on the net-revenue basis (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class MarketTerms(Protocol):
    """What a market's settings say about its margins (``MarketSettings`` offers these)."""

    gross_margin_pct: float
    return_rate_pct: float
    payment_fee_pct: float
    shipping_cost_per_order: float


def contribution_per_revenue(gross_margin_pct: float, return_rate_pct: float = 0.0,
                             payment_fee_pct: float = 0.0, shipping_cost_per_order: float = 0.0,
                             order_value: float | None = None) -> float:
    """Contribution (before ads) per unit of net revenue; percentages as 0–100.

    ``order_value`` is the average gross order value in the same currency as the shipping
    cost; None (unknown) leaves the shipping term out.
    """
    gm = gross_margin_pct / 100.0
    keep = max(1.0 - return_rate_pct / 100.0, 1e-9)
    fee = payment_fee_pct / 100.0
    value = gm - fee / keep
    if order_value is not None:
        value -= shipping_cost_per_order / (keep * max(order_value, 1e-9))
    return float(value)


def breakeven_roas(gross_margin_pct: float, return_rate_pct: float = 0.0,
                   payment_fee_pct: float = 0.0, shipping_cost_per_order: float = 0.0,
                   order_value: float | None = None) -> float:
    """Net-revenue ROAS at which spend pays for itself: ``1 / contribution`` (inf if none)."""
    v = contribution_per_revenue(gross_margin_pct, return_rate_pct, payment_fee_pct,
                                 shipping_cost_per_order, order_value)
    return 1.0 / v if v > 0 else math.inf


def finite_or_none(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (how JSON and tables show "none")."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True, kw_only=True)
class UnitEconomics:
    """What one unit of net revenue earns in one market, and the break-even that follows.

    Percentages as 0–100; ``order_value`` the average gross order value (base currency),
    None when unknown (then the shipping term is left out). Keyword-only: the fields are
    easy to swap by position.
    """

    gross_margin_pct: float = 50.0
    return_rate_pct: float = 0.0
    payment_fee_pct: float = 0.0
    shipping_cost_per_order: float = 0.0
    order_value: float | None = None

    @classmethod
    def of(cls, terms: MarketTerms, order_value: float | None) -> UnitEconomics:
        """A market's economics from its settings and its average order value."""
        return cls(gross_margin_pct=float(terms.gross_margin_pct),
                   return_rate_pct=float(terms.return_rate_pct),
                   payment_fee_pct=float(terms.payment_fee_pct),
                   shipping_cost_per_order=float(terms.shipping_cost_per_order),
                   order_value=None if order_value is None else float(order_value))

    @property
    def keep(self) -> float:
        """Share of gross revenue that is not refunded (net = gross x keep)."""
        return max(1.0 - self.return_rate_pct / 100.0, 1e-9)

    @property
    def contribution_per_revenue(self) -> float:
        """Contribution before ads per unit of net revenue (may be <= 0)."""
        return contribution_per_revenue(self.gross_margin_pct, self.return_rate_pct,
                                        self.payment_fee_pct, self.shipping_cost_per_order,
                                        self.order_value)

    @property
    def breakeven_roas(self) -> float:
        """Net-revenue ROAS at which first-order profit is zero (inf: nothing pays)."""
        v = self.contribution_per_revenue
        return 1.0 / v if v > 0 else math.inf

    def breakeven_roas_ltv(self, multiplier: float) -> float:
        """Break-even ROAS when each unit of first-order revenue is worth ``multiplier`` units
        over the customer's lifetime (LTV); a separate number from :attr:`breakeven_roas`."""
        v = self.contribution_per_revenue * float(multiplier)
        return 1.0 / v if v > 0 else math.inf

    def profit(self, revenue: float | np.ndarray, spend: float | np.ndarray
               ) -> float | np.ndarray:
        """Contribution profit after ads of a (net revenue, spend) pair (arrays broadcast)."""
        return self.contribution_per_revenue * revenue - spend

    def profit_from_orders(self, revenue: float | np.ndarray, orders: float | np.ndarray,
                           spend: float | np.ndarray) -> float | np.ndarray:
        """Profit when the number of orders is known (the shop's own data) rather than
        estimated from the AOV: net revenue x (margin - fee on gross) - shipping x orders - spend."""
        gm = self.gross_margin_pct / 100.0
        fee = self.payment_fee_pct / 100.0
        return revenue * (gm - fee / self.keep) - orders * self.shipping_cost_per_order - spend
