"""Acquisition cohorts: first-order month x market x channel, value at fixed ages.

For each cohort and age d (30, 60, ... days): share of customers who bought again within d
days of their first order, and net revenue and contribution profit per customer from orders
in those d days (first order included, refunds netted). A cell is reported only when the
whole cohort month has been observed for d days (month end + d - 1 <= as_of); younger cells
are left empty rather than biased low.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.errors import InputError
from adbudget.ltv.summary import UNKNOWN_CHANNEL

DEFAULT_WINDOWS = (30, 60, 90, 180, 365)


@dataclass(frozen=True)
class CohortReport:
    """One row per cohort (month, market, channel); metric columns per age window."""

    as_of: str
    windows: tuple[int, ...]
    rows: pd.DataFrame

    def metric(self, name: str) -> pd.DataFrame:
        """A wide table of one metric (``repeat_rate``, ``revenue`` or ``profit``) by age."""
        cols = [f"{name}_{d}d" for d in self.windows]
        return self.rows[["cohort", "market", "channel", "customers", *cols]]


def cohort_table(
    values: pd.DataFrame,
    channels: pd.Series | None = None,
    *,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    as_of: pd.Timestamp | str | None = None,
    by_channel: bool = True,
) -> CohortReport:
    """Cohort metrics from order values (see :func:`adbudget.ltv.summary.order_values`)."""
    if values.empty:
        raise InputError("there are no orders to build cohorts from")
    windows = tuple(sorted(int(d) for d in windows))
    if any(d <= 0 for d in windows):
        raise InputError("cohort windows must be positive numbers of days")
    as_of_ts = pd.Timestamp(as_of).normalize() if as_of is not None else values["order_date"].max()
    df = values[values["order_date"] <= as_of_ts]
    daily = df.groupby(["customer_id", "order_date"], as_index=False).agg(
        market=("market", "first"), net_revenue=("net_revenue", "sum"), profit=("profit", "sum"))
    first = daily.groupby("customer_id").agg(first_date=("order_date", "min"), market=("market", "first"))
    if channels is not None and by_channel:
        first["channel"] = channels.reindex(first.index).fillna(UNKNOWN_CHANNEL).astype(str)
    else:
        first["channel"] = "*"
    first["cohort"] = first["first_date"].dt.to_period("M").astype(str)
    daily = daily.join(first[["first_date"]], on="customer_id")
    age = (daily["order_date"] - daily["first_date"]).dt.days.to_numpy()
    keys = ["cohort", "market", "channel"]
    base = first.groupby(keys).agg(customers=("first_date", "size")).reset_index()
    base["month_end"] = pd.PeriodIndex(base["cohort"], freq="M").to_timestamp(how="end").normalize()
    out = base.copy()
    for d in windows:
        inside = age < d
        per_cust = daily[inside].groupby("customer_id").agg(
            revenue=("net_revenue", "sum"), profit=("profit", "sum"), days=("order_date", "size"))
        per_cust = per_cust.reindex(first.index, fill_value=0)
        per_cust["repeat"] = (per_cust["days"] > 1).astype(float)
        agg = per_cust.join(first[keys]).groupby(keys).agg(
            repeat_rate=("repeat", "mean"), revenue=("revenue", "mean"), profit=("profit", "mean"))
        agg.columns = [f"{c}_{d}d" for c in agg.columns]
        out = out.merge(agg.reset_index(), on=keys, how="left")
        mature = (out["month_end"] + pd.Timedelta(days=d - 1)) <= as_of_ts
        for c in agg.columns:
            out.loc[~mature.to_numpy(), c] = np.nan
    out = out.drop(columns="month_end").sort_values(keys).reset_index(drop=True)
    return CohortReport(as_of=str(as_of_ts.date()), windows=windows, rows=out)


__all__ = ["DEFAULT_WINDOWS", "CohortReport", "cohort_table"]
