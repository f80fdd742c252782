"""The engine layer without Spark: settings, DuckDB on Parquet inputs, the Spark translation."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from adbudget.attribution import parse_windows, path_sql, touch_sql
from adbudget.config.engine import EngineSettings
from adbudget.config.settings import Settings, default_settings
from adbudget.engine import DialectError, EngineError, open_engine, path_frame, to_spark

T = pd.Timestamp


@pytest.fixture()
def parquet(tmp_path):
    touches = pd.DataFrame([
        ("u1", T("2025-01-08 10:00"), "US", "google_search", "g1", "click"),
        ("u1", T("2025-01-09 09:00"), "US", "meta", "m1", "view"),
        ("u2", T("2025-01-01 10:00"), "DE", "tiktok", "t1", "click"),
    ], columns=["user_id", "ts", "market", "channel", "campaign", "interaction"])
    orders = pd.DataFrame([("o1", "u1", T("2025-01-09 12:00"), T("2025-01-09").date(), "US", 100.0)],
                          columns=["order_id", "customer_id", "ordered_at", "order_date", "market",
                                   "revenue_base"])
    con = duckdb.connect()
    con.register("t", touches)
    con.register("o", orders)
    con.execute(f"COPY t TO '{tmp_path / 't.parquet'}'")
    (tmp_path / "orders").mkdir()
    con.execute(f"COPY o TO '{tmp_path / 'orders' / 'part-0.parquet'}'")
    return tmp_path


def test_duckdb_engine_reads_parquet_paths_from_settings(parquet) -> None:
    settings = EngineSettings(touchpoints=str(parquet / "t.parquet"), orders=str(parquet / "orders"))
    with open_engine(settings) as engine:
        df = path_frame(engine, parse_windows(None))
    assert engine.kind == "duckdb"
    assert dict(zip(df.path, df.total_conversions, strict=True)) == {
        "google_search > meta": 1.0, "tiktok": 0.0}
    assert df.set_index("path").total_conversion_value["google_search > meta"] == 100.0


def test_missing_input_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(EngineError, match="no such file"):
        open_engine(EngineSettings(touchpoints=str(tmp_path / "nope.parquet")))


def test_engine_section_in_settings() -> None:
    base = default_settings().model_dump()
    s = Settings.model_validate({**base, "engine": {"kind": "spark", "master": "local[2]"}})
    assert s.engine.kind == "spark" and s.engine.master == "local[2]"
    assert default_settings().engine.kind == "duckdb"
    with pytest.raises(ValueError):
        EngineSettings.model_validate({"kind": "flink"})
    with pytest.raises(ValueError):
        EngineSettings.model_validate({"master": "local [2]"})


def test_spark_translation_of_the_heavy_statements() -> None:
    pytest.importorskip("sqlglot", reason="SQLGlot (the spark extra) is not installed")
    for sql in (path_sql(parse_windows(None), by_market=True, half_life_days=7.0),
                path_sql(parse_windows(None), unit="campaign", collapse=False),
                touch_sql(inactivity_days=30)):
        spark = re.sub(r"/\*.*?\*/", "", to_spark(sql), flags=re.S)  # comments aside
        # nothing DuckDB-only is left: list functions, 1-based brackets, epoch_us
        for word in ("LIST_", "EPOCH_US(", "ARRAY_LENGTH(", "LAMBDA "):
            assert word not in spark.upper(), word
        assert "[" not in spark
    # a lambda's index counts from 1 in DuckDB and from 0 in Spark
    assert " ".join(to_spark("SELECT list_filter(l, lambda x, i: i > 1) FROM t").split()) == (
        "SELECT FILTER(l, (x, i) -> ( i + 1 ) > 1) FROM t")
    with pytest.raises(DialectError):
        to_spark("SELECT l[1] FROM t")


def test_workspace_on_spark_needs_input_paths(tmp_path) -> None:
    """A workspace set to the Spark engine without Parquet inputs says what is missing (before
    starting Spark)."""
    from adbudget.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    try:
        ws.settings = ws.settings.model_copy(update={"engine": EngineSettings(kind="spark")})
        with pytest.raises(EngineError, match="touchpoints and orders paths"):
            ws.attribution_paths()
    finally:
        ws.close()
