"""Settings of the `attribution` area (the `[attribution]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AttributionSettings(BaseModel):
    """Options for attribution; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
