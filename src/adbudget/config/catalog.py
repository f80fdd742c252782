"""Market, currency, region and channel catalog for the whole world.

Countries are every ISO 3166-1 alpha-2 code (pycountry), currencies every ISO 4217 code
(pycountry) with minor units from the Unicode CLDR (Babel), names in English and Chinese from
the CLDR, a country's currency and time zones from the CLDR. What is ours: the region each
country belongs to (the World Bank's regions, East Asia & Pacific split into Southeast Asia,
East Asia and Oceania), each region's profile, the one time zone a market's days are counted
in where a country has several, and ``DEFAULT_MARKETS``: the 19 markets ``adbudget init``
writes when no ``--markets`` is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache

import pycountry
from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies

REGIONS = ("NA", "EU", "SEA", "ME", "LATAM", "EA", "SAS", "OCE", "AF")
STAGES = ("entry", "growth", "maturity")

_REGION_MEMBERS: dict[str, str] = {
    "NA": "US CA BM GL PM",
    "LATAM": "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT "
             "JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI",
    # Europe & Central Asia (World Bank), Türkiye and the Caucasus included
    "EU": "AD AL AM AT AX AZ BA BE BG BV BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE "
          "IM IS IT JE KG KZ LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TJ TM "
          "TR UA UZ VA",
    # Middle East & North Africa
    "ME": "AE BH DJ DZ EG EH IL IQ IR JO KW LB LY MA OM PS QA SA SY TN YE",
    "SEA": "BN ID KH LA MM MY PH SG TH TL VN",
    "EA": "CN HK JP KP KR MN MO TW",
    "SAS": "AF BD BT IN IO LK MV NP PK",
    "OCE": "AQ AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU "
           "WF WS",
    # Sub-Saharan Africa
    "AF": "AO BF BI BJ BW CD CF CG CI CM CV ER ET GA GH GM GN GQ GW KE KM LR LS MG ML MR MU MW MZ "
          "NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TZ UG YT ZA ZM ZW",
}
REGION_OF: dict[str, str] = {
    code: region for region, codes in _REGION_MEMBERS.items() for code in codes.split()
}

# Where the CLDR lists several zones, the one the market's days are counted in (the largest
# commercial centre); "Etc/UTC" for uninhabited territories.
_MAIN_ZONE = {
    "AQ": "Etc/UTC", "AR": "America/Argentina/Buenos_Aires", "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo", "BV": "Etc/UTC", "CA": "America/Toronto", "CD": "Africa/Kinshasa",
    "CL": "America/Santiago", "CN": "Asia/Shanghai", "CY": "Asia/Nicosia", "DE": "Europe/Berlin",
    "EC": "America/Guayaquil", "ES": "Europe/Madrid", "FM": "Pacific/Pohnpei", "GL": "America/Nuuk",
    "HM": "Etc/UTC", "ID": "Asia/Jakarta", "KI": "Pacific/Tarawa", "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro", "MN": "Asia/Ulaanbaatar", "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur", "NZ": "Pacific/Auckland", "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby", "PS": "Asia/Gaza", "PT": "Europe/Lisbon", "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv", "UM": "Pacific/Wake", "US": "America/New_York", "UZ": "Asia/Tashkent",
}
# Markets whose CLDR entry lists no legal tender today.
_FALLBACK_CURRENCY = {"AQ": "USD"}


@dataclass(frozen=True)
class MarketInfo:
    """One country as a market: its code, English name, region, currency and time zone."""

    code: str  # ISO 3166-1 alpha-2
    name: str
    region: str  # one of REGIONS
    currency: str  # ISO 4217
    timezone: str  # IANA


@dataclass(frozen=True)
class RegionProfile:
    """What a region changes in a plan: bucket shifts (points, adding to zero), the channels
    worth testing first, the first platforms of an entry test, the CPM assumed where the data
    has none (base currency) and the share of the brand bucket for a compliance and
    localization line (``None``: the ``plan.eu_compliance_pct`` setting; 0: none)."""

    code: str
    bucket_shifts: dict[str, float] = field(default_factory=dict)
    test_priority: tuple[str, ...] = ()
    entry_platforms: tuple[str, ...] = ("meta", "tiktok", "google_search")
    default_cpm: float = 10.0
    compliance_pct: float | None = 0.0


REGION_PROFILES: dict[str, RegionProfile] = {
    p.code: p
    for p in [
        # the five regions the catalog started with: values as they were in plan/ and config/
        RegionProfile("NA", {"brand": +5.0, "performance": -5.0},
                      ("tiktok", "meta", "google_search", "amazon", "youtube", "kol"),
                      ("meta", "tiktok", "google_search"), 12.0),
        RegionProfile("EU", {"test": +2.5, "performance": -2.5},
                      ("meta", "google_search", "tiktok", "amazon", "youtube", "kol"),
                      ("meta", "google_search", "tiktok"), 9.0, None),
        RegionProfile("SEA", {"performance": +5.0, "brand": -5.0},
                      ("tiktok", "shopee", "lazada", "meta", "google_search", "live_commerce"),
                      ("tiktok", "shopee", "meta"), 3.0),
        RegionProfile("ME", {}, ("meta", "tiktok", "google_search", "amazon", "youtube", "kol"),
                      ("meta", "tiktok", "google_search"), 7.0),
        RegionProfile("LATAM", {}, ("meta", "tiktok", "google_search", "shopee", "amazon", "kol"),
                      ("meta", "tiktok", "google_search"), 5.0),
        # new: Japan, Korea, Taiwan, Hong Kong buy on trust in the brand and reviews, search first
        RegionProfile("EA", {"brand": +5.0, "performance": -5.0},
                      ("google_search", "youtube", "meta", "tiktok", "amazon", "kol"),
                      ("google_search", "meta", "tiktok"), 10.0),
        # India, Pakistan, Bangladesh: price-driven mobile volume on cheap reach, like SEA
        RegionProfile("SAS", {"performance": +5.0, "brand": -5.0},
                      ("meta", "youtube", "google_search", "amazon", "tiktok", "kol"),
                      ("meta", "google_search", "youtube"), 2.0),
        # Australia and New Zealand buy like North America, from Amazon and Google
        RegionProfile("OCE", {"brand": +2.5, "performance": -2.5},
                      ("meta", "google_search", "tiktok", "amazon", "youtube", "kol"),
                      ("meta", "google_search", "tiktok"), 11.0),
        # Sub-Saharan Africa: young, fast-moving markets with little history; test more
        RegionProfile("AF", {"test": +5.0, "brand": -5.0},
                      ("meta", "tiktok", "google_search", "youtube", "kol"),
                      ("meta", "tiktok", "google_search"), 3.0),
    ]
}

# The markets `adbudget init` writes without --markets (the catalog as it started).
DEFAULT_MARKETS: tuple[str, ...] = (
    "US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "SE", "ID", "TH", "VN", "PH", "MY", "SG",
    "SA", "AE", "BR", "MX",
)


@cache
def _locale(lang: str) -> Locale:
    return Locale("zh", script="Hans") if lang == "zh" else Locale("en")


def country_name(code: str, lang: str = "en") -> str:
    """The CLDR name of an ISO 3166-1 alpha-2 code in English or (simplified) Chinese."""
    return _locale(lang).territories.get(code.upper(), code)


def currency_name(code: str, lang: str = "en") -> str:
    """The CLDR name of an ISO 4217 code in English or (simplified) Chinese."""
    return _locale(lang).currencies.get(code.upper(), code)


def market_label(code: str, lang: str = "en") -> str:
    """``JP 日本`` / ``JP Japan``: the code (what the files use) and the name to read."""
    name = country_name(code, lang)
    return code if name == code else f"{code} {name}"


def region_name(region: str, lang: str = "en") -> str:
    """The region's name in English or Chinese (i18n keys ``markets.region.<code>``)."""
    from adbudget.i18n import t

    return t(f"markets.region.{region}", lang)


def main_timezone(code: str) -> str:
    """The IANA zone a market's days are counted in."""
    if code in _MAIN_ZONE:
        return _MAIN_ZONE[code]
    zones = get_global("territory_zones").get(code, [])
    return zones[0] if zones else "Etc/UTC"


def country_currency(code: str) -> str:
    """The country's legal tender today (the first the CLDR lists), else USD."""
    found = get_territory_currencies(code, tender=True, non_tender=False)
    return found[0] if found else _FALLBACK_CURRENCY.get(code, "USD")


@cache
def _all_markets() -> dict[str, MarketInfo]:
    out = {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        out[code] = MarketInfo(code, country_name(code), REGION_OF[code],
                               country_currency(code), main_timezone(code))
    return out


class _Markets(Mapping[str, MarketInfo]):
    """Every ISO 3166-1 country as a :class:`MarketInfo`, built on first use."""

    def __getitem__(self, code: str) -> MarketInfo:
        return _all_markets()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(_all_markets())

    def __len__(self) -> int:
        return len(_all_markets())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in REGION_OF


MARKETS: Mapping[str, MarketInfo] = _Markets()


# ISO 4217 codes that are no one's money: "no currency", testing, precious metals, the IMF's
# and the bond markets' units of account.
NOT_MONEY = frozenset({"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD",
                       "XDR", "XSU", "XUA"})
# ISO 4217 codes we accept anywhere: every code pycountry knows but those above.
CURRENCIES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY


@cache
def _precision(code: str) -> int:
    return int(get_currency_precision(code))


class _MinorUnits(Mapping[str, int]):
    """Decimal places per ISO 4217 code (the CLDR's, 2 where it has none)."""

    def __getitem__(self, code: str) -> int:
        if code not in CURRENCIES:
            raise KeyError(code)
        return _precision(code)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(CURRENCIES))

    def __len__(self) -> int:
        return len(CURRENCIES)


MINOR_UNITS: Mapping[str, int] = _MinorUnits()


def minor_units(currency: str) -> int:
    """Decimal places of an amount in *currency* (2 for a code the catalog does not know)."""
    return MINOR_UNITS.get(currency.upper(), 2)


@cache
def _names_to_codes() -> dict[str, str]:
    """Lower-cased country names as platforms print them (CLDR English and Chinese, ISO
    official and common names, alpha-3) -> ISO 3166-1 alpha-2."""
    out: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = [country.name, getattr(country, "official_name", None),
                 getattr(country, "common_name", None), country.alpha_3,
                 country_name(code, "en"), country_name(code, "zh"),
                 Locale("zh", script="Hant").territories.get(code)]
        for name in names:
            if name:
                out.setdefault(name.strip().lower(), code)
    out.update({  # what platforms and teams also write
        "usa": "US", "uk": "GB", "great britain": "GB", "england": "GB", "uae": "AE",
        "viet nam": "VN", "south korea": "KR", "korea": "KR", "hong kong": "HK", "macau": "MO",
        "macao": "MO", "taiwan": "TW", "russia": "RU", "turkey": "TR", "czech republic": "CZ",
        "ivory coast": "CI", "印尼": "ID", "阿联酋": "AE", "韩国": "KR", "香港": "HK", "澳门": "MO",
        "台湾": "TW", "沙特": "SA", "韓國": "KR", "南韓": "KR", "英國": "GB", "美國": "US", "日本國": "JP",
    })
    return out


def country_to_code(value: str) -> str:
    """An ISO alpha-2 code for a code (any case) or a country name in English or Chinese;
    the value unchanged when nothing matches (validation then names the row)."""
    text = value.strip()
    if len(text) == 2 and text.isascii() and text.upper() in REGION_OF:
        return text.upper()
    found = _names_to_codes().get(text.lower())
    if found:
        return found
    return text.upper() if len(text) == 2 and text.isascii() else text


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
        ChannelInfo("amazon", "Amazon Ads", "marketplace", False,
                    ("NA", "EU", "ME", "LATAM", "EA", "SAS", "OCE", "AF")),
        ChannelInfo("shopee", "Shopee Ads", "marketplace", False, ("SEA", "LATAM")),
        ChannelInfo("lazada", "Lazada Sponsored Solutions", "marketplace", False, ("SEA",)),
        ChannelInfo("kol", "Influencers (KOL)", "influencer", True, ()),
        ChannelInfo("live_commerce", "Live commerce", "live", True, ()),
        ChannelInfo("email", "Email / CRM", "owned", False, ()),
        ChannelInfo("other", "Other", "other", False, ()),
    ]
}
