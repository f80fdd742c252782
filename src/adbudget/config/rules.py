"""Settings of the `rules` area (the `[rules]` table of adbudget.toml)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RulesSettings(BaseModel):
    """Options for rules; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")

    # rule files: paths or globs relative to the workspace (a folder means every
    # .yaml/.yml/.toml in it)
    files: list[str] = Field(default_factory=lambda: ["rules"])
    # campaign-name patterns that put a campaign in a bucket (tried in this order; unmatched
    # campaigns are "performance"); None = the built-in patterns (test/exp/trial/ab, reserve,
    # brand/awareness/reach/kol)
    bucket_patterns: dict[str, str] | None = None
    # target ROAS = break-even ROAS × (1 + target_margin_pct / 100) when no plan gives one
    target_margin_pct: float = Field(20.0, ge=0, le=1000)
    # daily reserve (base currency) that release_reserve shares when the plan has no reserve
    reserve_daily: float = Field(0.0, ge=0)
    # pacing: a projection within ± this % of plan is on track
    pacing_tolerance_pct: float = Field(10.0, ge=0, le=100)
    # cost surge: recent CPM/CPC ÷ trailing median at or above this is a surge
    surge_threshold: float = Field(1.25, gt=1.0)
    surge_recent_days: int = Field(3, ge=1, le=30)
    surge_baseline_days: int = Field(28, ge=7, le=365)
    surge_min_impressions: float = Field(1000.0, ge=0)
    # days ahead of a known peak that already count as peak
    peak_lookahead_days: int = Field(0, ge=0, le=30)
    # reserve release: at most this % more than a line's current daily spend
    reserve_max_increase_pct: float = Field(50.0, ge=0, le=1000)
    # without fitted curves: marginal ROAS ≈ average ROAS × this (an approximation)
    marginal_to_average: float = Field(0.7, gt=0, le=1)

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
