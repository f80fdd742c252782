"""A market's unit economics: the one place that says what a unit of revenue earns.

Ground floor: imports nothing else from adbudget, so the planner, experiments, rules,
report, dashboard and the simulator's scoring can all call it (and must: there is no second
break-even formula anywhere).

The basis, for every number here
--------------------------------
Revenue is **net revenue**: what the shop keeps after refunds (what the response curves
predict and what ``orders.revenue_base - refunded_base`` sums to). ROAS is net revenue per
unit of ad spend. Per unit of net revenue a market keeps::

    contribution = gross_margin - payment_fee / (1 - returns) - shipping / ((1 - returns) x AOV)

because payment fees are charged on gross revenue (= net / (1 - returns)), every gross order
ships once, and orders = gross revenue / AOV (AOV: the average gross order value). The
break-even ROAS is ``1 / contribution``: below it an extra unit of spend loses money.
When the contribution is not positive there is no break-even (``inf``: no ROAS pays).

Where a line's value also counts customer lifetime value (a multiplier on first-order
revenue, per channel), its break-even is ``breakeven_roas_ltv`` — a separate, labelled
number that is never reported under the first-order name.
"""

from adbudget.economics.unit import (
    MarketTerms,
    UnitEconomics,
    breakeven_roas,
    contribution_per_revenue,
    finite_or_none,
)

__all__ = [
    "MarketTerms", "UnitEconomics", "breakeven_roas", "contribution_per_revenue",
    "finite_or_none",
]
