"""From path tables to the seller's view: credit per channel/market/campaign with intervals,
attributed ROAS, each platform's over-claim ratio, models and windows side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from adbudget.attribution.base import AttributionModel
from adbudget.attribution.bootstrap import bootstrap
from adbudget.attribution.paths import PathTable

BY = ("channel", "market", "campaign")


@dataclass(frozen=True)
class AttributionReport:
    """One attribution run: the table the seller reads, totals, and optional comparisons."""

    model: str
    windows: str
    by: str
    table: pd.DataFrame
    totals: dict[str, float]
    models: pd.DataFrame | None = None  # key columns + one conversions column per model
    windows_table: pd.DataFrame | None = None  # key columns + one column per window
    details: dict[str, Any] = field(default_factory=dict)


def credit_frame(
    paths_df: pd.DataFrame,
    model: AttributionModel,
    *,
    by: str = "channel",
    n_boot: int = 0,
    level: float = 0.9,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Run *model* on an aggregated path frame; per market when the frame has a market column
    and ``by == "market"``. Returns the credit rows and the model's details."""
    if by == "market" and "market" in paths_df.columns:
        groups = [(m, g) for m, g in paths_df.groupby("market", sort=True)]
    else:
        groups = [(None, paths_df)]
    rows = []
    details: dict[str, Any] = {}
    for market, frame in groups:
        table = PathTable.from_frame(frame.reset_index(drop=True))
        credit = model.credit(table)
        out = pd.DataFrame({
            "unit": list(credit.channels),
            "conversions": credit.conversions,
            "revenue": credit.value,
        })
        if n_boot > 0:
            iv = bootstrap(model, table, n_boot=n_boot, level=level, seed=seed, progress=progress)
            out["conversions_lo"], out["conversions_hi"] = iv.conversions_lo, iv.conversions_hi
            out["revenue_lo"], out["revenue_hi"] = iv.value_lo, iv.value_hi
        if market is not None:
            out.insert(0, "market", market)
        rows.append(out)
        details[str(market) if market is not None else "all"] = plain_details(credit.extra, credit.channels)
    result = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["unit"])
    return split_unit(result, by), details


def split_unit(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """``unit`` → ``channel`` (and ``campaign`` for campaign units ``channel/campaign``)."""
    df = df.copy()
    if by == "campaign":
        parts = df["unit"].str.split("/", n=1, expand=True)
        df.insert(0, "channel", parts[0])
        df.insert(1, "campaign", parts[1] if parts.shape[1] > 1 else "")
    else:
        df.insert(0 if "market" not in df.columns else 1, "channel", df["unit"])
    return df.drop(columns=["unit"])


def keys_for(by: str) -> list[str]:
    return {"channel": ["channel"], "market": ["market", "channel"],
            "campaign": ["channel", "campaign"]}[by]


def add_platform(credit: pd.DataFrame, platform: pd.DataFrame, by: str) -> pd.DataFrame:
    """Join spend and platform-reported figures; add ROAS and over-claim ratios.

    ``platform`` has the key columns plus ``spend``, ``platform_conversions``,
    ``platform_revenue`` (base currency). Over-claim = platform-reported ÷ attributed.
    """
    keys = keys_for(by)
    if platform is None or platform.empty:
        platform = pd.DataFrame(columns=keys + ["spend", "platform_conversions", "platform_revenue"])
    out = credit.merge(platform.assign(_reported=True), on=keys, how="outer")
    reported = out.pop("_reported").fillna(False).astype(bool)
    for col in ("conversions", "revenue", "spend", "platform_conversions", "platform_revenue"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0.0).astype(float)
    out["roas"] = _ratio(out["revenue"], out["spend"])
    out["platform_roas"] = _ratio(out["platform_revenue"], out["spend"])
    # no ad_daily rows for a key: nothing reported, so no over-claim ratio (not 0)
    out["overclaim"] = _ratio(out["platform_conversions"], out["conversions"]).where(reported)
    out["overclaim_revenue"] = _ratio(out["platform_revenue"], out["revenue"]).where(reported)
    return out.sort_values(keys).reset_index(drop=True)


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    a = a.astype(float)
    b = b.astype(float)
    return pd.Series(np.where(b > 0, a / b.where(b > 0, 1.0), np.nan), index=a.index)


def side_by_side(frames: dict[str, pd.DataFrame], by: str, column: str = "conversions") -> pd.DataFrame:
    """Wide table: key columns, then *column* of each run (model or window) as its own column."""
    keys = keys_for(by)
    wide: pd.DataFrame | None = None
    for name, frame in frames.items():
        part = frame[keys + [column]].rename(columns={column: name})
        wide = part if wide is None else wide.merge(part, on=keys, how="outer")
    if wide is None:
        return pd.DataFrame(columns=keys)
    return wide.fillna(0.0).sort_values(keys).reset_index(drop=True)


def plain_details(extra: dict[str, Any], channels: tuple[str, ...]) -> dict[str, Any]:
    """Model details as JSON-friendly values (per-channel arrays to dicts, frames to records)."""
    out: dict[str, Any] = {}
    for key, value in extra.items():
        if isinstance(value, np.ndarray) and value.shape == (len(channels),):
            out[key] = {c: float(v) for c, v in zip(channels, value, strict=True)}
        elif isinstance(value, np.ndarray):
            out[key] = value.tolist()
        elif isinstance(value, pd.DataFrame):
            out[key] = value.to_dict(orient="records")
        elif isinstance(value, dict):
            out[key] = {str(k): v for k, v in value.items()}
        else:
            out[key] = value
    return out
