"""The slow brand stock of a simulated market: what brand-building spend earns in the long run.

Brand-building campaigns (video, KOL, awareness: :data:`BRAND_KINDS`) feed a per-market
*brand stock*, a geometric adstock with a half-life of months, in base currency per day:

    S_t = d * S_(t-1) + (1 - d) * B_t,      d = 0.5 ** (1 / half_life)

so a steady brand spend B settles at S = B. The stock raises the market's organic (base)
demand and the effectiveness of every ad line, with diminishing returns:

    m_base(S) = (1 + a * h(S)) / (1 + a * h(S_ref)),   h(S) = S / (S + K)
    m_perf(S) = (1 + b * h(S)) / (1 + b * h(S_ref))

normalized to 1 at the reference stock ``S_ref`` (the brand spend the market's plan implies)
so a world keeps its drawn revenue level. When brand spend stops the stock decays and both
fall back towards ``1 / (1 + a * h(S_ref))``: the revenue the brand had built.

The stock is a pure function of the campaigns' spend (the panel computes it from the full
spend history), so a continued period carries it on by :func:`continue_brand`. Parameters
come from their own random stream (seed, 21): adding them changed no other true parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# (channel, campaign kind) -> share of its spend that builds the brand (campaign names are
# MARKET_ABBR_Kind, see simulate.spec.CAMPAIGN_KINDS)
BRAND_KINDS: dict[tuple[str, str], float] = {
    ("youtube", "InStream"): 1.0, ("youtube", "Shorts"): 1.0, ("youtube", "Discovery"): 1.0,
    ("kol", "Creators"): 1.0, ("kol", "Unboxing"): 1.0, ("kol", "Review"): 1.0,
    ("tiktok", "Awareness"): 1.0,
}
BRAND_MODES = ("modest", "none", "strong")
WARMUP_DAYS = 60  # the stock starts at the mean brand spend of the first days (steady state)


@dataclass(frozen=True)
class MarketBrand:
    """True brand parameters of one market (``base_lift`` = ``perf_lift`` = 0: no effect)."""

    market: str
    half_life: float  # days
    base_lift: float  # a: organic demand at a saturated stock is (1 + a) x that at none
    perf_lift: float  # b: the same for every ad line's effectiveness
    ref: float  # reference stock, base currency per day (the drawn plan's brand spend)
    k: float  # stock at which h = 1/2

    @property
    def decay(self) -> float:
        return float(0.5 ** (1.0 / self.half_life))

    @property
    def active(self) -> bool:
        return self.base_lift > 0 or self.perf_lift > 0

    def h(self, stock: np.ndarray | float) -> np.ndarray:
        s = np.maximum(np.asarray(stock, dtype=float), 0.0)
        return s / (s + self.k)

    def m_base(self, stock: np.ndarray | float) -> np.ndarray:
        """Organic-demand multiplier at a stock (1 at the reference stock)."""
        return (1 + self.base_lift * self.h(stock)) / (1 + self.base_lift * self.h(self.ref))

    def m_perf(self, stock: np.ndarray | float) -> np.ndarray:
        """Ad-effectiveness multiplier at a stock (1 at the reference stock)."""
        return (1 + self.perf_lift * self.h(stock)) / (1 + self.perf_lift * self.h(self.ref))

    def dm_base(self, stock: np.ndarray | float) -> np.ndarray:
        """d m_base / d stock."""
        s = np.maximum(np.asarray(stock, dtype=float), 0.0)
        return self.base_lift * self.k / (s + self.k) ** 2 / (1 + self.base_lift * self.h(self.ref))

    def dm_perf(self, stock: np.ndarray | float) -> np.ndarray:
        s = np.maximum(np.asarray(stock, dtype=float), 0.0)
        return self.perf_lift * self.k / (s + self.k) ** 2 / (1 + self.perf_lift * self.h(self.ref))


def campaign_weight(channel: str, campaign: str) -> float:
    """Share of a campaign's spend that builds the brand (from its kind, the name's last part)."""
    kind = campaign.split("_", 2)[-1]
    return BRAND_KINDS.get((channel, kind), 0.0)


def line_weights(channel: str, campaigns: tuple[str, ...]) -> np.ndarray:
    return np.asarray([campaign_weight(channel, c) for c in campaigns], dtype=float)


def draw_brand(seed: int, markets: list, lines: list, mode: str = "modest") -> tuple[MarketBrand, ...]:
    """Each market's brand parameters from the stream (seed, 21); ``mode`` 'none': no effect,
    'strong': the same draws with 3x the lift of organic demand and 2x that of ad effectiveness
    (a world where brand pays, to check that the planner and the measurements can see it)."""
    if mode not in BRAND_MODES:
        raise ValueError(f"brand must be one of {', '.join(BRAND_MODES)}, got {mode!r}")
    rng = np.random.default_rng([seed, 21])
    out = []
    for m in markets:
        own = [ln for ln in lines if ln.market == m.code]
        ref = sum(ln.spend0 * float(line_weights(ln.channel, ln.campaigns).mean()) for ln in own)
        ref = max(ref, 0.01 * m.level)  # a market without brand lines still has a scale
        half = float(rng.uniform(45, 150))
        stage = {"entry": 0.5, "growth": 1.0, "maturity": 1.2}.get(m.stage, 1.0)
        a = float(rng.uniform(0.1, 0.35)) * stage
        b = float(rng.uniform(0.03, 0.15))
        kappa = float(rng.uniform(0.6, 1.6))
        if mode == "none":
            a = b = 0.0
        elif mode == "strong":  # the same draws scaled: brand as the method believes in it
            a, b = a * 3.0, b * 2.0
        out.append(MarketBrand(m.code, half, a, b, float(ref), float(ref * kappa)))
    return tuple(out)


def brand_daily(lines: list, campaign_minor: list[np.ndarray], fx: np.ndarray,
                minor_units: int) -> np.ndarray:
    """Brand-building spend per day (base currency) of a market's campaigns as written."""
    n = len(fx)
    out = np.zeros(n)
    scale = 10**minor_units
    for ln, minor in zip(lines, campaign_minor, strict=True):
        w = line_weights(ln.channel, ln.campaigns)
        if w.any():
            out += (w[:, None] * minor).sum(axis=0) / scale / fx
    return out


def stock_series(brand: np.ndarray, half_life: float, start: float | None = None) -> np.ndarray:
    """The brand stock of a brand-spend series; ``start`` defaults to the steady state of the
    first :data:`WARMUP_DAYS` (a seller whose brand existed before the data)."""
    d = 0.5 ** (1.0 / half_life)
    s = float(np.mean(brand[:WARMUP_DAYS])) if start is None and len(brand) else float(start or 0.0)
    out = np.empty(len(brand))
    for t, b in enumerate(brand):
        s = d * s + (1 - d) * b
        out[t] = s
    return out


def steady_path(s0: float, b: float, half_life: float, days: int) -> np.ndarray:
    """Stock on each of ``days`` days from ``s0`` under a steady brand spend ``b``."""
    d = 0.5 ** (1.0 / half_life)
    return b + (s0 - b) * d ** np.arange(1, days + 1)


def market_brand(spec, code: str) -> MarketBrand | None:
    for mb in getattr(spec, "brand", ()) or ():
        if mb.market == code:
            return mb
    return None


def panel_stock(spec, panel) -> np.ndarray:
    """The brand stock on every day of a (possibly continued) market panel."""
    mb = market_brand(spec, panel.market.code)
    if mb is None:
        return np.zeros(len(panel.dates))
    daily = brand_daily(panel.lines, panel.campaign_minor, panel.fx, panel.market.minor_units)
    return stock_series(daily, mb.half_life)


def apply_brand(spec, panel):
    """Multiply a freshly generated panel's organic demand and ad response by its brand stock
    (in place; returns the panel). Used by ``simulate.panel.market_panel``."""
    mb = market_brand(spec, panel.market.code)
    if mb is None or not mb.active:
        return panel
    s = panel_stock(spec, panel)
    panel.base_gross = panel.base_gross * mb.m_base(s)
    if len(panel.lines):
        panel.incr_gross = panel.incr_gross * mb.m_perf(s)[None, :]
    return panel


def continue_brand(spec, hist, panel):
    """A continued period's panel with the brand stock carried on from the history's spend
    (``hist``: the market's panel so far; ``panel``: the new days, not yet multiplied).
    In place; returns the panel. Used by ``simulate.forward``."""
    mb = market_brand(spec, panel.market.code)
    if mb is None or not mb.active:
        return panel
    old = brand_daily(hist.lines, hist.campaign_minor, hist.fx, hist.market.minor_units)
    new = brand_daily(panel.lines, panel.campaign_minor, panel.fx, panel.market.minor_units)
    s_all = stock_series(np.r_[old, new], mb.half_life)
    s = s_all[len(old):]
    panel.base_gross = panel.base_gross * mb.m_base(s)
    if len(panel.lines):
        panel.incr_gross = panel.incr_gross * mb.m_perf(s)[None, :]
    return panel


__all__ = [
    "BRAND_KINDS", "BRAND_MODES", "MarketBrand", "apply_brand", "brand_daily", "campaign_weight",
    "continue_brand", "draw_brand", "line_weights", "market_brand", "panel_stock", "steady_path",
    "stock_series",
]
