"""Lift tests: iROAS and intervals by hand; pooling by inverse variance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adbudget.experiments.lift import analyze_lift_tests, lift_calibration


def _tests():
    return pd.DataFrame(dict(
        test_id=["g1", "g2", "g3"], market=["US", "US", "DE"], channel=["meta", "meta", "tiktok"],
        start_date=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
        end_date=pd.to_datetime(["2025-01-28", "2025-02-28", "2025-01-14"]),
        spend=[10_000.0, 20_000.0, 5_000.0], incremental_revenue=[25_000.0, 40_000.0, 2_000.0],
        incremental_revenue_se=[5_000.0, 8_000.0, 2_500.0], currency=["USD", "USD", "EUR"],
        method=["geo_holdout", "geo_holdout", "conversion_lift"],
    ))


def test_iroas_interval():
    r = {x.test_id: x for x in analyze_lift_tests(_tests(), level=0.9)}
    assert np.isclose(r["g1"].iroas, 2.5) and np.isclose(r["g1"].iroas_se, 0.5)
    assert np.isclose(r["g1"].iroas_lo, 2.5 - 1.6448536 * 0.5, atol=1e-6)
    assert r["g1"].significant and not r["g3"].significant
    assert r["g1"].days == 28
    assert np.isclose(r["g3"].p_positive, 0.7881446, atol=1e-6)  # Phi(0.4 / 0.5)


def test_pooled_calibration():
    cal = lift_calibration(analyze_lift_tests(_tests())).set_index(["market", "channel"])
    us = cal.loc[("US", "meta")]
    w = np.array([1 / 0.5**2, 1 / 0.4**2])
    pooled = (w * [2.5, 2.0]).sum() / w.sum()
    q = (w * (np.array([2.5, 2.0]) - pooled) ** 2).sum()  # 0.49 < 1 df: no widening
    assert np.isclose(us.iroas, pooled) and np.isclose(us.iroas_se, np.sqrt(1 / w.sum()))
    assert q < 1 and us.n_tests == 2
    # disagreeing tests widen the SE by sqrt(Q / df)
    df = _tests()
    df.loc[1, "incremental_revenue"] = 80_000.0  # iROAS 4.0
    cal2 = lift_calibration(analyze_lift_tests(df)).set_index(["market", "channel"]).loc[("US", "meta")]
    pooled2 = (w * [2.5, 4.0]).sum() / w.sum()
    q2 = (w * (np.array([2.5, 4.0]) - pooled2) ** 2).sum()
    assert np.isclose(cal2.iroas_se, np.sqrt(1 / w.sum()) * np.sqrt(q2))
    assert analyze_lift_tests(df.iloc[0:0]) == []


def test_scale_test_iroas_is_the_return_of_the_extra_spend_and_is_not_pooled_with_holdouts():
    df = _tests()
    scale = df.iloc[[0]].assign(test_id="s1", start_date=pd.Timestamp("2025-03-01"),
                                end_date=pd.Timestamp("2025-03-28"), spend=20_000.0,
                                baseline_spend=10_000.0, incremental_revenue=8_000.0,
                                incremental_revenue_se=3_000.0, method="geo_scale")
    both = pd.concat([df.assign(baseline_spend=0.0), scale], ignore_index=True)
    r = {x.test_id: x for x in analyze_lift_tests(both)}
    assert r["s1"].kind == "scale" and r["g1"].kind == "holdout"
    assert np.isclose(r["s1"].iroas, 0.8) and np.isclose(r["s1"].iroas_se, 0.3)  # over 10,000 extra
    cal = lift_calibration(list(r.values())).set_index(["market", "channel", "kind"])
    assert cal.loc[("US", "meta", "scale"), "n_tests"] == 1
    assert np.isclose(cal.loc[("US", "meta", "scale"), "iroas"], 0.8)
    assert cal.loc[("US", "meta", "holdout"), "n_tests"] == 2
    # a file without the column reads as holdouts, as before
    assert all(x.kind == "holdout" for x in analyze_lift_tests(df))
