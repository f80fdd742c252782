"""Settings of the `experiments` area (the `[experiments]` table of adbudget.toml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ExperimentsSettings(BaseModel):
    """Options for experiments; every field has a documented default."""

    model_config = ConfigDict(extra="forbid")
