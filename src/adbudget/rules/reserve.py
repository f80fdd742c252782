"""Reserve release: detect cost surges and peak days, and give the reserve to lines that still pay.

A *surge* is a market × channel whose recent CPM or CPC is well above its trailing baseline
(median of the daily values, robust to single odd days), or a market in a known peak window
(:mod:`adbudget.rules.peaks`). At inflated cost ``c`` a unit of spend buys ``1/c`` of the
usual media, so a line's marginal ROAS becomes ``m(s / c) / c`` with ``m`` the marginal
return of its response curve (the same reasoning as an input-price change in a production
function). The reserve goes, step by step, to the line with the highest marginal ROAS at
inflated cost, while that stays above the target ROAS and below a per-line increase cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from adbudget.curves import ResponseCurves
from adbudget.rules.peaks import peak_inflation

SURGE_COLUMNS = [
    "market", "channel", "cpm_recent", "cpm_baseline", "cpm_ratio", "cpc_recent", "cpc_baseline",
    "cpc_ratio", "peak", "inflation", "surge",
]
RELEASE_COLUMNS = [
    "market", "channel", "current_daily", "inflation", "marginal_roas", "marginal_roas_inflated",
    "target_roas", "release_daily", "source", "reason",
]


@dataclass(frozen=True)
class ReserveReport:
    """Surges found for a date and the reserve released per line (daily, base currency)."""

    as_of: date
    reserve_daily: float
    released_daily: float
    surges: pd.DataFrame  # SURGE_COLUMNS
    releases: pd.DataFrame  # RELEASE_COLUMNS


def detect_surges(
    spend: pd.DataFrame,
    as_of: date,
    *,
    recent_days: int = 3,
    baseline_days: int = 28,
    threshold: float = 1.25,
    min_impressions: float = 1000.0,
    lookahead_days: int = 0,
) -> pd.DataFrame:
    """CPM and CPC of the last *recent_days* against the median day of the *baseline_days* before.

    *spend* has ``date, market, channel, spend, impressions, clicks``. A market in a peak
    window (on *as_of* or within *lookahead_days*) is flagged with the calendar's inflation
    even before costs have moved. ``inflation`` is the larger of the measured CPM ratio and
    the calendar's.
    """
    as_of = pd.Timestamp(as_of).date()
    s = spend.copy()
    s["date"] = pd.to_datetime(s["date"]).dt.date
    r0 = as_of - timedelta(days=recent_days)
    b0 = r0 - timedelta(days=baseline_days)
    recent = s[(s["date"] >= r0) & (s["date"] < as_of)].groupby(["market", "channel"])[
        ["spend", "impressions", "clicks"]].sum()
    base = s[(s["date"] >= b0) & (s["date"] < r0)].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        base["cpm"] = np.where(base["impressions"] > 0, 1000 * base["spend"] / base["impressions"], np.nan)
        base["cpc"] = np.where(base["clicks"] > 0, base["spend"] / base["clicks"], np.nan)
    bmed = base.groupby(["market", "channel"])[["cpm", "cpc"]].median()
    idx = recent.index.union(bmed.index)
    out = pd.DataFrame(index=idx)
    rec = recent.reindex(idx)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cpm_recent"] = np.where(rec["impressions"] > 0, 1000 * rec["spend"] / rec["impressions"], np.nan)
        out["cpc_recent"] = np.where(rec["clicks"] > 0, rec["spend"] / rec["clicks"], np.nan)
    out["cpm_baseline"] = bmed["cpm"].reindex(idx)
    out["cpc_baseline"] = bmed["cpc"].reindex(idx)
    enough = rec["impressions"].fillna(0).to_numpy() >= min_impressions
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cpm_ratio"] = np.where(enough, out["cpm_recent"] / out["cpm_baseline"], np.nan)
        out["cpc_ratio"] = np.where(enough, out["cpc_recent"] / out["cpc_baseline"], np.nan)
    out = out.reset_index()
    markets = sorted(set(out["market"]))
    peaks: dict[str, tuple[float, str]] = {}
    for k in range(lookahead_days + 1):
        for mkt, (infl, names) in peak_inflation(as_of + timedelta(days=k), markets).items():
            if mkt not in peaks or infl > peaks[mkt][0]:
                peaks[mkt] = (infl, names)
    out["peak"] = [peaks.get(m, (1.0, None))[1] for m in out["market"]]
    cal = np.array([peaks.get(m, (1.0, None))[0] for m in out["market"]], dtype=float)
    measured = np.fmax(out["cpm_ratio"].to_numpy(float), out["cpc_ratio"].to_numpy(float))
    out["inflation"] = np.fmax(np.nan_to_num(measured, nan=1.0), cal)
    out["surge"] = (np.nan_to_num(measured, nan=0.0) >= threshold) | out["peak"].notna().to_numpy()
    return out[SURGE_COLUMNS]


def release_reserve(
    surges: pd.DataFrame,
    reserve_daily: float,
    current_daily: pd.DataFrame,
    *,
    as_of: date,
    target_roas: pd.DataFrame,
    curves: ResponseCurves | None = None,
    average_roas: pd.DataFrame | None = None,
    marginal_to_average: float = 0.7,
    max_increase_pct: float = 50.0,
    steps: int = 50,
) -> ReserveReport:
    """Give *reserve_daily* to surging lines whose marginal ROAS at inflated cost beats the target.

    *current_daily* has ``market, channel, spend`` (recent average daily spend), *target_roas*
    ``market, channel`` (``*`` for a whole market) and ``target_roas``. With *curves* the
    marginal ROAS comes from them (mean over draws); without, from *average_roas*
    (``market, channel, roas``) × *marginal_to_average*, an approximation flagged in ``source``.
    """
    surging = surges[surges["surge"]]
    rows = surging[["market", "channel", "inflation"]].merge(current_daily, on=["market", "channel"], how="left")
    rows["current_daily"] = rows.pop("spend").fillna(0.0).astype(float)
    rows["target_roas"] = _lookup_target(rows, target_roas)
    n = len(rows)
    infl = rows["inflation"].to_numpy(float)
    cur = rows["current_daily"].to_numpy(float)
    cap = cur * max_increase_pct / 100.0
    source = np.full(n, "none", dtype=object)
    curve_col = np.full(n, -1)
    if curves is not None:
        pos = {tuple(line): i for i, line in enumerate(curves.lines)}
        for i, (m, c) in enumerate(zip(rows["market"], rows["channel"], strict=True)):
            j = pos.get((m, c))
            if j is not None:
                curve_col[i] = j
                source[i] = "curves"
    avg = np.full(n, np.nan)
    if average_roas is not None and len(average_roas):
        avg = rows[["market", "channel"]].merge(average_roas, on=["market", "channel"], how="left")["roas"].to_numpy(float)
        source[(curve_col < 0) & ~np.isnan(avg)] = "average_roas"

    def marginal_at(extra: np.ndarray) -> np.ndarray:
        """Marginal ROAS at inflated cost with *extra* daily spend on top of the current."""
        out = np.where(np.isnan(avg), np.nan, avg * marginal_to_average) / infl
        has = curve_col >= 0
        if has.any() and curves is not None:
            full = np.asarray(curves.current_spend, float).copy()
            eff = (cur + extra) / infl
            full[curve_col[has]] = eff[has]
            mar = np.asarray(curves.marginal(full)).mean(axis=0)
            out = out.copy()
            out[has] = mar[curve_col[has]] / infl[has]
        return out

    base_marginal = marginal_at(np.zeros(n)) * infl
    alloc = np.zeros(n)
    target = rows["target_roas"].to_numpy(float)
    if reserve_daily > 0 and n:
        step = reserve_daily / steps
        left = reserve_daily
        for _ in range(steps):
            mr = marginal_at(alloc)
            ok = (mr >= target) & (alloc + 1e-9 < cap) & ~np.isnan(mr)
            if not ok.any() or left <= 1e-9:
                break
            score = np.where(ok, mr - target, -np.inf)
            if not np.any(source == "curves"):
                # constant marginal ROAS: share in proportion to current spend, up to the caps
                weights = np.where(ok, cur, 0.0)
                if weights.sum() <= 0:
                    weights = ok.astype(float)
                give = np.minimum(left * weights / weights.sum(), cap - alloc)
                alloc += give
                left -= give.sum()
                continue
            i = int(np.argmax(score))
            give = min(step, cap[i] - alloc[i], left)
            alloc[i] += give
            left -= give
    final_mr = marginal_at(alloc)
    reason = np.where(
        alloc > 0, "released",
        np.where(np.isnan(final_mr), "no_estimate",
                 np.where(final_mr < target, "below_target",
                          np.where(np.isnan(target), "no_target", "no_reserve"))))
    releases = pd.DataFrame({
        "market": rows["market"], "channel": rows["channel"], "current_daily": cur, "inflation": infl,
        "marginal_roas": base_marginal, "marginal_roas_inflated": marginal_at(np.zeros(n)),
        "target_roas": target, "release_daily": alloc, "source": source, "reason": reason,
    })[RELEASE_COLUMNS]
    return ReserveReport(pd.Timestamp(as_of).date(), float(reserve_daily), float(alloc.sum()),
                         surges.reset_index(drop=True), releases)


def _lookup_target(rows: pd.DataFrame, target_roas: pd.DataFrame) -> np.ndarray:
    exact = rows[["market", "channel"]].merge(target_roas, on=["market", "channel"], how="left")["target_roas"]
    star = target_roas[target_roas["channel"] == "*"].set_index("market")["target_roas"]
    fill = rows["market"].map(star)
    return exact.fillna(fill).to_numpy(float)
