"""Default market and channel catalog: ISO 3166 alpha-2 markets with currency and timezone."""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("NA", "EU", "SEA", "ME", "LATAM")
STAGES = ("entry", "growth", "maturity")


@dataclass(frozen=True)
class MarketInfo:
    """One market of the default catalog."""

    code: str  # ISO 3166-1 alpha-2
    name: str
    region: str  # one of REGIONS
    currency: str  # ISO 4217
    timezone: str  # IANA


MARKETS: dict[str, MarketInfo] = {
    m.code: m
    for m in [
        MarketInfo("US", "United States", "NA", "USD", "America/New_York"),
        MarketInfo("CA", "Canada", "NA", "CAD", "America/Toronto"),
        MarketInfo("GB", "United Kingdom", "EU", "GBP", "Europe/London"),
        MarketInfo("DE", "Germany", "EU", "EUR", "Europe/Berlin"),
        MarketInfo("FR", "France", "EU", "EUR", "Europe/Paris"),
        MarketInfo("IT", "Italy", "EU", "EUR", "Europe/Rome"),
        MarketInfo("ES", "Spain", "EU", "EUR", "Europe/Madrid"),
        MarketInfo("NL", "Netherlands", "EU", "EUR", "Europe/Amsterdam"),
        MarketInfo("SE", "Sweden", "EU", "SEK", "Europe/Stockholm"),
        MarketInfo("ID", "Indonesia", "SEA", "IDR", "Asia/Jakarta"),
        MarketInfo("TH", "Thailand", "SEA", "THB", "Asia/Bangkok"),
        MarketInfo("VN", "Vietnam", "SEA", "VND", "Asia/Ho_Chi_Minh"),
        MarketInfo("PH", "Philippines", "SEA", "PHP", "Asia/Manila"),
        MarketInfo("MY", "Malaysia", "SEA", "MYR", "Asia/Kuala_Lumpur"),
        MarketInfo("SG", "Singapore", "SEA", "SGD", "Asia/Singapore"),
        MarketInfo("SA", "Saudi Arabia", "ME", "SAR", "Asia/Riyadh"),
        MarketInfo("AE", "United Arab Emirates", "ME", "AED", "Asia/Dubai"),
        MarketInfo("BR", "Brazil", "LATAM", "BRL", "America/Sao_Paulo"),
        MarketInfo("MX", "Mexico", "LATAM", "MXN", "America/Mexico_City"),
    ]
}

# ISO 4217 codes we accept anywhere (catalog currencies plus common ones sellers report in).
CURRENCIES: frozenset[str] = frozenset(
    {m.currency for m in MARKETS.values()}
    | {"CNY", "HKD", "TWD", "JPY", "KRW", "AUD", "NZD", "CHF", "DKK", "NOK", "PLN", "CZK",
       "TRY", "INR", "CLP", "COP", "ARS", "PEN", "EGP", "QAR", "KWD", "ZAR"}
)

# Decimal places per currency (ISO 4217 minor units), for rounding money in the currency.
MINOR_UNITS: dict[str, int] = {c: 2 for c in CURRENCIES} | {
    "IDR": 0, "VND": 0, "JPY": 0, "KRW": 0, "CLP": 0, "KWD": 3,
}


@dataclass(frozen=True)
class ChannelInfo:
    """One advertising channel and its default role in the budget buckets."""

    code: str
    name: str
    kind: str  # "social", "search", "video", "marketplace", "influencer", "live", "owned", "other"
    brand_capable: bool  # can carry brand (reach) spend
    regions: tuple[str, ...]  # regions where the channel operates; empty = everywhere


CHANNELS: dict[str, ChannelInfo] = {
    c.code: c
    for c in [
        ChannelInfo("meta", "Meta (Facebook, Instagram)", "social", True, ()),
        ChannelInfo("tiktok", "TikTok", "social", True, ()),
        ChannelInfo("google_search", "Google Search", "search", False, ()),
        ChannelInfo("youtube", "YouTube", "video", True, ()),
        ChannelInfo("amazon", "Amazon Ads", "marketplace", False, ("NA", "EU", "ME", "LATAM")),
        ChannelInfo("shopee", "Shopee Ads", "marketplace", False, ("SEA", "LATAM")),
        ChannelInfo("lazada", "Lazada Sponsored Solutions", "marketplace", False, ("SEA",)),
        ChannelInfo("kol", "Influencers (KOL)", "influencer", True, ()),
        ChannelInfo("live_commerce", "Live commerce", "live", True, ()),
        ChannelInfo("email", "Email / CRM", "owned", False, ()),
        ChannelInfo("other", "Other", "other", False, ()),
    ]
}
