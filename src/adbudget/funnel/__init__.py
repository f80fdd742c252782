"""Funnel analysis: step conversion rates, the weakest step, and what fixing it is worth."""

from adbudget.funnel.analysis import (
    STEPS,
    FunnelReport,
    MarketFunnel,
    StepRate,
    analyze_funnel,
)

__all__ = ["STEPS", "FunnelReport", "MarketFunnel", "StepRate", "analyze_funnel"]
