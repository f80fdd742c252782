"""Settings of the `rules` area (the `[rules]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RulesSettings(BaseModel):
    """Options for rules; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
