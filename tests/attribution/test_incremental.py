"""Incremental attribution: path credit rescaled per channel to the response model's estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.attribution.incremental import scale_to_incremental


def test_each_channel_total_becomes_the_estimate_and_the_split_within_it_stays():
    credit = pd.DataFrame({
        "channel": ["meta", "meta", "google_search", "kol"],
        "campaign": ["US_Meta_Prospecting", "US_Meta_Retargeting", "US_GSearch_Brand", "KOL_1"],
        "conversions": [30.0, 10.0, 50.0, 5.0], "revenue": [1500.0, 500.0, 2500.0, 250.0],
        "conversions_lo": [25.0, 8.0, 45.0, 4.0], "conversions_hi": [35.0, 12.0, 55.0, 6.0],
    })
    model = pd.DataFrame({"channel": ["meta", "google_search"],
                          "incremental_revenue": [1000.0, 500.0]})
    out = scale_to_incremental(credit, model, ["channel", "campaign"])
    totals = out.groupby("channel")["revenue"].sum()
    assert totals["meta"] == pytest.approx(1000.0)
    assert totals["google_search"] == pytest.approx(500.0)  # navigational credit cut to 1/5
    assert totals["kol"] == pytest.approx(250.0)  # no estimate: unchanged, flagged
    assert out.set_index("campaign").loc["KOL_1", "incremental"] == False  # noqa: E712
    meta = out[out["channel"] == "meta"].set_index("campaign")
    assert meta.loc["US_Meta_Prospecting", "revenue"] / meta.loc["US_Meta_Retargeting", "revenue"] \
        == pytest.approx(3.0)
    # conversions and their intervals move with the same factor
    assert np.allclose(out["conversions"] / credit["conversions"], out["incremental_factor"])
    assert np.allclose(out["conversions_hi"] / credit["conversions_hi"], out["incremental_factor"])


def test_no_estimate_at_all_leaves_the_credit_as_it_was():
    credit = pd.DataFrame({"market": ["US"], "conversions": [3.0], "revenue": [90.0]})
    out = scale_to_incremental(credit, pd.DataFrame({"channel": ["meta"],
                                                     "incremental_revenue": [1.0]}), ["market"])
    assert out["revenue"].tolist() == [90.0] and out["incremental_factor"].tolist() == [1.0]
