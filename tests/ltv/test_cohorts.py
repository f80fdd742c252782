"""Cohort table on hand-made orders whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.errors import InputError
from adbudget.ltv import Margins, acquisition_channels, cohort_table, order_values


def _orders() -> pd.DataFrame:
    rows = [
        # customer, day, market, revenue, refunded, channel
        ("a", "2025-01-03", "US", 100.0, 0.0, "meta"),
        ("a", "2025-01-20", "US", 50.0, 0.0, None),     # repeat at age 17 days
        ("a", "2025-03-10", "US", 40.0, 10.0, None),    # repeat at age 66 days, 10 refunded
        ("b", "2025-01-15", "US", 80.0, 0.0, "meta"),   # never again
        ("c", "2025-01-31", "US", 60.0, 60.0, "google_search"),  # fully refunded
        ("c", "2025-01-31", "US", 20.0, 0.0, None),     # same day: not a repeat
        ("d", "2025-02-02", "US", 30.0, 0.0, None),     # no channel: 'other'
        ("e", "2025-01-10", "DE", 70.0, 0.0, "meta"),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "market", "revenue", "refunded",
                                     "first_touch_channel"])
    return order_values(df, {m: Margins(gross_margin_pct=50.0, shipping_cost_per_order=0.0,
                                        payment_fee_pct=0.0) for m in ("US", "DE")})


def test_cohort_values_by_age():
    v = _orders()
    rep = cohort_table(v, acquisition_channels(v), windows=(30, 90), as_of="2025-06-30")
    rows = rep.rows.set_index(["cohort", "market", "channel"])
    meta = rows.loc[("2025-01", "US", "meta")]
    assert meta["customers"] == 2
    assert meta["repeat_rate_30d"] == pytest.approx(0.5)      # a bought again at day 17
    assert meta["revenue_30d"] == pytest.approx((150.0 + 80.0) / 2)
    assert meta["revenue_90d"] == pytest.approx((150.0 + 30.0 + 80.0) / 2)  # refund netted
    assert meta["profit_90d"] == pytest.approx(0.5 * meta["revenue_90d"])
    g = rows.loc[("2025-01", "US", "google_search")]
    assert g["repeat_rate_90d"] == 0.0 and g["revenue_30d"] == pytest.approx(20.0)
    assert rows.loc[("2025-02", "US", "other")]["customers"] == 1


def test_young_cohorts_are_left_empty():
    v = _orders()
    rep = cohort_table(v, acquisition_channels(v), windows=(30, 90), as_of="2025-04-15")
    rows = rep.rows.set_index(["cohort", "market", "channel"])
    # January cohort: last first order 2025-01-31, 90 days later is 2025-04-30 > as_of
    assert np.isnan(rows.loc[("2025-01", "US", "meta")]["revenue_90d"])
    assert not np.isnan(rows.loc[("2025-01", "US", "meta")]["revenue_30d"])


def test_without_channels_and_bad_windows():
    v = _orders()
    rep = cohort_table(v, None, by_channel=False, windows=(30,), as_of="2025-06-30")
    assert set(rep.rows["channel"]) == {"*"}
    assert rep.rows["customers"].sum() == 5
    with pytest.raises(InputError):
        cohort_table(v, windows=(0,))
    with pytest.raises(InputError):
        cohort_table(v.iloc[:0])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 330), st.floats(1, 500),
                          st.sampled_from(["US", "DE"])), min_size=1, max_size=40))
def test_cohort_invariants(rows):
    df = pd.DataFrame(rows, columns=["c", "day", "revenue", "market"])
    df["customer_id"] = df["market"] + df["c"].astype(str)
    df["order_date"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(df["day"], unit="D")
    df["refunded"] = 0.0
    v = order_values(df, {m: Margins(shipping_cost_per_order=0.0, payment_fee_pct=0.0) for m in ("US", "DE")})
    rep = cohort_table(v, None, by_channel=False, windows=(30, 90, 365), as_of="2027-01-01")
    r = rep.rows
    assert r["customers"].sum() == df["customer_id"].nunique()
    assert r[[f"revenue_{d}d" for d in (30, 90, 365)]].notna().all().all()  # all mature
    for a, b in ((30, 90), (90, 365)):
        assert (r[f"revenue_{a}d"] <= r[f"revenue_{b}d"] + 1e-9).all()
        assert (r[f"repeat_rate_{a}d"] <= r[f"repeat_rate_{b}d"] + 1e-12).all()
    assert r["repeat_rate_365d"].between(0, 1).all()
    # everything within 365 days of the first order is counted by then (data span < 1 year;
    # the last cohort month ends by 2025-12-31, so 365 days fit before as_of)
    total = r["revenue_365d"] * r["customers"]
    assert total.sum() == pytest.approx(df["revenue"].sum())
