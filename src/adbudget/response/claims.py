"""Platform-reported conversions ("claims") as a second, line-level signal of the response model.

Every ad platform reports, per campaign and day, the conversions and the conversion value it
credits to itself. Those numbers over-claim unevenly (duplicate credit across platforms,
view-through credit, buyers who were coming anyway) and under-claim elsewhere (cross-device
journeys, missing pixels), so the model never takes them as the truth. But they move with the
line's *own* spend day by day, which the shop's revenue (one number per market and day)
cannot show, and that is what tells 25 lines' curves apart. The model reads them as::

    claimed[t, n] = phi[n] * credited[t, n] + organic[t, n] + noise

* ``credited`` is the line's modelled incremental revenue credited back to the days of
  exposure within the platform's attribution window (:data:`ATTRIBUTION_WINDOW_DAYS`), as
  the platforms report it;
* ``phi`` is the over-claim on what the line caused (below 1 with missing pixels), pooled
  channel -> line and calibrated by lift tests through the line's ROAS;
* ``organic`` is the part of the claims that is the market's organic demand (buyers who
  were coming anyway: retargeting, brand search, catalog, marketplace search; its prior
  follows the line's spend share in such campaigns, read from campaign names by
  :func:`organic_campaign_share`), following the market's organic demand day by day; a part
  of it grows with the line's spend ``x`` (view-through credit for organic buyers who merely
  saw an ad), so claims may keep rising where the caused effect has saturated.

Before the fit, each platform's claims are checked (:func:`claims_response`,
:func:`uninformative_channels`): claims that do not rise with the line's own spend once the
market's other claims and the weekday are held fixed (noise, reporting that follows
nothing) are left out of the likelihood with a notice, and those lines are fitted from shop
revenue alone, as without claims. Claims that follow the market's demand closely enough to
move with demand-following budgets pass the check and still bias the lines toward equal
returns (measured in docs/response.md); ``[response] platform_claims = false`` turns claims
off. This module holds the pure data side: campaign kinds, attribution windows, the check
and the per-line arrays; the likelihood lives in ``response.model``.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

# Click attribution windows (days) by channel, the platforms' defaults: a conversion this many
# days after the exposure is still credited to the exposure's day.
ATTRIBUTION_WINDOW_DAYS: dict[str, int] = {
    "meta": 7, "tiktok": 7, "google_search": 30, "youtube": 30, "amazon": 14, "shopee": 7,
    "lazada": 7, "kol": 7, "live_commerce": 1, "email": 7, "other": 7,
}
DEFAULT_WINDOW_DAYS = 7

# Campaign kinds that mostly reach people already on their way to buy, by words sellers put
# in campaign names (English and Chinese): retargeting / remarketing, brand search, shopping
# and catalog (DPA, Advantage+ catalog) ads, marketplace search and exact-match keywords,
# store ads.
ORGANIC_PREFIXES = ("retarget", "remarket", "catalog", "shopping", "brand")
ORGANIC_WORDS = frozenset({"rt", "dpa", "exact", "search", "shop", "advantage+"})
ORGANIC_CHINESE = ("品牌", "再营销", "重定向", "再營銷", "目录", "目錄", "购物", "購物", "搜索", "搜尋")

# Prior of the share of a line's claims that is organic demand (logit-normal): its median is
# ORGANIC_FLOOR + ORGANIC_SLOPE x (the line's spend share in organic-kind campaigns), i.e.
# 25 % for pure prospecting, 65 % for pure retargeting / brand / shopping.
ORGANIC_FLOOR, ORGANIC_SLOPE, ORGANIC_SD = 0.25, 0.4, 1.2
# Of the organic claims, the part that grows with the line's spend (view-through credit).
LOGIT_VIEW_PRIOR, VIEW_SD = -0.85, 1.2  # median 30 %
PHI_PRIOR_MEDIAN = 1.5  # platforms claim half again what they cause, typically
# log-scale spreads: the seller's overall over-claim (wide: the shop's revenue and lift tests
# set it), each channel's and each market's departure from it (attribution rules; pixels,
# consent and cross-device shares by market), then each line's. Platforms differ by less
# than their lines' returns do: the claims then tell lines apart and the shop's total sets
# the level.
PHI_GLOBAL_SD, PHI_CHANNEL_SD, PHI_MARKET_SD, PHI_LINE_SD = 0.7, 0.4, 0.2, 0.3
CLAIM_NOISE_MEDIAN, CLAIM_NOISE_SD = 2.0, 0.7  # over-dispersion against Poisson counts


def is_organic_campaign(name: str) -> bool:
    """True when a campaign's name says it mostly reaches people already on their way to buy
    (its words, split on anything but letters and '+', or Chinese keywords)."""
    text = str(name)
    if any(word in text for word in ORGANIC_CHINESE):
        return True
    for token in re.split(r"[^a-z+]+", text.lower()):
        if token in ORGANIC_WORDS or token.startswith(ORGANIC_PREFIXES):
            return True
    return False


def organic_campaign_share(campaign_spend: pd.DataFrame | None,
                           lines: list[tuple[str, str]]) -> np.ndarray:
    """Per line, the share of its spend in organic-kind campaigns (0 without campaign data).

    ``campaign_spend``: ``market, channel, campaign, spend``.
    """
    out = np.zeros(len(lines))
    if campaign_spend is None or campaign_spend.empty:
        return out
    frame = campaign_spend.copy()
    frame["organic"] = frame["campaign"].map(is_organic_campaign)
    frame["organic_spend"] = frame["spend"].astype(float) * frame["organic"]
    totals = frame.groupby(["market", "channel"])[["organic_spend", "spend"]].sum()
    for n, key in enumerate(lines):
        if key in totals.index and float(totals.loc[key, "spend"]) > 0:
            out[n] = float(totals.loc[key, "organic_spend"]) / float(totals.loc[key, "spend"])
    return out


def net_of_refunds(claims: pd.DataFrame, net_share: dict[str, float]) -> pd.DataFrame:
    """Claimed revenue on the shop's basis: platforms count an order's value when it is placed,
    the shop's revenue is net of refunds, so claims are scaled by each market's share of
    gross order value that stays (``net_share``: market -> net / gross; 1 where unknown)."""
    out = claims.copy()
    factor = out["market"].map(net_share).fillna(1.0).clip(lower=0.0, upper=1.0)
    out["claimed_revenue"] = out["claimed_revenue"].astype(float) * factor
    return out


def window_periods(channel: str, period_days: int) -> int:
    """The channel's attribution window in model periods (at least one)."""
    days = ATTRIBUTION_WINDOW_DAYS.get(channel, DEFAULT_WINDOW_DAYS)
    return max(1, math.ceil(days / period_days))


def claims_arrays(claims: pd.DataFrame | None, dates: pd.DatetimeIndex,
                  lines: list[tuple[str, str]], column: str) -> tuple[np.ndarray, np.ndarray]:
    """(T, N) claimed value per period and line, and (N,) whether the line reports any.

    ``claims``: ``date, market, channel`` and ``column`` (claimed revenue in base currency,
    or conversions), already summed per period. A line whose platform reports nothing (KOL,
    live sessions without a pixel) has no claims and is fitted from shop revenue alone.
    """
    n_t, n_n = len(dates), len(lines)
    values = np.zeros((n_t, n_n))
    has = np.zeros(n_n, dtype=bool)
    if claims is None or claims.empty or column not in claims.columns or not n_n:
        return values, has
    frame = claims.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    wide = frame.pivot_table(index="date", columns=["market", "channel"], values=column,
                             aggfunc="sum")
    wide = wide.reindex(index=dates).fillna(0.0)
    for n, key in enumerate(lines):
        if key in wide.columns:
            col = wide[key].to_numpy(dtype=float).clip(min=0.0)
            values[:, n] = col
            has[n] = bool(col.sum() > 0)
    return values, has


# The pre-fit check of a platform's claims (``claims_response``): its lines' pooled elasticity
# of claims to own spend must be at least this, and this many standard errors above zero.
# Measured on the simulator's worlds (small, seeds 0, 1, 7; benchmarks/claims_check.py):
# informative claims 0.16-0.85 per platform (YouTube's 30-day window, KOL
# and live commerce lowest), claims that are noise -0.28-0.18 and at most 0.10 where more
# than 1.5 standard errors from zero; claims that follow demand only 0.10-0.53 (most pass).
MIN_CLAIMS_ELASTICITY, MIN_CLAIMS_Z = 0.15, 2.0
MIN_CHECK_DAYS = 60  # fewer days with spend and claims: the line is not judged


def peer_claims(claims: np.ndarray, mask: np.ndarray, line_market: np.ndarray) -> np.ndarray:
    """(T, N) the other lines' claims in each line's market, relative to their mean over the
    line's observed days; 1 where the market has no other line with claims."""
    n_n = claims.shape[1]
    peers = np.ones_like(claims, dtype=float)
    has = mask.any(axis=0)
    for n in range(n_n):
        others = [k for k in range(n_n) if k != n and line_market[k] == line_market[n] and has[k]]
        if not others or not mask[:, n].any():
            continue
        total = claims[:, others].sum(axis=1)
        level = total[mask[:, n]].mean()
        if level > 0:
            peers[:, n] = total / level
    return peers


def claims_response(claims: np.ndarray, spend: np.ndarray, mask: np.ndarray, peers: np.ndarray,
                    unit: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """(N, 2) each line's elasticity of claims to its own spend and its standard error.

    Least squares of ``log(claims + one conversion)`` on ``log(spend + 5 % of its mean)``,
    the log of the peers' claims (the market's demand and reporting swings) and weekday
    dummies, over the days with claims and spend; the standard error is inflated by the
    residuals' AR(1) (``sqrt((1 + rho) / (1 - rho))``). NaN where a line has fewer than
    ``MIN_CHECK_DAYS`` such days. Claims that carry the line's effect rise with its spend
    (credited conversions, view-through); claims that are noise or follow demand alone do not
    once the peers are held fixed.
    """
    n_n = claims.shape[1]
    out = np.full((n_n, 2), np.nan)
    dummies = np.eye(7)[np.asarray(weekday, int) % 7]
    for n in range(n_n):
        ok = mask[:, n] & (spend[:, n] > 0)
        if ok.sum() < MIN_CHECK_DAYS:
            continue
        s = spend[ok, n]
        x = np.column_stack([np.log(s + 0.05 * s.mean()), np.log(peers[ok, n] + 0.05), dummies[ok]])
        y = np.log(claims[ok, n] + unit[n])
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        dof = max(len(y) - x.shape[1], 1)
        cov = (resid @ resid / dof) * np.linalg.pinv(x.T @ x)
        rho = float(np.corrcoef(resid[1:], resid[:-1])[0, 1]) if len(resid) > 2 else 0.0
        inflate = math.sqrt((1 + rho) / (1 - rho)) if 0 < rho < 0.99 else 1.0
        out[n] = beta[0], math.sqrt(max(cov[0, 0], 0.0)) * inflate
    return out


def pooled_by_channel(response: np.ndarray, line_channel: np.ndarray,
                      channels: list[str]) -> dict[str, tuple[float, float]]:
    """Each platform's elasticity of claims to own spend, its lines (:func:`claims_response`)
    pooled by inverse variance: channel -> (pooled elasticity, SE); channels none of whose
    lines could be judged are left out."""
    out: dict[str, tuple[float, float]] = {}
    for c, name in enumerate(channels):
        rows = response[(np.asarray(line_channel) == c) & np.isfinite(response[:, 0])
                        & (response[:, 1] > 0)]
        if len(rows):
            weight = 1.0 / rows[:, 1] ** 2
            out[name] = (float((rows[:, 0] * weight).sum() / weight.sum()),
                         float(1.0 / math.sqrt(weight.sum())))
    return out


def uninformative_channels(response: np.ndarray, line_channel: np.ndarray,
                           channels: list[str]) -> dict[str, tuple[float, float]]:
    """Channels whose claims do not move with their spend: channel -> (pooled elasticity, SE).

    A channel is uninformative when its pooled elasticity (:func:`pooled_by_channel`) is
    below ``MIN_CLAIMS_ELASTICITY`` or within ``MIN_CLAIMS_Z`` standard errors of zero.
    Channels none of whose lines could be judged are kept.
    """
    return {name: (pooled, se)
            for name, (pooled, se) in pooled_by_channel(response, line_channel, channels).items()
            if pooled < MIN_CLAIMS_ELASTICITY or pooled < MIN_CLAIMS_Z * se}


__all__ = ["ATTRIBUTION_WINDOW_DAYS", "claims_arrays", "claims_response", "peer_claims",
           "pooled_by_channel",
           "uninformative_channels", "is_organic_campaign", "net_of_refunds",
           "organic_campaign_share", "window_periods"]
