"""BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, Marketing Science 24(2)).

Each customer buys at Poisson rate lambda ~ Gamma(r, alpha) while alive and drops out after
any purchase with probability p ~ Beta(a, b). A customer is summarised by (x, t_x, T):
repeat purchases, time of the last purchase and age, all measured from the first purchase.
Time units are whatever the summaries use (weeks in the paper and here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaln, digamma, gammaln, hyp2f1

from adbudget.errors import InputError
from adbudget.ltv._mle import MleResult, fit_log_params, laplace_draws, warm_start

PARAM_NAMES = ("r", "alpha", "a", "b")


class _Likelihood:
    """Negative BG/NBD log-likelihood (equation 6 of the paper) and its exact gradient.

    Terms that depend on a customer only through the integer ``x`` are computed once per
    distinct x (a short grid) and gathered, so a customer costs two logs and an exp.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.xi = x.astype(np.int64)
        self.x = x
        self.has = x > 0
        self.t_x = np.where(self.has, t_x, T)
        self.T = T
        self.w = w
        self.grid = np.arange(int(x.max()) + 1, dtype=np.float64)

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(theta)
        g, gs = self.grid, np.maximum(self.grid, 1.0)
        a1 = gammaln(r + g) - gammaln(r) + r * np.log(alpha)
        da1_r = digamma(r + g) - digamma(r) + np.log(alpha)
        lb_ab = betaln(a, b)
        b1 = betaln(a, b + g) - lb_ab
        b2 = betaln(a + 1.0, b + gs - 1.0) - lb_ab
        dab = digamma(a + b)
        db1_a = dab - digamma(a + b + g)
        db1_b = digamma(b + g) - digamma(a + b + g) - digamma(b) + dab
        db2_a = digamma(a + 1.0) - digamma(a + b + gs) - digamma(a) + dab
        db2_b = digamma(b + gs - 1.0) - digamma(a + b + gs) - digamma(b) + dab
        xi, x, has, w = self.xi, self.x, self.has, self.w
        la = np.log(alpha + self.T)
        lb = np.log(alpha + self.t_x)
        rx = r + x
        l2 = b1[xi] - rx * la
        l3 = np.where(has, b2[xi] - rx * lb, -np.inf)
        lse = np.logaddexp(l2, l3)
        pi3 = np.exp(l3 - lse)
        pi2 = 1.0 - pi3
        ll = a1[xi] + lse
        g_r = da1_r[xi] - pi2 * la - pi3 * lb
        g_alpha = r / alpha - rx * (pi2 / (alpha + self.T) + pi3 / (alpha + self.t_x))
        g_a = pi2 * db1_a[xi] + pi3 * db2_a[xi]
        g_b = pi2 * db1_b[xi] + pi3 * db2_b[xi]
        grad = np.array([w @ g_r * r, w @ g_alpha * alpha, w @ g_a * a, w @ g_b * b])
        return -float(w @ ll), -grad


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD: point estimates, covariance of the log-parameters, fit diagnostics."""

    r: float
    alpha: float
    a: float
    b: float
    log_cov: tuple[tuple[float, ...], ...] = field(repr=False)
    loglik: float = 0.0
    n_customers: int = 0
    converged: bool = True

    @property
    def log_params(self) -> np.ndarray:
        return np.log([self.r, self.alpha, self.a, self.b])

    @property
    def cov(self) -> np.ndarray:
        return np.asarray(self.log_cov, dtype=np.float64)

    def as_dict(self) -> dict[str, float]:
        """Parameters and their standard errors (delta method), for reports and JSON."""
        se = np.sqrt(np.diag(self.cov)) * np.exp(self.log_params)
        out: dict[str, float] = {n: float(getattr(self, n)) for n in PARAM_NAMES}
        out.update({f"{n}_se": float(s) for n, s in zip(PARAM_NAMES, se, strict=True)})
        out["loglik"] = self.loglik
        out["n_customers"] = self.n_customers
        return out

    def draws(self, n: int, seed: int = 0) -> np.ndarray:
        """(n, 4) parameter draws from the Laplace approximation, columns r, alpha, a, b."""
        return laplace_draws(self.log_params, self.cov, n, seed)

    @classmethod
    def from_mle(cls, res: MleResult, n_customers: int) -> BgNbdParams:
        r, alpha, a, b = np.exp(res.log_params)
        return cls(
            r=float(r), alpha=float(alpha), a=float(a), b=float(b),
            log_cov=tuple(tuple(float(v) for v in row) for row in res.cov),
            loglik=res.loglik, n_customers=n_customers, converged=res.converged,
        )


def _check(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if len(x) == 0:
        raise InputError("no customers to fit the BG/NBD model on")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T + 1e-9) or np.any(T <= 0):
        raise InputError("customer summaries need x >= 0, 0 <= t_x <= T and T > 0")
    if np.any((x == 0) & (t_x > 0)):
        raise InputError("a customer without repeat purchases must have t_x = 0")


def fit_bgnbd(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    prior_mean: np.ndarray | None = None,
    prior_precision: np.ndarray | None = None,
    init: np.ndarray | None = None,
) -> BgNbdParams:
    """Maximum-likelihood (or, with a prior on log-parameters, MAP) BG/NBD fit."""
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    _check(x, t_x, T)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if init is None:
        init = np.log([0.5, max(float(np.average(T, weights=w)), 1e-3), 1.0, 1.0])
    if np.any(x != np.round(x)):
        raise InputError("repeat purchase counts must be whole numbers")
    x, t_x, T, w = compress(w, x, t_x, T)
    scale = w.sum() / 20_000
    init, hess_inv0 = warm_start(
        lambda rows: _Likelihood(x[rows], t_x[rows], T[rows], w[rows] * scale),
        len(x), init, prior_mean, prior_precision,
    )
    res = fit_log_params(
        _Likelihood(x, t_x, T, w), init, hess_inv0=hess_inv0, n_obs=float(w.sum()),
        prior_mean=prior_mean, prior_precision=prior_precision,
    )
    return BgNbdParams.from_mle(res, n_customers=int(round(w.sum())))


def compress(w: np.ndarray, *cols: np.ndarray) -> tuple[np.ndarray, ...]:
    """Identical customer rows merged into one with summed weight.

    Summaries from daily orders repeat a lot (every customer without repeats and of the same
    age is the same row). Columns on the whole-day grid (weeks x 7 integral) are packed into
    one integer key, so this is one 1-D sort; other data is returned unchanged.
    """
    if len(w) < 5000:
        return (*cols, w)
    codes = []
    for c in cols:
        k = np.round(c * 7.0)
        if not np.allclose(k, c * 7.0, rtol=0.0, atol=1e-6) or k.min() < 0:
            return (*cols, w)
        codes.append(k.astype(np.int64))
    key = codes[0]
    span = 1
    for c in codes[1:]:
        base = int(c.max()) + 1
        span *= base
        if span * (int(codes[0].max()) + 1) > 2**62:
            return (*cols, w)
        key = key * base + c
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(first) > 0.8 * len(w):
        return (*cols, w)
    weights = np.bincount(inverse.reshape(-1), weights=w, minlength=len(first))
    return (*(c[first].copy() for c in cols), weights)


def _params(p: BgNbdParams | np.ndarray) -> tuple[np.ndarray, ...]:
    """Parameters as broadcastable columns: (k, 1) arrays for k draws, scalars for one fit."""
    if isinstance(p, BgNbdParams):
        return tuple(np.float64(getattr(p, n)) for n in PARAM_NAMES)
    arr = np.atleast_2d(np.asarray(p, dtype=np.float64))
    return tuple(arr[:, i : i + 1] for i in range(4))


def expected_purchases_new(p: BgNbdParams | np.ndarray, t: float) -> np.ndarray:
    """E[X(t)]: repeat purchases in (0, t] of a customer just acquired (equation 9)."""
    r, alpha, a, b = _params(p)
    # a = 1 is a removable singularity: average the two sides
    near = np.abs(a - 1.0) < 1e-6
    if np.any(near):
        lo = _ex_new(r, alpha, np.where(near, 1.0 - 1e-4, a), b, t)
        hi = _ex_new(r, alpha, np.where(near, 1.0 + 1e-4, a), b, t)
        return np.asarray(np.where(near, 0.5 * (lo + hi), lo), dtype=np.float64)
    return np.asarray(_ex_new(r, alpha, a, b, t), dtype=np.float64)


def _ex_new(r, alpha, a, b, t):
    z = t / (alpha + t)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, z))


def prob_alive(p: BgNbdParams | np.ndarray, x, t_x, T) -> np.ndarray:
    """P(alive | x, t_x, T) (equation 12 of the technical note)."""
    r, alpha, a, b = _params(p)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    has = x > 0
    xs = np.where(has, x, 1.0)
    log_ratio = (r + xs) * (np.log(alpha + T) - np.log(alpha + np.where(has, t_x, T)))
    odds = np.where(has, a / (b + xs - 1.0) * np.exp(log_ratio), 0.0)
    return 1.0 / (1.0 + odds)


def conditional_expected_purchases(p: BgNbdParams | np.ndarray, t: float, x, t_x, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history."""
    r, alpha, a, b = _params(p)
    x, t_x, T = (np.asarray(v, dtype=np.float64) for v in (x, t_x, T))
    a = np.where(np.abs(a - 1.0) < 1e-6, 1.0 + 1e-6, a)
    head = (a + b + x - 1.0) / (a - 1.0)
    pairs = _day_pairs(x, T) if x.size > 200 else None
    if pairs is None:
        z = t / (alpha + T + t)
        tail = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    else:  # hyp2f1 depends on (x, T) only: once per distinct pair (few, on the day grid)
        ux, uT, inverse = pairs
        z = t / (alpha + uT + t)
        tail = (1.0 - ((alpha + uT) / (alpha + uT + t)) ** (r + ux)
                * hyp2f1(r + ux, b + ux, a + b + ux - 1.0, z))[..., inverse]
    return head * tail * prob_alive(p, x, t_x, T)


def _day_pairs(x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Distinct (x, T) pairs when T lies on the whole-day grid, with the inverse index."""
    days = np.round(T * 7.0)
    if x.ndim != 1 or not np.allclose(days, T * 7.0, rtol=0.0, atol=1e-6) or days.min() < 0:
        return None
    key = x.astype(np.int64) * (int(days.max()) + 1) + days.astype(np.int64)
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(uniq) > 0.5 * len(x):
        return None
    return x[first], T[first], inverse.reshape(-1)


def simulate_bgnbd(
    n: int, r: float, alpha: float, a: float, b: float, T: np.ndarray | float, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customer summaries (x, t_x, T) drawn from a BG/NBD world with known parameters.

    Vectorised: while alive purchases are Poisson, so given N purchases in (0, T] their times
    are uniform order statistics; the customer dies after the K-th repeat, K ~ Geometric(p).
    """
    rng = np.random.default_rng(seed)
    T_arr = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    lam = rng.gamma(r, 1.0 / alpha, size=n)
    p = rng.beta(a, b, size=n)
    n_poisson = rng.poisson(lam * T_arr)
    k_death = rng.geometric(np.clip(p, 1e-12, 1.0))
    x = np.minimum(n_poisson, k_death).astype(np.float64)
    # the x-th of N uniform order statistics on (0, T): Beta(x, N - x + 1)
    t_x = np.where(x > 0, T_arr * rng.beta(np.maximum(x, 1), np.maximum(n_poisson - x + 1, 1)), 0.0)
    return x, t_x, T_arr


__all__ = [
    "PARAM_NAMES", "BgNbdParams", "compress", "conditional_expected_purchases", "expected_purchases_new",
    "fit_bgnbd", "prob_alive", "simulate_bgnbd",
]
