"""Per-line metrics over date windows, as aligned numpy arrays (the input of rule evaluation).

A *line* is one campaign in one market and channel. For an evaluation date ``D`` the windows
are: ``today`` = D (partial data, if any), ``yesterday`` = D-1, ``last_<N>d`` = the N full days
before D (D-N … D-1, like the platforms' "last 7 days"), ``this_month`` = the 1st of D's month
… D. Ratios with a zero denominator are NaN, and a comparison with NaN is false, so a line
without data never triggers a rule by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from adbudget.rules.spec import METRICS, STATE_METRICS, TARGETS, window_days

BASE = ("spend", "impressions", "clicks", "conversions", "revenue", "reach")
LINE_KEYS = ("market", "channel", "campaign")

DEFAULT_BUCKET_PATTERNS: dict[str, str] = {
    "test": r"(?i)(?:^|[^a-z])(?:test|exp|trial|ab)(?:[^a-z]|$)",
    "reserve": r"(?i)(?:^|[^a-z])reserve(?:[^a-z]|$)",
    "brand": r"(?i)(?:^|[^a-z])(?:brand|awareness|reach|kol)(?:[^a-z]|$)",
}
"""Campaign-name patterns that put a campaign in a bucket (first match wins; else performance)."""


def line_key(market: str, channel: str, campaign: str) -> str:
    """The one string that names a line in logs and exports."""
    return f"{market}|{channel}|{campaign}"


def window_range(window: str, as_of: date) -> tuple[date, date]:
    """Inclusive start and exclusive end of a window for evaluation date *as_of*."""
    if window == "today":
        return as_of, as_of + timedelta(days=1)
    if window == "yesterday":
        return as_of - timedelta(days=1), as_of
    if window == "this_month":
        return as_of.replace(day=1), as_of + timedelta(days=1)
    n = window_days(window)
    assert n is not None
    return as_of - timedelta(days=n), as_of


def assign_buckets(campaigns: pd.Series, patterns: dict[str, str] | None = None) -> np.ndarray:
    """Bucket of each campaign from its name (patterns tried in order; default performance)."""
    patterns = DEFAULT_BUCKET_PATTERNS if patterns is None else patterns
    out = np.full(len(campaigns), "performance", dtype=object)
    free = np.ones(len(campaigns), dtype=bool)
    names = campaigns.astype(str)
    for bucket, pattern in patterns.items():
        rx = re.compile(pattern)
        hit = np.fromiter((rx.search(x) is not None for x in names), dtype=bool, count=len(names)) & free
        out[hit] = bucket
        free &= ~hit
    return out


def build_lines(daily: pd.DataFrame, bucket_patterns: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per (market, channel, campaign) with its key, bucket and test-arm flag."""
    if len(daily):
        lines = daily[list(LINE_KEYS)].drop_duplicates().sort_values(list(LINE_KEYS))
    else:
        lines = pd.DataFrame({k: pd.Series(dtype=object) for k in LINE_KEYS})
    lines = lines.reset_index(drop=True).astype({k: object for k in LINE_KEYS})
    lines["line"] = [line_key(m, c, k) for m, c, k in lines[list(LINE_KEYS)].itertuples(index=False)]
    if "bucket" in daily.columns and len(daily):
        given = daily.drop_duplicates(list(LINE_KEYS)).set_index(list(LINE_KEYS))["bucket"]
        lines["bucket"] = given.reindex(pd.MultiIndex.from_frame(lines[list(LINE_KEYS)])).to_numpy()
        missing = lines["bucket"].isna().to_numpy()
        if missing.any():
            lines.loc[missing, "bucket"] = assign_buckets(lines.loc[missing, "campaign"], bucket_patterns)
    else:
        lines["bucket"] = assign_buckets(lines["campaign"], bucket_patterns)
    lines["test_arm"] = lines["bucket"].to_numpy() == "test"
    return lines


@dataclass(frozen=True)
class LineMetrics:
    """Metrics per (metric, window), state and plan targets, each an array aligned to ``lines``."""

    as_of: date
    lines: pd.DataFrame
    values: dict[tuple[str, str], np.ndarray]
    state: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    paused: np.ndarray
    fx_local_per_base: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n_lines(self) -> int:
        return len(self.lines)

    def get(self, metric: str, window: str) -> np.ndarray:
        """Array of one metric in one window (state metrics ignore the window)."""
        if metric in STATE_METRICS:
            return self.state[metric]
        return self.values[(metric, window)]

    def target(self, name: str) -> np.ndarray:
        return self.targets[name]


def earliest_day(as_of: date, windows: set[str] | list[str]) -> date:
    """First day any of *windows* (plus last_7d and this_month, always computed) reads."""
    windows = set(windows) | {"last_7d", "this_month"}
    return min(window_range(w, as_of)[0] for w in windows)


@dataclass
class DailyCube:
    """Daily sums per line as dense arrays: row ``k + 1`` is day ``first + k`` (row 0 is zeros)."""

    first: date
    lines: pd.DataFrame
    data: dict[str, np.ndarray]
    has_reach: bool
    fx_local_per_base: np.ndarray

    @property
    def n_days(self) -> int:
        return self.data["spend"].shape[0] - 1

    def offset(self, day: date) -> int:
        return (day - self.first).days


def build_cube(daily: pd.DataFrame, lines: pd.DataFrame, first: date, last: date) -> DailyCube:
    """Add the daily rows of *daily* (any granularity below a line) into a :class:`DailyCube`."""
    n = len(lines)
    n_days = max((last - first).days + 1, 0)
    data = {b: np.zeros((n_days + 1, n)) for b in BASE}
    local = np.zeros(n)
    spend_for_fx = np.zeros(n)
    has_reach = "reach" in daily.columns
    if len(daily) and n and n_days:
        d = daily
        days = (pd.to_datetime(d["date"]).to_numpy("datetime64[D]") - np.datetime64(first, "D"))
        offs = days.astype(np.int64)
        keep = (offs >= 0) & (offs < n_days)
        idx = pd.MultiIndex.from_frame(lines[list(LINE_KEYS)]).get_indexer(
            pd.MultiIndex.from_frame(d[list(LINE_KEYS)])
        )
        keep &= idx >= 0
        offs, idx = offs[keep], idx[keep]
        for b in BASE:
            if b in d.columns:
                vals = pd.to_numeric(d[b], errors="coerce").fillna(0.0).to_numpy(float)[keep]
                np.add.at(data[b], (offs + 1, idx), vals)
        if "spend_local" in d.columns:
            recent = offs >= n_days - 29
            np.add.at(local, idx[recent], pd.to_numeric(d["spend_local"]).fillna(0.0).to_numpy(float)[keep][recent])
            np.add.at(spend_for_fx, idx[recent], pd.to_numeric(d["spend"]).fillna(0.0).to_numpy(float)[keep][recent])
    with np.errstate(divide="ignore", invalid="ignore"):
        fx = np.where(spend_for_fx > 0, local / np.where(spend_for_fx > 0, spend_for_fx, 1), np.nan)
    return DailyCube(first, lines, data, has_reach, fx)


def compute_metrics(
    daily: pd.DataFrame,
    as_of: date,
    windows: set[str] | list[str],
    *,
    lines: pd.DataFrame | None = None,
    state: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    bucket_patterns: dict[str, str] | None = None,
) -> LineMetrics:
    """Sum the daily rows into every window and derive ratios, aligned to ``lines``.

    *daily* has ``date, market, channel, campaign, spend, impressions, clicks, conversions,
    revenue`` (money in the base currency), optionally ``reach`` and ``spend_local``. *state*
    (per line key: ``status, daily_budget, bid``) defaults to the last-7-day average spend and
    CPC. *targets* (per market and channel: any of :data:`TARGETS`) default to NaN.
    """
    as_of = pd.Timestamp(as_of).date()
    if lines is None:
        lines = build_lines(daily, bucket_patterns)
    cube = build_cube(daily, lines, earliest_day(as_of, windows), as_of)
    return metrics_from_cube(cube, as_of, windows, state=state, targets=targets)


def metrics_from_cube(
    cube: DailyCube,
    as_of: date,
    windows: set[str] | list[str],
    *,
    state: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    upto: date | None = None,
) -> LineMetrics:
    """Window metrics for *as_of* from a cube; days on or after *upto* count as empty."""
    lines = cube.lines
    n = len(lines)
    windows = set(windows) | {"last_7d", "this_month"}
    ranges = {w: window_range(w, as_of) for w in windows}
    last_row = cube.n_days if upto is None else max(min(cube.offset(upto), cube.n_days), 0)
    cum = {}
    for b in BASE:
        c = np.cumsum(cube.data[b][: last_row + 1], axis=0)
        cum[b] = c
    act = np.cumsum(cube.data["spend"][: last_row + 1] > 0, axis=0)

    def rows(day: date) -> int:
        return min(max(cube.offset(day), 0), last_row)

    state_arr = _state_arrays(lines, state, cum, ranges["last_7d"], rows)
    target_arr = _target_arrays(lines, targets)
    group = pd.factorize(lines["market"].astype(str) + "|" + lines["channel"].astype(str))[0]
    n_groups = int(group.max()) + 1 if n else 0

    values: dict[tuple[str, str], np.ndarray] = {}
    for w, (start, end) in ranges.items():
        a, b = rows(start), rows(end)
        s = {k: cum[k][b] - cum[k][a] for k in BASE}
        spend, imp, clk, conv, rev = (s[k] for k in ("spend", "impressions", "clicks",
                                                      "conversions", "revenue"))
        ndays = max((end - start).days, 1)
        out = {
            "spend": spend, "impressions": imp, "clicks": clk, "conversions": conv,
            "revenue": rev,
            "roas": _div(rev, spend), "cpa": _div(spend, conv), "ctr": _div(clk, imp),
            "cvr": _div(conv, clk), "cpm": 1000.0 * _div(spend, imp), "cpc": _div(spend, clk),
            "reach": s["reach"] if cube.has_reach else np.full(n, np.nan),
            "frequency": _div(imp, s["reach"]) if cube.has_reach else np.full(n, np.nan),
            "daily_spend": spend / ndays,
            "days": (act[b] - act[a]).astype(float),
        }
        group_spend = np.bincount(group, weights=spend, minlength=n_groups)
        out["plan_share"] = _div(group_spend[group] if n else spend, target_arr["plan_amount"])
        out["budget_use"] = _div(spend / ndays, state_arr["daily_budget"])
        for metric in METRICS:
            values[(metric, w)] = out[metric]
    if n:
        # plan daily budget of a campaign: its group's, split by last-7-day spend share
        g7 = values[("spend", "last_7d")]
        tot = np.bincount(group, weights=g7)[group]
        cnt = np.bincount(group)[group]
        share = np.where(tot > 0, _div(g7, tot), 1.0 / cnt)
        target_arr["plan_daily_budget"] = target_arr["plan_daily_budget"] * share
    return LineMetrics(
        as_of=as_of, lines=lines, values=values,
        state={k: state_arr[k] for k in STATE_METRICS}, targets=target_arr,
        paused=state_arr["paused"], fx_local_per_base=cube.fx_local_per_base,
    )


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    out[~np.isfinite(out)] = np.nan
    return out


def _state_arrays(lines, state, cum, last7, rows) -> dict[str, np.ndarray]:
    n = len(lines)
    a, b = rows(last7[0]), rows(last7[1])
    spend7 = cum["spend"][b] - cum["spend"][a]
    clicks7 = cum["clicks"][b] - cum["clicks"][a]
    budget = spend7 / 7.0
    bid = _div(spend7, clicks7)
    paused = np.zeros(n, dtype=bool)
    if state is not None and len(state) and n:
        st = state.set_index("line")
        keys = lines["line"]
        if "daily_budget" in st:
            given = st["daily_budget"].reindex(keys).to_numpy(float)
            budget = np.where(np.isnan(given), budget, given)
        if "bid" in st:
            given = st["bid"].reindex(keys).to_numpy(float)
            bid = np.where(np.isnan(given), bid, given)
        if "status" in st:
            paused = (st["status"].reindex(keys) == "paused").to_numpy()
    return {"daily_budget": np.asarray(budget, float), "bid": np.asarray(bid, float), "paused": paused}


def _target_arrays(lines: pd.DataFrame, targets: pd.DataFrame | None) -> dict[str, np.ndarray]:
    n = len(lines)
    out = {name: np.full(n, np.nan) for name in TARGETS}
    if targets is None or not len(targets) or not n:
        return out
    t = targets.groupby(["market", "channel"], as_index=True).first()
    idx = pd.MultiIndex.from_frame(lines[["market", "channel"]])
    for name in TARGETS:
        if name in t.columns:
            out[name] = pd.to_numeric(t[name], errors="coerce").reindex(idx).to_numpy(float)
    # a market-wide target (channel "*") fills lines without their own
    if (targets["channel"] == "*").any():
        star = targets[targets["channel"] == "*"].groupby("market").first()
        for name in TARGETS:
            if name in star.columns:
                fill = pd.to_numeric(star[name], errors="coerce").reindex(lines["market"]).to_numpy(float)
                out[name] = np.where(np.isnan(out[name]), fill, out[name])
    return out
