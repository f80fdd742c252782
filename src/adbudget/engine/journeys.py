"""The heavy statements on either engine: path tables and touch-level journeys.

Same arguments as ``attribution.sql.path_sql`` / ``attribution.touch_sql.touch_sql``; the
engine decides where they run. DuckDB raises an out-of-range error when the BIGINT touch keys
overflow (a very long time span times very many units); the statement is then retried with
HUGEINT keys, as the workspace does. Spark has no HUGEINT: there the overflow is an error.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from adbudget.attribution.paths import PathTable
from adbudget.attribution.sql import path_sql
from adbudget.attribution.touch_sql import touch_sql
from adbudget.attribution.windows import Windows
from adbudget.engine.base import Engine


def path_frame(engine: Engine, windows: Windows, **kwargs: Any) -> pd.DataFrame:
    """The aggregated path table (``path_sql``'s columns) computed by ``engine``."""
    if engine.kind == "duckdb":
        import duckdb

        try:
            return engine.query(path_sql(windows, **kwargs))
        except duckdb.OutOfRangeException:
            return engine.query(path_sql(windows, **{**kwargs, "wide": True}))
    return _normalise(engine.query(path_sql(windows, **kwargs)))


def path_frame_sql(settings: Any, build: Any) -> pd.DataFrame:
    """Open the ``[engine]`` section's engine, run ``build(wide)``'s path statement on it and
    close it: the workspace's hook for ``kind = "spark"`` (touchpoints and orders then come
    from the section's Parquet paths, which must both be set)."""
    from adbudget.engine.base import EngineError, open_engine

    if settings.kind == "spark" and not (settings.touchpoints and settings.orders):
        raise EngineError('[engine] kind = "spark" needs touchpoints and orders paths '
                          "(Parquet files or folders Spark can read)")
    with open_engine(settings) as engine:
        return _normalise(engine.query(build(False)))


def path_table(engine: Engine, windows: Windows, **kwargs: Any) -> PathTable:
    """``path_frame`` parsed into the ``PathTable`` every model reads."""
    return PathTable.from_frame(path_frame(engine, windows, **kwargs))


def touch_frame(engine: Engine, **kwargs: Any) -> pd.DataFrame:
    """Touch-level journeys (``touch_sql``'s columns, for the hazard model) from ``engine``."""
    return _normalise(engine.query(touch_sql(**kwargs)))


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Spark hands lists back as Python lists and decimals as Decimal; make them what DuckDB's
    pandas conversion gives (numpy arrays of float, floats)."""
    import numpy as np

    for col in ("decay", "decay_value"):
        if col in df.columns:
            df[col] = [None if v is None else np.asarray(v, dtype=float) for v in df[col]]
    return df
