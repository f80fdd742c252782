"""Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV").

A customer's transaction values are Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers;
fitted on customers with at least one repeat purchase, using the mean of their repeat
transactions. Independent of the purchase process (check the correlation before trusting it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import digamma, gammaln

from adbudget.errors import InputError
from adbudget.ltv._mle import MleResult, fit_log_params, laplace_draws, warm_start
from adbudget.ltv.bgnbd import compress

PARAM_NAMES = ("p", "q", "v")


class _Likelihood:
    """Negative Gamma-Gamma log-likelihood of mean spend ``m`` over ``x`` transactions, with
    its exact gradient; x-only terms are computed per distinct x and gathered."""

    def __init__(self, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> None:
        self.xi = x.astype(np.int64)
        self.x = x
        self.m = m
        self.w = w
        self.log_m = np.log(m)
        self.log_x = np.log(x)
        self.grid = np.maximum(np.arange(int(x.max()) + 1, dtype=np.float64), 1.0)

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = np.exp(theta)
        g = self.grid
        head = gammaln(p * g + q) - gammaln(p * g) - gammaln(q) + q * np.log(v)
        dpq = digamma(p * g + q)
        dh_p = g * (dpq - digamma(p * g))
        dh_q = dpq - digamma(q) + np.log(v)
        xi, x, m, w = self.xi, self.x, self.m, self.w
        lvm = np.log(v + m * x)
        px = p * x
        ll = head[xi] + (px - 1.0) * self.log_m + px * self.log_x - (px + q) * lvm
        g_p = dh_p[xi] + x * (self.log_m + self.log_x - lvm)
        g_q = dh_q[xi] - lvm
        g_v = q / v - (px + q) / (v + m * x)
        grad = np.array([w @ g_p * p, w @ g_q * q, w @ g_v * v])
        return -float(w @ ll), -grad


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma: p, q, v (the paper's gamma), covariance of the log-parameters."""

    p: float
    q: float
    v: float
    log_cov: tuple[tuple[float, ...], ...] = field(repr=False)
    loglik: float = 0.0
    n_customers: int = 0
    converged: bool = True

    @property
    def log_params(self) -> np.ndarray:
        return np.log([self.p, self.q, self.v])

    @property
    def cov(self) -> np.ndarray:
        return np.asarray(self.log_cov, dtype=np.float64)

    @property
    def mean_spend(self) -> float:
        """Population mean spend per transaction, p v / (q - 1) (infinite when q <= 1)."""
        return float(population_mean_spend(np.array([[self.p, self.q, self.v]]))[0])

    def as_dict(self) -> dict[str, float]:
        """Parameters with delta-method standard errors, for reports and JSON."""
        se = np.sqrt(np.diag(self.cov)) * np.exp(self.log_params)
        out: dict[str, float] = {n: float(getattr(self, n)) for n in PARAM_NAMES}
        out.update({f"{n}_se": float(s) for n, s in zip(PARAM_NAMES, se, strict=True)})
        out["mean_spend"] = float(self.mean_spend)
        out["loglik"] = self.loglik
        out["n_customers"] = self.n_customers
        return out

    def draws(self, n: int, seed: int = 0) -> np.ndarray:
        """(n, 3) parameter draws from the Laplace approximation, columns p, q, v."""
        return laplace_draws(self.log_params, self.cov, n, seed)

    @classmethod
    def from_mle(cls, res: MleResult, n_customers: int) -> GammaGammaParams:
        p, q, v = np.exp(res.log_params)
        return cls(
            p=float(p), q=float(q), v=float(v),
            log_cov=tuple(tuple(float(c) for c in row) for row in res.cov),
            loglik=res.loglik, n_customers=n_customers, converged=res.converged,
        )


def fit_gamma_gamma(
    x: np.ndarray,
    m: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    prior_mean: np.ndarray | None = None,
    prior_precision: np.ndarray | None = None,
) -> GammaGammaParams:
    """Fit on customers with x >= 1 repeat purchases and mean repeat spend m > 0 (others dropped)."""
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    keep = (x >= 1) & (m > 0) & np.isfinite(m)
    x, m, w = x[keep], m[keep], w[keep]
    if len(x) < 2:
        raise InputError("the Gamma-Gamma model needs at least 2 customers with repeat purchases")
    x, m, w = compress(w, x, m)
    mean_m = float(np.average(m, weights=w))
    init = np.log([2.0, 3.0, mean_m])
    if prior_mean is not None and np.any(prior_mean != 0):
        init = np.asarray(prior_mean, dtype=np.float64)
    scale = w.sum() / 20_000
    init, hess_inv0 = warm_start(
        lambda rows: _Likelihood(x[rows], m[rows], w[rows] * scale),
        len(x), init, prior_mean, prior_precision,
    )
    res = fit_log_params(
        _Likelihood(x, m, w), init, prior_mean=prior_mean, prior_precision=prior_precision,
        hess_inv0=hess_inv0, n_obs=float(w.sum()),
    )
    return GammaGammaParams.from_mle(res, n_customers=int(round(w.sum())))


def _cols(params: GammaGammaParams | np.ndarray) -> tuple[np.ndarray, ...]:
    if isinstance(params, GammaGammaParams):
        return np.float64(params.p), np.float64(params.q), np.float64(params.v)
    arr = np.atleast_2d(np.asarray(params, dtype=np.float64))
    return tuple(arr[:, i : i + 1] for i in range(3))


def population_mean_spend(params: GammaGammaParams | np.ndarray) -> np.ndarray:
    """E[spend per transaction] of a new customer, per parameter row (inf where q <= 1)."""
    p, q, v = _cols(params)
    out = np.where(q > 1.0, p * v / np.maximum(q - 1.0, 1e-12), np.inf)
    return np.asarray(out, dtype=np.float64).reshape(-1)


def conditional_expected_spend(params: GammaGammaParams | np.ndarray, x, m) -> np.ndarray:
    """E[spend per transaction | x repeat transactions averaging m] (equation 5 of the note)."""
    p, q, v = _cols(params)
    x = np.asarray(x, dtype=np.float64)
    m = np.where(np.asarray(x) > 0, np.asarray(m, dtype=np.float64), 0.0)
    return p * (v + m * x) / (p * x + q - 1.0)


def simulate_gamma_gamma(
    x: np.ndarray, p: float, q: float, v: float, seed: int = 0
) -> np.ndarray:
    """Mean transaction value for customers with ``x`` transactions (0 where x = 0)."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.int64)
    nu = rng.gamma(q, 1.0 / v, size=len(x))
    total = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / nu)
    return np.where(x > 0, total / np.maximum(x, 1), 0.0)


__all__ = [
    "PARAM_NAMES", "GammaGammaParams", "conditional_expected_spend", "fit_gamma_gamma",
    "population_mean_spend", "simulate_gamma_gamma",
]
