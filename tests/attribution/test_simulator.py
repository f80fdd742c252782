"""On the simulator's journeys (known causal channel per tracked conversion), compare every
model's channel shares with the true shares of the caused conversions; print every error.

Issue #4 asks that a data-driven model's error be smaller than last touch's. On the
simulator's realistic journeys (``adbudget.simulate.journeys``: one ad-delivery process for
converters and non-converters, persuaded users size-biased, navigational search/marketplace
touches before purchases) it does **not** hold, and the tests below say so with strict
expected failures: if a change makes the claim true, they fail and must become plain tests.

Measured (L1 error of shares, 30-day windows; `pytest tests/attribution/test_simulator.py
-s`, and `-m slow` for the variants; docs/attribution.md has the full table):

- tiny world, 3,000 journeys, seeds 0–3: last 0.27/0.20/0.36/0.17, shapley
  0.25/0.24/0.43/0.22, markov 0.54/0.50/0.35/0.44, markov_auto 0.55/0.47/0.32/0.44 — the
  best data-driven model wins on seeds 0 and 2 and loses on 1 and 3;
- 20,000 journeys (less noise), seeds 0–3 and the small world (seed 7): last
  0.20/0.20/0.25/0.26/0.19, shapley 0.24/0.27/0.34/0.32/0.31 — loses everywhere; without
  the navigational touches last 0.30/0.24/0.20/0.23/0.27, shapley 0.37/0.24/0.27/0.25/0.26.

The time-aware additive-hazard model (``hazard``: touch-level journeys from ``touch_sql``,
an organic baseline, effects that fade with time) is measured next to them: tiny
0.197/0.225/0.448/0.292 (wins seed 0 only); 20,000 journeys 0.266/0.245/0.322/0.381, small
0.302 (loses everywhere); without navigational touches 0.164/0.160/0.158/0.122, small 0.154
— below last touch on every seed, which ``test_hazard_beats_last_touch_without_navigational_
touches`` asserts (slow). The navigational touches are what it cannot tell from persuasion.

Why: the world's carryover kernels (its aggregate truth) put most search, marketplace and
Meta effects within hours of the order, and at tracked-touch frequencies few touches fall in
between, so the persuading touch is still the last one for ~3/4 of caused conversions. What
moves it off the last spot are navigational touches — and they fool every observational
model as much as last touch, because they, too, are more frequent in converting journeys.
The data-driven models also spread the organic conversions (about half of the tracked ones)
over the channels by participation, which over-credits the high-reach channels.
"""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pandas as pd
import pytest

from adbudget.attribution import MODELS as REGISTRY
from adbudget.attribution import (
    TOUCH_MODELS,
    PathTable,
    TouchTable,
    make_model,
    parse_windows,
    path_sql,
    touch_sql,
)

world_mod = pytest.importorskip("adbudget.simulate.world")
journeys = pytest.importorskip("adbudget.simulate.journeys")

SEEDS = (0, 1, 2, 3)
MODELS = tuple(sorted(REGISTRY))  # every registered path model is measured and printed
TIMED = tuple(sorted(TOUCH_MODELS))  # and every touch-level (time-aware) model
DATA_DRIVEN = tuple(m for m in MODELS if REGISTRY[m].data_driven) + TIMED
REASON = ("on the simulator's realistic journeys no data-driven model beats last touch on "
          "every seed; see the module doc and docs/attribution.md")


def share_errors(seed: int, size: str = "tiny", users: int | None = None) -> dict[str, float]:
    """L1 error of each model's channel shares against the true shares of caused conversions."""
    spec = world_mod.build_spec(seed, size)
    if users is not None:
        spec = dataclasses.replace(spec, users=users)
    world = world_mod.World(spec)
    touches = world.touchpoints()
    touches["ts"] = pd.to_datetime(touches["ts"].str.rstrip("Z"))
    con = duckdb.connect()
    con.register("touchpoints", touches)
    con.register("orders", world.orders())
    # every simulated journey spans the 30 days before its order
    table = PathTable.from_frame(con.execute(path_sql(parse_windows("30d-click,30d-view"))).df())
    truth = world.true_channel_credit().set_index("channel")["conversions"]
    share = truth.reindex(list(table.channels)).fillna(0.0).to_numpy(dtype=float)
    share = share / share.sum()
    errors = {}
    for name in MODELS:
        credit = make_model(name).credit(table)
        assert credit.conversions.sum() == pytest.approx(table.total_conversions)
        errors[name] = float(np.abs(credit.conversions / credit.conversions.sum() - share).sum())
    # time-aware models: the same journeys, touch by touch (30-day horizon as the windows)
    touch_table = TouchTable.from_frame(con.execute(touch_sql(inactivity_days=30)).df())
    assert touch_table.total_conversions == table.total_conversions
    share = truth.reindex(list(touch_table.channels)).fillna(0.0).to_numpy(dtype=float)
    share = share / share.sum()
    for name in TIMED:
        credit = make_model(name).credit_touches(touch_table)
        assert credit.conversions.sum() + credit.baseline == pytest.approx(table.total_conversions)
        # shares of the credited (non-organic) conversions, as for the other models
        errors[name] = float(np.abs(credit.conversions / credit.conversions.sum() - share).sum())
    return errors


def _report(label: str, rows: dict[object, dict[str, float]]) -> None:
    print(f"\nL1 error of channel shares vs the simulator's true credit ({label}):")
    for key, errors in rows.items():
        print(f"  {key}: " + ", ".join(f"{k}={v:.3f}" for k, v in errors.items()))


def _best_beats_last(errors: dict[str, float]) -> bool:
    return min(errors[m] for m in DATA_DRIVEN) < errors["last"]


@pytest.mark.xfail(reason=REASON, strict=True)
def test_data_driven_beats_last_touch_on_every_seed() -> None:
    rows = {f"seed {s}": share_errors(s) for s in SEEDS}
    _report("tiny world, 3,000 journeys", rows)
    # the errors are real measurements, not placeholders: last touch is far from perfect
    assert all(0.05 < r["last"] < 1.0 for r in rows.values())
    assert all(_best_beats_last(r) for r in rows.values())


def _more_journeys(label: str) -> dict[object, dict[str, float]]:
    rows: dict[object, dict[str, float]] = {f"seed {s}": share_errors(s, users=20_000) for s in SEEDS}
    rows["small seed 7"] = share_errors(7, "small")
    _report(label, rows)
    return rows


@pytest.mark.slow
@pytest.mark.xfail(reason=REASON, strict=True)
def test_data_driven_beats_last_touch_with_more_journeys() -> None:
    rows = _more_journeys("20,000 journeys, navigational touches on")
    assert all(_best_beats_last(r) for r in rows.values())


@pytest.mark.slow
def test_hazard_beats_last_touch_without_navigational_touches(monkeypatch) -> None:
    """Without the navigational (non-causal, pre-purchase) search/marketplace touches, the
    additive-hazard model's error is below last touch's on every seed (it was the only
    data-driven model to get there; numbers in docs/attribution.md)."""
    monkeypatch.setattr(journeys, "NAV_CONVERTER", 0.0)
    monkeypatch.setattr(journeys, "NAV_NON", 0.0)
    rows = _more_journeys("20,000 journeys, navigational touches off")
    for key, r in rows.items():
        assert r["hazard"] < r["last"], key
