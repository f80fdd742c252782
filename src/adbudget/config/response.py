"""Settings of the `response` area (the `[response]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ResponseSettings(BaseModel):
    """Options for response; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
