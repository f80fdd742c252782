"""The non-optimized buckets: brand by cost per reach, test across new channels or
experiment arms, reserve held with named release triggers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from adbudget.config.catalog import CHANNELS, REGION_PROFILES

# Channels worth validating first per region (the method: TikTok + Facebook in the US;
# TikTok, Shopee, Lazada in Southeast Asia), most promising first.
TEST_PRIORITY: dict[str, tuple[str, ...]] = {
    "NA": ("tiktok", "meta", "google_search", "amazon", "youtube", "kol"),
    "EU": ("meta", "google_search", "tiktok", "amazon", "youtube", "kol"),
    "SEA": ("tiktok", "shopee", "lazada", "meta", "google_search", "live_commerce"),
    "ME": ("meta", "tiktok", "google_search", "amazon", "youtube", "kol"),
    "LATAM": ("meta", "tiktok", "google_search", "shopee", "amazon", "kol"),
}
# regions beyond these five: their profiles in config/catalog.py
TEST_PRIORITY.update({r: p.test_priority for r, p in REGION_PROFILES.items() if r not in TEST_PRIORITY})


@dataclass(frozen=True)
class Piece:
    """Money for one channel inside a bucket, with its reason (i18n key and values)."""

    channel: str
    amount: float
    key: str
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def available_channels(region: str, configured: list[str]) -> list[str]:
    """Channels configured in the workspace that operate in the region."""
    return [
        c for c in configured
        if c in CHANNELS and (not CHANNELS[c].regions or region in CHANNELS[c].regions)
    ]


def brand_split(
    amount: float,
    region: str,
    configured: list[str],
    cpm: dict[str, float],
    default_cpm: float,
    max_channels: int,
    compliance_pct: float = 0.0,
) -> list[Piece]:
    """Brand money to the brand-capable channels with the cheapest reach (CPM), ∝ 1/CPM.

    For EU markets ``compliance_pct`` of it first goes to a compliance and localization line
    (GDPR consent tooling, per-country creatives), booked on channel ``other``.
    """
    if amount <= 0:
        return []
    pieces: list[Piece] = []
    if compliance_pct > 0:
        comp = amount * compliance_pct / 100.0
        pieces.append(Piece("other", comp, "plan.reason.eu_compliance", {"pct": f"{compliance_pct:g}"}))
        amount -= comp
    options = [c for c in available_channels(region, configured) if CHANNELS[c].brand_capable]
    if not options:
        pieces.append(Piece("other", amount, "plan.reason.brand_no_channel"))
        return pieces
    priced = sorted(((cpm.get(c, default_cpm), c) for c in options), key=lambda p: (p[0], options.index(p[1])))
    chosen = priced[:max_channels]
    weights = [1.0 / max(p, 1e-9) for p, _ in chosen]
    total_w = sum(weights)
    for (price, channel), w in zip(chosen, weights, strict=True):
        share = amount * w / total_w
        pieces.append(Piece(channel, share, "plan.reason.brand", {
            "cpm": f"{price:,.2f}", "impressions": f"{share / price * 1000:,.0f}",
            "n": str(len(chosen)), "source": "data" if channel in cpm else "default",
        }))
    return pieces


def test_split(
    amount: float,
    region: str,
    configured: list[str],
    spent_channels: set[str],
    platforms: int,
    days: int,
) -> list[Piece]:
    """Test money to up to ``platforms`` new channels of the market (equal split).

    When every channel already runs, it funds creative and targeting tests on the channels
    with the most spend.
    """
    if amount <= 0:
        return []
    avail = available_channels(region, configured)
    priority = [c for c in TEST_PRIORITY.get(region, ()) if c in avail]
    priority += [c for c in avail if c not in priority and c not in ("email", "other")]
    new = [c for c in priority if c not in spent_channels][:platforms]
    if new:
        each = amount / len(new)
        return [Piece(c, each, "plan.reason.test_new", {"days": str(days), "n": str(len(new))}) for c in new]
    existing = [c for c in priority if c in spent_channels][:platforms] or ["other"]
    each = amount / len(existing)
    return [Piece(c, each, "plan.reason.test_existing", {"n": str(len(existing))}) for c in existing]


def test_from_experiments(amount_by_market: dict[str, float], arms: pd.DataFrame) -> dict[str, list[Piece]]:
    """Test money split like the experiments package's allocation (scaled to each market's test bucket).

    ``arms`` needs columns market, channel and an amount (``amount_base``, ``budget_base``
    or ``amount``); ``arm`` names the test arm when present.
    """
    col = next((c for c in ("amount_base", "budget_base", "amount") if c in arms.columns), None)
    if col is None or not {"market", "channel"} <= set(arms.columns):
        return {}
    out: dict[str, list[Piece]] = {}
    for market, rows in arms.groupby("market"):
        total = float(rows[col].sum())
        want = amount_by_market.get(str(market), 0.0)
        if total <= 0 or want <= 0:
            continue
        out[str(market)] = [
            Piece(str(r["channel"]), want * float(r[col]) / total, "plan.reason.test_arm",
                  {"arm": str(r.get("arm", r.get("test_id", r["channel"])))})
            for _, r in rows.iterrows()
        ]
    return out


def reserve_piece(amount: float, triggers: list[str]) -> list[Piece]:
    """The reserve of one market: one line, released only by a named trigger."""
    if amount <= 0:
        return []
    return [Piece("reserve", amount, "plan.reason.reserve", {"triggers": triggers})]


__all__ = [
    "TEST_PRIORITY", "Piece", "available_channels", "brand_split", "reserve_piece",
    "test_from_experiments", "test_split",
]
