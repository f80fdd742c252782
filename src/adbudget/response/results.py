"""From posterior draws to what a seller reads: ROAS, marginal ROAS, curves, decomposition,
diagnostics and plain-language warnings. Works from the draws and data alone (no sampler).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from adbudget.response.curves import FittedCurves
from adbudget.response.data import ModelData, Notice
from adbudget.response.inference import Draws
from adbudget.response.model import Spec, derive, mean_paths

MODEL_VERSION = "response-4"  # 4: claims checked, organic from observed demand; 3: platform claims likelihood; 2: media season index
MAX_SAVED_DRAWS = 1000
PATH_DRAWS = 100


@dataclass(frozen=True)
class FitResult:
    """A fitted response model: per-line draws, tables and diagnostics (all in base currency)."""

    lines: list[tuple[str, str]]
    markets: list[str]
    target: str
    adstock: str
    saturation: str
    method: str
    seconds: float
    interval: float
    draws: dict[str, np.ndarray]  # name -> (n_draws, n_lines): roas, beta, scale, shape, half_life, adstock_shape
    current_spend: np.ndarray  # (n_lines,)
    max_spend: np.ndarray  # (n_lines,)
    summary: pd.DataFrame  # one row per line
    decomposition: pd.DataFrame  # date, market, component, value
    fit: pd.DataFrame  # date, market, actual, predicted, train
    diagnostics: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)
    model_version: str = MODEL_VERSION
    # (Spec, Draws, ModelData) of the fit that made this result, for exports that need the
    # latent draws (ArviZ log-likelihood, posterior predictive): set on the instance by
    # ``fit_model``, not a field, so it is never saved, compared or turned into JSON
    sampler: ClassVar[Any] = None

    def curves(self) -> FittedCurves:
        """The posterior as :class:`~adbudget.curves.ResponseCurves`."""
        return FittedCurves(
            line_names=list(self.lines), saturation=self.saturation, beta=self.draws["beta"],
            scale=self.draws["scale"], shape=self.draws["shape"], spend_now=self.current_spend,
        )

    def curves_table(self, points: int = 25, max_multiple: float = 2.0) -> pd.DataFrame:
        """Spend grid (0 to ``max_multiple`` x the larger of current / highest seen spend) per line
        with the mean and credible band of the daily response and marginal ROAS."""
        curves = self.curves()
        top = np.maximum(np.maximum(self.current_spend, self.max_spend * 0.5), 1e-6) * max_multiple
        grid = np.linspace(0.0, 1.0, points)[:, None] * top[None, :]
        resp = curves.response(grid)
        marg = curves.marginal(np.maximum(grid, top[None, :] * 1e-3))
        q = (1 - self.interval) / 2
        rows = []
        for n, (m, c) in enumerate(self.lines):
            for k in range(points):
                r = resp[:, k, n]
                rows.append({
                    "market": m, "channel": c, "spend": grid[k, n], "mean": r.mean(),
                    "lo": np.quantile(r, q), "hi": np.quantile(r, 1 - q),
                    "marginal_roas": marg[:, k, n].mean(),
                    "current": bool(abs(grid[k, n] - self.current_spend[n]) <= top[n] / (2 * (points - 1))),
                })
        return pd.DataFrame(rows)


def _q(values: np.ndarray, interval: float) -> tuple[np.ndarray, np.ndarray]:
    q = (1 - interval) / 2
    return np.quantile(values, q, axis=0), np.quantile(values, 1 - q, axis=0)


def analyze(data: ModelData, spec: Spec, draws: Draws, interval: float = 0.9,
            adstock: str = "geometric", saturation: str = "hill") -> FitResult:
    """Summarise draws into a :class:`FitResult`."""
    by_chain = draws.samples["z"]
    step = int(np.ceil(by_chain.shape[0] * by_chain.shape[1] / MAX_SAVED_DRAWS))
    by_chain = by_chain[:, ::step]
    z = by_chain.reshape((-1, by_chain.shape[-1]))
    named = derive(spec, z)
    chains = by_chain.shape[0]
    n_lines = data.n_lines
    value = data.value_per_unit[data.line_market] if n_lines else np.zeros(0)
    y_line = data.y_scale[data.line_market] if n_lines else np.zeros(0)
    line_draws: dict[str, np.ndarray] = {}
    if n_lines:
        # curves per DAY whatever the period: a steady daily spend s is a period spend p * s, and
        # beta * S(p * s; scale) / p = (beta / p) * S(s; scale / p) for every saturation family
        per = data.period_days
        line_draws = {
            "roas": named["line_roas"] * value,
            "beta": named["line_beta"] * y_line * value / per,
            "scale": named["line_sat_scale"] * data.x_scale / per,
            "shape": named["line_sat_shape"],
            "half_life": named["line_half_life"],
            "adstock_shape": named["line_adstock_shape"],
            "log_roas": named["line_log_roas"],
        }
        if "line_claim_phi" in named:  # platform claims: over-claim, caused / organic parts
            y_val = y_line * value
            line_draws["claim_phi"] = named["line_claim_phi"]
            line_draws["claim_caused"] = named["line_claim_caused"] * y_val
            line_draws["claim_organic"] = named["line_claim_organic"] * y_val
    result_draws = {k: v for k, v in line_draws.items() if k != "log_roas"}
    paths = mean_paths(spec, z[np.linspace(0, len(z) - 1, min(PATH_DRAWS, len(z))).astype(int)])

    fit_rows, decomposition = _paths_tables(data, paths)
    diagnostics = _diagnostics(data, draws, paths, {
        k: v.reshape((chains, -1) + v.shape[1:]) for k, v in line_draws.items()
        if k != "log_roas" and np.ptp(v, axis=0).min() > 0})  # skip constants (no shape param)
    curves = FittedCurves(list(data.lines), saturation, result_draws.get("beta", np.zeros((1, 0))),
                          result_draws.get("scale", np.zeros((1, 0))),
                          result_draws.get("shape", np.zeros((1, 0))), data.current_spend)
    summary = _summary(data, spec, line_draws, curves, paths, interval)
    notices = list(data.notices) + _fit_notices(data, summary, diagnostics)
    return FitResult(
        lines=list(data.lines), markets=list(data.markets), target=data.target, adstock=adstock,
        saturation=saturation, method=draws.method, seconds=draws.seconds, interval=interval,
        draws=result_draws, current_spend=np.asarray(data.current_spend, float),
        max_spend=np.asarray(data.max_spend, float), summary=summary,
        decomposition=decomposition, fit=fit_rows, diagnostics=diagnostics, notices=notices,
    )


def _paths_tables(data: ModelData, paths: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    scale = data.y_scale[None, :] * data.value_per_unit[None, :]
    fit = []
    decomposition = []
    for j, m in enumerate(data.markets):
        active = data.active[:, j]
        frame = pd.DataFrame({
            "date": data.dates, "market": m, "actual": data.y[:, j] * data.value_per_unit[j],
            "predicted": paths["mu"][:, j] * scale[0, j], "train": data.train,
        })
        fit.append(frame[active])
        parts = {"base": paths["base"][:, j] * scale[0, j]}
        for n, (mm, c) in enumerate(data.lines):
            if mm == m:
                parts[c] = paths["contrib"][:, n] * scale[0, j]
        for comp, values in parts.items():
            decomposition.append(pd.DataFrame({"date": data.dates[active], "market": m,
                                               "component": comp, "value": values[active]}))
    return (pd.concat(fit, ignore_index=True),
            pd.concat(decomposition, ignore_index=True) if decomposition else pd.DataFrame())


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    ok = actual > 0
    if not ok.any():
        return float("nan")
    return float(np.mean(np.abs(actual[ok] - predicted[ok]) / actual[ok]))


def _diagnostics(data: ModelData, draws: Draws, paths: dict[str, np.ndarray],
                 grouped: dict[str, np.ndarray]) -> dict[str, Any]:
    """Fit quality and convergence; R-hat / ESS over the reported quantities (ROAS, curve
    parameters, half-lives), not the raw offsets whose sums alone the data identify."""
    from numpyro.diagnostics import effective_sample_size, split_gelman_rubin

    pred = paths["mu"] * data.y_scale[None, :]
    train_mask = data.obs_mask
    active = data.active & ~data.train[:, None]
    y = data.y
    resid = (y - pred)[train_mask]
    ss_tot = ((y[train_mask] - y[train_mask].mean()) ** 2).sum()
    out: dict[str, Any] = {
        "method": draws.method, "seconds": round(draws.seconds, 2), "chains": draws.chains,
        "draws": draws.draws, "divergences": draws.divergences,
        "r2_in_sample": float(1 - (resid**2).sum() / ss_tot) if ss_tot > 0 else float("nan"),
        "mape_in_sample": _mape(y[train_mask], pred[train_mask]),
        "mape_holdout": _mape(y[active], pred[active]) if active.any() else None,
        "holdout_days": int((~data.train).sum()) * data.period_days,
        "period_days": data.period_days, "train_periods": int(data.train.sum()),
        "r_hat_max": None, "ess_min": None,
    }
    if draws.method == "nuts" and grouped:
        first = next(iter(grouped.values()))
        if first.shape[0] >= 2 and first.shape[1] >= 4:
            rhat = [np.nanmax(np.asarray(split_gelman_rubin(v))) for v in grouped.values()]
            ess = [np.nanmin(np.asarray(effective_sample_size(v))) for v in grouped.values()]
            out["r_hat_max"] = float(np.nanmax(rhat))
            out["ess_min"] = float(np.nanmin(ess))
    if draws.svi_loss:
        out["svi_loss"] = draws.svi_loss
    if draws.steps_per_draw is not None:  # leapfrog steps per NUTS draw (cost of a draw)
        out["steps_per_draw"] = round(draws.steps_per_draw, 1)
    return out


def _summary(data: ModelData, spec: Spec, line_draws: dict[str, np.ndarray], curves: FittedCurves,
             paths: dict[str, np.ndarray], interval: float) -> pd.DataFrame:
    if not data.n_lines:
        return pd.DataFrame(columns=["market", "channel"])
    roas_lo, roas_hi = _q(line_draws["roas"], interval)
    marginal = curves.marginal(np.maximum(data.current_spend, 1e-9))[:, :]
    m_lo, m_hi = _q(marginal, interval)
    sat_point = curves.saturation_point(0.8)
    resp_now = curves.response(data.current_spend)
    saturation_pct = 100 * resp_now / np.maximum(curves.beta, 1e-12)
    hl_lo, hl_hi = _q(line_draws["half_life"], interval)
    prior_weight = np.clip(line_draws["log_roas"].var(axis=0) / spec.prior_log_roas_var, 0, 1)
    scale = (data.y_scale * data.value_per_unit)[data.line_market]
    contrib_total = (paths["contrib"][data.train] * scale[None, :]).sum(axis=0)
    market_total = np.array([(data.y[data.obs_mask[:, j], j] * data.value_per_unit[j]).sum()
                             for j in range(len(data.markets))])
    claims = _claims_summary(data, line_draws, interval)
    rows = []
    for n, (m, c) in enumerate(data.lines):
        rows.append({
            "market": m, "channel": c,
            "roas": float(line_draws["roas"][:, n].mean()), "roas_lo": float(roas_lo[n]),
            "roas_hi": float(roas_hi[n]),
            "marginal_roas": float(marginal[:, n].mean()), "marginal_roas_lo": float(m_lo[n]),
            "marginal_roas_hi": float(m_hi[n]),
            "current_spend": float(data.current_spend[n]), "max_spend": float(data.max_spend[n]),
            "saturation_point": float(np.median(sat_point[:, n])),
            "saturation_pct": float(saturation_pct[:, n].mean()),
            "half_life": float(line_draws["half_life"][:, n].mean()),
            "half_life_lo": float(hl_lo[n]), "half_life_hi": float(hl_hi[n]),
            "contribution": float(contrib_total[n]),
            "contribution_share": float(contrib_total[n] / max(market_total[data.line_market[n]], 1e-9)),
            "prior_weight": float(prior_weight[n]),
            **{k: v[n] for k, v in claims.items()},
        })
    return pd.DataFrame(rows)


NAN = float("nan")
CLAIM_COLUMNS = ("claimed_revenue", "claimed_conversions", "claimed_roas", "incremental_revenue",
                 "incremental_revenue_lo", "incremental_revenue_hi", "incremental_share",
                 "incremental_share_lo", "incremental_share_hi", "caused_conversions",
                 "organic_claim_share", "organic_claim_share_lo", "organic_claim_share_hi",
                 "over_claim")


def _claims_summary(data: ModelData, line_draws: dict[str, np.ndarray],
                    interval: float) -> dict[str, list[float]]:
    """Per line, what the platform claims next to what the model estimates it caused.

    Over the training period: claimed revenue, conversions and ROAS (the platform's), the
    incremental revenue (ROAS x spend, the model's) with its interval, the incrementality
    share (incremental / claimed revenue) with its interval, the conversions that share
    implies, the share of the claims the model reads as organic demand (buyers who were
    coming anyway, view-through), and the over-claim on what the line caused. NaN where
    the line has no claims or the fit did not use them.
    """
    n_n = data.n_lines
    has = np.asarray(data.has_claims, bool) if len(data.has_claims) == n_n else np.zeros(n_n, bool)
    claimed = np.asarray(data.claimed_revenue, float) if has.any() else np.zeros(n_n)
    conversions = np.asarray(data.claimed_conversions, float) if has.any() else np.zeros(n_n)
    spend = np.asarray(data.spend_total, float)
    incremental = line_draws["roas"] * spend[None, :]  # (D, N) base currency over training
    inc_lo, inc_hi = _q(incremental, interval)
    share = incremental / np.maximum(claimed, 1e-9)[None, :]
    sh_lo, sh_hi = _q(share, interval)
    used = "claim_caused" in line_draws
    if used:
        parts = line_draws["claim_caused"] + line_draws["claim_organic"]
        organic = line_draws["claim_organic"] / np.maximum(parts, 1e-12)
        org_lo, org_hi = _q(organic, interval)
    out: dict[str, list[float]] = {k: [] for k in CLAIM_COLUMNS}
    mask = np.asarray(data.claims_mask, bool)
    in_fit = mask.any(axis=0) if mask.shape == (len(data.dates), n_n) else np.zeros(n_n, bool)
    for n in range(n_n):
        ok = bool(has[n])
        fitted = ok and used and bool(in_fit[n])  # claims in the likelihood (not checked out)
        values: dict[str, float] = {
            "claimed_revenue": float(claimed[n]) if ok else NAN,
            "claimed_conversions": float(conversions[n]) if ok else NAN,
            "claimed_roas": float(claimed[n] / spend[n]) if ok and spend[n] > 0 else NAN,
            "incremental_revenue": float(incremental[:, n].mean()),
            "incremental_revenue_lo": float(inc_lo[n]), "incremental_revenue_hi": float(inc_hi[n]),
            "incremental_share": float(share[:, n].mean()) if ok else NAN,
            "incremental_share_lo": float(sh_lo[n]) if ok else NAN,
            "incremental_share_hi": float(sh_hi[n]) if ok else NAN,
            "caused_conversions": float(conversions[n] * share[:, n].mean()) if ok else NAN,
            "organic_claim_share": float(organic[:, n].mean()) if fitted else NAN,
            "organic_claim_share_lo": float(org_lo[n]) if fitted else NAN,
            "organic_claim_share_hi": float(org_hi[n]) if fitted else NAN,
            "over_claim": float(line_draws["claim_phi"][:, n].mean()) if fitted else NAN,
        }
        for k, v in values.items():
            out[k].append(v)
    return out


def _fit_notices(data: ModelData, summary: pd.DataFrame, diag: dict[str, Any]) -> list[Notice]:
    out: list[Notice] = []
    if diag.get("r_hat_max") is not None and diag["r_hat_max"] > 1.05:
        out.append(Notice("response.notice.rhat", {"value": round(diag["r_hat_max"], 3)}))
    if diag.get("ess_min") is not None and diag["ess_min"] < 100:
        out.append(Notice("response.notice.ess", {"value": int(diag["ess_min"])}))
    if diag.get("divergences"):
        total = int(diag.get("draws") or 0) * int(diag.get("chains") or 1)
        out.append(Notice("response.notice.divergences", {"count": diag["divergences"], "total": total}))
    mape = diag.get("mape_holdout")
    if mape is not None and mape > 0.3:
        out.append(Notice("response.notice.holdout_error", {"pct": round(100 * mape, 1)}))
    flat = {(n.values.get("market"), n.values.get("channel")) for n in data.notices
            if n.key == "response.notice.flat_spend"}
    for row in summary.itertuples():
        if row.prior_weight > 0.6 and (row.market, row.channel) not in flat:
            out.append(Notice("response.notice.mostly_prior", {
                "market": row.market, "channel": row.channel, "pct": round(100 * row.prior_weight)}))
    return out


__all__ = ["MODEL_VERSION", "FitResult", "analyze"]
