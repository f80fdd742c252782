"""The path-aggregation statement equals a plain Python implementation of the same rules.

``reference_paths`` is written for clarity, not speed: one customer at a time, the next
order found by a scan, journeys built with dicts. Hypothesis draws small touch/order sets
full of edge cases (ties in time, orders at the same instant as a touch or as each other,
gaps just around the inactivity limit, several markets per customer) and every option the
statement has; the SQL result must equal the reference.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.attribution import parse_windows, path_sql
from adbudget.attribution.sql import UNITS

BASE = pd.Timestamp("2025-01-01")
CHANNELS = ("meta", "google_search", "tiktok")


def _unit(row: Any, unit: str) -> str:
    if unit == "channel":
        return row.channel
    return row.channel + "/" + row.campaign.replace(">", "›").replace(",", " ")


def reference_paths(touch: pd.DataFrame, orders: pd.DataFrame, spec: str | None = None, *,
                    unit: str = "channel", by_market: bool = False, collapse: bool = True,
                    inactivity_days: int = 30, half_life_days: float | None = None,
                    markets: list[str] | None = None, start: str | None = None,
                    end: str | None = None) -> dict[tuple, dict[str, Any]]:
    """{(market?, path): {conv, value, null[, decay, decay_value]}} by the documented rules."""
    assert unit in UNITS
    windows = parse_windows(spec)
    gap = pd.Timedelta(days=inactivity_days)
    # orders at the same instant of one customer are one order: the lowest order_id decides
    by_user: dict[str, list[tuple]] = defaultdict(list)
    for o in orders.sort_values(["customer_id", "ordered_at", "order_id"]).itertuples():
        lst = by_user[o.customer_id]
        if not lst or lst[-1][0] != o.ordered_at:
            lst.append((o.ordered_at, o.market, o.order_date, float(o.revenue_base)))
    journeys: dict[tuple, list[tuple]] = defaultdict(list)  # key -> [(ts, unit, market, win)]
    for t in touch.itertuples():
        click, view = windows.for_channel(t.channel)
        win = pd.Timedelta(days=view if t.interaction == "view" else click)
        nxt = next((o for o in by_user.get(t.user_id, []) if o[0] >= t.ts), None)
        hit = nxt is not None and nxt[0] - t.ts <= win
        journeys[(t.user_id, hit, nxt)].append((t.ts, _unit(t, unit), t.market, win))
    out: dict[tuple, dict[str, Any]] = defaultdict(
        lambda: {"conv": 0.0, "value": 0.0, "null": 0.0, "decay": None, "decay_value": None})
    for (_user, hit, order), items in journeys.items():
        items.sort(key=lambda x: (x[0], x[1], x[2], x[3]))
        sessions = [[items[0]]]
        for prev, cur in zip(items, items[1:], strict=False):
            if not hit and cur[0] - prev[0] > gap:
                sessions.append([cur])
            else:
                sessions[-1].append(cur)
        for s in sessions:
            if collapse:
                s = [x for i, x in enumerate(s) if i == len(s) - 1 or s[i + 1][1] != x[1]]
            market = order[1] if hit else s[0][2]
            if hit:
                if start and order[2] < pd.Timestamp(start).date():
                    continue
                if end and order[2] > pd.Timestamp(end).date():
                    continue
            else:
                if start and s[0][0] < pd.Timestamp(start):
                    continue
                if end and s[0][0] >= pd.Timestamp(end) + pd.Timedelta(days=1):
                    continue
            if markets and market not in markets:
                continue
            path = " > ".join(x[1] for x in s)
            row = out[(market, path) if by_market else (path,)]
            if not hit:
                row["null"] += 1
                continue
            row["conv"] += 1
            row["value"] += order[3]
            if half_life_days is not None:
                ages = np.array([(order[0] - x[0]).total_seconds() / 86400 for x in s])
                w = 0.5 ** (ages / half_life_days)
                w = w / w.sum()
                prev_d = row["decay"]
                if prev_d is None:
                    row["decay"], row["decay_value"] = w.copy(), w * order[3]
                else:  # paths of equal text have equal length
                    row["decay"] = prev_d + w
                    row["decay_value"] = row["decay_value"] + w * order[3]
    return dict(out)


def sql_paths(touch: pd.DataFrame, orders: pd.DataFrame, spec: str | None = None,
              **kw: Any) -> dict[tuple, dict[str, Any]]:
    """The statement's result in the reference's shape."""
    con = duckdb.connect()
    con.register("touchpoints", touch)
    con.register("orders", orders)
    df = con.execute(path_sql(parse_windows(spec), **kw)).df()
    out = {}
    for r in df.itertuples():
        key = (r.market, r.path) if "market" in df.columns else (r.path,)
        decay = getattr(r, "decay", None)
        has = isinstance(decay, list | np.ndarray)
        out[key] = {"conv": r.total_conversions, "value": r.total_conversion_value,
                    "null": r.total_null,
                    "decay": np.asarray(decay) if has else None,
                    "decay_value": np.asarray(r.decay_value) if has else None}
    return out


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        assert g["conv"] == w["conv"], key
        assert g["null"] == w["null"], key
        assert g["value"] == pytest.approx(w["value"], rel=1e-9, abs=1e-9), key
        if w["decay"] is None:
            assert g["decay"] is None, key
        else:
            np.testing.assert_allclose(g["decay"], w["decay"], rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(g["decay_value"], w["decay_value"], rtol=1e-9, atol=1e-9)


def frames(touch_rows: list[tuple], order_rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    touch = pd.DataFrame(touch_rows, columns=["user_id", "ts", "market", "channel", "campaign",
                                              "interaction"])
    if touch.empty:
        touch = touch.astype({"ts": "datetime64[ns]"})
    orders = pd.DataFrame(order_rows, columns=["order_id", "customer_id", "ordered_at", "market",
                                               "revenue_base"])
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"])
    orders["order_date"] = orders["ordered_at"].dt.date
    return touch, orders


# hours on a ~100-day grid, often on a few instants 1, 7 and 30 days apart: ties, touches at
# an order's instant, touches exactly a window or the inactivity gap before the next event
hours = st.one_of(st.integers(0, 2400),
                  st.sampled_from([0, 24, 144, 168, 169, 192, 720, 721, 745, 888, 912]))


@st.composite
def data(draw):
    users = [f"u{i}" for i in range(draw(st.integers(1, 4)))]
    touch_rows = [
        (draw(st.sampled_from(users)), BASE + pd.Timedelta(hours=draw(hours)),
         draw(st.sampled_from(["US", "DE"])), draw(st.sampled_from(CHANNELS)),
         draw(st.sampled_from(["c1", "c,2"])), draw(st.sampled_from(["click", "view"])))
        for _ in range(draw(st.integers(0, 14)))
    ]
    order_rows = [
        (f"o{i}", draw(st.sampled_from(users)), BASE + pd.Timedelta(hours=draw(hours)),
         draw(st.sampled_from(["US", "DE"])), float(draw(st.integers(1, 500))))
        for i in range(draw(st.integers(0, 5)))
    ]
    options = {
        "spec": draw(st.sampled_from([None, "30d-click,7d-view", "1d", "7d-click,1d-view,meta:30d-click",
                                      "platform"])),
        "unit": draw(st.sampled_from(list(UNITS))),
        "by_market": draw(st.booleans()),
        "collapse": draw(st.booleans()),
        "inactivity_days": draw(st.sampled_from([1, 7, 30])),
        "half_life_days": draw(st.sampled_from([None, 1.0, 7.0])),
        "markets": draw(st.sampled_from([None, ["US"], ["US", "DE"]])),
        "start": draw(st.sampled_from([None, "2025-01-20"])),
        "end": draw(st.sampled_from([None, "2025-03-01"])),
    }
    return touch_rows, order_rows, options


def _check(case) -> None:
    touch_rows, order_rows, options = case
    touch, orders = frames(touch_rows, order_rows)
    spec = options.pop("spec")
    assert_same(sql_paths(touch, orders, spec, **options),
                reference_paths(touch, orders, spec, **options))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data())
def test_sql_equals_python_reference(case) -> None:
    _check(case)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data())
def test_sql_equals_python_reference_many(case) -> None:
    _check(case)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data())
def test_wide_keys_give_the_same_result(case) -> None:
    touch_rows, order_rows, options = case
    touch, orders = frames(touch_rows, order_rows)
    spec = options.pop("spec")
    assert_same(sql_paths(touch, orders, spec, wide=True, **options),
                sql_paths(touch, orders, spec, **options))
