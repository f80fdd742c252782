"""Markov-chain attribution of order 1–4 with removal effects solved exactly.

The journeys define an absorbing chain: ``start`` → states → ``conversion`` | ``null``. A
state of order *k* is the tuple of the last *k* touches (shorter at the start of a path, as
in ChannelAttribution). The conversion probability from ``start`` is ``q·(I−Q)⁻¹·r``; the
removal effect of a channel is ``1 − p₋c/p`` where ``p₋c`` is that probability once every
state containing the channel sends its journeys to ``null`` (Anderl et al. 2016, "Mapping
the customer journey", IJRM 33(3)). We compute it by a linear solve, never by simulation:

- one *transposed* solve per channel, ``(I−Q_keep)ᵀ v = q_keep``, gives expected visits from
  ``start``; ``p₋c = v·r`` and the value version ``v·r_value`` come from the same solve;
- chains up to ``dense_limit`` (64) states (order 1 with up to 64 channels) invert ``I−Q`` once; removing the
  states *S* of a channel then costs one small solve, ``p₋c = p − (qN)_S (N_SS)⁻¹ x_S``
  (first-passage identity; for order 1 it is the rank-one ``p − (qN)_c x_c / N_cc``);
- bigger chains (orders 2–4 with many states) solve all channels at once by a
  Jacobi/Neumann iteration on the sparse transposed system, to a 1e-13 relative change
  (deterministic; the residual is checked and reported, GMRES takes over if it is not met).

Transition incidences are built once per path table (cached), so bootstrap replicates only
re-count with ``bincount`` and re-solve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from adbudget.attribution.base import AttributionModel, normalise
from adbudget.attribution.paths import PathTable

MAX_ORDER = 4


class _Chain:
    """Structure of the order-k chain of a path table (independent of the counts)."""

    def __init__(self, paths: PathTable, order: int) -> None:
        n_tok = len(paths.tokens)
        base = np.int64(paths.n_channels + 1)
        if float(paths.n_channels + 1) ** order > 2**62:
            raise ValueError("too many channels for this Markov order")
        pos = paths.position
        code = paths.tokens.astype(np.int64) + 1
        for j in range(1, order):
            shifted = np.zeros(n_tok, dtype=np.int64)
            if j < n_tok:
                shifted[j:] = paths.tokens[: n_tok - j].astype(np.int64) + 1
            shifted[pos < j] = 0
            shifted *= base**j
            code += shifted
            del shifted
        codes, state = _compact(code, int(base) ** order)
        del code
        self.order = order
        self.n_states = len(codes)
        self.codes = codes
        self.state_of_token = state.astype(np.int64)
        start = self.n_states  # the start state gets the last index
        prev = np.empty(n_tok, dtype=np.int64)
        prev[1:] = self.state_of_token[:-1]
        prev[pos == 0] = start
        # a transition is (from state, next channel): the next state follows from both
        n_ch = max(paths.n_channels, 1)
        prev *= n_ch
        prev += paths.tokens
        tkeys, self.trans_of_token = _compact(prev, (self.n_states + 1) * n_ch)
        del prev
        self.trans_from = tkeys // n_ch
        self.trans_to = np.empty(len(tkeys), dtype=np.int64)
        self.trans_to[self.trans_of_token] = self.state_of_token
        nonempty = paths.lengths > 0
        self.last_state = np.full(paths.n_paths, -1, dtype=np.int64)
        self.last_state[nonempty] = self.state_of_token[paths.indptr[1:][nonempty] - 1]
        # which channels each state contains: (S, C) boolean via decoded digits
        digits = np.zeros((self.n_states, paths.n_channels), dtype=bool)
        rest = codes.copy()
        for _ in range(order):
            d = rest % base
            ok = d > 0
            digits[np.flatnonzero(ok), d[ok] - 1] = True
            rest //= base
        self.contains = digits

    def matrices(self, paths: PathTable) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """Q among states, start distribution q, conversion and value rates per state."""
        s = self.n_states
        journeys = paths.conversions + paths.nulls
        n_tr = np.bincount(self.trans_of_token, journeys[paths.path_of_token], len(self.trans_from))
        ok = self.last_state >= 0
        conv = np.bincount(self.last_state[ok], paths.conversions[ok], s)
        nul = np.bincount(self.last_state[ok], paths.nulls[ok], s)
        val = np.bincount(self.last_state[ok], paths.value[ok], s)
        return self.assemble(n_tr, conv, nul, val)

    def counts_many(self, paths: PathTable, conv: np.ndarray, value: np.ndarray,
                    nulls: np.ndarray) -> tuple[np.ndarray, ...]:
        """Transition and end counts for many count vectors at once (columns = replicates):
        one sparse incidence matrix product instead of one pass over the tokens each."""
        inc = paths._cache.get(f"markov_incidence_{self.order}")
        if inc is None:
            ok = self.last_state >= 0
            inc = (
                sp.csr_matrix((np.ones(len(self.trans_of_token)),
                               (self.trans_of_token, paths.path_of_token)),
                              shape=(len(self.trans_from), paths.n_paths)),
                sp.csr_matrix((np.ones(int(ok.sum())), (self.last_state[ok], np.flatnonzero(ok))),
                              shape=(self.n_states, paths.n_paths)),
            )
            paths._cache[f"markov_incidence_{self.order}"] = inc
        trans, ends = inc
        return trans @ (conv + nulls), ends @ conv, ends @ nulls, ends @ value

    def assemble(self, n_tr: np.ndarray, conv: np.ndarray, nul: np.ndarray, val: np.ndarray
                 ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """Transition probabilities and absorption rates from counts."""
        s = self.n_states
        from_start = self.trans_from == s
        out = np.bincount(self.trans_from[~from_start], n_tr[~from_start], s) + conv + nul
        safe = np.where(out > 0, out, 1.0)
        inner = ~from_start & (n_tr > 0)
        q_mat = sp.csr_matrix(
            (n_tr[inner] / safe[self.trans_from[inner]],
             (self.trans_from[inner], self.trans_to[inner])), shape=(s, s))
        q_start = np.bincount(self.trans_to[from_start], n_tr[from_start], s)
        total = q_start.sum()
        q_start = q_start / total if total > 0 else q_start
        return q_mat, q_start, conv / safe, val / safe


def _compact(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct keys and each key's index among them (like ``np.unique`` with
    ``return_inverse``), by a lookup table in O(n) when the key space is small."""
    if size > 50_000_000 or size > 20 * len(keys) + 1_000_000:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, inverse.astype(np.int64)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    uniq = np.flatnonzero(seen)
    lookup = np.zeros(size, dtype=np.int64)
    lookup[uniq] = np.arange(len(uniq), dtype=np.int64)
    return uniq.astype(np.int64), lookup[keys]


def removal_effects(
    paths: PathTable, order: int = 1, dense_limit: int = 64, rtol: float = 1e-13
) -> dict[str, Any]:
    """Conversion probability of the chain and of every channel-removed chain (exact)."""
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"Markov order must be 1..{MAX_ORDER}")
    chain = _chain(paths, order)
    q_mat, q_start, r, rv = chain.matrices(paths)
    return _solve_chain(chain, q_mat, q_start, r, rv, paths.n_channels, dense_limit, rtol)


def _chain(paths: PathTable, order: int) -> _Chain:
    """The order-k chain structure of a path table (built once, cached on the table)."""
    key = f"markov_chain_{order}"
    chain = paths._cache.get(key)
    if chain is None:
        chain = _Chain(paths, order)
        paths._cache[key] = chain
    return chain


def _solve_chain(chain: _Chain, q_mat: sp.csr_matrix, q_start: np.ndarray, r: np.ndarray,
                 rv: np.ndarray, c: int, dense_limit: int = 64, rtol: float = 1e-13
                 ) -> dict[str, Any]:
    """Conversion probability and removal effects of an assembled chain."""
    order = chain.order
    s = chain.n_states
    rhs = np.column_stack([r, rv])
    if s <= dense_limit:
        # dense: one inverse N = (I−Q)⁻¹; removing the states S of a channel subtracts
        # (qN)_S (N_SS)⁻¹ x_S (first-passage identity; rank-one when |S| = 1)
        n_mat = np.linalg.inv(np.eye(s) - q_mat.toarray())
        x = n_mat @ rhs  # (S, 2): conversion probability / expected value per state
        p, pv = q_start @ x
        qn = q_start @ n_mat
        p_rem = np.full(c, p)
        pv_rem = np.full(c, pv)
        for ch in range(c):
            idx = np.flatnonzero(chain.contains[:, ch])
            if len(idx) == 0:
                continue
            z = np.linalg.solve(n_mat[np.ix_(idx, idx)], x[idx])
            p_rem[ch], pv_rem[ch] = np.array([p, pv]) - qn[idx] @ z
        residual = float(np.abs((np.eye(s) - q_mat.toarray()) @ x - rhs).max()) if s <= 200 else 0.0
    else:
        v_all, residual = _visits_all(q_mat, q_start, ~chain.contains, rtol)
        p, pv = v_all[:, -1] @ r, v_all[:, -1] @ rv
        p_rem = v_all[:, :-1].T @ r
        pv_rem = v_all[:, :-1].T @ rv
    re = 1.0 - p_rem / p if p > 0 else np.zeros(c)
    rev = 1.0 - pv_rem / pv if pv > 0 else np.zeros(c)
    return {
        "order": order, "n_states": s, "p_conversion": float(p), "p_value": float(pv),
        "removal_effect": np.clip(re, 0.0, None), "removal_effect_value": np.clip(rev, 0.0, None),
        "max_residual": float(residual),
    }


def _visits_all(q_mat: sp.csr_matrix, q_start: np.ndarray, keep: np.ndarray, rtol: float,
                max_iter: int = 20000) -> tuple[np.ndarray, float]:
    """Expected visits from start for the full chain and every channel-removed chain at once.

    Column c solves ``v = q_keep + Q_keepᵀ v`` on the states without channel c (the last
    column keeps every state). The chain is transient, so the Jacobi/Neumann iteration
    ``V ← M∘(QᵀV) + B`` converges geometrically (rate = spectral radius of Q); all channels
    share each sparse-matrix × block product. Stops at a relative change below ``rtol`` and
    reports the final residual; falls back to GMRES per column if it has not converged.
    """
    s = q_mat.shape[0]
    qt = q_mat.T.tocsr()
    mask = np.column_stack([keep, np.ones(s, dtype=bool)]).astype(float)
    rhs = q_start[:, None] * mask
    v = rhs.copy()
    for _ in range(max_iter):
        nxt = qt @ v
        nxt *= mask
        nxt += rhs
        delta = float(np.abs(nxt - v).max())
        v = nxt
        if delta <= rtol * max(float(np.abs(v).max()), 1e-300):
            break
    res_mat = v - (qt @ v) * mask - rhs
    scale = max(float(np.abs(rhs).max()), 1e-300)
    residual = float(np.abs(res_mat).max() / scale)
    if residual > 1e-9:
        a = (sp.identity(s, format="csr") - q_mat).T.tocsr()
        for col in range(v.shape[1]):
            idx = np.flatnonzero(mask[:, col])
            x, info = spla.gmres(a[idx][:, idx], q_start[idx], x0=v[idx, col], rtol=rtol,
                                 atol=0.0, restart=60, maxiter=5000)
            v[:, col] = 0.0
            v[idx, col] = x
        residual = float(np.abs(v - (qt @ v) * mask - rhs).max() / scale)
    return v, residual


class Markov(AttributionModel):
    """Markov chain of a fixed order; credit ∝ removal effect (conversions and value apart)."""

    data_driven = True

    def __init__(self, order: int = 1) -> None:
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"Markov order must be 1..{MAX_ORDER}")
        self.order = order
        self.name = f"markov_{order}" if order > 1 else "markov"  # type: ignore[misc]

    def credit_many(self, paths: PathTable, conv: np.ndarray, value: np.ndarray,
                    nulls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Credit for many count vectors (columns = bootstrap replicates) of the same paths:
        the counts of all replicates come from one sparse product; each is then solved."""
        chain = _chain(paths, self.order)
        n_tr, conv_s, nul_s, val_s = chain.counts_many(paths, conv, value, nulls)
        present = np.bincount(paths.tokens, minlength=paths.n_channels) > 0
        out_c = np.zeros((conv.shape[1], paths.n_channels))
        out_v = np.zeros_like(out_c)
        for b in range(conv.shape[1]):
            q_mat, q_start, r, rv = chain.assemble(n_tr[:, b], conv_s[:, b], nul_s[:, b], val_s[:, b])
            info = _solve_chain(chain, q_mat, q_start, r, rv, paths.n_channels)
            out_c[b] = normalise(info["removal_effect"], conv[:, b].sum(), present)
            out_v[b] = normalise(info["removal_effect_value"], value[:, b].sum(), present)
        return out_c, out_v

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        info = removal_effects(paths, self.order)
        present = np.bincount(paths.tokens, minlength=paths.n_channels) > 0
        conv = normalise(info["removal_effect"], paths.total_conversions, present)
        value = normalise(info["removal_effect_value"], paths.total_value, present)
        return conv, value, info
