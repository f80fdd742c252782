"""Settings of the `experiments` area (the `[experiments]` table of adbudget.toml).

Test arms come from tags in campaign / ad group / ad names (``tag_pattern``) or from
``arms`` declared here. Decisions compare the expected loss of choosing an arm with
``loss_threshold`` (the user's risk tolerance) and require ``prob_to_scale`` that a
challenger beats its control before it is scaled.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from adbudget.config.catalog import REGION_PROFILES

# `[T:<experiment>/<arm>]`, `[T:<arm>]` (experiment = market-channel), `*` marks the control:
# "US prospecting [T:hook-test/video-v2]", "US prospecting [T:hook-test/static*]".
DEFAULT_TAG_PATTERN = (
    r"\[T:(?:(?P<experiment>[^/\]\s]+)/)?(?P<arm>[^\]\*\s]+)(?P<control>\*)?\]"
)

DEFAULT_ENTRY_PLATFORMS: dict[str, list[str]] = {
    "NA": ["meta", "tiktok", "google_search"],
    "EU": ["meta", "google_search", "tiktok"],
    "SEA": ["tiktok", "shopee", "meta"],
    "ME": ["meta", "tiktok", "google_search"],
    "LATAM": ["meta", "tiktok", "google_search"],
}
# regions beyond these five: their profiles in config/catalog.py
DEFAULT_ENTRY_PLATFORMS.update({r: list(p.entry_platforms) for r, p in REGION_PROFILES.items()
                                if r not in DEFAULT_ENTRY_PLATFORMS})


class DeclaredArm(BaseModel):
    """A test arm declared by hand: rows whose names match ``match`` belong to it."""

    model_config = ConfigDict(extra="forbid")

    experiment: str
    arm: str
    match: str  # regular expression searched in "campaign / ad_group / creative"
    market: str | None = None  # restrict to one market (ISO alpha-2)
    channel: str | None = None  # restrict to one channel
    control: bool = False

    @field_validator("match")
    @classmethod
    def _match_compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value


class ExperimentsSettings(BaseModel):
    """Options for experiments; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    # -- where arms come from -----------------------------------------------------------
    # Regex with named groups `arm` (required), `experiment` and `control` (optional).
    tag_pattern: str = DEFAULT_TAG_PATTERN
    # Which name columns are searched for the tag, in this order (first match wins).
    tag_fields: list[Literal["campaign", "ad_group", "creative"]] = Field(
        default_factory=lambda: ["creative", "ad_group", "campaign"]
    )
    # Arm names that mark the control even without the `*` marker.
    control_names: list[str] = Field(default_factory=lambda: ["control", "ctrl", "baseline"])
    arms: list[DeclaredArm] = Field(default_factory=list)

    # -- analysis -----------------------------------------------------------------------
    metric: Literal["roas", "revenue_per_click", "conversion_rate"] = "roas"
    revenue_model: Literal["gamma", "gamma_mc"] = "gamma"  # see experiments/posterior.py
    draws: int = Field(4000, ge=200, le=200_000)  # Monte Carlo draws per arm
    seed: int = 0
    order_value_cv: float = Field(1.0, gt=0)  # prior coefficient of variation of order values
    # -- decisions ----------------------------------------------------------------------
    loss_threshold: float = Field(0.01, gt=0, lt=1)  # expected loss / mean metric you accept
    prob_to_scale: float = Field(0.975, gt=0.5, lt=1)  # P(beat control), split over challengers
    prob_to_stop: float = Field(0.05, gt=0, lt=0.5)  # P(best) below this (with enough data): stop
    min_clicks: int = Field(200, ge=0)  # per arm, before any decision
    min_conversions: int = Field(20, ge=0)  # per arm, before any decision
    min_days: int = Field(7, ge=1)  # days with spend per arm, before any decision
    graduation_multiplier: float = Field(2.0, gt=0)  # winner's daily budget = test daily spend x this
    # -- bandit allocation --------------------------------------------------------------
    floor_share: float = Field(0.1, ge=0, le=1)  # each live arm gets >= this x an equal share
    # -- test design --------------------------------------------------------------------
    power: float = Field(0.8, gt=0.5, lt=1)
    entry_platforms: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_ENTRY_PLATFORMS.items()}
    )
    creative_types: list[str] = Field(default_factory=lambda: ["short_video", "image"])
    targetings: list[str] = Field(default_factory=lambda: ["interest", "retargeting"])
    cell_min_conversions: int = Field(10, ge=1)  # entry plan: conversions each cell must reach
    # -- creative fatigue ---------------------------------------------------------------
    fatigue_min_days: int = Field(14, ge=6)  # creatives younger than this are not judged
    fatigue_min_drop: float = Field(0.2, gt=0, lt=1)  # flag when the rate fell by this much

    @field_validator("tag_pattern")
    @classmethod
    def _pattern_has_arm(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
        if "arm" not in compiled.groupindex:
            raise ValueError("needs a named group (?P<arm>...)")
        return value

    @model_validator(mode="after")
    def _one_control_per_declared_experiment(self) -> ExperimentsSettings:
        controls: dict[str, int] = {}
        for arm in self.arms:
            controls[arm.experiment] = controls.get(arm.experiment, 0) + int(arm.control)
        many = [e for e, n in controls.items() if n > 1]
        if many:
            raise ValueError(f"experiment(s) {', '.join(many)} declare more than one control arm")
        return self
