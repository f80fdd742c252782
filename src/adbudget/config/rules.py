"""Settings of the `rules` area (the `[rules]` table of adbudget.toml)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RulesSettings(BaseModel):
    """Options for rules; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    files: list[str] = Field(
        default_factory=lambda: ["rules"],
        description="Rule files, folders (every .yaml/.yml/.toml in them) or globs, relative to the workspace.")
    bucket_patterns: dict[str, str] | None = Field(
        None, description="Bucket -> regex on campaign names, tried in order (unmatched: performance); "
                          "None = built-in (test/exp/trial/ab, reserve, brand/awareness/reach/kol).")
    target_margin_pct: float = Field(
        20.0, ge=0, le=1000, description="Target ROAS = break-even ROAS x (1 + this/100) when the plan gives none.")
    reserve_daily: float = Field(
        0.0, ge=0, description="Daily reserve (base currency) for release_reserve when the plan has no reserve bucket.")
    pacing_tolerance_pct: float = Field(
        10.0, ge=0, le=100, description="Pacing: a projection within +/- this % of plan is on track.")
    surge_threshold: float = Field(
        1.25, gt=1.0, description="Cost surge: recent CPM or CPC / trailing median at or above this.")
    surge_recent_days: int = Field(3, ge=1, le=30, description="Days averaged for the recent CPM/CPC.")
    surge_baseline_days: int = Field(
        28, ge=7, le=365, description="Days before the recent ones whose median day is the baseline.")
    surge_min_impressions: float = Field(
        1000.0, ge=0, description="Fewer recent impressions than this: no measured surge.")
    peak_lookahead_days: int = Field(
        0, ge=0, le=30, description="Days ahead of a known peak day that already count as peak.")
    reserve_max_increase_pct: float = Field(
        50.0, ge=0, le=1000, description="Reserve release: at most this % more than a line's current daily spend.")
    backtest_elasticity: float = Field(
        0.5, gt=0, le=1, description="Backtest without curves: conversions grow as (spend ratio)^this when a rule raises spend.")
    marginal_to_average: float = Field(
        0.7, gt=0, le=1, description="Without fitted curves: marginal ROAS ~ average ROAS x this (an approximation).")

    @field_validator("bucket_patterns")
    @classmethod
    def _patterns(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return value
        for bucket, pattern in value.items():
            if bucket not in ("brand", "performance", "test", "reserve"):
                raise ValueError(f"unknown bucket {bucket!r}; allowed: brand, performance, test, reserve")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern for {bucket} is not a valid regular expression: {exc}") from None
        return value
