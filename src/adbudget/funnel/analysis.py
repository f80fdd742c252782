"""Funnel steps (sessions -> add to cart -> checkout -> purchase): rates, weakest step, value.

"Fix the shortest stave": for each market (and device where asked) the step conversion rates
of a recent window get Beta posterior intervals (uniform prior); each rate is compared with
the median of the seller's other markets and with the market's own earlier history. The
weakest step is the one furthest below the other markets' median (or, with no other
markets, below its own history); the gain is the extra purchases, and revenue, if that one
step converted at the median while the others stayed as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import betainc, betaincinv

from adbudget.errors import InputError

STEPS = ("sessions", "add_to_cart", "checkout", "purchase")
ALL_DEVICES = "*"


@dataclass(frozen=True)
class StepRate:
    """Conversion from ``from_step`` to ``step`` in the window, with its comparisons."""

    market: str
    device: str
    from_step: str
    step: str
    n_from: int
    n_to: int
    rate: float
    lo: float
    hi: float
    history_rate: float | None
    vs_history: float | None  # rate / history - 1
    prob_below_history: float | None
    peer_median: float | None
    vs_peers: float | None  # rate / peer median - 1
    prob_below_peers: float | None


@dataclass(frozen=True)
class MarketFunnel:
    """One market's (or market x device's) funnel and its weakest step."""

    market: str
    device: str
    sessions: int
    purchases: int
    weakest_step: str | None
    weakest_basis: str | None  # "peers" or "history"
    weakest_gap: float | None
    weakest_prob: float | None
    flagged: bool  # gap at least ``min_gap`` below the benchmark with P(below) >= ``min_prob``
    gain_purchases: float
    gain_revenue: float | None
    gain_revenue_30d: float | None
    steps: list[StepRate] = field(default_factory=list)


@dataclass(frozen=True)
class FunnelReport:
    """Every market's funnel over the window ``start``..``end`` (history before it)."""

    start: str
    end: str
    history_start: str | None
    interval: float
    markets: list[MarketFunnel] = field(default_factory=list)

    def steps_table(self) -> pd.DataFrame:
        """All step rates as one DataFrame."""
        return pd.DataFrame([s.__dict__ for m in self.markets for s in m.steps])

    def table(self) -> pd.DataFrame:
        """One row per market: the weakest step and what fixing it is worth."""
        return pd.DataFrame([{k: v for k, v in m.__dict__.items() if k != "steps"}
                             for m in self.markets])


def _sums(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    wide = df.pivot_table(index=keys, columns="step", values="count", aggfunc="sum", fill_value=0)
    return wide.reindex(columns=list(STEPS), fill_value=0)


def _prob_below(n_from: float, n_to: float, target: float | None) -> float | None:
    if target is None or n_from <= 0:
        return None
    k = min(n_to, n_from)
    return float(betainc(1.0 + k, 1.0 + n_from - k, min(max(target, 0.0), 1.0)))


def analyze_funnel(
    funnel: pd.DataFrame,
    *,
    window_days: int = 28,
    history_days: int = 84,
    end: str | pd.Timestamp | None = None,
    by_device: bool = False,
    revenue_per_purchase: Mapping[str, float] | None = None,
    interval: float = 0.9,
    markets: list[str] | None = None,
    min_gap: float = 0.10,
    min_prob: float = 0.95,
) -> FunnelReport:
    """Analyse ``funnel_daily`` rows (date, market, step, device, count); see module doc.

    ``revenue_per_purchase`` (market -> base currency) turns purchase gains into revenue.
    ``markets`` limits the report, not the peer comparison (peers are always all markets).
    A market's weakest step is *flagged* when it is at least ``min_gap`` (relative) below the
    benchmark with posterior probability at least ``min_prob``; every step of a large market
    is "significantly" different from a median, so materiality matters more than the p-value.
    """
    needed = {"date", "market", "step", "count"}
    if not needed <= set(funnel.columns):
        raise InputError(f"funnel rows need columns {', '.join(sorted(needed))}")
    if funnel.empty:
        raise InputError("there is no funnel data; import a funnel file first")
    unknown = sorted(set(funnel["step"]) - set(STEPS))
    if unknown:
        raise InputError(f"unknown funnel step(s) {', '.join(unknown)}; allowed: {', '.join(STEPS)}")
    df = funnel.copy()
    df["date"] = pd.to_datetime(df["date"])
    if "device" not in df or not by_device:
        df["device"] = ALL_DEVICES
    end_ts = pd.Timestamp(end).normalize() if end is not None else df["date"].max()
    start_ts = end_ts - pd.Timedelta(days=window_days - 1)
    hist_start = start_ts - pd.Timedelta(days=history_days)
    recent = df[(df["date"] >= start_ts) & (df["date"] <= end_ts)]
    hist = df[(df["date"] >= hist_start) & (df["date"] < start_ts)]
    if recent.empty:
        raise InputError(f"no funnel data between {start_ts.date()} and {end_ts.date()}")
    keys = ["market", "device"]
    now = _sums(recent, keys)
    before = _sums(hist, keys) if not hist.empty else None
    rates = _rates(now)
    hist_rates = _rates(before) if before is not None else None
    lo_q, hi_q = (1 - interval) / 2, (1 + interval) / 2
    revenue_per_purchase = revenue_per_purchase or {}
    out: list[MarketFunnel] = []
    for market, device in now.index:
        if markets and market not in markets:
            continue
        row = now.loc[(market, device)]
        steps: list[StepRate] = []
        for i in range(1, len(STEPS)):
            a, b = STEPS[i - 1], STEPS[i]
            n_from, n_to = float(row[a]), float(row[b])
            k = min(n_to, n_from)
            rate = rates.loc[(market, device), b]
            lo, hi = (betaincinv(1.0 + k, 1.0 + max(n_from - k, 0.0), np.array([lo_q, hi_q]))
                      if n_from > 0 else (np.nan, np.nan))
            h_rate = _get(hist_rates, (market, device), b)
            peers = rates.xs(device, level="device")[b].drop(market, errors="ignore").dropna()
            peer_med = float(peers.median()) if len(peers) else None
            steps.append(StepRate(
                market=market, device=device, from_step=a, step=b,
                n_from=int(n_from), n_to=int(n_to), rate=float(rate), lo=float(lo), hi=float(hi),
                history_rate=h_rate,
                vs_history=_ratio(rate, h_rate), prob_below_history=_prob_below(n_from, n_to, h_rate),
                peer_median=peer_med,
                vs_peers=_ratio(rate, peer_med), prob_below_peers=_prob_below(n_from, n_to, peer_med),
            ))
        out.append(_weakest(market, device, row, steps, revenue_per_purchase.get(market),
                            window_days, min_gap, min_prob))
    return FunnelReport(
        start=str(start_ts.date()), end=str(end_ts.date()),
        history_start=str(hist_start.date()) if before is not None else None,
        interval=interval, markets=out,
    )


def _rates(sums: pd.DataFrame) -> pd.DataFrame:
    r = pd.DataFrame(index=sums.index)
    for i in range(1, len(STEPS)):
        prev = sums[STEPS[i - 1]].astype(float)
        r[STEPS[i]] = np.minimum(sums[STEPS[i]], prev) / prev.where(prev > 0)
    return r


def _get(table: pd.DataFrame | None, key: tuple[str, str], col: str) -> float | None:
    if table is None or key not in table.index:
        return None
    v = table.loc[key, col]
    return float(v) if pd.notna(v) else None


def _ratio(rate: float, ref: float | None) -> float | None:
    if ref is None or not np.isfinite(rate) or ref <= 0:
        return None
    return float(rate / ref - 1.0)


def _weakest(
    market: str, device: str, row: pd.Series, steps: list[StepRate],
    rev_per_purchase: float | None, window_days: int, min_gap: float, min_prob: float,
) -> MarketFunnel:
    basis = "peers" if any(s.vs_peers is not None for s in steps) else (
        "history" if any(s.vs_history is not None for s in steps) else None)
    weakest, gap, prob, gain = None, None, None, 0.0
    if basis is not None:
        attr = "vs_peers" if basis == "peers" else "vs_history"
        cands = [s for s in steps if getattr(s, attr) is not None]
        w = min(cands, key=lambda s: getattr(s, attr))
        gap = getattr(w, attr)
        if gap < 0:
            weakest = w.step
            prob = w.prob_below_peers if basis == "peers" else w.prob_below_history
            target = w.peer_median if basis == "peers" else w.history_rate
            sessions = float(row[STEPS[0]])
            product = np.prod([target if s is w else s.rate for s in steps])
            gain = max(sessions * product - float(row[STEPS[-1]]), 0.0)
    rev = gain * rev_per_purchase if rev_per_purchase is not None else None
    return MarketFunnel(
        market=market, device=device, sessions=int(row[STEPS[0]]), purchases=int(row[STEPS[-1]]),
        weakest_step=weakest, weakest_basis=basis if weakest else None, weakest_gap=gap,
        weakest_prob=prob,
        flagged=bool(weakest and gap is not None and gap <= -min_gap and (prob or 0.0) >= min_prob),
        gain_purchases=float(gain), gain_revenue=rev,
        gain_revenue_30d=rev * 30.0 / window_days if rev is not None else None, steps=steps,
    )
