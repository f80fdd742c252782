"""Customer value: cohorts, BG/NBD purchase frequency, Gamma-Gamma spend, LTV multipliers."""

from adbudget.ltv.bgnbd import (
    BgNbdParams,
    conditional_expected_purchases,
    expected_purchases_new,
    fit_bgnbd,
    prob_alive,
    simulate_bgnbd,
)
from adbudget.ltv.cohorts import DEFAULT_WINDOWS, CohortReport, cohort_table
from adbudget.ltv.gammagamma import (
    GammaGammaParams,
    conditional_expected_spend,
    fit_gamma_gamma,
    population_mean_spend,
    simulate_gamma_gamma,
)
from adbudget.ltv.pooling import GroupFit, fit_hierarchy
from adbudget.ltv.summary import Margins, acquisition_channels, customer_summary, order_values
from adbudget.ltv.value import ALL, LtvReport, SegmentValue, ltv_report

__all__ = [
    "ALL", "DEFAULT_WINDOWS", "BgNbdParams", "CohortReport", "GammaGammaParams", "GroupFit",
    "LtvReport", "Margins", "SegmentValue", "acquisition_channels", "cohort_table",
    "conditional_expected_purchases", "conditional_expected_spend", "customer_summary",
    "expected_purchases_new", "fit_bgnbd", "fit_gamma_gamma", "fit_hierarchy", "ltv_report",
    "order_values", "population_mean_spend", "prob_alive", "simulate_bgnbd",
    "simulate_gamma_gamma",
]
