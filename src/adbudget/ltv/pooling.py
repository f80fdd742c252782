"""Per-market (and market x channel) fits that borrow strength from the pooled fit.

Empirical Bayes on the log-parameters: the pooled fit is the prior mean of every market, the
spread of the large markets' own estimates (minus their sampling noise) is the prior variance,
and each market's estimate is the posterior mode (MAP). A market with much data keeps its own
estimate; a small one is pulled toward the pool in proportion to how little it says.
Market x channel cells are shrunk the same way toward their market.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.errors import InputError
from adbudget.ltv.bgnbd import BgNbdParams, fit_bgnbd
from adbudget.ltv.gammagamma import GammaGammaParams, fit_gamma_gamma

Key = tuple[str, ...]
POOL_PRIOR_SD = 3.0
MAX_PRIOR_SD = 1.5


@dataclass(frozen=True)
class GroupFit:
    """Both models of one group; ``*_pooling`` is the prior's share of the estimate (0..1)."""

    key: Key
    n_customers: int
    n_repeaters: int
    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams | None
    bgnbd_pooling: float
    gg_pooling: float


def _fit_bg(s: pd.DataFrame, mean=None, prec=None) -> BgNbdParams:
    s = s[s["T"] > 0]
    if s.empty:
        raise InputError("no customer is older than one day at the end of the calibration period")
    init = None if mean is None or not np.any(mean) else np.asarray(mean)
    return fit_bgnbd(s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy(),
                     prior_mean=mean, prior_precision=prec, init=init)


def _fit_gg(s: pd.DataFrame, mean=None, prec=None) -> GammaGammaParams:
    return fit_gamma_gamma(s["x"].to_numpy(), s["m"].to_numpy(), prior_mean=mean, prior_precision=prec)


def _prior_variance(
    fits: list, default_sd: float | None, k: int, floor_sd: float = 0.05
) -> np.ndarray:
    """Between-group variance of log-parameters: method of moments over the large groups."""
    if default_sd is not None or len(fits) < 3:
        sd = default_sd if default_sd is not None else 0.5
        return np.full(k, sd**2)
    est = np.array([f.log_params for f in fits])
    noise = np.array([np.diag(f.cov) for f in fits]).mean(axis=0)
    # capped: an unidentified parameter (a, b -> infinity) must not switch pooling off
    return np.clip(est.var(axis=0, ddof=1) - noise, floor_sd**2, MAX_PRIOR_SD**2)


def _pooling_share(prec: np.ndarray, post_cov: np.ndarray) -> float:
    """Average share of posterior precision that comes from the prior."""
    return float(np.clip(np.mean(np.diag(prec) * np.diag(post_cov)), 0.0, 1.0))


def _shrunk(
    fit: Callable, data: pd.DataFrame, parent, var: np.ndarray
) -> tuple[object, float]:
    prec = np.diag(1.0 / var)
    params = fit(data, parent.log_params, prec)
    return params, _pooling_share(prec, params.cov)


def fit_hierarchy(
    summary: pd.DataFrame,
    *,
    by_channel: bool = True,
    market_prior_sd: float | None = None,
    channel_prior_sd: float = 0.5,
    min_customers: int = 500,
) -> dict[Key, GroupFit]:
    """Fits for the pool ``()``, every market ``(m,)`` and, if asked, every ``(m, channel)``.

    ``market_prior_sd`` None estimates the between-market spread from markets with at least
    ``min_customers`` customers (needs 3 of them; else 0.5 on the log scale).
    """
    fits: dict[Key, GroupFit] = {}
    # a weak N(0, 3^2) prior on the pool's log-parameters: negligible where the data identify
    # them, but keeps unidentified heterogeneity finite (a, b -> infinity at fixed a/(a+b)
    # when dropout does not vary across customers)
    pool_bg = _fit_bg(summary, np.zeros(4), np.eye(4) / POOL_PRIOR_SD**2)
    repeaters = summary[(summary["x"] > 0) & (summary["m"] > 0)]
    pool_gg = (_fit_gg(repeaters, np.zeros(3), np.eye(3) / POOL_PRIOR_SD**2)
               if len(repeaters) >= 2 else None)
    fits[()] = GroupFit((), len(summary), len(repeaters), pool_bg, pool_gg, 0.0, 0.0)

    markets = sorted(summary["market"].unique())
    big = [m for m in markets if (summary["market"] == m).sum() >= min_customers]
    estimate = market_prior_sd is None and len(big) >= 3
    own_bg = [_fit_bg(summary[summary["market"] == m]) for m in big] if estimate else []
    own_gg = []
    if estimate and pool_gg is not None:
        for m in big:
            rm = repeaters[repeaters["market"] == m]
            if len(rm) >= min_customers // 5:
                own_gg.append(_fit_gg(rm))
    var_bg = _prior_variance(own_bg, market_prior_sd, 4)
    var_gg = _prior_variance(own_gg, market_prior_sd, 3) if pool_gg is not None else None
    for m in markets:
        sm = summary[summary["market"] == m]
        fits[(m,)] = _group((m,), sm, fits[()], var_bg, var_gg)
    if by_channel:
        var_c = np.full(4, channel_prior_sd**2)
        var_c_gg = np.full(3, channel_prior_sd**2)
        for (m, c), sc in summary.groupby(["market", "channel"], sort=True):
            fits[(m, c)] = _group((m, c), sc, fits[(m,)], var_c, var_c_gg)
    return fits


def _group(key: Key, data: pd.DataFrame, parent: GroupFit, var_bg, var_gg) -> GroupFit:
    bg, w_bg = _shrunk(_fit_bg, data, parent.bgnbd, var_bg) if (data["T"] > 0).any() else (
        parent.bgnbd, 1.0)
    rep = data[(data["x"] > 0) & (data["m"] > 0)]
    gg, w_gg = parent.gamma_gamma, 1.0
    if parent.gamma_gamma is not None and len(rep) >= 2:
        gg, w_gg = _shrunk(_fit_gg, rep, parent.gamma_gamma, var_gg)
    return GroupFit(key, len(data), len(rep), bg, gg, w_bg, w_gg)  # type: ignore[arg-type]


__all__ = ["GroupFit", "Key", "fit_hierarchy"]
