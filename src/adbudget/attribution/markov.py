"""Markov-chain attribution of order 1–4 with removal effects solved exactly.

The journeys define an absorbing chain: ``start`` → states → ``conversion`` | ``null``. A
state of order *k* is the tuple of the last *k* touches (shorter at the start of a path, as
in ChannelAttribution). The conversion probability from ``start`` is ``q·(I−Q)⁻¹·r``; the
removal effect of a channel is ``1 − p₋c/p`` where ``p₋c`` is that probability once every
state containing the channel sends its journeys to ``null`` (Anderl et al. 2016, "Mapping
the customer journey", IJRM 33(3)). We compute it by a linear solve, never by simulation:

- one *transposed* solve per channel, ``(I−Q_keep)ᵀ v = q_keep``, gives expected visits from
  ``start``; ``p₋c = v·r`` and the value version ``v·r_value`` come from the same solve;
- order 1 (and any chain up to ``dense_limit`` states) inverts ``I−Q`` once and gets every
  single-state removal from the rank-one identity ``p₋c = p − (qN)_c·x_c / N_cc``;
- bigger chains use sparse GMRES to a 1e-12 relative residual (deterministic; the
  residual is checked and reported).

Transition incidences are built once per path table (cached), so bootstrap replicates only
re-count with ``bincount`` and re-solve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
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
        code = np.zeros(n_tok, dtype=np.int64)
        for j in range(order):
            shifted = np.zeros(n_tok, dtype=np.int64)
            if j < n_tok:
                shifted[j:] = paths.tokens[: n_tok - j].astype(np.int64) + 1
            code += np.where(pos >= j, shifted, 0) * base**j
        codes, state = np.unique(code, return_inverse=True)
        self.order = order
        self.n_states = len(codes)
        self.codes = codes
        self.state_of_token = state.astype(np.int64)
        start = self.n_states  # the start state gets the last index
        prev = np.empty(n_tok, dtype=np.int64)
        prev[1:] = self.state_of_token[:-1]
        prev[pos == 0] = start
        key = prev * (self.n_states + 1) + self.state_of_token
        tkeys, self.trans_of_token = np.unique(key, return_inverse=True)
        self.trans_from = tkeys // (self.n_states + 1)
        self.trans_to = tkeys % (self.n_states + 1)
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


def removal_effects(
    paths: PathTable, order: int = 1, dense_limit: int = 3000, rtol: float = 1e-12
) -> dict[str, Any]:
    """Conversion probability of the chain and of every channel-removed chain (exact)."""
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"Markov order must be 1..{MAX_ORDER}")
    key = f"markov_chain_{order}"
    chain = paths._cache.get(key)
    if chain is None:
        chain = _Chain(paths, order)
        paths._cache[key] = chain
    q_mat, q_start, r, rv = chain.matrices(paths)
    s, c = chain.n_states, paths.n_channels
    rhs = np.column_stack([r, rv])
    if s <= dense_limit:
        a = np.eye(s) - q_mat.toarray()
        lu = sla.lu_factor(a, check_finite=False)
        x = sla.lu_solve(lu, rhs, check_finite=False)  # (S, 2): conv prob / value per state
        p, pv = q_start @ x
        p_rem = np.empty(c)
        pv_rem = np.empty(c)
        single = chain.contains.sum(axis=0) == 1
        if order == 1 or single.all():
            # rank-one identity: removing state j subtracts (qN)_j x_j / N_jj
            qn = sla.lu_solve(lu, q_start, trans=1, check_finite=False)  # (qN)ᵀ
            n_inv = sla.lu_solve(lu, np.eye(s), check_finite=False)
            diag = np.diag(n_inv)
            state_of_channel = np.argmax(chain.contains, axis=0)
            present = chain.contains.any(axis=0)
            j = state_of_channel
            d = np.where(diag[j] > 0, diag[j], 1.0)
            p_rem = np.where(present, p - qn[j] * x[j, 0] / d, p)
            pv_rem = np.where(present, pv - qn[j] * x[j, 1] / d, pv)
            residual = 0.0
        else:
            for ch in range(c):
                keep = ~chain.contains[:, ch]
                if keep.all():
                    p_rem[ch], pv_rem[ch] = p, pv
                    continue
                sub = a[np.ix_(keep, keep)]
                v = sla.solve(sub.T, q_start[keep], check_finite=False)
                p_rem[ch], pv_rem[ch] = v @ r[keep], v @ rv[keep]
            residual = 0.0
    else:
        a = (sp.identity(s, format="csr") - q_mat).T.tocsr()
        v, residual = _solve(a, q_start, rtol)
        p, pv = v @ r, v @ rv
        p_rem = np.empty(c)
        pv_rem = np.empty(c)
        for ch in range(c):
            keep = ~chain.contains[:, ch]
            if keep.all():
                p_rem[ch], pv_rem[ch] = p, pv
                continue
            idx = np.flatnonzero(keep)
            sub = a[idx][:, idx]
            vk, res = _solve(sub, q_start[idx], rtol, x0=v[idx])
            residual = max(residual, res)
            p_rem[ch], pv_rem[ch] = vk @ r[idx], vk @ rv[idx]
    re = 1.0 - p_rem / p if p > 0 else np.zeros(c)
    rev = 1.0 - pv_rem / pv if pv > 0 else np.zeros(c)
    return {
        "order": order, "n_states": s, "p_conversion": float(p), "p_value": float(pv),
        "removal_effect": np.clip(re, 0.0, None), "removal_effect_value": np.clip(rev, 0.0, None),
        "max_residual": float(residual),
    }


def _solve(a: sp.csr_matrix, b: np.ndarray, rtol: float, x0: np.ndarray | None = None
           ) -> tuple[np.ndarray, float]:
    """Solve a·x = b (a = (I−Q)ᵀ restricted) by GMRES with a Jacobi preconditioner."""
    diag = a.diagonal()
    m = spla.LinearOperator(a.shape, matvec=lambda y: y / diag, dtype=float)
    x, info = spla.gmres(a, b, x0=x0, rtol=rtol, atol=0.0, restart=60, maxiter=2000, M=m)
    nb = np.linalg.norm(b)
    res = float(np.linalg.norm(a @ x - b) / nb) if nb > 0 else 0.0
    if info != 0 and res > 1e-8:
        # fall back to a direct sparse LU (exact, more memory) when GMRES stalls
        x = spla.spsolve(a.tocsc(), b)
        res = float(np.linalg.norm(a @ x - b) / nb) if nb > 0 else 0.0
    return x, res


class Markov(AttributionModel):
    """Markov chain of a fixed order; credit ∝ removal effect (conversions and value apart)."""

    data_driven = True

    def __init__(self, order: int = 1) -> None:
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"Markov order must be 1..{MAX_ORDER}")
        self.order = order
        self.name = f"markov_{order}" if order > 1 else "markov"  # type: ignore[misc]

    def _credit(self, paths: PathTable) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        info = removal_effects(paths, self.order)
        present = np.bincount(paths.tokens, minlength=paths.n_channels) > 0
        conv = normalise(info["removal_effect"], paths.total_conversions, present)
        value = normalise(info["removal_effect_value"], paths.total_value, present)
        return conv, value, info
