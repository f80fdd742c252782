"""The two engines behind one small interface: register tables, run DuckDB SQL, get pandas."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from adbudget.config.engine import EngineSettings
from adbudget.engine.dialect import to_spark
from adbudget.errors import AdbudgetError

_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class EngineError(AdbudgetError):
    """The engine cannot run: PySpark or Java missing, an input path that does not exist."""


def _check_name(name: str) -> str:
    if not _TABLE.fullmatch(name):
        raise EngineError(f"table name {name!r} is not allowed")
    return name


class Engine:
    """Base class: ``kind`` names the engine; subclasses implement the four methods."""

    kind = "?"

    def register_parquet(self, name: str, path: str | Path) -> None:  # pragma: no cover
        raise NotImplementedError

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:  # pragma: no cover
        raise NotImplementedError

    def query(self, sql: str) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class DuckDBEngine(Engine):
    """Embedded DuckDB (an existing connection, e.g. the workspace store, or a new one)."""

    kind = "duckdb"

    def __init__(self, con: Any = None, threads: int | None = None) -> None:
        import duckdb

        self._own = con is None
        self.con = duckdb.connect() if con is None else con
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def register_parquet(self, name: str, path: str | Path) -> None:
        files = _parquet_glob(path).replace("'", "''")
        self.con.execute(f"CREATE OR REPLACE VIEW {_check_name(name)} AS "
                         f"SELECT * FROM read_parquet('{files}')")

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(_check_name(name), frame)

    def query(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def close(self) -> None:
        if self._own:
            self.con.close()


class SparkEngine(Engine):
    """PySpark: ``local[N]`` on this machine or a cluster master; DuckDB SQL is transpiled."""

    kind = "spark"

    def __init__(self, master: str = "local[1]", *, app_name: str = "adbudget",
                 shuffle_partitions: int | None = None, conf: dict[str, str] | None = None) -> None:
        missing = spark_missing()
        if missing:
            raise EngineError(missing)
        from pyspark.sql import SparkSession

        builder = (SparkSession.builder.master(master).appName(app_name)
                   # timestamps without a zone read the same clock time as in DuckDB
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.ui.enabled", "false")
                   # Spark's default of 200 shuffle partitions is for clusters: locally each
                   # is a task of mostly overhead
                   .config("spark.sql.shuffle.partitions",
                           str(shuffle_partitions or _local_cores(master) * 2))
                   # adaptive execution merges small shuffle partitions and picks joins from
                   # the sizes it sees (the default since Spark 3.2; said here for 3.x before)
                   .config("spark.sql.adaptive.enabled", "true")
                   # results come back to pandas as Arrow batches, not row by row
                   .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")

    def register_parquet(self, name: str, path: str | Path) -> None:
        text = str(path)
        if "://" not in text and not Path(text).exists():
            raise EngineError(f"{text}: no such file or folder")
        self.spark.read.parquet(text).createOrReplaceTempView(_check_name(name))

    def register_frame(self, name: str, frame: pd.DataFrame) -> None:
        self.spark.createDataFrame(frame).createOrReplaceTempView(_check_name(name))

    def query(self, sql: str) -> pd.DataFrame:
        return self.spark.sql(to_spark(sql)).toPandas()

    def close(self) -> None:
        self.spark.stop()


def _local_cores(master: str) -> int:
    m = re.fullmatch(r"local\[(\d+)\]", master)
    return int(m.group(1)) if m else 4


def _parquet_glob(path: str | Path) -> str:
    p = Path(path)
    if p.is_dir():
        return str(p / "**" / "*.parquet")
    if not p.exists() and not any(ch in str(p) for ch in "*?["):
        raise EngineError(f"{p}: no such file or folder")
    return str(p)


def spark_missing() -> str | None:
    """Why Spark cannot run here (no pyspark, no Java), or None when it can."""
    for module in ("pyspark", "sqlglot"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install 'adbudget[spark]'"
    if shutil.which("java") is None:
        return "Java is not installed (Spark needs it): e.g. apt-get install openjdk-17-jre-headless"
    return None


def open_engine(settings: EngineSettings | None = None, con: Any = None) -> Engine:
    """The engine the ``[engine]`` section asks for, with its input tables registered.

    ``con``: a DuckDB connection that already holds the tables (the workspace store); used by
    the DuckDB engine when the section names no input paths."""
    settings = settings or EngineSettings()
    engine: Engine
    if settings.kind == "spark":
        engine = SparkEngine(settings.master, app_name=settings.app_name,
                             shuffle_partitions=settings.shuffle_partitions,
                             conf=dict(settings.spark_conf))
    else:
        engine = DuckDBEngine(con if not (settings.touchpoints or settings.orders) else None,
                              threads=settings.threads)
    for name in ("touchpoints", "orders"):
        path = getattr(settings, name)
        if path:
            engine.register_parquet(name, path)
    return engine
