"""Score a response-model fit against a simulated world's truth (tests and benchmarks share it).

``fit_inputs`` gives the model the data a workspace would hold (shop revenue from the first
sale on, spend in base currency, lift tests converted to base currency); ``score_fit``
compares the fitted lines with the world's true ROAS and marginal ROAS. Pure: no I/O, and
no import of ``adbudget.response`` (the fit result is read by its attributes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from adbudget.simulate.world import World


@dataclass(frozen=True)
class FitInputs:
    """What ``adbudget.response.fit_model`` takes, built from a world."""

    revenue: pd.DataFrame  # date, market, revenue (net), orders
    spend: pd.DataFrame  # date, market, channel, spend (base currency)
    regions: dict[str, str]
    lift_tests: pd.DataFrame | None
    # platform-reported conversions (date, market, channel, claimed_revenue, claimed_conversions)
    # and spend per campaign (market, channel, campaign, spend), as the workspace reads them
    claims: pd.DataFrame | None = None
    campaign_spend: pd.DataFrame | None = None

    def fit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``adbudget.response.fit_model``."""
        return {"revenue": self.revenue, "spend": self.spend, "market_regions": self.regions,
                "lift_tests": self.lift_tests, "claims": self.claims,
                "campaign_spend": self.campaign_spend}


@dataclass(frozen=True)
class Recovery:
    """How well a fit recovered the truth, over its market x channel lines."""

    lines: int
    coverage: float  # share of true ROAS inside the fit's 90 % interval
    rank_roas: float  # Spearman correlation, true vs estimated ROAS
    rank_marginal: float  # Spearman correlation, true vs estimated marginal ROAS at current spend
    log_error_marginal: float  # mean |log(estimated / true)| of the marginal ROAS
    rank_marginal_prior_curvature: float  # the rank that true ROAS with prior-only curvature gets
    roas_bias: dict[str, float]  # per channel: mean log(estimated / true ROAS) over its lines
    # mean |log error| of the marginal ROAS over the lines the world gave a scale test (whether
    # or not the fit used it; None without such lines) and over the lines with a holdout
    log_error_marginal_scale_tested: float | None = None
    log_error_marginal_holdout_tested: float | None = None
    # what the seller reads next to the platform's claim, over the lines whose claims the fit
    # used: share of the true incrementality share (true incremental / claimed revenue) inside
    # the fit's interval, and the same for the organic share of the claim (None without claims)
    coverage_incremental_share: float | None = None
    coverage_organic_share: float | None = None
    organic_share_bias: float | None = None  # mean (estimated - true) organic share of the claim

    def as_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "coverage": self.coverage, "rank_roas": self.rank_roas,
                "rank_marginal": self.rank_marginal, "log_error_marginal": self.log_error_marginal,
                "rank_marginal_prior_curvature": self.rank_marginal_prior_curvature,
                "roas_bias": dict(self.roas_bias),
                "log_error_marginal_scale_tested": self.log_error_marginal_scale_tested,
                "log_error_marginal_holdout_tested": self.log_error_marginal_holdout_tested,
                "coverage_incremental_share": self.coverage_incremental_share,
                "coverage_organic_share": self.coverage_organic_share,
                "organic_share_bias": self.organic_share_bias}


def fit_inputs(world: World, use_lift: bool = True, scale_tests: bool = True) -> FitInputs:
    """The world's shop revenue, spend and (optionally) lift tests, as the workspace sees them
    (``scale_tests=False``: the holdouts only).

    A market has revenue rows from its first sale on (the workspace aggregates orders): the
    simulator's zero rows before an entry market opens are not days of a live shop.
    """
    markets = world.daily_markets()
    lines = world.daily_lines()
    revenue = markets[["date", "market", "net_revenue", "orders"]].rename(columns={"net_revenue": "revenue"})
    first = revenue[revenue["revenue"] > 0].groupby("market")["date"].min()
    revenue = revenue[revenue["date"] >= revenue["market"].map(first)].reset_index(drop=True)
    spend = lines[["date", "market", "channel", "spend"]]
    claims = lines[["date", "market", "channel", "platform_revenue", "platform_conversions"]].rename(
        columns={"platform_revenue": "claimed_revenue", "platform_conversions": "claimed_conversions"})
    orders = world.orders()
    sums = orders.groupby("market")[["revenue", "refunded"]].sum()
    net_share = ((sums["revenue"] - sums["refunded"]) / sums["revenue"]).to_dict()
    claims = claims.assign(claimed_revenue=claims["claimed_revenue"]
                           * claims["market"].map(net_share).fillna(1.0))
    ads = world.ad_daily()
    campaign_spend = ads.groupby(["market", "channel", "campaign"], as_index=False)["spend_base"].sum(
    ).rename(columns={"spend_base": "spend"})
    lift = None
    if use_lift:
        tests = world.lift_tests()
        if not scale_tests:
            tests = tests[tests["baseline_spend"] == 0]
        rate = tests["spend_base"] / tests["spend"]  # local currency -> base, as the workspace does
        lift = tests.assign(spend=tests["spend_base"], baseline_spend=tests["baseline_spend"] * rate,
                            incremental_revenue=tests["incremental_revenue"] * rate,
                            incremental_revenue_se=tests["incremental_revenue_se"] * rate)
    return FitInputs(revenue, spend, {m.code: m.region for m in world.markets}, lift, claims,
                     campaign_spend)


def score_fit(world: World, result: Any) -> Recovery:
    """Compare a fit (``ResponseFit``: ``lines``, ``current_spend``, ``summary``) with the truth.

    Both sides of the marginal ROAS are the same quantity: net of refunds, per day, at the
    fit's current spend (mean daily spend of the last 28 days), neutral season. The last
    field is a yardstick of how much the curvature matters: rank every line by its TRUE
    average ROAS times the marginal/average ratio of the model's prior-median Hill curve at
    the same spend relative to the line's mean — what a fit that learned every line's ROAS
    perfectly but no curvature would score.
    """
    totals = world.daily_lines().groupby(["market", "channel"])[["incremental_revenue", "spend"]].sum()
    truth = (totals["incremental_revenue"] / totals["spend"]).loc[list(result.lines)].to_numpy()
    summary = result.summary
    inside = (truth >= summary["roas_lo"].to_numpy()) & (truth <= summary["roas_hi"].to_numpy())
    true_marginal = np.array([world.true_marginal(m, c, x) for (m, c), x in
                              zip(result.lines, result.current_spend, strict=True)])
    estimated = summary["marginal_roas"].to_numpy()
    mean_spend = totals["spend"].loc[list(result.lines)].to_numpy() / max(world.spec.days, 1)
    prior_ratio = _prior_marginal_ratio(np.asarray(result.current_spend, float) / np.maximum(mean_spend, 1e-9))
    log_ratio = np.log(np.maximum(summary["roas"].to_numpy(float), 1e-9) / np.maximum(truth, 1e-9))
    channels = [c for _, c in result.lines]
    bias = pd.Series(log_ratio, index=channels).groupby(level=0).mean()
    abs_log_marginal = np.abs(np.log(np.maximum(estimated, 1e-6) / np.maximum(true_marginal, 1e-6)))
    spec_of = {ln.key: ln for ln in world.spec.lines}

    def tested(attr: str) -> float | None:
        mask = np.array([getattr(spec_of[key], attr) is not None for key in result.lines], dtype=bool)
        return float(abs_log_marginal[mask].mean()) if mask.any() else None

    claims = _claims_recovery(world, summary, truth)
    return Recovery(
        lines=len(truth),
        coverage=float(inside.mean()),
        rank_roas=float(spearmanr(truth, summary["roas"]).correlation),
        rank_marginal=float(spearmanr(true_marginal, estimated).correlation),
        log_error_marginal=float(np.mean(abs_log_marginal)),
        rank_marginal_prior_curvature=float(spearmanr(true_marginal, truth * prior_ratio).correlation),
        roas_bias={str(k): float(v) for k, v in bias.items()},
        log_error_marginal_scale_tested=tested("scale_test"),
        log_error_marginal_holdout_tested=tested("lift_test"),
        **claims,
    )


def true_claim_split(world: World) -> pd.DataFrame:
    """Per line, what its platform's claims are made of in the world: the caused conversions
    it credits itself (over-claimed, on exposure days) and the organic buyers its ads reached,
    summed over the history (market, channel, caused, organic, organic_share, over_claim).
    Only meaningful for informative claims (``WorldSpec.claims``)."""
    from adbudget.simulate.platforms import ATTRIBUTION_WINDOW_DAYS, exposure_credit, organic_weight

    rows = []
    for code, panel in world.panels.items():
        market = panel.market
        base_orders = panel.base_gross / market.aov
        scale = 10 ** market.minor_units
        for i, line in enumerate(panel.lines):
            window = ATTRIBUTION_WINDOW_DAYS.get(line.channel, 7)
            caused = float((exposure_credit(panel, i, window) * line.claim / market.aov).sum())
            reach_unit = max(line.spend0 / line.cpm * 1000, 1e-9)
            organic = 0.0
            for k, campaign in enumerate(line.campaigns):
                spend = panel.campaign_minor[i][k] / scale / panel.fx
                impressions = spend / (line.cpm * panel.cost[i]) * 1000
                organic += float((base_orders * line.capture * organic_weight(campaign)
                                  * (1 - np.exp(-impressions / reach_unit))).sum())
            total = caused + organic
            rows.append({"market": code, "channel": line.channel, "caused": caused,
                         "organic": organic, "organic_share": organic / total if total > 0 else np.nan,
                         "over_claim": float(line.claim)})
    return pd.DataFrame(rows)


def _claims_recovery(world: World, summary: pd.DataFrame, truth_roas: np.ndarray) -> dict[str, Any]:
    """Coverage of the incrementality share and the organic share of the claim (lines whose
    claims the fit used); empty where the fit has no claim columns or the world's claims are
    not informative."""
    needed = {"incremental_share_lo", "organic_claim_share_lo", "claimed_revenue"}
    if not needed <= set(summary.columns) or world.spec.claims != "informative":
        return {}
    used = summary["organic_claim_share"].notna().to_numpy()
    if not used.any():
        return {}
    spend = (summary["incremental_revenue"] / summary["roas"].where(summary["roas"] > 0)).to_numpy(float)
    share_true = truth_roas * spend / summary["claimed_revenue"].to_numpy(float)
    inside = ((share_true >= summary["incremental_share_lo"].to_numpy(float))
              & (share_true <= summary["incremental_share_hi"].to_numpy(float)))
    split = true_claim_split(world).set_index(["market", "channel"])["organic_share"]
    organic_true = np.array([split.get((m, c), np.nan) for m, c in zip(summary["market"], summary["channel"], strict=True)])
    organic_est = summary["organic_claim_share"].to_numpy(float)
    organic_in = ((organic_true >= summary["organic_claim_share_lo"].to_numpy(float))
                  & (organic_true <= summary["organic_claim_share_hi"].to_numpy(float)))
    ok = used & np.isfinite(organic_true)
    return {"coverage_incremental_share": float(inside[used].mean()),
            "coverage_organic_share": float(organic_in[ok].mean()) if ok.any() else None,
            "organic_share_bias": float((organic_est[ok] - organic_true[ok]).mean()) if ok.any() else None}


def _prior_marginal_ratio(relative_spend: np.ndarray, half_saturation: float = 1.5) -> np.ndarray:
    """Marginal / average response of a Hill curve of shape 1 at ``relative_spend`` (spend over
    the line's mean spend), half-saturation at ``half_saturation`` x the mean: the default
    prior median's curve (``ResponseSettings``)."""
    x = np.maximum(relative_spend, 1e-9)
    return half_saturation / (half_saturation + x)
