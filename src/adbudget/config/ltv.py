"""Settings of the `ltv` area (the `[ltv]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LtvSettings(BaseModel):
    """Options for ltv; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
