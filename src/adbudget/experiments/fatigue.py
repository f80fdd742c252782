"""Creative fatigue: a changepoint after which CTR (and CVR) decay exponentially with age.

Per creative and rate (clicks per impression, conversions per click) we fit

    count_t ~ Poisson(exposure_t * exp(a - b * max(0, age_t - tau)))

for every candidate changepoint tau (profile likelihood, Newton steps for a and b), pick
the best tau and compare with a constant rate by a likelihood ratio, divided by the
Pearson overdispersion of the fit (quasi-Poisson), against ``lr_threshold`` (about the 1 %
point of the sup-LR over tau). A creative is **fatigued** when a rate decays significantly
and has fallen by ``min_drop`` since the changepoint. Under CPM buying ROAS moves with
CTR x CVR, so the days until ROAS falls below break-even follow from the fitted decay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CREATIVE_KEYS = ["market", "channel", "campaign", "ad_group", "creative"]
_MAX_TAUS = 60  # candidate changepoints per pass


@dataclass(frozen=True)
class DecayFit:
    """Changepoint-decay fit of one rate; ``tau`` is the age (days) where decay starts."""

    rate_before: float
    decay_per_day: float  # b: the rate falls by 1 - exp(-b) a day after tau
    tau: int | None
    lr: float  # quasi-likelihood ratio vs a constant rate
    significant: bool
    drop: float  # relative fall from rate_before to the rate at the last age


def _fit_given_tau(y, x, z, iters: int = 25):
    """Vectorized over candidate taus: z (K, T) hinge ages. Returns a, b, loglik (K,)."""
    k = z.shape[0]
    a = np.full(k, np.log(max(y.sum(), 0.5) / x.sum()))
    b = np.zeros(k)
    logx = np.log(np.maximum(x, 1e-300))
    for _ in range(iters):
        eta = np.clip(a[:, None] - b[:, None] * z + logx, -700, 700)
        mu = np.exp(eta)
        r = y - mu
        ga, gb = r.sum(1), -(r * z).sum(1)
        haa, hab, hbb = mu.sum(1), -(mu * z).sum(1), (mu * z * z).sum(1)
        det = haa * hbb - hab**2
        ok = det > 1e-12
        da = np.where(ok, (hbb * ga - hab * gb) / np.where(ok, det, 1), ga / np.maximum(haa, 1e-12))
        db = np.where(ok, (haa * gb - hab * ga) / np.where(ok, det, 1), 0.0)
        a, b = a + da, np.clip(b + db, -1.0, 2.0)
        if max(np.abs(da).max(), np.abs(db).max()) < 1e-9:
            break
    eta = np.clip(a[:, None] - b[:, None] * z + logx, -700, 700)
    mu = np.exp(eta)
    ll = (y * eta - mu).sum(1)
    return a, b, ll, mu


def fit_decay(
    age: np.ndarray, count: np.ndarray, exposure: np.ndarray,
    *, min_segment: int = 4, lr_threshold: float = 12.0,
) -> DecayFit:
    """Fit the changepoint-decay model to one rate; see the module docstring."""
    age = np.asarray(age, dtype=float)
    y = np.asarray(count, dtype=float)
    x = np.asarray(exposure, dtype=float)
    keep = x > 0
    age, y, x = age[keep], y[keep], x[keep]
    if len(age) < 2 * min_segment or y.sum() <= 0:
        rate = float(y.sum() / x.sum()) if x.sum() > 0 else 0.0
        return DecayFit(rate, 0.0, None, 0.0, False, 0.0)
    rate0 = y.sum() / x.sum()
    eta0 = np.log(rate0) + np.log(x)
    ll0 = float((y * eta0 - rate0 * x).sum())
    candidates = np.unique(age[min_segment - 1 : len(age) - min_segment])
    step = max(1, int(np.ceil(len(candidates) / _MAX_TAUS)))
    taus = candidates[::step]  # long series: a coarse grid first, then refine around its best
    a, b, ll, mu = _fit_given_tau(y, x, np.maximum(age[None, :] - taus[:, None], 0.0))
    if step > 1:
        near = np.abs(candidates - taus[int(np.argmax(ll))]) <= step
        taus = candidates[near]
        a, b, ll, mu = _fit_given_tau(y, x, np.maximum(age[None, :] - taus[:, None], 0.0))
    best = int(np.argmax(ll))
    mu_b = mu[best]
    dof = max(len(y) - 3, 1)
    phi = max(float(((y - mu_b) ** 2 / np.maximum(mu_b, 1e-12)).sum() / dof), 1.0)
    lr = max(2 * (float(ll[best]) - ll0), 0.0) / phi
    tau, decay = float(taus[best]), float(b[best])
    drop = 1 - math.exp(-decay * (age.max() - tau))
    significant = lr >= lr_threshold and decay > 0
    return DecayFit(float(math.exp(a[best])), decay, int(round(tau)), lr, significant, drop)


@dataclass(frozen=True)
class CreativeFatigue:
    """Fatigue verdict for one creative."""

    market: str
    channel: str
    campaign: str
    ad_group: str
    creative: str
    first_day: str
    age_days: int
    spend: float
    ctr_before: float
    ctr_decay_per_day: float
    ctr_changepoint_age: int | None
    ctr_drop: float
    cvr_before: float
    cvr_decay_per_day: float
    cvr_changepoint_age: int | None
    cvr_drop: float
    roas_now: float
    breakeven_roas: float | None
    fatigued: bool
    days_to_breakeven: float | None  # None: not decaying; 0: already below


def creative_fatigue(
    ad_daily: pd.DataFrame,
    *,
    breakeven: dict[str, float] | None = None,
    min_days: int = 14,
    min_drop: float = 0.2,
    lr_threshold: float = 12.0,
) -> list[CreativeFatigue]:
    """Judge every creative with at least *min_days* of impressions."""
    if ad_daily is None or ad_daily.empty:
        return []
    df = ad_daily.copy()
    df["date"] = pd.to_datetime(df["date"])
    spend = df["spend_base"] if "spend_base" in df else df["spend"]
    revenue = df["revenue_base"] if "revenue_base" in df else df["revenue"]
    df["spend_b"] = pd.to_numeric(spend, errors="coerce").fillna(0.0)
    df["revenue_b"] = pd.to_numeric(revenue, errors="coerce").fillna(0.0)
    agg = (df.groupby(CREATIVE_KEYS + ["date"])[["impressions", "clicks", "conversions", "spend_b", "revenue_b"]]
           .sum().reset_index())
    out = []
    for key, g in agg.groupby(CREATIVE_KEYS, sort=True):
        g = g[g["impressions"] > 0].sort_values("date")
        if len(g) < min_days:
            continue
        age = ((g["date"] - g["date"].iloc[0]).dt.days).to_numpy(dtype=float)
        imp = g["impressions"].to_numpy(dtype=float)
        clk = g["clicks"].to_numpy(dtype=float)
        conv = g["conversions"].to_numpy(dtype=float)
        ctr = fit_decay(age, clk, imp, lr_threshold=lr_threshold)
        cvr = fit_decay(age, conv, clk, lr_threshold=lr_threshold)
        factor = np.ones_like(age)
        rate = 0.0
        for fit in (ctr, cvr):
            if fit.significant and fit.tau is not None:
                factor *= np.exp(-fit.decay_per_day * np.maximum(age - fit.tau, 0.0))
                rate += fit.decay_per_day
        sp, rev = g["spend_b"].to_numpy(dtype=float), g["revenue_b"].to_numpy(dtype=float)
        weighted = float((sp * factor).sum())
        roas_now = float(rev.sum() / weighted * factor[-1]) if weighted > 0 else 0.0
        be = (breakeven or {}).get(str(key[0]))
        fatigued = (ctr.significant and ctr.drop >= min_drop) or (cvr.significant and cvr.drop >= min_drop)
        days = None
        if be is not None and math.isfinite(be):
            if roas_now <= be:
                days = 0.0
            elif rate > 0:
                days = float(math.log(roas_now / be) / rate)
        out.append(CreativeFatigue(
            market=str(key[0]), channel=str(key[1]), campaign=str(key[2]), ad_group=str(key[3]),
            creative=str(key[4]), first_day=str(g["date"].iloc[0].date()), age_days=int(age.max()) + 1,
            spend=float(sp.sum()), ctr_before=ctr.rate_before, ctr_decay_per_day=ctr.decay_per_day,
            ctr_changepoint_age=ctr.tau if ctr.significant else None, ctr_drop=ctr.drop,
            cvr_before=cvr.rate_before, cvr_decay_per_day=cvr.decay_per_day,
            cvr_changepoint_age=cvr.tau if cvr.significant else None, cvr_drop=cvr.drop,
            roas_now=roas_now, breakeven_roas=be, fatigued=bool(fatigued), days_to_breakeven=days,
        ))
    return out
