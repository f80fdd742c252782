"""Test design: clicks, budget and days to detect a lift; the entry-stage test plan.

Power uses the normal approximation to the decision rule: a challenger is scaled when
P(beat control) >= q (q = ``prob_to_scale`` split over the challengers), which with flat
priors is a one-sided test at level 1 - q on revenue per click (ROAS at a given cost per
click). Revenue per click Y = Bernoulli(p) x order value V with mean m and CV c:
E[Y] = p m and Var[Y] = p m^2 (1 + c^2) - (p m)^2. Clicks per arm for a relative lift d on
the conversion rate (Chow, Shao & Wang, *Sample Size Calculations in Clinical Research*, 3.2):

    n = (z_q + z_power)^2 (s0^2 + s1^2) / (mu1 - mu0)^2
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

# Rough starting assumptions when the workspace has no data for a channel: cost per click
# (base currency, North America level) and conversion rate per click. Replaced by observed
# values whenever ad_daily has rows for the market (or region) and channel.
DEFAULT_CPC: dict[str, float] = {
    "meta": 0.8, "tiktok": 0.5, "google_search": 1.2, "youtube": 0.6, "amazon": 0.9,
    "shopee": 0.15, "lazada": 0.15, "kol": 0.7, "live_commerce": 0.4, "email": 0.05, "other": 1.0,
}
DEFAULT_CVR: dict[str, float] = {
    "meta": 0.02, "tiktok": 0.015, "google_search": 0.035, "youtube": 0.01, "amazon": 0.08,
    "shopee": 0.03, "lazada": 0.03, "kol": 0.02, "live_commerce": 0.03, "email": 0.03, "other": 0.02,
}
REGION_CPC_FACTOR: dict[str, float] = {"NA": 1.0, "EU": 0.8, "SEA": 0.3, "ME": 0.7, "LATAM": 0.5}


def _moments(cvr: float, order_value: float, cv: float) -> tuple[float, float]:
    mean = cvr * order_value
    var = cvr * order_value**2 * (1 + cv**2) - mean**2
    return mean, var


def required_prob(prob_to_scale: float, n_arms: int) -> float:
    """P(beat control) needed per challenger (Bonferroni split over n_arms - 1 challengers)."""
    return 1.0 - (1.0 - prob_to_scale) / max(n_arms - 1, 1)


def clicks_per_arm(
    cvr: float, order_value: float, order_value_cv: float, lift: float,
    power: float = 0.8, prob_to_scale: float = 0.975, n_arms: int = 2,
) -> float:
    """Clicks each arm needs so a relative *lift* in conversion rate is scaled with *power*."""
    if lift <= 0:
        raise ValueError("lift must be positive")
    if not 0 < cvr * (1 + lift) < 1:
        raise ValueError("conversion rate x (1 + lift) must be between 0 and 1")
    mu0, v0 = _moments(cvr, order_value, order_value_cv)
    mu1, v1 = _moments(cvr * (1 + lift), order_value, order_value_cv)
    z = norm.ppf(required_prob(prob_to_scale, n_arms)) + norm.ppf(power)
    return z**2 * (v0 + v1) / (mu1 - mu0) ** 2


def power_at(
    clicks: float, cvr: float, order_value: float, order_value_cv: float, lift: float,
    prob_to_scale: float = 0.975, n_arms: int = 2,
) -> float:
    """Probability of scaling the better arm with *clicks* per arm (normal approximation)."""
    mu0, v0 = _moments(cvr, order_value, order_value_cv)
    mu1, v1 = _moments(cvr * (1 + lift), order_value, order_value_cv)
    se = math.sqrt((v0 + v1) / clicks)
    return float(norm.cdf((mu1 - mu0) / se - norm.ppf(required_prob(prob_to_scale, n_arms))))


def minimum_detectable_lift(
    clicks: float, cvr: float, order_value: float, order_value_cv: float,
    power: float = 0.8, prob_to_scale: float = 0.975, n_arms: int = 2,
) -> float:
    """Smallest relative conversion-rate lift found with *power* given *clicks* per arm."""
    lo, hi = 1e-6, 1.0 / cvr - 1.0 - 1e-9
    if power_at(clicks, cvr, order_value, order_value_cv, hi, prob_to_scale, n_arms) < power:
        return float("inf")
    for _ in range(80):
        mid = (lo + hi) / 2
        if power_at(clicks, cvr, order_value, order_value_cv, mid, prob_to_scale, n_arms) < power:
            lo = mid
        else:
            hi = mid
    return hi


@dataclass(frozen=True)
class PowerDesign:
    """Budget and days for one test (all money in the base currency)."""

    lift: float
    power: float
    n_arms: int
    required_prob: float
    cvr: float
    order_value: float
    order_value_cv: float
    cpc: float
    clicks_per_arm: int
    conversions_per_arm: int
    spend_per_arm: float
    total_budget: float
    daily_budget: float | None  # for all arms together
    days: int | None
    mde_at_daily_budget: float | None  # lift detectable in max_days at daily_budget


def design_test(
    cvr: float, order_value: float, order_value_cv: float, cpc: float, lift: float,
    power: float = 0.8, prob_to_scale: float = 0.975, n_arms: int = 2,
    daily_budget: float | None = None, max_days: int = 14,
) -> PowerDesign:
    """How much budget (and, given a daily budget, how many days) a test needs."""
    n = math.ceil(clicks_per_arm(cvr, order_value, order_value_cv, lift, power, prob_to_scale, n_arms))
    spend = n * cpc
    days = mde = None
    if daily_budget:
        days = math.ceil(spend * n_arms / daily_budget)
        clicks_max = daily_budget / n_arms * max_days / cpc
        mde = minimum_detectable_lift(clicks_max, cvr, order_value, order_value_cv, power,
                                      prob_to_scale, n_arms)
    return PowerDesign(
        lift=lift, power=power, n_arms=n_arms,
        required_prob=required_prob(prob_to_scale, n_arms), cvr=cvr, order_value=order_value,
        order_value_cv=order_value_cv, cpc=cpc, clicks_per_arm=n,
        conversions_per_arm=math.ceil(n * cvr), spend_per_arm=spend, total_budget=spend * n_arms,
        daily_budget=daily_budget, days=days, mde_at_daily_budget=mde,
    )


# -- entry-stage plan -----------------------------------------------------------------------
@dataclass(frozen=True)
class PlanCell:
    """One cell of the entry test: platform x creative type x targeting."""

    platform: str
    creative_type: str
    targeting: str
    budget: float
    daily_budget: float
    expected_clicks: float
    expected_conversions: float


@dataclass(frozen=True)
class EntryPlan:
    """A 1-2 week test grid sized to the test bucket."""

    market: str
    region: str
    budget: float
    days: int
    platforms: list[str]
    creative_types: list[str]
    targetings: list[str]
    cells: list[PlanCell]
    feasible: bool  # every cell reaches cell_min_conversions
    cell_min_conversions: int
    budget_needed: float  # to make the full grid feasible
    dropped: list[str]  # dimensions cut to fit the budget, in order


def entry_test_plan(
    market: str, region: str, budget: float, *, days: int = 14,
    platforms: list[str], creative_types: list[str], targetings: list[str],
    cpc: dict[str, float], cvr: dict[str, float], cell_min_conversions: int = 10,
) -> EntryPlan:
    """Equal budget per cell; cut the grid (3rd platform, then targetings, then creative types,
    then the 2nd platform; platforms are listed by priority) until each cell can reach
    ``cell_min_conversions``: focus beats spreading."""
    if budget <= 0:
        raise ValueError("budget must be positive")
    if not 7 <= days <= 14:
        raise ValueError("an entry test runs 7 to 14 days")
    plat, crea, targ = list(platforms[:3]), list(creative_types), list(targetings)
    dropped: list[str] = []

    def cost_per_conv(p: str) -> float:
        return cpc.get(p, DEFAULT_CPC["other"]) / max(cvr.get(p, DEFAULT_CVR["other"]), 1e-9)

    def needed(pl: list[str], n_cells_per_platform: int) -> float:
        worst = max(cost_per_conv(p) for p in pl)
        return worst * cell_min_conversions * len(pl) * n_cells_per_platform

    full_needed = needed(plat, len(crea) * len(targ))
    while needed(plat, len(crea) * len(targ)) > budget:
        if len(plat) > 2:  # platforms are listed by priority: cut the last
            dropped.append(f"platform:{plat.pop()}")
        elif len(targ) > 1:
            dropped.append(f"targeting:{targ.pop()}")
        elif len(crea) > 1:
            dropped.append(f"creative_type:{crea.pop()}")
        elif len(plat) > 1:
            dropped.append(f"platform:{plat.pop()}")
        else:
            break
    n_cells = len(plat) * len(crea) * len(targ)
    per_cell = budget / n_cells
    cells = []
    for p in plat:
        clicks = per_cell / cpc.get(p, DEFAULT_CPC["other"])
        for c in crea:
            for tg in targ:
                cells.append(PlanCell(p, c, tg, per_cell, per_cell / days, clicks,
                                      clicks * cvr.get(p, DEFAULT_CVR["other"])))
    feasible = all(c.expected_conversions >= cell_min_conversions - 1e-9 for c in cells)
    return EntryPlan(
        market=market, region=region, budget=budget, days=days, platforms=plat, creative_types=crea,
        targetings=targ, cells=cells, feasible=feasible, cell_min_conversions=cell_min_conversions,
        budget_needed=full_needed, dropped=dropped,
    )
