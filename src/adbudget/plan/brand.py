"""The brand bucket's size as a decision: the method's share is the prior, evidence moves it.

The policy's brand share (method default, stage and region shifts, overrides) is the prior.
The long-term brand estimate of the market (``response.brand``) moves it within the method's
range around it (+- :data:`HALF_RANGE` points, never outside the settings' bucket limits):

* the long-term contribution of a unit of brand spend over the horizon (``lt_roas`` x the
  market's contribution per unit of revenue) is compared with :data:`THRESHOLD` (what a
  brand unit must return through the stock to beat the performance money it displaces);
* P10 above it: raise brand towards the top of the range; P90 below it: lower it towards the
  floor;
* in between, the probability that the stock matters at all decides: P(effect) <= 0.3 (the
  model without a brand effect is favoured) lowers brand towards the floor (reached at 0.1);
  a decaying stock with P(effect) >= 0.8 (the effect established) raises it to the top of the
  range, to stop the decay; otherwise the prior stays (P(effect) near 0.5: the data cannot tell).

The difference goes to (or comes from) the performance bucket; test and reserve keep their
rules. Every move is recorded as a :class:`~adbudget.plan.buckets.Shift` with its reason in
en and zh ("brand stock is decaying in DE; raising brand to 28 %"). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from adbudget.i18n import t
from adbudget.plan.allocators import Piece
from adbudget.plan.buckets import BucketPolicy, Shift

HALF_RANGE = 5.0  # points: the method's 20-30 % range is 25 +- 5
THRESHOLD = 0.5  # long-term contribution per unit of brand spend that moves the share
P_DECAY = 0.8  # P(effect) from which a decaying stock raises brand to the ceiling (0.5 = no evidence)
P_NONE = 0.3  # P(effect) below which brand moves towards the floor (the no-effect model favoured)
P_NONE_FULL = 0.1  # ... and reaches it
STEPS = 200  # increments of the brand bucket's split by value


@dataclass(frozen=True)
class BrandDecision:
    """The brand share of one market: prior, decision, and why (an i18n key + values)."""

    market: str
    prior: float
    share: float
    key: str
    values: dict[str, str]

    @property
    def points(self) -> float:
        return self.share - self.prior

    def explain(self, lang: str | None = None) -> str:
        return t(self.key, lang=lang, **self.values)


def decide(market: str, prior: float, estimate: Any | None, margin: float,
           limits: tuple[float, float] = (0.0, 100.0), threshold: float = THRESHOLD) -> BrandDecision:
    """The brand share (%) of a market from its prior share and its brand estimate (an object
    with ``lt_roas_lo``, ``lt_roas``, ``lt_roas_hi``, ``p_effect``, ``decaying``,
    ``enough_data``, ``horizon_months``) and contribution per unit of revenue ``margin``."""
    lo = max(prior - HALF_RANGE, limits[0], 0.0)
    hi = min(prior + HALF_RANGE, limits[1])
    vals = {"market": market, "prior": f"{prior:.0f}"}
    if estimate is None or not getattr(estimate, "enough_data", False) or prior <= 0:
        return BrandDecision(market, prior, prior, "brand.decision.no_evidence", {**vals, "share": f"{prior:.0f}"})
    p10, mean, p90 = (margin * estimate.lt_roas_lo, margin * estimate.lt_roas,
                      margin * estimate.lt_roas_hi)
    vals.update(value=f"{mean:.2f}", lo=f"{p10:.2f}", hi=f"{p90:.2f}", threshold=f"{threshold:.2f}",
                months=str(getattr(estimate, "horizon_months", 12)), p=f"{estimate.p_effect:.2f}")
    if p10 > threshold:
        share = prior + (hi - prior) * min(1.0, (p10 - threshold) / threshold)
        key = "brand.decision.raise"
    elif p90 < threshold:
        share = prior - (prior - lo) * min(1.0, (threshold - p90) / threshold)
        key = "brand.decision.lower"
    elif estimate.p_effect <= P_NONE:  # the data favour no lasting effect: towards the floor
        share = prior - (prior - lo) * min(1.0, (P_NONE - estimate.p_effect) / (P_NONE - P_NONE_FULL))
        key = "brand.decision.no_effect"
    elif estimate.decaying and estimate.p_effect >= P_DECAY:  # established and decaying: ceiling
        share = hi
        key = "brand.decision.decaying"
    else:
        share = prior
        key = "brand.decision.keep"
    share = round(share * 2) / 2  # half points
    vals["share"] = f"{share:g}"
    return BrandDecision(market, prior, share, key, vals)


def apply_decisions(policies: Mapping[str, BucketPolicy], estimates: Mapping[str, Any],
                    margins: Mapping[str, float],
                    limits: Mapping[str, tuple[float, float]] | None = None,
                    threshold: float = THRESHOLD) -> tuple[dict[str, BucketPolicy], dict[str, BrandDecision]]:
    """Policies with each market's brand share decided by its evidence (the performance
    bucket takes the difference). Markets whose shares come from an override (settings or
    ``--buckets``) keep them: the seller decided."""
    out, decisions = dict(policies), {}
    brand_limits = (limits or {}).get("brand", (0.0, 100.0))
    for m, pol in policies.items():
        if pol.source != "method":
            continue
        d = decide(m, pol.shares["brand"], estimates.get(m), float(margins.get(m, 0.0)),
                   brand_limits, threshold)
        decisions[m] = d
        delta = d.points
        if pol.shares["performance"] - delta < 0:
            continue
        shares = dict(pol.shares)
        shares["brand"] += delta
        shares["performance"] -= delta
        # recorded even when the share stays: the seller sees why brand is what it is
        shift = Shift("brand", delta, "evidence", d.key, tuple(sorted(d.values.items())))
        out[m] = replace(pol, shares=shares, shifts=(*pol.shifts, shift))
    return out, decisions


def line_brand_fraction(estimate: Any | None, channel: str) -> float:
    """Share of a channel's spend that builds the brand: from the market's data (the
    estimate's ``channels``, last 28 days) or, without it, by channel (video and KOL: 1)."""
    from adbudget.response.brand import brand_weight

    channels = getattr(estimate, "channels", None) or {}
    return float(channels.get(channel, brand_weight(channel, None)))


def water_fill(marginal: Any, lt_value: np.ndarray, amount: float, max_lines: int,
               steps: int = STEPS) -> np.ndarray:
    """Split ``amount`` (daily) over lines by marginal value: ``marginal(b)`` gives the
    short-term marginal value per line at extra spend ``b`` ((k, n) -> (k, n)), ``lt_value``
    the long-term value per unit. Greedy in ``steps`` equal increments (exact for concave
    curves); at most ``max_lines`` lines get money (the best ones, then refilled)."""
    n = len(lt_value)
    if amount <= 0 or n == 0:
        return np.zeros(n)
    grid = np.linspace(0.0, amount, steps + 1)
    value = marginal(np.repeat(grid[:, None], n, axis=1)) + lt_value[None, :]  # (steps+1, n)
    keep = np.arange(n)
    for _ in range(2):
        at = np.zeros(n, dtype=int)
        live = np.zeros(n, dtype=bool)
        live[keep] = True
        for _ in range(steps):
            cand = np.where(live, value[at, np.arange(n)], -np.inf)
            at[int(np.argmax(cand))] += 1
        if np.count_nonzero(at) <= max_lines:
            break
        keep = np.argsort(-at, kind="stable")[:max_lines]
    return at * (amount / steps)


def value_split_pieces(inp: Any, curve_lines: list[tuple[str, str]], perf_daily: np.ndarray,
                       weights: np.ndarray, vpr: float, market: str, amount: float,
                       compliance_pct: float = 0.0, max_lines: int = 3) -> list[Piece] | None:
    """A market's brand bucket split by each brand line's value over the horizon: its
    short-term marginal contribution on the fitted curve (on top of the performance money
    already on the line) plus its long-term contribution through the brand stock (the
    market's estimated long-term revenue per unit of brand spend x the line's brand-building
    share x contribution per unit of revenue). None when the market has no brand estimate
    (the horizon is off) or no fitted brand-building line: the caller splits by reach cost."""
    from adbudget.config.catalog import CHANNELS
    from adbudget.plan.subset import SubsetCurves

    est = (inp.brand or {}).get(market)
    if est is None or inp.curves is None or amount <= 0:
        return None
    idx, frac = [], []
    for i, (m, ch) in enumerate(curve_lines):
        if m == market and ch in CHANNELS and CHANNELS[ch].brand_capable:
            idx.append(i)
            frac.append(line_brand_fraction(est, ch))
    if not idx:
        return None
    pieces: list[Piece] = []
    if compliance_pct > 0:
        comp = amount * compliance_pct / 100.0
        pieces.append(Piece("other", comp, "plan.reason.eu_compliance", {"pct": f"{compliance_pct:g}"}))
        amount -= comp
    days = inp.days
    sub = SubsetCurves(inp.curves, idx)
    base = np.asarray(perf_daily, dtype=float)[idx]
    w = np.asarray(weights, dtype=float)[idx]
    lt_w = vpr if inp.objective == "profit" else 1.0
    lt_roas = float(est.lt_roas) if getattr(est, "enough_data", False) else 0.0
    lt_value = lt_w * lt_roas * np.asarray(frac)

    def marginal(extra: np.ndarray) -> np.ndarray:
        return w[None, :] * sub.marginal(base[None, :] + extra).mean(axis=0)

    daily = water_fill(marginal, lt_value, amount / days, max_lines)
    short = marginal(daily[None, :])[0]
    months = str(getattr(est, "horizon_months", 12))
    for j, i in enumerate(idx):
        if daily[j] <= 0:
            continue
        pieces.append(Piece(curve_lines[i][1], daily[j] * days, "brand.reason.value", {
            "short": f"{short[j]:.2f}", "long": f"{lt_value[j]:.2f}",
            "value": f"{short[j] + lt_value[j]:.2f}", "months": months,
            "share": f"{frac[j] * 100:.0f}"}))
    return pieces


__all__ = ["HALF_RANGE", "THRESHOLD", "BrandDecision", "apply_decisions", "decide",
           "line_brand_fraction", "value_split_pieces", "water_fill"]
