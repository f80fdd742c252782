"""The long-term brand effect: a slow brand stock per market raising its whole demand.

Brand-building spend (video and influencer channels; awareness, reach, creator campaigns:
:func:`brand_weight`) accumulates a *brand stock* per market, a geometric adstock with a
half-life of months (``S_t = d S_(t-1) + (1 - d) B_t``). The market's daily net revenue is
modelled on the log scale as

    log R_t = controls_t + theta * S_t / mean(S)

with controls for level, trend, season (yearly Fourier terms when a year of data is there),
weekday and the short-term carryover of all ad spend and of brand spend (a week), so theta
is only what the slow stock adds beyond the days-long response the MMM already fits. The
half-life is not identified from a year of data on its own: the model averages over a grid
(30-180 days) by marginal likelihood. ``theta`` has a small half-normal prior (scale 0.15: a brand
stock twice its mean raises demand by about 15 %) and competes with a model without any
brand effect (prior odds 1:1, ``p_effect``). Organic demand is autocorrelated, so every model
is fitted on AR(1)-prewhitened data (one residual autocorrelation per market, GLS), which
keeps the intervals honest.

What it needs: about 12 months of daily revenue and spend (two years for the half-life), and
brand spend that *moves* independently of the season: a go-dark period of 4-8 weeks on the
brand lines of one market, or a step change held for a quarter, identifies theta; without
either the interval stays wide and the planner keeps the method's prior (25 %). Pure: takes
a DataFrame, returns :class:`BrandEstimate` per market.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import norm, truncnorm

HALF_LIVES = (30.0, 60.0, 90.0, 120.0, 180.0)
PRIOR_SD = 0.15
DRAWS = 2000
MIN_DAYS = 180  # below this the stock cannot be told from trend and season
BRAND_CHANNELS = ("youtube", "kol")  # every campaign builds the brand
BRAND_CAMPAIGN = re.compile(
    r"(?i)(awareness|reach|instream|in-stream|brand[ _-]?lift|video[ _-]?views?\b|creator|"
    r"unboxing|review|kol|influencer|品牌认知|种草|达人)")


def brand_weight(channel: str, campaign: str | None) -> float:
    """1 when a channel/campaign builds the brand (video, influencers, awareness, reach), else 0.
    Brand *search* is not brand building: it harvests demand the brand already made."""
    if channel in BRAND_CHANNELS:
        return 1.0
    return 1.0 if campaign and BRAND_CAMPAIGN.search(campaign) else 0.0


@dataclass(frozen=True)
class BrandEstimate:
    """What the slow brand stock does in one market (intervals: 10th-90th percentile)."""

    market: str
    days: int
    half_life: float  # posterior-weighted, days
    theta: float  # log-revenue effect of a stock at its mean
    theta_lo: float
    theta_hi: float
    share: float  # long-term share of today's revenue the brand stock builds
    share_lo: float
    share_hi: float
    lt_roas: float  # revenue over the horizon per unit of steady brand spend (discounted)
    lt_roas_lo: float
    lt_roas_hi: float
    stock_end: float  # brand stock on the last day (base currency per day)
    stock_mean: float  # its mean over the data (theta is per stock of this size)
    p_effect: float  # posterior probability that the stock matters at all (vs theta = 0)
    brand_daily: float  # brand spend per day, last 28 days
    revenue_daily: float  # net revenue per day, last 28 days
    trend_pct: float  # stock change over the last 28 days, % (negative: decaying)
    enough_data: bool
    horizon_months: int
    annual_discount: float
    theta_draws: np.ndarray  # posterior draws (for scenarios)
    half_life_draws: np.ndarray
    # share of each channel's spend (last 28 days) that builds the brand (channel_brand_shares)
    channels: dict[str, float] = field(default_factory=dict)

    @property
    def decaying(self) -> bool:
        return self.trend_pct < -2.0

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("theta_draws")
        out.pop("half_life_draws")
        out["decaying"] = self.decaying
        return out

    def stop_scenario(self, months: int = 12) -> pd.DataFrame:
        """Revenue lost per month (mean, P10, P90) if brand spend stopped today: the stock
        decays at its half-life and revenue falls by exp(theta * dS / mean)."""
        days = np.arange(1, months * 30 + 1)
        hl = self.half_life_draws[:, None]
        left = 0.5 ** (days[None, :] / hl)  # share of today's stock left
        drop = self.theta_draws[:, None] * self.stock_end * (1 - left) / max(self.stock_mean, 1e-9)
        lost = self.revenue_daily * (1 - np.exp(-drop))  # (draws, days)
        month = (days - 1) // 30
        per = np.stack([lost[:, month == j].sum(axis=1) for j in range(months)], axis=1)
        return pd.DataFrame({"month": np.arange(1, months + 1), "revenue_lost": per.mean(axis=0),
                             "revenue_lost_lo": np.quantile(per, 0.1, axis=0),
                             "revenue_lost_hi": np.quantile(per, 0.9, axis=0)})


def stock(brand: np.ndarray, half_life: float) -> np.ndarray:
    """Geometric adstock in spend units, started at the first 60 days' mean (steady state)."""
    d = 0.5 ** (1.0 / half_life)
    s = float(np.mean(brand[:60])) if len(brand) else 0.0
    out = np.empty(len(brand))
    for t, b in enumerate(brand):
        s = d * s + (1 - d) * b
        out[t] = s
    return out


def _short(x: np.ndarray, half_life: float) -> np.ndarray:
    d = 0.5 ** (1.0 / half_life)
    out = np.empty(len(x))
    s = 0.0
    for t, v in enumerate(x):
        s = d * s + (1 - d) * v
        out[t] = s
    return out


def _controls(dates: pd.DatetimeIndex, spend: np.ndarray, brand: np.ndarray) -> np.ndarray:
    n = len(dates)
    t = np.arange(n) / 365.0
    cols = [np.ones(n), t]
    if n >= 300:
        doy = dates.day_of_year.to_numpy() / 365.25
        for k in (1, 2):
            cols += [np.sin(2 * np.pi * k * doy), np.cos(2 * np.pi * k * doy)]
    wd = dates.day_of_week.to_numpy()
    cols += [(wd == d).astype(float) for d in range(1, 7)]
    for x, hl in ((spend, 3.0), (brand, 7.0)):
        m = float(x.mean()) or 1.0
        cols.append(np.log1p(_short(x, hl) / m))
    return np.column_stack(cols)


def _ar1(y: np.ndarray, X: np.ndarray) -> float:
    """Lag-1 autocorrelation of the residuals of the controls-only fit (one value shared by
    every model of a market, so their evidences compare on the same prewhitened data)."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    return float(np.clip(np.corrcoef(resid[:-1], resid[1:])[0, 1], 0.0, 0.95)) if len(y) > 3 else 0.0


def _fit_one(y: np.ndarray, X: np.ndarray, z: np.ndarray | None, prior_sd: float, rho: float
             ) -> tuple[float, float, float]:
    """Posterior mean and sd of theta (flat-ish priors on controls; half-normal prior on
    theta) and the log evidence; ``z`` None: the model without a brand stock (theta = 0)."""
    A = X if z is None else np.column_stack([X, z])
    p = A.shape[1]
    prior_prec = np.full(p, 1e-4)
    if z is not None:
        prior_prec[-1] = 1.0 / prior_sd**2
    # AR(1) errors (organic demand is autocorrelated): prewhiten, then a conjugate fit (GLS)
    yw, Aw = y[1:] - rho * y[:-1], A[1:] - rho * A[:-1]
    bw, *_ = np.linalg.lstsq(Aw, yw, rcond=None)
    rw = yw - Aw @ bw
    sigma2 = float(rw @ rw / max(len(yw) - p, 1))
    prec = Aw.T @ Aw / sigma2 + np.diag(prior_prec)
    cov = np.linalg.inv(prec)
    mean = cov @ (Aw.T @ yw / sigma2)
    # Gaussian marginal likelihood with sigma plugged in
    r = yw - Aw @ mean
    logml = (-0.5 * (r @ r) / sigma2 - 0.5 * len(yw) * np.log(sigma2)
             - 0.5 * float(mean @ (prior_prec * mean))
             - 0.5 * np.linalg.slogdet(prec)[1] + 0.5 * np.log(prior_prec).sum())
    if z is None:
        return 0.0, 0.0, float(logml)
    m, sd = float(mean[-1]), float(np.sqrt(cov[-1, -1]))
    logml += float(np.log(2 * norm.cdf(m / max(sd, 1e-12))))  # half-normal prior: the mass above 0
    return m, sd, float(logml)


def estimate_market(df: pd.DataFrame, market: str = "", prior_sd: float = PRIOR_SD,
                    horizon_months: int = 12, annual_discount: float = 0.10,
                    seed: int = 0) -> BrandEstimate:
    """One market's brand effect from daily rows: ``date``, ``revenue`` (net, base),
    ``spend`` (all ad spend, base) and ``brand_spend`` (its brand-building part)."""
    df = df.sort_values("date")
    full = pd.date_range(df["date"].min(), df["date"].max())
    df = df.set_index("date").reindex(full).fillna(0.0)
    rev = df["revenue"].to_numpy(float)
    live = np.flatnonzero(rev > 0)
    first = int(live[0]) if len(live) else 0
    dates, rev = full[first:], rev[first:]
    spend = df["spend"].to_numpy(float)[first:]
    brand = df["brand_spend"].to_numpy(float)[first:]
    n = len(rev)
    y = np.log(np.maximum(rev, max(float(np.median(rev)) * 0.05, 1e-6)))
    X = _controls(dates, spend, brand)
    rng = np.random.default_rng(seed)
    rho = _ar1(y, X)
    fits = []
    for hl in HALF_LIVES:
        s = stock(brand, hl)
        mean_s = float(s.mean())
        z = s / mean_s if mean_s > 0 else np.zeros(n)
        if not z.any():
            fits.append((hl, 0.0, prior_sd, 0.0, s, mean_s))
            continue
        m, sd, lml = _fit_one(y, X, z, prior_sd, rho)
        fits.append((hl, m, sd, lml, s, mean_s))
    # the model without a brand effect competes with the stock models: prior odds 1:1
    null = _fit_one(y, X, None, prior_sd, rho)[2] if any(f[4].any() for f in fits) else 0.0
    fits.append((HALF_LIVES[len(HALF_LIVES) // 2], 0.0, 0.0, null, fits[0][4] * 0.0, 0.0))
    lml = np.asarray([f[3] for f in fits])
    prior = np.r_[np.full(len(HALF_LIVES), 0.5 / len(HALF_LIVES)), 0.5]
    w = np.exp(lml - lml.max()) * prior
    w /= w.sum()
    p_null = float(w[-1])
    pick = rng.choice(len(fits), size=DRAWS, p=w)
    # brand spend does not lower demand: the prior is a half-normal, the posterior truncated at 0
    theta = np.empty(DRAWS)
    for k in np.unique(pick):
        sel = pick == k
        m_k, sd_k = fits[k][1], max(fits[k][2], 1e-9)
        if fits[k][2] == 0.0:
            theta[sel] = 0.0
            continue
        theta[sel] = truncnorm.rvs(-m_k / sd_k, np.inf, loc=m_k, scale=sd_k, size=int(sel.sum()),
                                   random_state=rng)
    hl_draws = np.asarray([fits[k][0] for k in pick])
    ratio = np.asarray([fits[k][4][-1] / fits[k][5] if fits[k][5] > 0 else 0.0 for k in pick])
    ws = w[:-1] / w[:-1].sum()  # the stock models' own weights
    stock_end = float(sum(wk * f[4][-1] for wk, f in zip(ws, fits, strict=False)))
    mean_stock = np.asarray([fits[k][5] for k in pick])
    recent = slice(max(n - 28, 0), n)
    r_now = float(rev[recent].mean()) if n else 0.0
    b_now = float(brand[recent].mean()) if n else 0.0
    share = 1 - np.exp(-np.maximum(theta, 0.0) * ratio)
    # long-term revenue per unit of steady brand spend, discounted over the horizon
    days = np.arange(1, horizon_months * 30 + 1)
    disc = (1 + annual_discount) ** (-(days - 1) / 365.0)
    build = 1 - 0.5 ** (days[None, :] / hl_draws[:, None])
    slope = r_now * theta / np.where(mean_stock > 0, mean_stock, np.inf)  # dR/dS today
    lt = slope * (build * disc).sum(axis=1) / disc.sum()
    s_series = fits[int(np.argmax(ws))][4]
    trend = (float(s_series[-1] / s_series[max(n - 29, 0)] - 1) * 100
             if n > 29 and s_series[max(n - 29, 0)] > 0 else 0.0)

    def q(x: np.ndarray) -> tuple[float, float, float]:
        return float(np.mean(x)), float(np.quantile(x, 0.1)), float(np.quantile(x, 0.9))

    th, sh, lr = q(theta), q(share), q(lt)
    return BrandEstimate(
        market=market, days=n, half_life=float(np.sum(ws * np.asarray(HALF_LIVES))),
        theta=th[0], theta_lo=th[1], theta_hi=th[2], share=sh[0], share_lo=sh[1], share_hi=sh[2],
        lt_roas=lr[0], lt_roas_lo=lr[1], lt_roas_hi=lr[2], stock_end=stock_end,
        stock_mean=float(sum(wk * f[5] for wk, f in zip(ws, fits, strict=False))),
        p_effect=1.0 - p_null,
        brand_daily=b_now, revenue_daily=r_now, trend_pct=trend,
        enough_data=n >= MIN_DAYS and b_now + float(brand.mean()) > 0,
        horizon_months=horizon_months, annual_discount=annual_discount,
        theta_draws=theta, half_life_draws=hl_draws,
    )


def estimate_brand(daily: pd.DataFrame, **kw) -> dict[str, BrandEstimate]:
    """Every market's :class:`BrandEstimate` from rows ``date, market, revenue, spend,
    brand_spend`` (see :func:`estimate_market`)."""
    out = {}
    for market, part in daily.groupby("market", sort=True):
        out[str(market)] = estimate_market(part.drop(columns="market"), str(market), **kw)
    return out


def channel_brand_shares(ads: pd.DataFrame, days: int = 28) -> dict[str, dict[str, float]]:
    """Per market and channel, the share of the last ``days`` days' spend that builds the
    brand (:func:`brand_weight` of each campaign), from ad rows ``date, market, channel,
    campaign, spend_base``: how much of a unit of brand money placed on the channel feeds
    the stock."""
    if ads.empty:
        return {}
    a = ads.copy()
    a["date"] = pd.to_datetime(a["date"])
    a = a[a["date"] > a["date"].max() - pd.Timedelta(days=days)]
    a["brand_spend"] = a["spend_base"].astype(float) * [
        brand_weight(str(c), None if pd.isna(k) else str(k))
        for c, k in zip(a["channel"], a["campaign"], strict=True)]
    g = a.groupby(["market", "channel"])[["spend_base", "brand_spend"]].sum()
    out: dict[str, dict[str, float]] = {}
    for (m, c), r in g.iterrows():
        if float(r["spend_base"]) > 0:
            out.setdefault(str(m), {})[str(c)] = float(r["brand_spend"] / r["spend_base"])
    return out


def with_channels(estimates: dict[str, BrandEstimate], ads: pd.DataFrame) -> dict[str, BrandEstimate]:
    """The estimates with each market's :func:`channel_brand_shares` attached."""
    shares = channel_brand_shares(ads)
    return {m: replace(e, channels=shares.get(m, {})) for m, e in estimates.items()}


def brand_daily_frame(ads: pd.DataFrame, revenue: pd.DataFrame) -> pd.DataFrame:
    """Rows for :func:`estimate_brand` from ad rows (``date, market, channel, campaign,
    spend_base``) and daily net revenue per market (``date, market, revenue``)."""
    a = ads.copy()
    a["date"] = pd.to_datetime(a["date"])
    a["brand_spend"] = a["spend_base"].astype(float) * [
        brand_weight(str(c), None if pd.isna(k) else str(k))
        for c, k in zip(a["channel"], a["campaign"], strict=True)]
    g = a.groupby(["date", "market"], as_index=False).agg(
        spend=("spend_base", "sum"), brand_spend=("brand_spend", "sum"))
    r = revenue.copy()
    r["date"] = pd.to_datetime(r["date"])
    out = r.merge(g, on=["date", "market"], how="left").fillna({"spend": 0.0, "brand_spend": 0.0})
    out["spend"] = out["spend"].astype(float)
    return out[["date", "market", "revenue", "spend", "brand_spend"]]


def stock_covariate(daily: pd.DataFrame, half_life: float = 90.0) -> pd.DataFrame:
    """``date, market, z``: each market's slow brand stock divided by its mean, from rows
    ``date, market, brand_spend`` -- the covariate a response model's market baseline can
    carry (see :func:`numpyro_brand_term`)."""
    out = []
    for market, part in daily.groupby("market", sort=True):
        part = part.sort_values("date")
        s = stock(part["brand_spend"].to_numpy(float), half_life)
        z = s / s.mean() if s.mean() > 0 else np.zeros(len(s))
        out.append(pd.DataFrame({"date": part["date"].to_numpy(), "market": market, "z": z}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["date", "market", "z"])


def numpyro_brand_term(z, prior_scale: float = PRIOR_SD):
    """Inside a NumPyro model: the log-baseline term ``theta_m * z[t, m]`` of the brand stock
    (``z``: (days, markets), from :func:`stock_covariate`), ``theta_m ~ HalfNormal(prior_scale)``.
    The hook for ``response.model``'s market baseline (not wired in: docs/brand.md)."""
    import numpyro
    import numpyro.distributions as dist

    theta = numpyro.sample("brand_theta", dist.HalfNormal(prior_scale).expand([z.shape[-1]]).to_event(1))
    return z * theta


__all__ = ["BRAND_CAMPAIGN", "BRAND_CHANNELS", "BrandEstimate", "brand_daily_frame",
           "brand_weight", "channel_brand_shares", "with_channels", "estimate_brand", "estimate_market", "numpyro_brand_term", "stock",
           "stock_covariate"]
