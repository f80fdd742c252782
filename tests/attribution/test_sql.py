"""Journeys and path aggregation in one SQL statement (DuckDB): windows, views, inactivity,
collapse, markets, periods and exact time-decay weights."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from adbudget.attribution import PathTable, parse_windows, path_sql
from adbudget.errors import SettingsError

from .gen import journeys_to_paths, known_effect_journeys

T = pd.Timestamp


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    touches = pd.DataFrame([
        ("u1", T("2025-01-01 10:00"), "US", "meta", "m1", "view"),      # 8 days before: out
        ("u1", T("2025-01-05 10:00"), "US", "youtube", "y1", "view"),   # view > 1 day: out
        ("u1", T("2025-01-08 10:00"), "US", "google_search", "g1", "click"),
        ("u1", T("2025-01-08 11:00"), "US", "google_search", "g1", "click"),
        ("u1", T("2025-01-09 09:00"), "US", "meta", "m1", "view"),
        ("u2", T("2025-01-01 10:00"), "DE", "tiktok", "t1", "click"),
        ("u2", T("2025-03-01 10:00"), "DE", "meta", "m2", "click"),     # 59 days later
        ("u3", T("2025-01-01 10:00"), "US", "meta", "m1", "click"),     # 19 days before order
    ], columns=["user_id", "ts", "market", "channel", "campaign", "interaction"])
    orders = pd.DataFrame([
        ("o1", "u1", T("2025-01-09 12:00"), T("2025-01-09").date(), "US", 100.0),
        ("o2", "u3", T("2025-01-20 12:00"), T("2025-01-20").date(), "US", 50.0),
    ], columns=["order_id", "customer_id", "ordered_at", "order_date", "market", "revenue_base"])
    c = duckdb.connect()
    c.register("touchpoints", touches)
    c.register("orders", orders)
    return c


def _paths(con, **kw) -> dict[str, tuple[float, float, float]]:
    df = con.execute(path_sql(parse_windows(kw.pop("windows", None)), **kw)).df()
    key = ["market", "path"] if "market" in df.columns else ["path"]
    return {" | ".join(map(str, r[key])): (r.total_conversions, r.total_conversion_value,
                                           r.total_null) for _, r in df.iterrows()}


def test_default_windows_inactivity_and_collapse(con) -> None:
    got = _paths(con)
    assert got == {
        "google_search > meta": (1, 100, 0),  # two searches collapsed; 1-day view counts
        "meta > youtube": (0, 0, 1),          # out-of-window touches: a non-converting journey
        "meta": (0, 0, 2),                    # u3's stale click; u2's second journey
        "tiktok": (0, 0, 1),                  # u2 inactive 59 days: two journeys
    }


def test_no_collapse_and_wider_windows_by_market(con) -> None:
    got = _paths(con, windows="30d-click,7d-view", by_market=True, collapse=False)
    assert got == {
        # u1's meta view is 8 days old: outside even a 7-day view window
        "US | youtube > google_search > google_search > meta": (1, 100, 0),
        "US | meta": (1, 50, 1),
        "DE | tiktok": (0, 0, 1),
        "DE | meta": (0, 0, 1),
    }


def test_per_channel_windows(con) -> None:
    got = _paths(con, windows="7d-click,1d-view,meta:30d-click")
    assert got["meta"] == (1, 50, 1)  # u3's meta click now counts for o2


def test_period_filter(con) -> None:
    got = _paths(con, start="2025-01-10", end="2025-01-31")
    assert got == {"meta": (0, 0, 0)} or "google_search > meta" not in got
    assert sum(v[0] for v in got.values()) == 0  # o1 is before the period, o2 had no touch


def test_exact_time_decay_weights(con) -> None:
    df = con.execute(path_sql(parse_windows(None), half_life_days=7.0, collapse=False)).df()
    row = df[df.total_conversions > 0].iloc[0]
    ages = np.array([26, 25, 3]) / 24  # hours before the 12:00 order -> days
    w = 0.5 ** (ages / 7)
    np.testing.assert_allclose(row.decay, w / w.sum())
    np.testing.assert_allclose(row.decay_value, 100 * w / w.sum())
    table = PathTable.from_frame(df)
    assert table.decay is not None and table.decay.sum() == pytest.approx(1.0)


def test_sql_paths_equal_direct_aggregation_on_generated_journeys() -> None:
    touch, orders, _ = known_effect_journeys(n_users=3000, seed=3)
    c = duckdb.connect()
    c.register("touchpoints", touch)
    c.register("orders", orders)
    sql_df = c.execute(path_sql(parse_windows("7d-click"), collapse=False)).df()
    direct = journeys_to_paths(touch, orders)
    merged = sql_df.merge(direct, on="path", suffixes=("", "_direct"))
    assert len(merged) == len(direct) == len(sql_df)
    np.testing.assert_allclose(merged.total_conversions, merged.total_conversions_direct)
    np.testing.assert_allclose(merged.total_null, merged.total_null_direct)
    np.testing.assert_allclose(merged.total_conversion_value, merged.total_conversion_value_direct)


def test_window_spec_errors_and_platform_defaults() -> None:
    with pytest.raises(SettingsError, match="not understood"):
        parse_windows("seven days")
    with pytest.raises(SettingsError, match="one of"):
        parse_windows("3d-click")
    w = parse_windows("platform")
    assert w.for_channel("meta") == (7, 1)
    assert w.for_channel("google_search") == (30, 1)
    assert w.for_channel("youtube") == (30, 3)
    assert w.for_channel("tiktok") == (7, 1)
    assert parse_windows("30d").for_channel("x") == (30, 1)
    assert parse_windows("1d").for_channel("x") == (1, 1)


def test_time_decay_model_uses_the_sql_weights(con) -> None:
    from adbudget.attribution import make_model

    df = con.execute(path_sql(parse_windows(None), half_life_days=7.0, collapse=False)).df()
    credit = make_model("time_decay").credit(PathTable.from_frame(df)).as_dict()
    w = 0.5 ** (np.array([26, 25, 3]) / 24 / 7)
    w = w / w.sum()
    assert credit["google_search"] == pytest.approx(w[0] + w[1])
    assert credit["meta"] == pytest.approx(w[2])


def test_boundaries_exactly_at_the_window_and_the_gap() -> None:
    """A touch exactly one window before its order counts; one at the order's instant counts;
    a gap of exactly the inactivity limit does not split; one microsecond more does."""
    from .test_sql_property import assert_same, frames, reference_paths, sql_paths

    t0 = T("2025-01-01")
    touch, orders = frames(
        [("a", t0, "US", "meta", "c1", "click"),                           # 7 d before: in
         ("a", t0 + pd.Timedelta(days=6), "US", "tiktok", "c1", "view"),   # 1 d before: in
         ("a", t0 + pd.Timedelta(days=7), "US", "email", "c1", "click"),   # same instant: in
         ("b", t0, "DE", "meta", "c1", "click"),
         ("b", t0 + pd.Timedelta(days=30), "DE", "tiktok", "c1", "click"),  # gap == 30 d
         ("b", t0 + pd.Timedelta(days=60, microseconds=1), "DE", "meta", "c1", "click")],
        [("o1", "a", t0 + pd.Timedelta(days=7), "US", 10.0),
         ("o0", "a", t0 + pd.Timedelta(days=7), "DE", 99.0)])  # same instant: one order, o0
    got = sql_paths(touch, orders, "7d-click,1d-view", by_market=True)
    assert got == {
        ("DE", "meta > tiktok > email"): {"conv": 1, "value": 99.0, "null": 0,
                                          "decay": None, "decay_value": None},
        ("DE", "meta > tiktok"): {"conv": 0, "value": 0, "null": 1, "decay": None,
                                  "decay_value": None},
        ("DE", "meta"): {"conv": 0, "value": 0, "null": 1, "decay": None, "decay_value": None},
    }
    assert_same(got, reference_paths(touch, orders, "7d-click,1d-view", by_market=True))


@pytest.mark.parametrize("options", [
    {},
    {"by_market": True, "collapse": False, "spec": "30d-click,7d-view"},
    {"unit": "campaign", "spec": "7d-click,1d-view,meta:30d-click", "inactivity_days": 7},
    {"markets": ["US"], "start": "2025-02-01", "end": "2025-03-31", "half_life_days": 7.0},
])
def test_sql_equals_python_reference_on_random_customers(options) -> None:
    """400 customers with several journeys each, ties in time, several orders: SQL == Python."""
    from .test_sql_property import assert_same, frames, reference_paths, sql_paths

    rng = np.random.default_rng(11)
    touches, orders = [], []
    for u in range(400):
        market = str(rng.choice(["US", "DE"]))
        hours = np.sort(rng.integers(0, 24 * 120, rng.integers(1, 25)))
        for h in hours:
            touches.append((f"u{u}", T("2025-01-01") + pd.Timedelta(hours=int(h)), market,
                            str(rng.choice(["meta", "google_search", "tiktok", "email"])),
                            str(rng.choice(["c1", "c2"])), str(rng.choice(["click", "view"]))))
        for k in range(rng.poisson(0.8)):
            at = T("2025-01-01") + pd.Timedelta(hours=int(rng.choice(hours)) + int(rng.integers(0, 200)))
            orders.append((f"o{u}-{k}", f"u{u}", at, market, float(rng.integers(10, 100))))
    touch, order = frames(touches, orders)
    kw = dict(options)
    spec = kw.pop("spec", None)
    want = reference_paths(touch, order, spec, **kw)
    assert sum(v["conv"] for v in want.values()) > 30 and sum(v["null"] for v in want.values()) > 100
    assert_same(sql_paths(touch, order, spec, **kw), want)


def test_empty_touches_give_an_empty_table(con) -> None:
    con.execute("CREATE TABLE no_touches AS SELECT * FROM touchpoints WHERE false")
    df = con.execute(path_sql(parse_windows(None), touch_table="no_touches")).df()
    assert df.empty and list(df.columns) == ["path", "total_conversions",
                                             "total_conversion_value", "total_null"]


def _store_rows(ws, table: str, df: pd.DataFrame) -> None:
    ws.store.con.register("df_in", df)
    ws.store.execute(f"INSERT INTO {table} BY NAME SELECT *, 0 AS import_id FROM df_in")
    ws.store.con.unregister("df_in")


def test_workspace_reports_progress_and_widens_keys_on_overflow(workspace) -> None:
    """The workspace reports DuckDB's progress (ending at 100 %, with a label when the callback
    takes one) and retries with HUGEINT keys when the BIGINT packing overflows: 100 years of
    touches over 3,000 campaigns (span 3.2e15 µs × 6,000 codes > 9.2e18)."""
    import duckdb

    n = 3000
    rng = np.random.default_rng(5)
    when = T("1950-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 36500, n)), unit="D")
    touch = pd.DataFrame({"user_id": [f"u{i % 40}" for i in range(n)], "ts": when, "market": "US",
                          "channel": "meta", "campaign": [f"k{i}" for i in range(n)],
                          "interaction": np.where(np.arange(n) % 3 == 0, "view", "click")})
    buyers = touch.groupby("user_id").ts.max().iloc[:25]
    orders = pd.DataFrame({
        "order_id": [f"o{i}" for i in range(len(buyers))], "customer_id": buyers.index,
        "ordered_at": buyers.to_numpy() + pd.Timedelta(hours=2), "market": "US", "currency": "USD",
        "revenue": 10.0, "refunded": 0.0, "revenue_base": 10.0, "refunded_base": 0.0})
    orders["order_date"] = orders.ordered_at.dt.date
    _store_rows(workspace, "touchpoints", touch)
    _store_rows(workspace, "orders", orders)
    sql = path_sql(workspace.attribution_windows(None), unit="campaign",
                   value_expr="revenue_base")
    with pytest.raises(duckdb.OutOfRangeException):
        workspace.store.query(sql)
    calls: list[tuple] = []
    got = workspace.attribution_paths(by="campaign",
                                      progress=lambda d, t, label=None: calls.append((d, t, label)))
    assert calls[-1] == (100, 100, "journeys and paths (SQL)")
    assert all(0 <= d <= 100 and t == 100 for d, t, _ in calls)
    assert got.total_conversions.sum() == 25 and got.total_conversion_value.sum() == 250
    assert got.total_null.sum() > 0
    plain: list[tuple] = []
    assert workspace.attribution_paths(by="campaign", progress=lambda d, t: plain.append((d, t))
                                       ).equals(got)
    assert plain[-1] == (100, 100)
