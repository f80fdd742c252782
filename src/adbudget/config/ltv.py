"""Settings of the `ltv` area (the `[ltv]` table of adbudget.toml): customer value and funnel."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class LtvSettings(BaseModel):
    """Options for `adbudget ltv`, `adbudget cohorts` and `adbudget funnel`."""

    model_config = ConfigDict(extra="forbid")

    # days of future purchases valued for a new customer (and the planner's LTV multiplier)
    horizon_days: int = Field(180, ge=1, le=3650)
    # ages (days since the first order) at which cohorts are measured
    cohort_days: list[int] = Field(default_factory=lambda: [30, 60, 90, 180, 365])
    # fit the purchase and spend models on customers acquired in the last N days before the
    # calibration end (all customers are still valued); unset = all history. Behaviour drifts:
    # on the simulator's medium world 180 days kept every market within 10 % of the realised
    # value, all history over-predicted by 15-29 % (docs/ltv.md)
    fit_window_days: int | None = Field(180, ge=14)
    # central probability of the reported intervals
    interval: float = Field(0.9, gt=0, lt=1)
    # Laplace draws of the model parameters used for intervals
    draws: int = Field(200, ge=20, le=5000)
    # prior sd of a market's log-parameters around the pooled fit; unset = estimated from the
    # markets with at least `min_market_customers` customers (needs 3 of them, else 0.5)
    market_prior_sd: float | None = Field(None, gt=0)
    # prior sd of a market x channel cell's log-parameters around its market
    channel_prior_sd: float = Field(0.5, gt=0)
    min_market_customers: int = Field(500, ge=10)
    # the planner's LTV multiplier is capped here (and missing where first-order profit <= 0)
    max_multiplier: float = Field(10.0, ge=1)
    # funnel: the recent window analysed, and the history before it that it is compared with
    funnel_window_days: int = Field(28, ge=1)
    funnel_history_days: int = Field(84, ge=0)
    # a weakest step is flagged when at least this far (relative) below its benchmark
    funnel_min_gap: float = Field(0.10, ge=0, lt=1)

    @field_validator("cohort_days")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if not value or any(d <= 0 for d in value):
            raise ValueError("cohort_days must be a non-empty list of positive day counts")
        return sorted(set(value))
