"""One query, two engines: Spark (local[1]) gives DuckDB's path table, touch journeys and
every model's credits on the simulator's journeys (the same Parquet files read by both).

Skipped with the reason when PySpark or Java is missing (``pip install 'adbudget[spark]'``;
CI installs both). One Spark session serves the module (its start is most of the time).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from adbudget.attribution import (
    MODELS,
    TOUCH_MODELS,
    PathTable,
    TouchTable,
    make_model,
    parse_windows,
)
from adbudget.engine import path_frame, touch_frame
from adbudget.engine.base import DuckDBEngine, SparkEngine, spark_missing

world_mod = pytest.importorskip("adbudget.simulate.world")

pytestmark = pytest.mark.skipif(spark_missing() is not None, reason=str(spark_missing()))

WINDOWS = parse_windows("7d-click,1d-view,google_search:30d-click")
VARIANTS = {
    "default": {},
    "market+decay": {"by_market": True, "half_life_days": 7.0},
    "campaign, no collapse, period": {"unit": "campaign", "collapse": False, "period": True},
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    world = world_mod.World(world_mod.build_spec(0, "tiny"))
    touches = world.touchpoints()
    touches["ts"] = pd.to_datetime(touches["ts"].str.rstrip("Z"))
    orders = world.orders()
    folder = tmp_path_factory.mktemp("parquet")
    con = duckdb.connect()
    con.register("t", touches)
    con.register("o", orders)
    con.execute(f"COPY t TO '{folder / 'touchpoints.parquet'}'")
    con.execute(f"COPY o TO '{folder / 'orders.parquet'}'")
    duck, spark = DuckDBEngine(threads=1), SparkEngine("local[1]", shuffle_partitions=1)
    for engine in (duck, spark):
        engine.register_parquet("touchpoints", folder / "touchpoints.parquet")
        engine.register_parquet("orders", folder / "orders.parquet")
    yield duck, spark
    spark.close()
    duck.close()


_DEFAULT: dict[int, pd.DataFrame] = {}


def _default(engine) -> pd.DataFrame:
    """The default statement's table, computed once per engine (Spark's time is the cost)."""
    if id(engine) not in _DEFAULT:
        _DEFAULT[id(engine)] = path_frame(engine, WINDOWS)
    return _DEFAULT[id(engine)]


def _same_paths(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    keys = [c for c in ("market", "path") if c in a.columns]
    assert a[keys].astype(str).values.tolist() == b[keys].astype(str).values.tolist()
    for col in ("total_conversions", "total_null"):  # counts: exactly
        assert np.array_equal(a[col].to_numpy(float), b[col].to_numpy(float)), col
    # sums of order values in another order: equal to the last bits
    np.testing.assert_allclose(a.total_conversion_value, b.total_conversion_value, rtol=1e-12)
    for col in ("decay", "decay_value"):
        if col in a.columns:
            for x, y in zip(a[col], b[col], strict=True):
                assert (x is None or x is pd.NA) == (y is None or y is pd.NA)
                if not (x is None or x is pd.NA):
                    np.testing.assert_allclose(np.asarray(x, float), np.asarray(y, float), rtol=1e-12)


# the default statement runs in every suite (CI's Spark check); the variants take Spark about
# 10-30 s each on a busy 2-core machine, so they are slow tests
@pytest.mark.parametrize("variant", [
    "default", *(pytest.param(v, marks=pytest.mark.slow) for v in VARIANTS if v != "default")])
def test_same_path_table(engines, variant) -> None:
    duck, spark = engines
    kw = dict(VARIANTS[variant])
    if kw.pop("period", False):  # the middle third of the orders' days, and one market
        days = duck.query("SELECT order_date, market FROM orders ORDER BY order_date")
        kw.update(start=str(days.order_date.iloc[len(days) // 3])[:10],
                  end=str(days.order_date.iloc[2 * len(days) // 3])[:10],
                  markets=[days.market.mode().iloc[0]])
    a = path_frame(duck, WINDOWS, **kw) if kw else _default(duck)
    b = path_frame(spark, WINDOWS, **kw) if kw else _default(spark)
    assert len(a) > 20 and a.total_conversions.sum() > 20  # a real table, not an empty one
    _same_paths(a, b)


def test_same_credits_every_model(engines) -> None:
    duck, spark = engines
    a, b = (PathTable.from_frame(_default(e)) for e in (duck, spark))
    assert a.channels == b.channels
    for name in sorted(MODELS):
        ca, cb = make_model(name).credit(a), make_model(name).credit(b)
        np.testing.assert_allclose(ca.conversions, cb.conversions, rtol=1e-9, atol=1e-12,
                                   err_msg=name)
        np.testing.assert_allclose(ca.value, cb.value, rtol=1e-9, atol=1e-9, err_msg=name)


def test_same_touch_journeys_and_hazard_credit(engines) -> None:
    duck, spark = engines
    a, b = touch_frame(duck, inactivity_days=30), touch_frame(spark, inactivity_days=30)
    assert len(a) == len(b) > 100
    for col in ("user_id", "journey", "channel", "market", "converted", "order_id"):
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
    assert np.array_equal(a.seconds.to_numpy(float), b.seconds.to_numpy(float))
    ta, tb = TouchTable.from_frame(a), TouchTable.from_frame(b)
    for name in sorted(TOUCH_MODELS):
        ca, cb = make_model(name).credit_touches(ta), make_model(name).credit_touches(tb)
        np.testing.assert_allclose(ca.conversions, cb.conversions, rtol=1e-9, err_msg=name)
