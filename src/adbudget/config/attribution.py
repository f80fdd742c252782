"""Settings of the `attribution` area (the `[attribution]` table of adbudget.toml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AttributionSettings(BaseModel):
    """Options for attribution; every field has a documented default (docs/attribution.md)."""

    model_config = ConfigDict(extra="forbid")

    # model used when --model is not given (see adbudget.attribution.MODELS)
    model: str = "markov"
    # default windows: a click earns credit for 7 days, a view for 1 day (Meta/TikTok default)
    click_window_days: int = Field(7, ge=1, le=90)
    view_window_days: int = Field(1, ge=0, le=30)
    # per-channel overrides, e.g. {google_search = "30d-click", youtube = "30d-click,3d-view"}
    channel_windows: dict[str, str] = Field(default_factory=dict)
    # touches not followed by an order within this many days end a non-converting journey
    inactivity_days: int = Field(30, ge=1, le=365)
    # collapse consecutive repeats of the same channel (campaign) inside a journey
    collapse_repeats: bool = True
    # channels that "last non-direct" skips
    direct_channels: list[str] = Field(default_factory=lambda: ["direct"])
    # time-decay half-life (Google Ads' time-decay model uses 7 days)
    half_life_days: float = Field(7.0, gt=0)
    # position-based (U-shaped) shares of the first and last touch; the middle gets the rest
    position_first: float = Field(0.4, ge=0, le=1)
    position_last: float = Field(0.4, ge=0, le=1)
    # bootstrap replicates for intervals (0 = no intervals) and their level
    bootstrap: int = Field(100, ge=0, le=10000)
    interval_level: float = Field(0.9, gt=0, lt=1)
    # models shown by --compare-models
    compare_models: list[str] = Field(default_factory=lambda: [
        "last", "first", "linear", "position", "time_decay", "markov", "shapley"])
    # windows shown by --compare-windows (the short-term-ROI trap: 1 vs 7 vs 30 days)
    compare_windows: list[str] = Field(default_factory=lambda: ["1d", "7d", "30d"])
    # order value: gross revenue, or net of refunds
    value: Literal["gross", "net"] = "gross"
    # share of customers whose touches are tracked (consent, cross-device); attributed orders
    # and revenue are divided by it so they compare with the platforms' and the shop's totals.
    # None = estimate it: the share of the period's orders placed by customers who appear in
    # the touchpoints at all. 1 = the touch data covers every customer.
    tracked_share: float | None = Field(None, gt=0, le=1)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        from adbudget.attribution.registry import MODELS, TOUCH_MODELS

        if value not in MODELS and value not in TOUCH_MODELS:
            raise ValueError(f"unknown attribution model {value!r}; allowed: "
                             f"{', '.join([*MODELS, *TOUCH_MODELS])}")
        return value

    @field_validator("compare_models")
    @classmethod
    def _known_models(cls, value: list[str]) -> list[str]:
        from adbudget.attribution.registry import MODELS, TOUCH_MODELS

        for name in value:
            if name not in MODELS and name not in TOUCH_MODELS:
                raise ValueError(f"unknown attribution model {name!r}; allowed: "
                                 f"{', '.join([*MODELS, *TOUCH_MODELS])}")
        return value
