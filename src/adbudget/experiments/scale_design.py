"""Which scale tests are worth running: value of information against what a test costs.

A plan moves each line's budget up or down on the strength of its marginal return. Where the
posterior of that return straddles the break-even, the move is a coin toss; a test that pins
it is worth the profit the next decisions gain from knowing it (preposterior analysis, e.g.
Raiffa & Schlaifer 1961; Feit & Berman 2019 "Test & Roll"):

* prior on the line's marginal profit per unit of spend ``w·m − λ`` (``m`` the marginal ROAS,
  ``w`` profit per unit of revenue, ``λ`` what a unit of spend is worth elsewhere): normal with
  the posterior's mean and sd;
* a switchback with SE ``s`` on ``m`` moves the mean to ``m'`` ~ N(μ, τ²·τ²/(τ²+s²));
* the next decision moves the line by ``step`` of its budget, in whichever direction ``m'``
  says, so it earns ``step·B·days·|w·m' − λ|`` instead of ``step·B·days·|w·μ − λ|``.

The value is the expected difference (closed form: the mean of a folded normal); the cost is
the profit the switchback gives up by spending ``hi``× and ``lo``× the budget instead of 1×
on a concave curve (budget-neutral: it spends the same money). A line is tested when value
exceeds cost and its extra spend on high days fits the market's test bucket.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from adbudget.experiments.switchback import channel_block_days, switchback_arms

SE_INFLATION = 1.25  # allowance for adstock overlap of blocks and AR(1) noise (not calibrated)


@dataclass(frozen=True)
class ScaleTestDesign:
    """One designed scale test (a time switchback of one line)."""

    test_id: str
    market: str
    channel: str
    unit: str  # "switchback" (time) — geo cells need regions the data does not have
    budget_daily: float  # the line's planned daily budget (base currency)
    hi_factor: float
    lo_factor: float
    block_days: int
    start_date: str
    days: int
    expected_se: float  # SE of the incremental revenue (window high vs low), base currency
    expected_slope_se: float  # SE of the marginal ROAS it measures
    prior_mroas: float
    prior_mroas_sd: float
    value: float  # expected profit the next decision(s) gain from the result
    profit_given_up: float  # expected cost of running the arms instead of the flat budget
    test_spend: float  # extra spend on high days (what the test bucket funds)
    reason: str = ""

    def record(self) -> dict[str, object]:
        return asdict(self)


def _folded_mean(nu: float, sd: float) -> float:
    """E|X| for X ~ N(nu, sd²)."""
    if sd <= 0:
        return abs(nu)
    z = nu / sd
    return float(sd * math.sqrt(2 / math.pi) * math.exp(-z * z / 2) + nu * (1 - 2 * stats.norm.cdf(-z)))


def value_of_information(mu: float, tau: float, s: float, weight: float, lam: float,
                         stake: float) -> float:
    """Expected gain of deciding a ±``stake`` move after a test with SE ``s`` on a marginal
    ROAS believed N(mu, tau²), over deciding now (both in profit per unit of stake)."""
    if tau <= 0 or stake <= 0:
        return 0.0
    pre = tau * tau / math.sqrt(tau * tau + s * s)
    nu = weight * mu - lam
    return stake * (_folded_mean(nu, weight * pre) - abs(nu))


def value_of_unlocking(mu: float, tau: float, s: float, weight: float, lam: float,
                       money: float, now: tuple[float, float], after: tuple[float, float]) -> float:
    """Expected gain of the next decision after a test with SE ``s``, when the test's reading
    also changes how far the line may move: ``now`` = (deepest cut, highest raise) as
    fractions of its budget without the reading, ``after`` with it (the knowledge move limit:
    a line a test pinned may be cut to 0 or raised 60 %). ``money``: the line's budget over the
    decision (budget x days). With ``now == after == (step, step)`` this is
    :func:`value_of_information` with ``stake = step x money``.

    The decision raises the line when ``w·m − λ`` is positive (earning ``raise x money x
    (w·m − λ)``) and cuts it when negative; after the test ``w·m'`` ~ N(w·μ, w²·τ⁴/(τ²+s²)),
    so the gain is ``money x [raise' E(x)+ + cut' E(x)− − raise ν+ − cut ν−]``."""
    if tau <= 0 or money <= 0:
        return 0.0
    nu = weight * mu - lam
    sd = weight * tau * tau / math.sqrt(tau * tau + s * s)
    if sd > 0:
        z = nu / sd
        pos = nu * stats.norm.cdf(z) + sd * stats.norm.pdf(z)  # E max(x, 0)
    else:
        pos = max(nu, 0.0)
    neg = pos - nu  # E max(-x, 0)
    (cut0, up0), (cut1, up1) = now, after
    return money * (up1 * pos + cut1 * neg - up0 * max(nu, 0.0) - cut0 * max(-nu, 0.0))


def expected_slope_se(noise_sd: float, budget: float, hi: float, lo: float, days: int) -> float:
    """SE of the slope a switchback of ``days`` days measures, given the market's daily revenue
    noise: the difference of two means of ``days/2`` days over the spend gap, inflated for
    carryover and autocorrelation."""
    gap = (hi - lo) * budget
    if gap <= 0 or days < 4:
        return float("inf")
    return SE_INFLATION * noise_sd * 2 / math.sqrt(days) / gap


def design_scale_tests(lines: pd.DataFrame, noise_sd: dict[str, float], start: str, days: int,
                       test_budget: dict[str, float] | None = None, hi: float = 1.5,
                       lo: float = 0.5, step: float = 0.3, lam: float = 1.0, horizon: int = 1,
                       per_market: int = 1, after: tuple[float, float] | None = None,
                       informative_se: float = 0.5) -> list[ScaleTestDesign]:
    """Rank lines by net value of information and design the tests worth running.

    ``lines``: market, channel, daily_spend (the plan's budget), mroas_mean, mroas_sd (posterior
    of the marginal ROAS at that spend), profit_weight, resp_base, resp_hi, resp_lo (posterior
    mean daily incremental revenue at 1×, hi× and lo× the budget). ``noise_sd``: residual sd of
    each market's daily revenue. ``test_budget``: per market, the money the test bucket holds
    for the period (None: no limit). ``horizon``: decisions the result informs.
    Optional columns ``cut_now``, ``raise_now``: how far the line may move without a reading
    (default ±``step``); ``after``: (cut, raise) a reading whose slope SE is at most
    ``informative_se`` x the break-even ``λ/w`` unlocks (None: the same as now, the plain
    value of information).
    """
    out: list[ScaleTestDesign] = []
    used: dict[str, int] = {}
    left = dict(test_budget or {})
    cands = []
    for r in lines.to_dict(orient="records"):
        b = float(r["daily_spend"])
        if b <= 0 or not np.isfinite(r.get("mroas_sd", np.nan)):
            continue
        sd = noise_sd.get(str(r["market"]))
        if sd is None or not np.isfinite(sd):
            continue
        s = expected_slope_se(sd, b, hi, lo, days)
        w = float(r["profit_weight"])
        now = (float(r.get("cut_now", step)), float(r.get("raise_now", step)))
        # a reading with an SE this small pins the slope: the next plan may move the line
        # as a tested line (plan.knowledge: cut to 0, raise 60 %); a vaguer one changes nothing
        pins = after is not None and w > 0 and s <= informative_se * lam / w
        value = horizon * value_of_unlocking(float(r["mroas_mean"]), float(r["mroas_sd"]), s, w,
                                             lam, b * days, now, after if pins else now)
        cost = max(0.0, days * w * (float(r["resp_base"]) - (float(r["resp_hi"]) + float(r["resp_lo"])) / 2))
        cands.append((value - cost, value, cost, s, r))
    cands.sort(key=lambda c: -c[0])
    for net, value, cost, s, r in cands:
        m, c, b = str(r["market"]), str(r["channel"]), float(r["daily_spend"])
        if net <= 0 or used.get(m, 0) >= per_market:
            continue
        block = channel_block_days(c)
        hi_days = switchback_arms(days, block).count("hi")
        spend = (hi - 1) * b * hi_days
        if test_budget is not None and spend > left.get(m, 0.0) + 1e-9:
            continue
        left[m] = left.get(m, 0.0) - spend
        used[m] = used.get(m, 0) + 1
        gap_total = (hi - lo) * b * days
        out.append(ScaleTestDesign(
            test_id=f"SB-{m}-{c}-{start}", market=m, channel=c, unit="switchback", budget_daily=b,
            hi_factor=hi, lo_factor=lo, block_days=block, start_date=start, days=days,
            expected_se=s * gap_total, expected_slope_se=s, prior_mroas=float(r["mroas_mean"]),
            prior_mroas_sd=float(r["mroas_sd"]), value=value, profit_given_up=cost,
            test_spend=spend,
            reason=f"value {value:,.0f} > cost {cost:,.0f}: marginal ROAS "
                   f"{float(r['mroas_mean']):.2f} ± {float(r['mroas_sd']):.2f}"))
    return out


def schedule_frame(daily: dict[tuple[str, str], float], start: str, days: int,
                   designs: list[ScaleTestDesign] | None = None) -> pd.DataFrame:
    """The per-day schedule of a plan: date, market, channel, spend (base currency), and for
    tested lines test_id and arm (``hi``/``lo``): what a team or the rules engine paces."""
    dates = pd.date_range(start, periods=days)
    tested = {(d.market, d.channel): d for d in designs or []}
    rows = []
    for (m, c), amount in sorted(daily.items()):
        d = tested.get((m, c))
        arms = switchback_arms(days, d.block_days) if d else [None] * days
        for day, arm in zip(dates, arms, strict=True):
            factor = 1.0 if arm is None else (d.hi_factor if arm == "hi" else d.lo_factor)  # type: ignore[union-attr]
            rows.append({"date": day, "market": m, "channel": c, "spend": float(amount) * factor,
                         "test_id": d.test_id if d else None, "arm": arm})
    return pd.DataFrame(rows, columns=["date", "market", "channel", "spend", "test_id", "arm"])


__all__ = ["ScaleTestDesign", "design_scale_tests", "expected_slope_se", "schedule_frame",
           "value_of_information", "value_of_unlocking"]
