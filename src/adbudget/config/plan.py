"""Settings of the `plan` area (the `[plan]` table of adbudget.toml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adbudget.config.catalog import REGION_PROFILES

_BUCKETS = ("brand", "performance", "test", "reserve")


class PlanSettings(BaseModel):
    """Options for the planner; every field has a documented default (see docs/plan.md)."""

    model_config = ConfigDict(extra="forbid")

    # objective of the performance optimizer: expected contribution profit or revenue
    objective: Literal["profit", "revenue"] = "profit"
    # each performance line moves at most this fraction vs last period's split (0.3 = ±30 %)
    max_change: float | None = Field(0.3, ge=0)
    # hard limits on bucket shares in % (validation of settings and --buckets)
    bucket_limits: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: {
            "brand": (0.0, 50.0), "performance": (0.0, 100.0),
            "test": (0.0, 50.0), "reserve": (0.0, 30.0),
        }
    )
    # focus rule: at most this many entry-stage markets get a validation budget at once
    max_entry_markets: int = Field(2, ge=0)
    # validation budget of an entry market: days x platforms x daily spend per platform
    validation_days: int = Field(14, ge=7, le=14)
    validation_platforms: int = Field(3, ge=2, le=3)
    validation_daily_per_platform: float = Field(50.0, gt=0)  # base currency per day
    # entry markets together take at most this share of the total budget (%)
    max_entry_share_pct: float = Field(30.0, ge=0, le=100)
    # new channels per market funded from the test bucket when no experiments exist
    test_platforms: int = Field(3, ge=1, le=5)
    # brand bucket: at most this many brand-capable channels per market, cheapest reach first
    brand_channels: int = Field(3, ge=1)
    # EU markets: share of the brand bucket for compliance (GDPR consent) and localization (%)
    eu_compliance_pct: float = Field(10.0, ge=0, le=100)
    # cost per thousand impressions (base currency) assumed where the data has none
    default_cpm: dict[str, float] = Field(
        default_factory=lambda: {r: p.default_cpm for r, p in REGION_PROFILES.items()}
    )
    # orders = revenue / AOV; AOV from the orders table per market, else this (base currency)
    fallback_aov: float = Field(50.0, gt=0)
    # per-line limits, keyed "MARKET.channel", amounts for the whole period in base currency
    line_floors: dict[str, float] = Field(default_factory=dict)
    line_caps: dict[str, float] = Field(default_factory=dict)
    # lines never switched off: they keep at least always_on_min_share of last period's spend
    always_on: list[str] = Field(default_factory=list)
    always_on_min_share: float = Field(0.5, ge=0, le=1)
    # cap each line where its average ROAS falls to break-even (off by default: it can make a
    # large budget infeasible, which is then reported as such)
    breakeven_floor: bool = False
    # optional risk setting: maximize this low quantile of profit instead of the mean (0.1 = P10)
    risk_quantile: float | None = Field(None, gt=0, lt=0.5)
    # reserve release triggers named on every reserve line (released by the rules engine)
    reserve_triggers: list[str] = Field(
        default_factory=lambda: ["peak_season_cost_surge", "competitor_price_cut", "policy_change"]
    )
    # the brand bucket (docs/brand.md): brand spend is valued over this many months through
    # the long-term brand estimate, discounted at brand_discount a year, and the estimate moves
    # each market's brand share within +-5 points of its policy (0 = off: the policy's share)
    horizon_months: int = Field(12, ge=0, le=36)
    brand_discount: float = Field(0.10, ge=0, le=1)
    # stage advisor thresholds
    advisor_min_conversions: int = Field(100, ge=1)  # in the last 4 weeks
    advisor_weeks_above_breakeven: int = Field(2, ge=1)
    advisor_saturation_pct: float = Field(70.0, ge=0, le=100)
    advisor_saturated_share: float = Field(0.6, ge=0, le=1)
    # efficient frontier: number of budgets, from 0.25x to 3x the given budget
    frontier_points: int = Field(12, ge=3, le=60)

    @field_validator("bucket_limits")
    @classmethod
    def _limits(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for bucket, (lo, hi) in value.items():
            if bucket not in _BUCKETS:
                raise ValueError(f"unknown bucket {bucket!r}; allowed: {', '.join(_BUCKETS)}")
            if not 0 <= lo <= hi <= 100:
                raise ValueError(f"limits of {bucket} must satisfy 0 <= low <= high <= 100")
        return value

    @model_validator(mode="after")
    def _line_keys(self) -> PlanSettings:
        for key in [*self.line_floors, *self.line_caps, *self.always_on]:
            if "." not in key:
                raise ValueError(f"line {key!r} must be written MARKET.channel, e.g. US.meta")
        return self
