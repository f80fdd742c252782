"""The frozen parameters of a simulated seller: markets, lines (market x channel) and sizes.

``build_spec(seed, size)`` draws every parameter from a seeded generator; data generation
(``panel``, ``orders``, ``journeys``, ``platforms``) only reads these parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from adbudget.config.catalog import MARKETS, MINOR_UNITS, MarketInfo
from adbudget.economics import UnitEconomics
from adbudget.simulate.brand import BRAND_MODES, MarketBrand, draw_brand
from adbudget.simulate.forms import SATURATIONS

END_DATE = "2026-10-31"  # last simulated day (market-local)

# One market beyond the default catalog so `large` has 20 markets.
EXTRA_MARKETS = {"CO": MarketInfo("CO", "Colombia", "LATAM", "COP", "America/Bogota")}


def market_info(code: str) -> MarketInfo:
    """Catalog entry of a simulated market (default catalog plus the extras)."""
    return MARKETS.get(code) or EXTRA_MARKETS[code]


@dataclass(frozen=True)
class SizeSpec:
    """How big a world is: markets, days of history, journey users."""

    name: str
    markets: tuple[str, ...]
    days: int
    users: int
    volume: float = 1.0  # multiplies every market's revenue level


SIZES: dict[str, SizeSpec] = {
    # `tiny` is for fast tests: every export format (incl. UTF-16 Google, Amazon "Jan 05, 2025"
    # dates, Shopee preamble), an entry market, a few thousand orders.
    "tiny": SizeSpec("tiny", ("US", "DE", "ID", "SA"), 150, 3_000, 0.25),
    "small": SizeSpec("small", ("US", "GB", "DE", "ID", "SA"), 365, 40_000, 0.6),
    "medium": SizeSpec(
        "medium", ("US", "CA", "GB", "DE", "FR", "ID", "TH", "MY", "SA", "BR"), 730, 200_000
    ),
    "large": SizeSpec(
        "large",
        ("US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "SE", "ID", "TH", "VN", "PH", "MY",
         "SG", "SA", "AE", "BR", "MX", "CO"),
        1095, 1_000_000,
    ),
}

LEVEL = {  # base (non-advertising) revenue per day, base currency, before size volume
    "US": 5000, "CA": 1500, "GB": 2000, "DE": 2500, "FR": 1800, "IT": 1200, "ES": 1100,
    "NL": 900, "SE": 700, "ID": 1500, "TH": 1000, "VN": 800, "PH": 700, "MY": 800, "SG": 600,
    "SA": 900, "AE": 800, "BR": 1400, "MX": 1200, "CO": 600,
}
FX_LEVEL = {
    "USD": 1.0, "CAD": 1.36, "GBP": 0.79, "EUR": 0.92, "SEK": 10.6, "IDR": 15800.0,
    "THB": 35.5, "VND": 24500.0, "PHP": 56.0, "MYR": 4.6, "SGD": 1.34, "SAR": 3.75,
    "AED": 3.6725, "BRL": 5.1, "MXN": 17.5, "COP": 3950.0,
}
PEGGED = {"USD", "SAR", "AED"}
STAGE_OF = {"US": "maturity", "GB": "maturity", "SA": "entry", "CO": "entry", "VN": "entry",
            "SE": "entry"}
REGION_CHANNELS = {
    "NA": ("meta", "google_search", "tiktok", "youtube", "amazon", "kol"),
    "EU": ("meta", "google_search", "youtube", "amazon", "tiktok", "kol"),
    "SEA": ("meta", "tiktok", "google_search", "shopee", "lazada", "kol", "live_commerce"),
    "ME": ("meta", "tiktok", "google_search", "amazon", "kol"),
    "LATAM": ("meta", "tiktok", "google_search", "youtube", "shopee", "kol", "live_commerce"),
}
ENTRY_CHANNELS = ("meta", "tiktok", "google_search")
REGION_AOV = {"NA": 55.0, "EU": 50.0, "SEA": 18.0, "ME": 45.0, "LATAM": 30.0}
REGION_MARGIN = {  # gross margin %, shipping per order (base), return %, payment fee %
    "NA": (55.0, 6.0, 8.0, 3.0), "EU": (50.0, 5.0, 12.0, 2.5), "SEA": (42.0, 1.5, 4.0, 2.0),
    "ME": (50.0, 4.0, 6.0, 2.8), "LATAM": (45.0, 4.0, 6.0, 3.5),
}
REGION_ROAS = {"NA": 1.0, "EU": 0.9, "SEA": 1.15, "ME": 1.1, "LATAM": 1.0}
MOBILE_SHARE = {"NA": 0.62, "EU": 0.6, "SEA": 0.86, "ME": 0.78, "LATAM": 0.75}


@dataclass(frozen=True)
class ChannelProfile:
    """Prior ranges the simulator draws a line's true parameters from."""

    roas: float  # gross ROAS at the planned spend, neutral conditions
    share: float  # relative weight in the media budget
    saturations: tuple[tuple[str, float], ...]  # (form, probability)
    k: tuple[float, float]  # shape range (Hill / Weibull exponent)
    adstock: str
    decay: tuple[float, float]
    peak: tuple[float, float]
    claim: tuple[float, float]  # platform over-claim factor on caused conversions (0.4-3x)
    capture: float  # share of the organic orders its audience places that a platform also claims
    cpm: float  # base currency per 1000 impressions
    ctr: float
    click_share: float  # share of journey touches that are clicks
    flighting: bool = False


CHANNEL_PROFILES: dict[str, ChannelProfile] = {
    "meta": ChannelProfile(3.6, 0.30, (("hill", .5), ("weibull", .2), ("negexp", .3)), (1.0, 1.8),
                           "geometric", (0.3, 0.6), (0, 0), (0.9, 2.4), 0.05, 9.0, 0.012, 0.4),
    "tiktok": ChannelProfile(2.8, 0.18, (("hill", .5), ("weibull", .5)), (1.2, 2.0),
                             "delayed", (0.5, 0.7), (1.0, 3.0), (0.8, 2.6), 0.03, 6.0, 0.009, 0.3),
    "google_search": ChannelProfile(5.0, 0.25, (("negexp", .4), ("log", .3), ("hill", .3)),
                                    (0.7, 1.0), "geometric", (0.1, 0.3), (0, 0), (1.0, 2.0), 0.12,
                                    30.0, 0.05, 0.95),
    "youtube": ChannelProfile(2.0, 0.10, (("weibull", .5), ("hill", .5)), (1.6, 2.6), "delayed",
                              (0.6, 0.8), (3.0, 7.0), (0.5, 1.3), 0.02, 7.0, 0.004, 0.15, True),
    "amazon": ChannelProfile(5.0, 0.18, (("log", .5), ("negexp", .5)), (1.0, 1.0), "geometric",
                             (0.15, 0.4), (0, 0), (1.3, 3.0), 0.10, 12.0, 0.004, 0.9),
    "shopee": ChannelProfile(4.6, 0.20, (("log", .4), ("negexp", .6)), (1.0, 1.0), "geometric",
                             (0.1, 0.3), (0, 0), (1.2, 3.0), 0.10, 2.5, 0.02, 0.9),
    "lazada": ChannelProfile(4.0, 0.14, (("log", .4), ("negexp", .6)), (1.0, 1.0), "geometric",
                             (0.1, 0.3), (0, 0), (1.1, 2.6), 0.08, 2.5, 0.018, 0.9),
    "kol": ChannelProfile(2.4, 0.08, (("hill", .6), ("weibull", .4)), (1.5, 2.5), "delayed",
                          (0.6, 0.8), (2.0, 6.0), (0.4, 1.0), 0.0, 5.0, 0.01, 0.3, True),
    "live_commerce": ChannelProfile(3.2, 0.08, (("negexp", .6), ("hill", .4)), (1.0, 1.5),
                                    "geometric", (0.1, 0.3), (0, 0), (0.7, 1.6), 0.02, 3.0, 0.03,
                                    0.6, True),
}
ABBR = {"meta": "Meta", "tiktok": "TT", "google_search": "GSearch", "youtube": "YT",
        "amazon": "AMZ", "shopee": "Shopee", "lazada": "LZD", "kol": "KOL",
        "live_commerce": "Live"}
CAMPAIGN_KINDS = {
    "meta": ("Prospecting", "Retargeting", "Advantage+", "Catalog"),
    "tiktok": ("Spark", "VideoShopping", "Awareness", "Retarget"),
    "google_search": ("Brand", "Generic", "Shopping", "Competitor"),
    "youtube": ("InStream", "Shorts", "Discovery"),
    "amazon": ("SP_Auto", "SP_Exact", "SP_Broad", "SB_Video"),
    "shopee": ("Discovery", "Search", "Shop"),
    "lazada": ("Sponsored", "Affiliate", "Discovery"),
    "kol": ("Creators", "Unboxing", "Review"),
    "live_commerce": ("Livestream", "ShortVideo"),
}


@dataclass(frozen=True)
class MarketSpec:
    """True parameters of one market."""

    code: str
    region: str
    currency: str
    timezone: str
    stage: str
    entry_day: int  # first day index with business (0 = since the start)
    level: float  # base revenue per day (base currency)
    growth: float  # yearly trend of base demand (log scale)
    aov: float  # mean order value, base currency
    repeat_prob: float
    gross_margin_pct: float
    shipping_cost_per_order: float
    return_rate_pct: float
    payment_fee_pct: float
    follow: float  # how strongly budgets follow anticipated demand (elasticity)
    yearly_jitter: tuple[float, float, float, float]
    noise: float  # sd of log daily base-demand noise
    mobile_share: float
    funnel_rates: tuple[float, float, float]  # sessions->atc, atc->checkout, checkout->purchase
    fx_vol: float

    @property
    def minor_units(self) -> int:
        return MINOR_UNITS.get(self.currency, 2)

    def profit_margin(self) -> float:
        """Contribution profit per unit of net (after refunds) revenue, before ad spend."""
        return UnitEconomics.of(self, self.aov).contribution_per_revenue


@dataclass(frozen=True)
class LineSpec:
    """True parameters of one market x channel line."""

    market: str
    channel: str
    launch_day: int
    spend0: float  # planned average daily spend, base currency
    saturation: str
    k: float
    half: float  # daily exposure (base currency at neutral cost) at x = 1
    beta: float  # gross revenue scale: response = beta * f(x) * effectiveness
    adstock: str
    decay: float
    peak: float
    rho: float  # effectiveness follows anticipated demand ** rho
    claim: float
    capture: float
    cpm: float
    ctr: float
    click_share: float
    flighting: bool
    campaigns: tuple[str, ...]
    go_dark: tuple[int, int] | None = None  # (start day, length)
    heavy_up: tuple[tuple[int, int, float], ...] = field(default_factory=tuple)
    lift_test: tuple[int, int] | None = None  # (start day, length)
    scale_test: tuple[int, int, float] | None = None  # (start day, length, spend multiplier)

    @property
    def key(self) -> tuple[str, str]:
        return (self.market, self.channel)


@dataclass(frozen=True)
class WorldSpec:
    """All true parameters of a world."""

    seed: int
    size: str
    start: str
    end: str
    days: int
    users: int
    markets: tuple[MarketSpec, ...]
    lines: tuple[LineSpec, ...]
    weak_step: tuple[str, str]  # (market, step) with the injected weak funnel step
    base_currency: str = "USD"
    # what the platforms' reported conversions carry: "informative" (over-claimed caused
    # conversions credited to exposure days, plus organic buyers their ads reached),
    # "organic" (only organic demand, unrelated to what the ads caused) or "noise" (random
    # around the same level): the last two are the robustness settings of the claims model
    claims: str = "informative"
    # each market's slow brand stock (``simulate.brand``); empty: no brand effect anywhere
    brand: tuple[MarketBrand, ...] = ()
    # the mode ``brand`` was drawn in (``simulate.brand.BRAND_MODES``), so truth.json can
    # rebuild the same world
    brand_mode: str = "modest"

    def market(self, code: str) -> MarketSpec:
        for m in self.markets:
            if m.code == code:
                return m
        raise KeyError(code)

    def lines_of(self, market: str) -> list[LineSpec]:
        return [ln for ln in self.lines if ln.market == market]


def _choice(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    names = [o[0] for o in options]
    p = np.asarray([o[1] for o in options])
    return names[int(rng.choice(len(names), p=p / p.sum()))]


CLAIMS_MODES = ("informative", "organic", "noise")


def build_spec(seed: int = 0, size: str = "small", scale_test_share: float = 0.25,
               claims: str = "informative", brand: str = "modest") -> WorldSpec:
    """Draw every true parameter of a world from ``seed`` (deterministic); ``claims`` is
    one of :data:`CLAIMS_MODES` (what the platforms' reported conversions carry); ``brand``
    one of ``simulate.brand.BRAND_MODES`` ('modest': a slow brand stock per market drawn from
    its own stream; 'strong': the same, stronger; 'none': brand spend earns only its
    short-term response)."""
    if claims not in CLAIMS_MODES:
        raise ValueError(f"claims must be one of {', '.join(CLAIMS_MODES)}, got {claims!r}")
    if brand not in BRAND_MODES:
        raise ValueError(f"brand must be one of {', '.join(BRAND_MODES)}, got {brand!r}")
    sz = SIZES[size]
    rng = np.random.default_rng([seed, 1])
    end = pd.Timestamp(END_DATE)
    start = end - pd.Timedelta(days=sz.days - 1)
    days = sz.days
    # Region-level effects shared by markets of a region (so pooling helps).
    region_channel = {(r, c): float(np.exp(rng.normal(0, 0.2)))
                      for r in REGION_CHANNELS for c in CHANNEL_PROFILES}
    markets, lines = [], []
    for code in sz.markets:
        info = market_info(code)
        region = info.region
        stage = STAGE_OF.get(code, "growth")
        entry_day = int(days - rng.integers(100, 150)) if stage == "entry" else 0
        gm, ship, ret, fee = REGION_MARGIN[region]
        gm_pct = float(np.clip(gm + rng.normal(0, 3), 25, 75))
        ret_pct = float(np.clip(ret + rng.normal(0, 2) + (4 if code == "DE" else 0), 1, 30))
        growth = {"maturity": 0.03, "growth": 0.3, "entry": 0.6}[stage] + rng.normal(0, 0.05)
        m = MarketSpec(
            code=code, region=region, currency=info.currency, timezone=info.timezone,
            stage=stage, entry_day=max(entry_day, 0),
            level=LEVEL[code] * sz.volume * float(np.exp(rng.normal(0, 0.1))),
            growth=float(growth), aov=REGION_AOV[region] * float(np.exp(rng.normal(0, 0.1))),
            repeat_prob={"maturity": 0.4, "growth": 0.3, "entry": 0.15}[stage],
            gross_margin_pct=round(gm_pct, 1), shipping_cost_per_order=round(ship * float(np.exp(rng.normal(0, 0.1))), 2),
            return_rate_pct=round(ret_pct, 1), payment_fee_pct=round(fee + float(rng.normal(0, 0.3)), 1),
            follow=float(rng.uniform(0.8, 1.4)),
            yearly_jitter=tuple(float(x) for x in rng.normal(0, 0.02, 4)),  # type: ignore[arg-type]
            noise=float(rng.uniform(0.04, 0.08)),
            mobile_share=MOBILE_SHARE[region],
            funnel_rates=(float(rng.uniform(0.07, 0.11)), float(rng.uniform(0.45, 0.6)),
                          float(rng.uniform(0.62, 0.75))),
            fx_vol=0.0 if info.currency in PEGGED else float(rng.uniform(0.002, 0.006)),
        )
        markets.append(m)
        channels = ENTRY_CHANNELS if stage == "entry" else REGION_CHANNELS[region]
        if region == "LATAM" and code != "BR":
            channels = tuple("amazon" if c == "shopee" else c for c in channels)
        if region == "EU" and rng.random() < 0.4:
            channels = tuple(c for c in channels if c != "kol")
        media_budget = m.level * rng.uniform(0.18, 0.3)
        weights = np.asarray([CHANNEL_PROFILES[c].share for c in channels])
        weights = weights * np.exp(rng.normal(0, 0.35, len(weights)))
        weights /= weights.sum()
        late = [c for c in channels if c in ("tiktok", "live_commerce", "kol")]
        launched = late[int(rng.integers(len(late)))] if late and stage != "entry" else None
        for c, w in zip(channels, weights, strict=True):
            p = CHANNEL_PROFILES[c]
            spend0 = float(media_budget * w)
            sat = _choice(rng, p.saturations)
            k = float(rng.uniform(*p.k)) if SATURATIONS[sat].s_shaped else 1.0
            x0 = float(np.clip(np.exp(rng.normal(0.0, 0.6)), 0.25, 4.0))
            roas0 = p.roas * REGION_ROAS[region] * region_channel[(region, c)] * float(np.exp(rng.normal(0, 0.1)))
            f0 = float(SATURATIONS[sat].value(np.asarray(x0), np.asarray(k)))
            launch = entry_day
            if c == launched:
                launch = int(rng.integers(int(days * 0.35), int(days * 0.7)))
            kinds = CAMPAIGN_KINDS[c]
            n_camp = int(rng.integers(2, min(4, len(kinds)) + 1))
            campaigns = tuple(f"{code}_{ABBR[c]}_{kinds[i]}" for i in range(n_camp))
            go_dark = None
            if rng.random() < 0.3 and launch < days - 120:
                go_dark = (int(rng.integers(launch + 30, days - 60)), int(rng.integers(7, 22)))
            heavy = []
            for _ in range(int(rng.integers(0, 3))):
                if launch < days - 60:
                    heavy.append((int(rng.integers(launch + 14, days - 21)),
                                  int(rng.integers(7, 22)), float(rng.uniform(1.6, 2.8))))
            lines.append(LineSpec(
                market=code, channel=c, launch_day=launch, spend0=spend0, saturation=sat, k=k,
                half=spend0 / x0, beta=roas0 * spend0 / f0, adstock=p.adstock,
                decay=float(rng.uniform(*p.decay)),
                peak=float(rng.uniform(*p.peak)) if p.adstock == "delayed" else 0.0,
                rho=float(rng.uniform(0.0, 0.4)), claim=float(rng.uniform(*p.claim)),
                capture=p.capture, cpm=p.cpm * float(np.exp(rng.normal(0, 0.2))),
                ctr=p.ctr * float(np.exp(rng.normal(0, 0.2))), click_share=p.click_share,
                flighting=p.flighting, campaigns=campaigns, go_dark=go_dark,
                heavy_up=tuple(heavy),
            ))
    lines = _assign_lift_tests(rng, lines, days)
    # scale tests draw from their own stream, so adding them changed no other true parameter
    lines = _assign_scale_tests(np.random.default_rng([seed, 12]), lines, days, scale_test_share)
    eligible = [m.code for m in markets if m.code != "US"] or [markets[0].code]
    weak_market = eligible[int(rng.integers(len(eligible)))]
    weak_step = ("add_to_cart", "checkout", "purchase")[int(rng.integers(3))]
    return WorldSpec(
        seed=seed, size=size, start=start.strftime("%Y-%m-%d"), end=end.strftime("%Y-%m-%d"),
        days=days, users=sz.users, markets=tuple(markets), lines=tuple(lines),
        weak_step=(weak_market, weak_step), claims=claims,
        brand=draw_brand(seed, markets, lines, brand), brand_mode=brand,
    )


def _test_windows(rng: np.random.Generator, lines: list[LineSpec], candidates: list[int], n: int,
                  days: int) -> Iterator[tuple[int, LineSpec, int]]:
    """(line index, line, first day) of a 28-day test window for ``n`` random candidates, in
    line order; lazy, so a caller's own draws between windows keep their place in the stream."""
    picks = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)
    for j in sorted(int(p) for p in picks):
        ln = lines[candidates[j]]
        yield candidates[j], ln, int(rng.integers(max(ln.launch_day + 30, days // 3), days - 35))


def _assign_lift_tests(rng: np.random.Generator, lines: list[LineSpec], days: int) -> list[LineSpec]:
    """Give about a quarter of the lines (at least two) a 28-day geo-holdout test window."""
    out = list(lines)
    candidates = [i for i, ln in enumerate(lines) if ln.launch_day < days - 100 and not ln.flighting]
    for i, ln, start in _test_windows(rng, lines, candidates, max(2, len(candidates) // 4), days):
        out[i] = replace(ln, lift_test=(start, 28))
    return out


def _assign_scale_tests(rng: np.random.Generator, lines: list[LineSpec], days: int,
                        share: float = 0.25) -> list[LineSpec]:
    """Give ``share`` (default a quarter, at least one) of the lines without a holdout a 28-day
    geo scale test: test cells spend 1.5x or 2x their budget against cells at business as usual.
    A holdout measures what the spend earned (the average return); a scale test what spend
    beyond today's earns (the slope), which is what a planner needs and what observational data
    hardly shows."""
    out = list(lines)
    candidates = [i for i, ln in enumerate(lines)
                  if ln.launch_day < days - 100 and not ln.flighting and ln.lift_test is None]
    if not candidates or share <= 0:
        return out
    n = max(1, int(len(candidates) * min(share, 1.0)))
    for i, ln, start in _test_windows(rng, lines, candidates, n, days):
        out[i] = replace(ln, scale_test=(start, 28, float(rng.choice([1.5, 2.0]))))
    return out


__all__ = [
    "CHANNEL_PROFILES", "CLAIMS_MODES", "END_DATE", "SIZES", "LineSpec", "MarketSpec", "SizeSpec", "WorldSpec",
    "build_spec", "market_info",
]
