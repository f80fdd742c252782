"""One query, two engines: the heavy SQL (written once, in DuckDB's dialect) on DuckDB or Spark.

``open_engine(settings)`` gives an :class:`Engine` for the workspace's ``[engine]`` section
(``config/engine.py``): DuckDB embedded (the default) or PySpark (``kind = "spark"``, local mode
or a cluster master). Tables come from Parquet files (``[engine] touchpoints``/``orders`` or
``register_parquet``) or from DataFrames; :meth:`Engine.query` takes DuckDB SQL and returns a
pandas DataFrame — Spark runs the text that ``engine.dialect.to_spark`` writes. The results
feed the same pure models (``attribution``), so which engine ran the SQL does not change a
credit: tests/engine asserts the path table and every model's credits are the same.
"""

from __future__ import annotations

from adbudget.engine.base import Engine, EngineError, open_engine
from adbudget.engine.dialect import DialectError, to_spark
from adbudget.engine.journeys import path_frame, path_frame_sql, path_table, touch_frame

__all__ = ["DialectError", "Engine", "EngineError", "open_engine", "path_frame", "path_frame_sql", "path_table",
           "to_spark", "touch_frame"]
