"""Settings of the `plan` area (the `[plan]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PlanSettings(BaseModel):
    """Options for plan; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
