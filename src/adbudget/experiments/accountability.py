"""Accountability and the knowledge-dependent move limit (issue 24, items 5 and 6).

``forecast_check`` compares what a plan forecast (per market or line, with its interval) with
what happened and lists the misses first: a forecast whose interval did not hold the outcome
is news, and the lines behind it should move less until a test or the data explain it.

``knowledge_move_limits`` replaces one ±30 % for every line by a limit that follows what is
known about the line:

* ``tested`` — a scale test read its slope: it may move ``sure`` (default ±60 %);
* ``pinned`` — the posterior of its marginal ROAS is tight (sd/mean below ``sure_cv``):
  ``sure`` as well;
* ``unsure`` — the posterior is wide (sd/mean above ``unsure_cv``): ``unsure`` (±15 %);
* ``missed`` — its market's (or its own) last forecast missed and no test explains it:
  ``unsure``, whatever else holds;
* ``default`` — ``base`` (±30 %);
* ``clear_above`` / ``clear_below`` (with ``break_even`` given) — the posterior puts the
  marginal ROAS clearly above (below) the line's break-even, ``CLEAR_SD`` posterior sds and a
  factor ``exp(CLEAR_LOG)`` away: the fit's sign is not in doubt, so the line may move further
  in that direction (the planner's steps, ``plan.knowledge.DEFAULT_STEPS``). Laplace
  posteriors are narrow and the fit's errors are 0.2–0.5 on the log scale, hence the factor.

On top, no line is planned beyond ``beyond_seen`` × the highest daily spend the data or a
test has seen (``seen_cap``). Each line gets the rule that applied, for its reason text.
Pure: the planner receives the limits as per-line floors and caps (period totals), which
``[plan] line_floors`` / ``line_caps`` already enforce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RULES = ("tested", "clear_above", "clear_below", "pinned", "unsure", "missed", "default")
CLEAR_SD = 2.0  # posterior sds between the marginal ROAS and its break-even for "clear"
CLEAR_LOG = 0.35  # and a fit error of exp(0.35) ~ 1.4x would not move it across


def forecast_check(forecast: pd.DataFrame, actual: pd.DataFrame, keys: tuple[str, ...] = ("market",),
                   ) -> pd.DataFrame:
    """Forecast (``keys``, forecast, lo, hi) against actual (``keys``, actual): error, error
    in % of the forecast, whether the interval missed, misses first then the largest errors
    relative to the interval's half-width."""
    df = forecast.merge(actual, on=list(keys), how="inner")
    df["error"] = df["actual"] - df["forecast"]
    df["error_pct"] = 100 * df["error"] / df["forecast"].abs().where(df["forecast"].abs() > 0)
    df["missed"] = (df["actual"] < df["lo"]) | (df["actual"] > df["hi"])
    half = ((df["hi"] - df["lo"]) / 2).where(lambda s: s > 0)
    df["z"] = df["error"] / half
    df["_order"] = -df["z"].abs().fillna(np.inf)
    return (df.sort_values(["missed", "_order"], ascending=[False, True])
            .drop(columns="_order").reset_index(drop=True))


def knowledge_move_limits(lines: pd.DataFrame, base: float = 0.3, sure: float = 0.6,
                          unsure: float = 0.15, sure_cv: float = 0.2, unsure_cv: float = 0.5,
                          beyond_seen: float = 1.5) -> pd.DataFrame:
    """Per-line daily bounds from what is known (see the module).

    ``lines``: market, channel, reference (last period's daily spend), mroas_mean, mroas_sd,
    and optionally tested (bool: a test read the slope well enough), missed (bool),
    break_even (the marginal ROAS at which a unit of spend pays for itself), max_seen (highest daily spend seen in the data
    or a test's high arm). Returns the input with lo, hi, limit, rule and seen_cap (bool).
    """
    out = lines.copy()
    n = len(out)
    tested = out.get("tested", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    missed = out.get("missed", pd.Series(False, index=out.index)).fillna(False).astype(bool)
    mean = out["mroas_mean"].astype(float).abs().clip(lower=1e-9)
    cv = out["mroas_sd"].astype(float) / mean
    rule = np.full(n, "default", dtype=object)
    limit = np.full(n, base)
    pinned = (cv <= sure_cv).to_numpy()
    wide = (cv >= unsure_cv).to_numpy()
    rule[pinned], limit[pinned] = "pinned", sure
    rule[wide], limit[wide] = "unsure", unsure
    if "break_even" in out:
        be = out["break_even"].astype(float).to_numpy()
        mu, sd = out["mroas_mean"].astype(float).to_numpy(), out["mroas_sd"].astype(float).to_numpy()
        ok = np.isfinite(be) & (be > 0) & np.isfinite(mu) & np.isfinite(sd)
        with np.errstate(invalid="ignore", divide="ignore"):
            above = ok & (mu - CLEAR_SD * sd > be) & (mu * np.exp(-CLEAR_LOG) > be)
            below = ok & (mu + CLEAR_SD * sd < be) & (mu * np.exp(CLEAR_LOG) < be)
        rule[above], limit[above] = "clear_above", sure
        rule[below], limit[below] = "clear_below", sure
    t = tested.to_numpy()
    rule[t], limit[t] = "tested", sure
    m = missed.to_numpy() & ~t
    rule[m], limit[m] = "missed", unsure
    ref = out["reference"].astype(float).to_numpy()
    lo, hi = ref * (1 - limit), ref * (1 + limit)
    seen = out.get("max_seen")
    cap = np.zeros(n, dtype=bool)
    if seen is not None:
        ceiling = seen.astype(float).to_numpy() * beyond_seen
        cap = np.isfinite(ceiling) & (ceiling > 0) & (hi > ceiling)
        hi = np.where(cap, ceiling, hi)
        lo = np.minimum(lo, hi)
    out["lo"], out["hi"], out["limit"], out["rule"], out["seen_cap"] = lo, hi, limit, rule, cap
    return out


__all__ = ["RULES", "forecast_check", "knowledge_move_limits"]
