"""The simulator's journeys look like tracked journeys do (module doc of
``adbudget.simulate.journeys``): one ad-delivery process for everyone, persuaded converters
see more ads, the persuading touch is often followed by others, navigational touches cluster
before purchases — and none of it changes the orders or their causes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import adbudget.simulate.journeys as journeys
from adbudget.simulate import World


def _frames(world: World) -> tuple[pd.DataFrame, pd.DataFrame]:
    tp = world.touchpoints()
    tp["ts"] = pd.to_datetime(tp["ts"].str.rstrip("Z"))
    first = (world.orders().sort_values("ordered_at", kind="stable")
             .drop_duplicates("customer_id").set_index("customer_id"))
    return tp, first


def _groups(tp: pd.DataFrame, first: pd.DataFrame) -> pd.Series:
    """Touches per journey, by kind of user: caused converter, organic converter, non-converter."""
    n = tp.groupby("user_id").size()
    cause = first["cause"].reindex(n.index)
    kind = np.where(cause.isna(), "non", np.where(cause == "organic", "organic", "caused"))
    return n.groupby(kind).mean()


def test_one_delivery_process_and_persuaded_users_see_more_ads(tiny_world) -> None:
    tp, first = _frames(tiny_world)
    mean = _groups(tp, first)
    # organic converters and non-converters: the same exposure process (the old simulator
    # gave them 2.2 vs 3.5 touches); a persuaded converter has its persuading touch on top of
    # a size-biased exposure rate (expected ≈ 1 + 2 × the mean)
    assert abs(mean["organic"] - mean["non"]) < 0.6
    assert mean["caused"] - mean["non"] > 1.5
    assert 2.5 < mean["non"] < 4.5  # ≈ MEAN_TOUCHES given at least one (size kept)


def test_the_persuading_touch_is_often_not_the_last(tiny_world) -> None:
    tp, first = _frames(tiny_world)
    last = tp.sort_values(["user_id", "ts"], kind="stable").groupby("user_id").last()
    caused = last.join(first["cause"], how="inner")
    caused = caused[caused["cause"] != "organic"]
    same = float((caused["channel"] == caused["cause"]).mean())
    # the old simulator: 94 % (the causal touch was nearly always last); now the kernels still
    # put most search / marketplace / Meta effects within hours, but other touches follow
    assert 0.5 < same < 0.85


def test_navigational_touches_cluster_before_orders(monkeypatch) -> None:
    def share_near_order(world: World) -> float:
        tp, first = _frames(world)
        t = tp.join(first["ordered_at"], on="user_id", how="inner")
        near = t[(t["ordered_at"] - t["ts"] <= pd.Timedelta(hours=journeys.NAV_HOURS))
                 & t["channel"].isin(journeys.NAV_CHANNELS)]
        return near["user_id"].nunique() / t["user_id"].nunique()

    with_nav = World.build(seed=11, size="tiny")
    a = share_near_order(with_nav)  # journeys are drawn lazily: before the patch
    p_nav = journeys.NAV_CONVERTER
    monkeypatch.setattr(journeys, "NAV_CONVERTER", 0.0)
    without = World.build(seed=11, size="tiny")
    b = share_near_order(without)
    # every tiny market has a search line: NAV_CONVERTER of the converters get one, except
    # those that already had such a touch in the last day
    assert a - b == pytest.approx(p_nav * (1 - b), abs=0.06)
    # the journeys never change the orders, their causes or the true credit
    cols = ["conversions", "revenue"]
    pd.testing.assert_frame_equal(with_nav.orders().drop(columns="first_touch_channel"),
                                  without.orders().drop(columns="first_touch_channel"))
    pd.testing.assert_frame_equal(with_nav.true_channel_credit()[cols],
                                  without.true_channel_credit()[cols])


def test_journeys_are_deterministic_in_the_seed() -> None:
    a = World.build(seed=3, size="tiny").touchpoints()
    b = World.build(seed=3, size="tiny").touchpoints()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(World.build(seed=4, size="tiny").touchpoints())
