"""The long-term brand effect from the store: ad rows and daily revenue per market to
``response.brand.estimate_brand``, and the brand share each market's evidence decides
(``plan.brand``). Thin: reads, calls the pure core, returns typed results."""

from __future__ import annotations

from typing import Any

from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.plan.brand import BrandDecision, decide
from adbudget.plan.buckets import bucket_policy
from adbudget.response.brand import BrandEstimate, brand_daily_frame, estimate_brand, with_channels


def brand_estimates(ws: Any, markets: list[str] | None = None, horizon_months: int = 12,
                    annual_discount: float = 0.10) -> dict[str, BrandEstimate]:
    """Each market's :class:`BrandEstimate` from the workspace's ads and orders."""
    ads = _data(ws).ad_daily()
    rev = _data(ws).daily_revenue()
    if ads.empty or rev.empty:
        raise InputError(t("brand.cli.no_data"))
    known = sorted(set(rev["market"].astype(str)))
    for m in markets or []:
        if m not in known:
            raise InputError(t("brand.cli.unknown_market", market=m, markets=", ".join(known)))
    if markets:
        ads = ads[ads["market"].isin(markets)]
        rev = rev[rev["market"].isin(markets)]
    frame = brand_daily_frame(ads[["date", "market", "channel", "campaign", "spend_base"]],
                              rev[["date", "market", "revenue"]])
    est = estimate_brand(frame, horizon_months=horizon_months, annual_discount=annual_discount)
    return with_channels(est, ads[["date", "market", "channel", "campaign", "spend_base"]])


def brand_decisions(ws: Any, estimates: dict[str, BrandEstimate]) -> dict[str, BrandDecision]:
    """The brand share each market's evidence decides, from its policy's prior share."""
    s = ws.settings
    econ = _data(ws).market_economics()
    out = {}
    for m, est in estimates.items():
        ms = s.markets.get(m)
        if ms is None:
            continue
        pol = bucket_policy(m, ms.stage, ms.region, limits=s.plan.bucket_limits,
                            market_override=ms.buckets)
        margin = econ[m].contribution_per_revenue if m in econ else 0.0
        out[m] = decide(m, pol.shares["brand"], est, margin, s.plan.bucket_limits.get("brand", (0.0, 100.0)))
    return out


def _data(ws: Any) -> Any:
    """The data accessor: a service's ``data`` or the workspace itself."""
    return getattr(ws, "data", ws)


__all__ = ["brand_decisions", "brand_estimates"]
