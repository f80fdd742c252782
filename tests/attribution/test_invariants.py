"""Invariants every model must keep (hypothesis): totals, absent channels, relabelling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.attribution import MODELS, PathTable, make_model, shapley_values

from .strategies import path_tables

ALL = sorted(MODELS)
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", ALL)
@FAST
@given(table=path_tables())
def test_credits_sum_to_conversions_and_value(name: str, table: PathTable) -> None:
    credit = make_model(name).credit(table)
    assert credit.conversions.sum() == pytest.approx(table.total_conversions, rel=1e-9)
    assert credit.value.sum() == pytest.approx(table.total_value, rel=1e-9)
    assert (credit.conversions >= -1e-12).all() and (credit.value >= -1e-12).all()


@pytest.mark.parametrize("name", ALL)
@FAST
@given(table=path_tables())
def test_a_channel_that_never_appears_changes_nothing(name: str, table: PathTable) -> None:
    before = make_model(name).credit(table)
    wider = PathTable(table.channels + ("zz_absent",), table.indptr, table.tokens,
                      table.conversions, table.value, table.nulls)
    after = make_model(name).credit(wider)
    assert after.conversions[-1] == 0 and after.value[-1] == 0
    np.testing.assert_allclose(after.conversions[:-1], before.conversions, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(after.value[:-1], before.value, rtol=1e-9, atol=1e-7)


@pytest.mark.parametrize("name", ALL)
@FAST
@given(table=path_tables(), data=st.data())
def test_relabelling_channels_permutes_credits(name: str, table: PathTable, data) -> None:
    perm = data.draw(st.permutations(range(table.n_channels)))
    # new token i means old channel perm[i]: same journeys, channels listed in another order
    inverse = np.argsort(perm)
    shuffled = PathTable(tuple(table.channels[p] for p in perm), table.indptr,
                         inverse[table.tokens].astype(np.int32), table.conversions, table.value,
                         table.nulls)
    a = make_model(name).credit(table).as_dict()
    b = make_model(name).credit(shuffled).as_dict()
    for channel in table.channels:
        assert b[channel] == pytest.approx(a[channel], rel=1e-7, abs=1e-7)


@pytest.mark.parametrize("name", ["first", "last", "linear", "position", "time_decay",
                                  "shapley_simplified", "last_non_direct"])
@FAST
@given(table=path_tables(max_paths=1))
def test_each_order_gets_at_most_one_unit(name: str, table: PathTable) -> None:
    # one path with k conversions: the path's credit is exactly k, each channel ≤ k
    credit = make_model(name).credit(table)
    k = table.total_conversions
    assert credit.conversions.sum() == pytest.approx(k)
    assert (credit.conversions <= k + 1e-9).all()


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 6), data=st.data())
def test_shapley_efficiency_and_symmetry(n: int, data) -> None:
    worth = np.array(data.draw(st.lists(st.floats(-5, 5), min_size=2**n, max_size=2**n)))
    worth[0] = 0.0
    phi = shapley_values(worth)
    assert phi.sum() == pytest.approx(worth[-1] - worth[0], abs=1e-9)
    # make players 0 and 1 symmetric: v(S ∪ {0}) = v(S ∪ {1}) for S without both
    if n >= 2:
        sym = worth.copy()
        for s in range(2**n):
            if s & 1 and not s & 2:
                sym[s ^ 1 ^ 2] = sym[s]
        phi = shapley_values(sym)
        assert phi[0] == pytest.approx(phi[1], abs=1e-9)


def test_shapley_matches_the_permutation_definition() -> None:
    from itertools import permutations

    rng = np.random.default_rng(3)
    n = 4
    worth = rng.normal(size=2**n)
    worth[0] = 0
    expect = np.zeros(n)
    perms = list(permutations(range(n)))
    for order in perms:
        mask = 0
        for player in order:
            expect[player] += worth[mask | (1 << player)] - worth[mask]
            mask |= 1 << player
    np.testing.assert_allclose(shapley_values(worth), expect / len(perms), atol=1e-12)


def test_rule_models_on_a_hand_computed_path() -> None:
    table = PathTable.from_lists([["a", "b", "c", "d"]], [10], [1000.0], [0])
    got = {n: make_model(n).credit(table).as_dict() for n in
           ("first", "last", "linear", "position", "time_decay")}
    assert got["first"] == {"a": 10, "b": 0, "c": 0, "d": 0}
    assert got["last"] == {"a": 0, "b": 0, "c": 0, "d": 10}
    assert got["linear"] == pytest.approx({"a": 2.5, "b": 2.5, "c": 2.5, "d": 2.5})
    assert got["position"] == pytest.approx({"a": 4, "b": 1, "c": 1, "d": 4})
    # no timestamps: one step = one day, half-life 7 days -> weights 2^(-3/7), 2^(-2/7), ...
    w = 0.5 ** (np.array([3, 2, 1, 0]) / 7)
    assert list(got["time_decay"].values()) == pytest.approx(list(10 * w / w.sum()))
    nd = make_model("last_non_direct", direct_channels=["d"]).credit(table).as_dict()
    assert nd == {"a": 0, "b": 0, "c": 10, "d": 0}
    pos = make_model("position", position_first=0.3, position_last=0.5).credit(table).as_dict()
    assert pos == pytest.approx({"a": 3, "b": 1, "c": 1, "d": 5})


def test_shapley_refuses_too_many_channels_and_simplified_does_not() -> None:
    from adbudget.errors import InputError

    names = [f"c{i}" for i in range(16)]
    table = PathTable.from_lists([names], [1], [1.0], [1])
    with pytest.raises(InputError, match="at most 15"):
        make_model("shapley").credit(table)
    assert make_model("shapley_simplified").credit(table).conversions.sum() == pytest.approx(1)


def test_unknown_model_is_a_settings_error() -> None:
    from adbudget.errors import SettingsError

    with pytest.raises(SettingsError, match="allowed"):
        make_model("nope")
