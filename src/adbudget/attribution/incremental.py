"""Incremental attribution: multi-touch credit rescaled to what each channel really caused.

A path model (last touch, Markov, Shapley …) splits the *tracked* orders over the channels a
journey touched: it cannot tell a buyer who was persuaded from one who was coming anyway and
clicked a brand-search ad on the way (navigational touches). The response model, fitted on
shop revenue, the platforms' own day-by-day claims and lift tests together, estimates how
much revenue each market x channel line caused. Incremental attribution keeps the path
model's split *within* a channel (which campaigns, which markets) and sets each channel's
total to that estimate; the rest of the orders are the organic baseline.

Pure: takes the credit table and the per-key incremental revenue, returns a new table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCALED_COLUMNS = ("conversions", "conversions_lo", "conversions_hi", "revenue", "revenue_lo",
                  "revenue_hi")


def scale_to_incremental(credit: pd.DataFrame, incremental: pd.DataFrame,
                         keys: list[str]) -> pd.DataFrame:
    """Rescale ``credit`` so each group's revenue equals the model's incremental revenue.

    ``credit``: the attribution table (``keys`` + ``conversions``, ``revenue`` and optional
    ``*_lo`` / ``*_hi``); ``incremental``: ``keys`` (a subset of the credit's keys, e.g. just
    ``channel`` for a campaign table) + ``incremental_revenue`` (and optional
    ``incremental_revenue_lo`` / ``_hi``). Rows whose group the model has no estimate for keep
    their credit (factor 1, ``incremental`` False). Adds ``incremental_factor``.
    """
    out = credit.copy()
    group = [k for k in keys if k in incremental.columns]
    if not group or out.empty:
        out["incremental_factor"] = 1.0
        out["incremental"] = False
        return out
    credited = out.groupby(group, as_index=False)["revenue"].sum().rename(
        columns={"revenue": "_credited"})
    merged = out.merge(credited, on=group, how="left").merge(
        incremental[group + [c for c in incremental.columns if c.startswith("incremental_revenue")]],
        on=group, how="left")
    known = merged["incremental_revenue"].notna() & (merged["_credited"] > 0)
    factor = np.where(known, merged["incremental_revenue"] / merged["_credited"].where(
        merged["_credited"] > 0, 1.0), 1.0)
    for col in SCALED_COLUMNS:  # ROAS and over-claim follow from these (report.add_platform)
        if col in merged.columns:
            merged[col] = merged[col].astype(float) * factor
    merged["incremental_factor"] = factor
    merged["incremental"] = known.to_numpy()
    return merged.drop(columns=["_credited"] + [c for c in merged.columns
                                                 if c.startswith("incremental_revenue")])


__all__ = ["scale_to_incremental"]
