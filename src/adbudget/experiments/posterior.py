"""Posterior draws of each arm's metric from daily totals, vectorized over many experiments.

Conversion rate per click is Beta-Binomial (prior Beta(1, 1)). Order values are heavy
tailed; with daily totals only, we model each order's value as Gamma(k, rate lambda):
a day's revenue over n orders is then Gamma(n k, lambda), so lambda has a conjugate Gamma
posterior given the arm's total orders and revenue (the revenue part of Stucchio's
"Bayesian A/B testing at VWO", 2015, with a general shape). The shape k = 1 / CV^2 of the
order value is estimated from how daily average order values scatter around the arm's mean
(Var(daily mean) = CV^2 m^2 / n), pooled over the experiment's arms and a prior CV.

Two revenue models (registry ``REVENUE_MODELS``):

* ``gamma`` — plug in the estimated shape; conjugate and fast.
* ``gamma_mc`` — draw CV^2 from its scaled-inverse-chi-square posterior for every Monte
  Carlo draw, so a few huge orders widen the interval instead of being trusted.

Arrays have shape (..., A, D): experiments, arms, days. Draws come back as (..., A, S).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

PRIOR_DF = 2.0  # weight (in degrees of freedom) of the prior CV of order values
_MAX_CV2 = 50.0
_MIN_CV2 = 1e-3


def order_value_cv2(
    conversions: np.ndarray, revenue: np.ndarray, prior_cv: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled squared CV of single order values and its degrees of freedom, per experiment.

    Uses day cells with at least one conversion: sum over cells of
    n_d (y_d - m_a)^2 / m_a^2 estimates CV^2 with (cells - arms) degrees of freedom.
    """
    c = np.asarray(conversions, dtype=float)
    r = np.asarray(revenue, dtype=float)
    c_tot = c.sum(-1)
    r_tot = r.sum(-1)
    m = np.divide(r_tot, c_tot, out=np.zeros_like(r_tot), where=c_tot > 0)
    has = c > 0
    dev = np.where(has, r - c * m[..., None], 0.0)
    denom = np.where(has, c * (m[..., None] ** 2), 1.0)
    ok = has & (m[..., None] > 0)
    ss = np.where(ok, dev**2 / denom, 0.0).sum(axis=(-1, -2))
    df = ok.sum(axis=(-1, -2)) - (c_tot > 0).sum(-1)
    df = np.maximum(df, 0).astype(float)
    cv2 = (PRIOR_DF * prior_cv**2 + ss) / (PRIOR_DF + df)
    return np.clip(cv2, _MIN_CV2, _MAX_CV2), df


class RevenueModel(Protocol):
    """Draws of the mean order value per arm."""

    def draw_mean_value(
        self, conv: np.ndarray, rev: np.ndarray, cv2: np.ndarray, df: np.ndarray,
        rng: np.random.Generator, n_draws: int,
    ) -> np.ndarray:
        """conv, rev (..., A) totals; cv2, df (...,) -> draws (..., A, S)."""
        ...


def _gamma_mean_value(conv, rev, k, rng, n_draws):
    """k broadcastable to (..., A, S); prior: one pseudo-order at the pooled mean value."""
    pooled = rev.sum(-1) / np.maximum(conv.sum(-1), 1e-9)
    pooled = np.where(pooled > 0, pooled, 1.0)[..., None, None]
    shape = k * (conv[..., None] + 1.0)
    rate = rev[..., None] + k * pooled
    lam = rng.standard_gamma(np.broadcast_to(shape, shape.shape[:-1] + (n_draws,))) / rate
    return k / lam


@dataclass(frozen=True)
class GammaRevenue:
    """Gamma order values with the shape fixed at its estimate (conjugate)."""

    def draw_mean_value(self, conv, rev, cv2, df, rng, n_draws):
        k = (1.0 / cv2)[..., None, None]
        return _gamma_mean_value(conv, rev, k, rng, n_draws)


@dataclass(frozen=True)
class GammaShapeMCRevenue:
    """Gamma order values, CV^2 drawn from its posterior per draw (heavier-tail safe)."""

    def draw_mean_value(self, conv, rev, cv2, df, rng, n_draws):
        nu = (df + PRIOR_DF)[..., None]
        chi = rng.chisquare(np.broadcast_to(nu, nu.shape[:-1] + (n_draws,)))
        cv2_draw = np.clip(nu * cv2[..., None] / np.maximum(chi, 1e-9), _MIN_CV2, _MAX_CV2)
        k = (1.0 / cv2_draw)[..., None, :]  # (..., 1, S), shared by the arms of a draw
        return _gamma_mean_value(conv, rev, k, rng, n_draws)


REVENUE_MODELS: dict[str, RevenueModel] = {
    "gamma": GammaRevenue(),
    "gamma_mc": GammaShapeMCRevenue(),
}

METRICS = ("roas", "revenue_per_click", "conversion_rate")


def metric_draws(
    spend: np.ndarray,
    clicks: np.ndarray,
    conversions: np.ndarray,
    revenue: np.ndarray,
    *,
    metric: str = "roas",
    revenue_model: str = "gamma",
    prior_cv: float = 1.0,
    n_draws: int = 4000,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Posterior draws (..., A, S) of the metric per arm from daily arrays (..., A, D).

    ROAS treats cost per click as known (the seller sets spend): ROAS = clicks/spend x CVR x
    mean order value. Platform conversions above clicks (view-through) count as clicks.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; allowed: {', '.join(METRICS)}")
    if revenue_model not in REVENUE_MODELS:
        raise ValueError(f"unknown revenue model {revenue_model!r}; allowed: {', '.join(REVENUE_MODELS)}")
    rng = rng or np.random.default_rng(0)
    conv_d = np.asarray(conversions, dtype=float)
    n = np.asarray(clicks, dtype=float).sum(-1)
    c = conv_d.sum(-1)
    n = np.maximum(n, c)
    a = 1.0 + c
    b = 1.0 + n - c
    size = a.shape + (n_draws,)
    p = rng.beta(np.broadcast_to(a[..., None], size), np.broadcast_to(b[..., None], size))
    if metric == "conversion_rate":
        return p
    rev_d = np.asarray(revenue, dtype=float)
    cv2, df = order_value_cv2(conv_d, rev_d, prior_cv)
    value = REVENUE_MODELS[revenue_model].draw_mean_value(c, rev_d.sum(-1), cv2, df, rng, n_draws)
    rpc = p * value
    if metric == "revenue_per_click":
        return rpc
    s = np.asarray(spend, dtype=float).sum(-1)
    clicks_per_spend = np.divide(n, s, out=np.zeros_like(n), where=s > 0)
    return rpc * clicks_per_spend[..., None]


@dataclass(frozen=True)
class DrawSummary:
    """Per-arm summaries of posterior draws; arrays (..., A)."""

    mean: np.ndarray
    lo: np.ndarray  # 5 % quantile
    hi: np.ndarray  # 95 % quantile
    p_best: np.ndarray
    p_beat_control: np.ndarray  # NaN for the control itself (or when there is none)
    expected_loss: np.ndarray  # E[max_j theta_j - theta_a]
    loss_rel: np.ndarray  # expected loss / E[max_j theta_j]


def summarize_draws(draws: np.ndarray, control: np.ndarray | int | None = None) -> DrawSummary:
    """P(best), P(beat control) and expected loss of choosing each arm, from draws (..., A, S).

    ``control`` is the control arm's index per experiment (shape (...,)); -1 or None: none.
    """
    draws = np.asarray(draws, dtype=float)
    n_arms = draws.shape[-2]
    best = draws.max(-2, keepdims=True)
    winner = draws.argmax(-2)
    p_best = np.stack([(winner == a).mean(-1) for a in range(n_arms)], axis=-1)
    loss = (best - draws).mean(-1)
    scale = best[..., 0, :].mean(-1, keepdims=True)
    loss_rel = np.divide(loss, scale, out=np.zeros_like(loss), where=scale > 0)
    lead = draws.shape[:-2]
    ctrl = np.full(lead, -1) if control is None else np.broadcast_to(np.asarray(control), lead)
    idx = np.clip(ctrl, 0, n_arms - 1)[..., None, None]
    ctrl_draws = np.take_along_axis(draws, np.broadcast_to(idx, lead + (1, draws.shape[-1])), -2)
    p_beat = (draws > ctrl_draws).mean(-1)
    arm_index = np.arange(n_arms)
    p_beat = np.where((ctrl[..., None] < 0) | (arm_index == ctrl[..., None]), np.nan, p_beat)
    q = np.quantile(draws, [0.05, 0.95], axis=-1)
    return DrawSummary(
        mean=draws.mean(-1), lo=q[0], hi=q[1], p_best=p_best, p_beat_control=p_beat,
        expected_loss=loss, loss_rel=loss_rel,
    )
