"""Choosing the Markov order by held-out predictive performance.

Journeys are split at random into a training and a held-out part (binomial thinning of each
path's counts, fixed seed). Each order's chain is estimated on the training part and scored
by the mean log-likelihood per held-out journey of its next-step predictions (next channel,
conversion or exit), with additive smoothing and back-off to the next lower order for states
the training part never saw. Higher orders always fit the training data better; only the
held-out score tells whether the extra memory is real.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adbudget.attribution.base import AttributionModel
from adbudget.attribution.markov import MAX_ORDER, Markov, _Chain
from adbudget.attribution.paths import PathTable


def _split(paths: PathTable, holdout: float, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    conv = paths.conversions
    nul = paths.nulls
    if np.allclose(conv, np.round(conv)) and np.allclose(nul, np.round(nul)):
        conv_test = rng.binomial(np.round(conv).astype(np.int64), holdout).astype(float)
        nul_test = rng.binomial(np.round(nul).astype(np.int64), holdout).astype(float)
    else:  # fractional counts (weights): hold out whole paths instead
        pick = rng.random(paths.n_paths) < holdout
        conv_test = np.where(pick, conv, 0.0)
        nul_test = np.where(pick, nul, 0.0)
    return conv - conv_test, nul - nul_test, conv_test, nul_test


def order_scores(
    paths: PathTable, max_order: int = MAX_ORDER, holdout: float = 0.3, seed: int = 0,
    alpha: float = 0.5,
) -> dict[int, float]:
    """Held-out log-likelihood per journey for orders 1..max_order (higher is better)."""
    paths = paths.drop_empty()
    conv_tr, nul_tr, conv_te, nul_te = _split(paths, holdout, seed)
    n_sym = paths.n_channels + 2  # channels, conversion, exit
    pot = paths.path_of_token
    ok = paths.lengths > 0
    last_tok = paths.indptr[1:][ok] - 1
    # events: every token (symbol = its channel) and each path end (conversion / exit)
    sym = np.concatenate([paths.tokens.astype(np.int64),
                          np.full(ok.sum(), n_sym - 2), np.full(ok.sum(), n_sym - 1)])
    w_tr = np.concatenate([(conv_tr + nul_tr)[pot], conv_tr[ok], nul_tr[ok]])
    w_te = np.concatenate([(conv_te + nul_te)[pot], conv_te[ok], nul_te[ok]])
    n_test = float((conv_te + nul_te).sum())
    if n_test <= 0:
        return {k: float("nan") for k in range(1, max_order + 1)}
    # only events with held-out weight are scored; all events with training weight count
    test = np.flatnonzero(w_te > 0)
    w_test, sym_test = w_te[test], sym[test]
    # order 0: unigram over symbols
    uni = np.bincount(sym, w_tr, n_sym)
    prob = (uni[sym_test] + alpha) / (uni.sum() + alpha * n_sym)
    scores: dict[int, float] = {}
    for k in range(1, max_order + 1):
        chain = paths._cache.get(f"markov_chain_{k}")
        if chain is None:
            chain = _Chain(paths, k)
            paths._cache[f"markov_chain_{k}"] = chain
        start = chain.n_states
        prev = np.empty(len(paths.tokens), dtype=np.int64)
        prev[1:] = chain.state_of_token[:-1]
        prev[paths.position == 0] = start
        end_state = chain.state_of_token[last_tok]
        src = np.concatenate([prev, end_state, end_state])
        key = src * n_sym + sym
        n_states = start + 1
        counts = np.bincount(key, w_tr, n_states * n_sym)
        totals = np.bincount(src, w_tr, n_states)
        src_t = src[test]
        seen = totals[src_t] > 0
        p_k = (counts[key[test]] + alpha) / (totals[src_t] + alpha * n_sym)
        prob = np.where(seen, p_k, prob)  # back off to the lower order where unseen
        scores[k] = float((w_test * np.log(prob)).sum() / n_test)
    return scores


def choose_order(paths: PathTable, max_order: int = MAX_ORDER, holdout: float = 0.3,
                 seed: int = 0) -> tuple[int, dict[int, float]]:
    """The order with the best held-out score (the lowest order on ties)."""
    scores = order_scores(paths, max_order, holdout, seed)
    finite = {k: s for k, s in scores.items() if np.isfinite(s)}
    if not finite:
        return 1, scores
    best = max(finite.values())
    order = min(k for k, s in finite.items() if s >= best - 1e-12)
    return order, scores


class MarkovAuto(AttributionModel):
    """Markov chain whose order (1–4) is chosen by held-out predictive performance."""

    name = "markov_auto"
    data_driven = True

    def __init__(self, max_order: int = MAX_ORDER, holdout: float = 0.3, seed: int = 0) -> None:
        self.max_order, self.holdout, self.seed = max_order, holdout, seed

    def _chosen(self, paths: PathTable) -> tuple[int, dict[int, float]]:
        # bootstrap replicates share the cache: the order is chosen once, on the original data
        chosen = paths._cache.get("markov_auto_order")
        if chosen is None:
            chosen = choose_order(paths, self.max_order, self.holdout, self.seed)
            paths._cache["markov_auto_order"] = chosen
        return chosen

    def credit_many(self, paths: PathTable, conv: np.ndarray, value: np.ndarray,
                    nulls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap replicates at the order chosen on the original data."""
        return Markov(self._chosen(paths)[0]).credit_many(paths, conv, value, nulls)

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        order, scores = self._chosen(paths)
        conv, value, info = Markov(order)._credit(paths)
        return conv, value, {**info, "order_scores": scores, "chosen_order": order}
