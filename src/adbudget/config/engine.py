"""Settings of the `[engine]` table of adbudget.toml: which engine runs the heavy SQL.

```toml
[engine]
kind = "spark"              # "duckdb" (default, embedded) or "spark"
master = "local[2]"         # Spark master: local[N], spark://host:7077, yarn, k8s://...
touchpoints = "/data/touchpoints/"   # Parquet file or folder (any path Spark can read)
orders = "/data/orders.parquet"
```

Without input paths the DuckDB engine reads the workspace's own store. The agency fan-out
(``[engine] agency_backend``) is read by ``adbudget agency``: ``process`` (a local process
pool, default), ``ray`` or ``spark`` (the seller jobs go to that cluster; see docs/agency.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class EngineSettings(BaseModel):
    """Where journeys, path tables and rollups are computed, and how agency jobs fan out."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["duckdb", "spark"] = Field("duckdb", description="duckdb (embedded) or spark.")
    master: str = Field("local[1]", description="Spark master URL, e.g. local[2], spark://host:7077.")
    app_name: str = Field("adbudget", description="Spark application name.")
    touchpoints: str | None = Field(None, description="Parquet file/folder of touchpoints (else the store).")
    orders: str | None = Field(None, description="Parquet file/folder of orders (else the store).")
    threads: int | None = Field(None, ge=1, description="DuckDB threads (default: all cores).")
    shuffle_partitions: int | None = Field(None, ge=1, description="Spark shuffle partitions (default 2 x local cores).")
    spark_conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark settings.")
    agency_backend: Literal["process", "ray", "spark"] = Field(
        "process", description="How `adbudget agency` fans sellers out: process, ray or spark.")
    agency_workers: int | None = Field(None, ge=1, description="Parallel sellers (default: cores).")

    @field_validator("master")
    @classmethod
    def _master(cls, value: str) -> str:
        if not value.strip() or any(c.isspace() for c in value):
            raise ValueError(f"Spark master {value!r} must be a URL such as local[2]")
        return value
