"""Settings of the `response` area (the `[response]` table of adbudget.toml).

Every default is chosen for a typical cross-border e-commerce seller and documented in
``docs/response.md``. Priors are in business terms: ROAS (revenue per unit of spend) and
carryover half-life in days; the model derives its internal coefficients from them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Prior median ROAS (incremental revenue / spend, over the fitted period) per channel.
# Deliberately modest: platform-reported ROAS over-counts, and an MMM fitted with loose
# priors on demand-following spend over-credits media (see DESIGN.md).
DEFAULT_ROAS_PRIOR: dict[str, float] = {
    "meta": 1.5,
    "tiktok": 1.3,
    "google_search": 2.0,
    "youtube": 0.8,
    "amazon": 2.5,
    "shopee": 2.0,
    "lazada": 2.0,
    "kol": 1.0,
    "live_commerce": 1.5,
    "email": 3.0,
    "other": 1.0,
}

# Prior median carryover half-life in days per channel (brand-like channels carry longer).
DEFAULT_HALF_LIFE_PRIOR: dict[str, float] = {
    "meta": 2.0,
    "tiktok": 2.0,
    "google_search": 1.0,
    "youtube": 4.0,
    "amazon": 1.0,
    "shopee": 1.0,
    "lazada": 1.0,
    "kol": 5.0,
    "live_commerce": 1.0,
    "email": 1.0,
    "other": 2.0,
}


class ResponseSettings(BaseModel):
    """Options of the response model (``[response]``); every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    # What the model explains: shop revenue (Student-t noise) or orders (negative binomial).
    target: Literal["revenue", "orders"] = "revenue"
    # Carryover family: geometric, weibull (delayed peak) or delayed_geometric.
    adstock: Literal["geometric", "weibull", "delayed_geometric"] = "geometric"
    # Diminishing returns family: hill, logistic or exponential.
    saturation: Literal["hill", "logistic", "exponential"] = "hill"
    # Time step of the model: "auto" (weekly when revenue or spend is dated on a 7-day grid,
    # else daily), "daily", or "weekly" (daily data is summed per week; less noisy, fewer
    # periods). Half-lives, max_lag and holdout_days stay in days either way.
    granularity: Literal["auto", "daily", "weekly"] = "auto"
    # Longest carryover in days (the adstock kernel length; rounded up to whole weeks on weekly data).
    max_lag: int = Field(21, ge=1, le=90)
    # Prior median ROAS per channel; channels missing here use `roas_prior_default`.
    roas_prior: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_ROAS_PRIOR))
    roas_prior_default: float = Field(1.5, gt=0)
    # Spread of the ROAS prior on the log scale (0.7: the 90 % prior interval spans ~x3 each way).
    roas_prior_sd: float = Field(0.7, gt=0, le=3)
    # How far regions / markets may differ from the channel's global ROAS (log scale, half-normal).
    region_sd: float = Field(0.3, gt=0, le=2)
    market_sd: float = Field(0.3, gt=0, le=2)
    # Prior median carryover half-life (days) per channel; missing channels use the default.
    half_life_prior: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_HALF_LIFE_PRIOR))
    half_life_prior_default: float = Field(2.0, gt=0)
    half_life_prior_sd: float = Field(0.6, gt=0, le=3)
    # Seasonality: Fourier terms (pairs of sin/cos) for the week and the year; trend on/off.
    weekly_harmonics: int = Field(3, ge=0, le=3)
    yearly_harmonics: int = Field(4, ge=0, le=10)
    trend: bool = True
    # Built-in shopping holidays (Black Friday, 11.11, Christmas, Ramadan ...) on/off, days of
    # lead-in before each, and extra holidays "YYYY-MM-DD" -> name (applied to every market).
    holidays: bool = True
    holiday_lead_days: int = Field(3, ge=0, le=14)
    extra_holidays: dict[str, str] = Field(default_factory=dict)
    # Ads may convert better (or worse) in peak season: each line's effect is scaled by its
    # market's fitted seasonal + holiday demand index raised to a per-channel elasticity ``rho``
    # (normal prior, mean / sd below; mean 0: the data decide the sign). Off (default): constant
    # effect — on the 13 x 8 x 730 benchmark the season index made NUTS 5-8x slower and it did
    # not converge (R-hat 1.99), for a marginal-ROAS rank change of -0.01..+0.06 on simulator worlds.
    media_season: bool = False
    media_season_rho_mean: float = Field(0.0, ge=-1, le=1)
    media_season_rho_sd: float = Field(0.2, gt=0, le=1)
    # Platform-reported conversions (ad_daily conversions / revenue) as a second, line-level
    # likelihood next to shop revenue: the model learns each line's over-claim, the organic
    # orders it also claims and its view-through credit, and reads the line's own day-to-day
    # response from them (docs/response.md, "Trust no single source"). False: shop revenue and
    # lift tests only (for comparison, or for sellers who distrust their pixels).
    platform_claims: bool = True
    # Inference when the claims are in the likelihood and no --method is given. NUTS does not
    # mix there yet (it hits the tree-depth limit, 255 leapfrog steps per draw, and its chains
    # cover the truth less than the Laplace approximation does; docs/response.md), so the
    # default is "laplace"; `--method nuts` still runs NUTS.
    claims_method: Literal["nuts", "svi", "laplace"] = "laplace"
    # Before the fit, check per platform that its claims move with its own spend (once the
    # other lines' claims in the market and the weekday are accounted for); a platform whose
    # claims do not (noise, reporting that follows nothing) is left out of the likelihood with
    # a notice, and its lines are fitted from shop revenue as without claims.
    claims_check: bool = True
    # Student-t degrees of freedom for revenue noise (small = heavier tails).
    student_t_df: float = Field(5.0, gt=1)
    # Hold out the last N days to measure out-of-sample error (0 = fit on everything).
    holdout_days: int = Field(28, ge=0)
    # Inference defaults: method, draws per chain, warm-up, chains, SVI steps, seed.
    method: Literal["nuts", "svi", "laplace"] = "nuts"
    draws: int = Field(500, ge=10)
    warmup: int = Field(300, ge=10)
    chains: int = Field(2, ge=1, le=16)
    chain_method: Literal["auto", "parallel", "sequential", "vectorized"] = "auto"
    target_accept: float = Field(0.85, gt=0.5, lt=1)
    max_tree_depth: int = Field(8, ge=3, le=12)
    # Dense mass matrix: keeps the correlations (media vs base, global vs market) — from the
    # mode's curvature with nuts_init = "laplace", learned in warm-up with "prior"; several
    # times fewer gradient steps per draw for a few hundred parameters. False: diagonal.
    dense_mass: bool = True
    # NUTS start: "laplace" (posterior mode + its curvature as the mass matrix; fast warm-up)
    # or "prior" (NumPyro's default adaptation from scratch; needs a longer warm-up).
    nuts_init: Literal["laplace", "prior"] = "laplace"
    svi_steps: int = Field(3000, ge=100)
    svi_guide: Literal["normal", "lowrank"] = "normal"
    svi_learning_rate: float = Field(0.02, gt=0)
    seed: int = 0
    # Credible interval reported in tables and bands (0.9 = 5th to 95th percentile).
    interval: float = Field(0.9, gt=0.5, lt=1)

    @field_validator("roas_prior", "half_life_prior")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for channel, number in value.items():
            if not number > 0:
                raise ValueError(f"{channel}: must be > 0, got {number}")
        return value

    @field_validator("extra_holidays")
    @classmethod
    def _iso_dates(cls, value: dict[str, str]) -> dict[str, str]:
        from datetime import date

        for day in value:
            try:
                date.fromisoformat(day)
            except ValueError as exc:
                raise ValueError(f"{day!r} is not a date YYYY-MM-DD") from exc
        return value

    def roas_median(self, channel: str) -> float:
        """Prior median ROAS of a channel."""
        return self.roas_prior.get(channel, self.roas_prior_default)

    def half_life_median(self, channel: str) -> float:
        """Prior median half-life (days) of a channel."""
        return self.half_life_prior.get(channel, self.half_life_prior_default)
