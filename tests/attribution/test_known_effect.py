"""On journeys with a known per-channel incremental effect, data-driven credit is closer to
the truth than last touch (the platforms' default)."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.attribution import PathTable, make_model

from .gen import journeys_to_paths, known_effect_journeys


@pytest.fixture(scope="module")
def table_and_truth() -> tuple[PathTable, np.ndarray]:
    touch, orders, truth = known_effect_journeys(n_users=20000, seed=7)
    table = PathTable.from_frame(journeys_to_paths(touch, orders))
    share = np.array([truth[c] for c in table.channels])
    return table, share / share.sum()


def _error(name: str, table: PathTable, truth: np.ndarray) -> float:
    credit = make_model(name).credit(table).conversions
    return float(np.abs(credit / credit.sum() - truth).sum())


@pytest.mark.parametrize("model", ["markov", "markov_auto", "shapley"])
def test_data_driven_beats_last_touch(model: str, table_and_truth) -> None:
    table, truth = table_and_truth
    last = _error("last", table, truth)
    ours = _error(model, table, truth)
    print(f"\nL1 error of channel shares vs true incremental shares: last={last:.3f} {model}={ours:.3f}")
    assert ours < last


def test_shapley_recovers_additive_effects_closely(table_and_truth) -> None:
    table, truth = table_and_truth
    assert _error("shapley", table, truth) < 0.12
