"""Exact Markov removal effects: against hand computation, brute-force simulation, the
sparse iterative path, and order choice on chains of known order."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.attribution import Markov, PathTable, choose_order, removal_effects


def test_removal_effects_by_hand() -> None:
    # start -> a (2 journeys) / b (1); a -> conv 1, a -> b 1; b -> conv 1, b -> null 1
    table = PathTable.from_lists([["a"], ["a", "b"], ["b"]], [1, 1, 0], [10.0, 20.0, 0.0],
                                 [0, 0, 1])
    info = removal_effects(table, 1)
    # a: out = 2 (1 conv, 1 to b); b: in 2 (start 1, a 1), out = 1 conv + 1 null
    # P(conv) = 2/3 (1/2 + 1/2 * 1/2) + 1/3 * 1/2 = 2/3
    assert info["p_conversion"] == pytest.approx(2 / 3)
    # without a: only start->b: 1/3 * 1/2 = 1/6 -> RE = 1 - (1/6)/(2/3) = 3/4
    # without b: start->a->conv: 2/3 * 1/2 = 1/3 -> RE = 1/2
    np.testing.assert_allclose(info["removal_effect"], [0.75, 0.5])
    credit = Markov(1).credit(table)
    np.testing.assert_allclose(credit.conversions, [2 * 0.75 / 1.25, 2 * 0.5 / 1.25])


def _simulate(table: PathTable, removed: int | None, n_walks: int, rng) -> float:
    """Brute force: walk the order-1 chain estimated from the table."""
    c = table.n_channels
    counts = np.zeros((c + 1, c + 2))  # rows: channels + start; cols: channels, conv, null
    for p in range(table.n_paths):
        toks = table.tokens[table.indptr[p]: table.indptr[p + 1]]
        n = table.conversions[p] + table.nulls[p]
        prev = c
        for tok in toks:
            counts[prev, tok] += n
            prev = tok
        counts[prev, c] += table.conversions[p]
        counts[prev, c + 1] += table.nulls[p]
    probs = counts / counts.sum(axis=1, keepdims=True).clip(min=1e-300)
    cum = np.cumsum(probs, axis=1)
    state = np.full(n_walks, c)
    alive = np.ones(n_walks, bool)
    converted = np.zeros(n_walks, bool)
    for _ in range(500):
        if not alive.any():
            break
        idx = np.flatnonzero(alive)
        u = rng.random(len(idx))
        nxt = (u[:, None] > cum[state[idx]]).sum(axis=1)
        conv = nxt == c
        dead = (nxt == c + 1) | ((nxt == removed) if removed is not None else False)
        converted[idx[conv]] = True
        alive[idx[conv | dead]] = False
        keep = ~(conv | dead)
        state[idx[keep]] = nxt[keep]
    return converted.mean()


def test_order_one_agrees_with_brute_force_simulation() -> None:
    rng = np.random.default_rng(11)
    names = ["a", "b", "c", "d"]
    paths = [list(rng.choice(names, rng.integers(1, 5))) for _ in range(60)]
    table = PathTable.from_lists(paths, rng.integers(0, 6, 60), None, rng.integers(0, 9, 60))
    info = removal_effects(table, 1)
    n = 200_000
    p_sim = _simulate(table, None, n, rng)
    se = np.sqrt(p_sim * (1 - p_sim) / n)
    assert abs(p_sim - info["p_conversion"]) < 4 * se
    for ch in range(table.n_channels):
        p_rem = _simulate(table, ch, n, rng)
        exact = info["p_conversion"] * (1 - info["removal_effect"][ch])
        se = np.sqrt(max(p_rem * (1 - p_rem), 1e-6) / n)
        assert abs(p_rem - exact) < 4 * se, (ch, p_rem, exact)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_dense_and_sparse_solvers_agree(order: int) -> None:
    rng = np.random.default_rng(order)
    names = [f"c{i}" for i in range(6)]
    paths = [list(rng.choice(names, rng.integers(1, 8))) for _ in range(400)]
    table = PathTable.from_lists(paths, rng.integers(0, 4, 400), rng.uniform(0, 90, 400),
                                 rng.integers(0, 9, 400))
    dense = removal_effects(table, order, dense_limit=10**6)
    sparse = removal_effects(table, order, dense_limit=0)
    np.testing.assert_allclose(sparse["removal_effect"], dense["removal_effect"], rtol=1e-9)
    np.testing.assert_allclose(sparse["removal_effect_value"], dense["removal_effect_value"],
                               rtol=1e-9)
    assert sparse["max_residual"] < 1e-10
    assert dense["p_conversion"] == pytest.approx(sparse["p_conversion"], rel=1e-10)


def _chain_journeys(order: int, n: int, seed: int) -> PathTable:
    """Journeys from a chain whose next step depends on the last `order` channels."""
    rng = np.random.default_rng(seed)
    names = ["a", "b", "c"]
    paths, conv = [], []
    for _ in range(n):
        path = [names[rng.integers(3)]]
        while True:
            if order == 1:
                # next depends on the current channel only
                stop = 0.25
                p_conv = {"a": 0.1, "b": 0.3, "c": 0.6}[path[-1]]
            else:
                # converting needs the pair (a, b); repeating a pair ends the journey
                stop = 0.25
                p_conv = 0.9 if path[-2:] == ["a", "b"] else 0.02
            if rng.random() < stop or len(path) > 12:
                paths.append(path)
                conv.append(rng.random() < p_conv)
                break
            path.append(names[rng.integers(3)])
    conv_arr = np.array(conv, float)
    return PathTable.from_lists(paths, conv_arr, conv_arr * 10, 1 - conv_arr)


def test_order_choice_finds_the_generating_order() -> None:
    first, scores1 = choose_order(_chain_journeys(1, 20000, 1))
    second, scores2 = choose_order(_chain_journeys(2, 20000, 2))
    print("order-1 data:", scores1, "order-2 data:", scores2)
    assert first == 1
    assert second == 2


def test_bootstrap_replicates_reuse_the_chain_structure() -> None:
    from adbudget.attribution import bootstrap

    table = _chain_journeys(1, 3000, 5)
    iv = bootstrap(Markov(1), table, n_boot=30, seed=1)
    point = Markov(1).credit(table).conversions
    assert (iv.conversions_lo <= point + 1e-9).all() and (point <= iv.conversions_hi + 1e-9).all()
    assert (iv.conversions_hi - iv.conversions_lo > 0).all()
    assert "markov_chain_1" in table._cache


@pytest.mark.parametrize("name", ["markov", "markov_3", "markov_auto", "linear", "time_decay",
                                  "position", "last_non_direct", "shapley"])
def test_vectorised_replicates_equal_one_by_one(name: str) -> None:
    from adbudget.attribution import make_model
    from adbudget.attribution.bootstrap import replicate_matrix

    table = _chain_journeys(2, 2000, 9)
    model = make_model(name)
    conv, value, nulls = replicate_matrix(table, np.random.default_rng(4), 5)
    many = getattr(model, "credit_many", None)
    if many is None:
        pytest.skip("model has no vectorised replicates")
    got_c, got_v = many(table, conv, value, nulls)
    for b in range(5):
        one = model.credit(table.with_counts(conv[:, b], value[:, b], nulls[:, b]))
        np.testing.assert_allclose(got_c[b], one.conversions, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got_v[b], one.value, rtol=1e-9, atol=1e-7)
