"""Lift tests (geo holdout, conversion lift, geo scale): incremental ROAS with an interval, and
the pooled per-line calibration the response model can use as a prior.

Incremental ROAS = incremental revenue / the spend that made the difference: all of it for a
holdout (``baseline_spend`` 0: the *average* return of the line's spend), the spend beyond the
baseline for a scale test (the *marginal* return of extra spend, what a planner needs). Its
standard error is the revenue's SE over that spend (spend is known). Tests of the same
market x channel and kind are pooled by inverse variance (an average and a marginal return
are different quantities and are never pooled together);
when they disagree more than their SEs allow (Cochran's Q above its degrees of freedom) the
pooled SE is widened by sqrt(Q / df) (the Birge ratio).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

CALIBRATION_COLUMNS = ["market", "channel", "kind", "iroas", "iroas_se", "n_tests", "spend"]


@dataclass(frozen=True)
class LiftResult:
    """One lift test's incremental ROAS."""

    test_id: str
    market: str
    channel: str
    start_date: str
    end_date: str
    days: int
    method: str
    currency: str
    spend: float
    incremental_revenue: float
    iroas: float  # over ``spend`` (holdout) or ``spend - baseline_spend`` (scale test)
    iroas_se: float
    iroas_lo: float
    iroas_hi: float
    p_positive: float  # P(iROAS > 0) under the normal approximation
    significant: bool  # the interval excludes zero
    baseline_spend: float = 0.0  # spend of the comparison arm; 0 = holdout
    kind: str = "holdout"  # "holdout" (average return) or "scale" (return of the extra spend)


def analyze_lift_tests(df: pd.DataFrame, level: float = 0.9) -> list[LiftResult]:
    """iROAS with a two-sided *level* interval for every row of ``lift_tests``."""
    if df is None or df.empty:
        return []
    z = float(norm.ppf(0.5 + level / 2))
    out = []
    for row in df.itertuples(index=False):
        spend = float(row.spend)
        baseline = getattr(row, "baseline_spend", None)  # files without the column: holdouts
        baseline = 0.0 if pd.isna(baseline) else float(baseline)
        extra = spend - baseline  # the spend whose return the test measured
        if spend <= 0 or extra == 0:
            continue
        iroas = float(row.incremental_revenue) / extra
        se = abs(float(row.incremental_revenue_se)) / abs(extra)
        lo, hi = iroas - z * se, iroas + z * se
        start, end = pd.Timestamp(row.start_date), pd.Timestamp(row.end_date)
        out.append(LiftResult(
            test_id=str(row.test_id), market=str(row.market), channel=str(row.channel),
            start_date=str(start.date()), end_date=str(end.date()), days=int((end - start).days) + 1,
            method=str(row.method), currency=str(row.currency), spend=spend,
            incremental_revenue=float(row.incremental_revenue), iroas=iroas, iroas_se=se,
            iroas_lo=lo, iroas_hi=hi,
            p_positive=float(norm.cdf(iroas / se)) if se > 0 else float(iroas > 0),
            significant=bool(lo > 0 or hi < 0),
            baseline_spend=baseline, kind="scale" if baseline > 0 else "holdout",
        ))
    return out


def lift_calibration(results: list[LiftResult]) -> pd.DataFrame:
    """Pooled iROAS and SE per market x channel and kind (inverse-variance, Birge-widened)."""
    if not results:
        return pd.DataFrame(columns=CALIBRATION_COLUMNS)
    df = pd.DataFrame([r.__dict__ for r in results])
    rows = []
    for (market, channel, kind), g in df.groupby(["market", "channel", "kind"], sort=True):
        se = g["iroas_se"].to_numpy(dtype=float)
        x = g["iroas"].to_numpy(dtype=float)
        if (se <= 0).any():
            pooled, pooled_se = float(x[se <= 0].mean()), 0.0
        else:
            w = 1 / se**2
            pooled = float((w * x).sum() / w.sum())
            pooled_se = float(np.sqrt(1 / w.sum()))
            if len(x) > 1:
                q = float((w * (x - pooled) ** 2).sum())
                pooled_se *= float(np.sqrt(max(q / (len(x) - 1), 1.0)))
        rows.append(dict(market=market, channel=channel, kind=kind, iroas=pooled, iroas_se=pooled_se,
                         n_tests=len(x), spend=float(g["spend"].sum())))
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
