"""Bootstrap intervals for touch-level models (``hazard``): journeys resampled with all their
touches, the model refitted on each replicate."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.attribution import TouchTable, bootstrap_touches, make_model, resample_journeys

from .test_hazard import draw_journeys


def _journey_signature(table: TouchTable, j: int) -> tuple:
    mine = table.journey == j
    touches = sorted(zip(table.channel[mine].tolist(), table.seconds[mine].tolist(), strict=True))
    return bool(table.converted[j]), float(table.value[j]), tuple(touches)


def test_a_replicate_is_whole_journeys_drawn_with_replacement():
    table = TouchTable.from_frame(draw_journeys(3, 300, 0.01, [0.3, 0.1], [1.0, 3.0]))
    rep = resample_journeys(table, np.random.default_rng(7))
    assert rep.n_journeys == table.n_journeys and rep.channels == table.channels
    originals = {_journey_signature(table, j) for j in range(table.n_journeys)}
    copies = [_journey_signature(rep, j) for j in range(rep.n_journeys)]
    assert all(c in originals for c in copies)  # every new journey is an old one, whole
    assert len(set(copies)) < len(originals)  # with replacement: some drawn twice, some never
    again = resample_journeys(table, np.random.default_rng(7))
    assert np.array_equal(rep.journey, again.journey) and np.array_equal(rep.seconds, again.seconds)
    if table.order_id:
        assert len(rep.order_id) == rep.n_journeys


@pytest.fixture(scope="module")
def tables():
    small = TouchTable.from_frame(draw_journeys(5, 1500, 0.005, [0.3, 0.15, 0.05], [0.5, 3.0, 1.0]))
    large = TouchTable.from_frame(draw_journeys(6, 6000, 0.005, [0.3, 0.15, 0.05], [0.5, 3.0, 1.0]))
    return small, large


def test_intervals_hold_the_estimate_and_narrow_with_four_times_the_journeys(tables):
    model = make_model("hazard")
    widths = []
    for table in tables:
        point = model.credit_touches(table)
        iv = bootstrap_touches(model, table, n_boot=40, level=0.9, seed=1)
        assert iv.draws.shape == (40, table.n_channels)
        assert (iv.conversions_lo <= point.conversions + 1e-9).all()
        assert (point.conversions <= iv.conversions_hi + 1e-9).all()
        assert (iv.value_lo <= point.value + 1e-6).all() and (point.value <= iv.value_hi + 1e-6).all()
        # replicates are refits, not copies: they vary
        assert (iv.conversions_hi - iv.conversions_lo > 0).all()
        widths.append((iv.conversions_hi - iv.conversions_lo) / point.conversions)
    # relative width falls like 1/sqrt(n): 4x the journeys, about half the width
    ratio = widths[1] / widths[0]
    print("relative width ratio per channel (large / small):", ratio.round(2))
    assert (ratio > 0.2).all() and (ratio < 0.75).all()


def test_no_replicates_gives_no_interval(tables):
    iv = bootstrap_touches(make_model("hazard"), tables[0], n_boot=0)
    assert np.isnan(iv.conversions_lo).all() and iv.draws.shape == (0, tables[0].n_channels)


def test_replicates_do_not_depend_on_the_number_of_threads(tables, monkeypatch):
    import importlib

    boot = importlib.import_module("adbudget.attribution.bootstrap")  # the module, not the function

    model = make_model("hazard")
    threaded = bootstrap_touches(model, tables[0], n_boot=6, seed=4)
    monkeypatch.setattr(boot.os, "cpu_count", lambda: 1)
    single = bootstrap_touches(model, tables[0], n_boot=6, seed=4)
    np.testing.assert_array_equal(threaded.draws, single.draws)
    other_seed = bootstrap_touches(model, tables[0], n_boot=6, seed=5)
    assert not np.array_equal(threaded.draws, other_seed.draws)
