"""Bayesian analysis of one experiment: posteriors, decisions, reasons and graduation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from adbudget.economics import breakeven_roas as breakeven_roas  # the one formula, re-exported
from adbudget.experiments.arms import ExperimentData
from adbudget.experiments.decide import DECISIONS, REASONS, DecisionRules, decide
from adbudget.experiments.posterior import metric_draws, summarize_draws
from adbudget.i18n import t


@dataclass(frozen=True)
class AnalysisOptions:
    """Model and decision options (mirrors the `[experiments]` settings)."""

    metric: str = "roas"
    revenue_model: str = "gamma"
    draws: int = 4000
    seed: int = 0
    prior_cv: float = 1.0
    graduation_multiplier: float = 2.0
    rules: DecisionRules = field(default_factory=DecisionRules)


@dataclass(frozen=True)
class ArmResult:
    """One arm: observed totals, posterior of the metric, decision and its reason."""

    experiment: str
    arm: str
    is_control: bool
    market: str
    channel: str
    days: int
    spend: float
    impressions: float
    clicks: float
    conversions: float
    revenue: float
    roas: float  # observed revenue / spend
    cvr: float  # observed conversions / clicks
    metric: str
    metric_mean: float
    metric_lo: float  # 5 % posterior quantile
    metric_hi: float  # 95 %
    roas_mean: float
    roas_lo: float
    roas_hi: float
    p_best: float
    p_beat_control: float | None
    expected_loss: float  # relative to the best arm's metric
    breakeven_roas: float | None
    p_above_breakeven: float | None
    decision: str  # continue | scale | stop | keep
    reason_code: str
    reason: str  # one sentence, current language


@dataclass(frozen=True)
class Graduation:
    """A winner moving to the performance bucket with a starting daily budget."""

    experiment: str
    arm: str
    market: str
    channel: str
    test_daily_spend: float
    daily_budget_base: float
    roas_mean: float
    roas_lo: float
    roas_hi: float


@dataclass(frozen=True)
class ExperimentResult:
    """All arms of one experiment, the decision summary and a graduation if any."""

    experiment: str
    start: str
    end: str
    metric: str
    control: str | None
    ready: bool
    required_prob: float
    loss_threshold: float
    arms: list[ArmResult]
    graduation: Graduation | None


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _reason(code: str, arm: ArmResult, control: str | None, winner: str | None, best: str,
            best_loss: float, opts: AnalysisOptions, p_req: float) -> str:
    rules = opts.rules
    metric_name = t(f"experiments.metric.{opts.metric}")
    values = dict(
        arm=arm.arm, control=control or "-", winner=winner or "-", best=best,
        clicks=int(arm.clicks), conversions=f"{arm.conversions:g}", days=arm.days,
        min_clicks=rules.min_clicks, min_conversions=rules.min_conversions, min_days=rules.min_days,
        p_beat=_pct(arm.p_beat_control if arm.p_beat_control is not None else arm.p_best),
        p_control=_pct(1 - arm.p_beat_control) if arm.p_beat_control is not None else "-",
        p_best=_pct(arm.p_best), p_required=_pct(p_req),
        loss=_pct(arm.expected_loss), best_loss=_pct(best_loss),
        threshold=_pct(opts.rules.loss_threshold), metric=metric_name,
        p_breakeven=_pct(arm.p_above_breakeven or 0.0),
        breakeven=f"{arm.breakeven_roas:.2f}" if arm.breakeven_roas else "-",
    )
    return t(f"experiments.reason.{code}", **values)


def analyze_experiment(
    data: ExperimentData,
    options: AnalysisOptions | None = None,
    breakeven: dict[str, float] | None = None,
) -> ExperimentResult:
    """Posterior per arm, P(best), P(beat control), expected loss, decision and reason.

    ``breakeven`` maps market -> break-even ROAS; arms almost surely below it are stopped.
    """
    opts = options or AnalysisOptions()
    rng = np.random.default_rng(opts.seed)
    args = (data.spend, data.clicks, data.conversions, data.revenue)
    kw = dict(revenue_model=opts.revenue_model, prior_cv=opts.prior_cv, n_draws=opts.draws, rng=rng)
    roas = metric_draws(*args, metric="roas", **kw)
    draws = roas if opts.metric == "roas" else metric_draws(*args, metric=opts.metric, **kw)
    control = data.control if data.control >= 0 else None
    summary = summarize_draws(draws, control)
    roas_sum = summarize_draws(roas, control) if draws is not roas else summary
    be = np.array([(breakeven or {}).get(m, np.nan) for m in data.markets], dtype=float)
    p_be = np.where(np.isnan(be), np.nan, (roas >= np.nan_to_num(be)[:, None]).mean(-1))
    clicks, conv = data.clicks.sum(-1), data.conversions.sum(-1)
    dec = decide(summary, clicks, conv, data.days_active, control, opts.rules,
                 p_breakeven=np.where(np.isnan(p_be), 1.0, p_be))
    spend, rev = data.spend.sum(-1), data.revenue.sum(-1)
    arms: list[ArmResult] = []
    for a, name in enumerate(data.arms):
        p_beat = summary.p_beat_control[a]
        arms.append(ArmResult(
            experiment=data.experiment, arm=name, is_control=a == data.control,
            market=data.markets[a], channel=data.channels[a], days=int(data.days_active[a]),
            spend=float(spend[a]), impressions=float(data.impressions[a].sum()),
            clicks=float(clicks[a]), conversions=float(conv[a]), revenue=float(rev[a]),
            roas=float(rev[a] / spend[a]) if spend[a] > 0 else 0.0,
            cvr=float(conv[a] / clicks[a]) if clicks[a] > 0 else 0.0,
            metric=opts.metric, metric_mean=float(summary.mean[a]),
            metric_lo=float(summary.lo[a]), metric_hi=float(summary.hi[a]),
            roas_mean=float(roas_sum.mean[a]), roas_lo=float(roas_sum.lo[a]),
            roas_hi=float(roas_sum.hi[a]), p_best=float(summary.p_best[a]),
            p_beat_control=None if np.isnan(p_beat) else float(p_beat),
            expected_loss=float(summary.loss_rel[a]),
            breakeven_roas=None if np.isnan(be[a]) else float(be[a]),
            p_above_breakeven=None if np.isnan(p_be[a]) else float(p_be[a]),
            decision=DECISIONS[int(dec.decision[a])], reason_code=REASONS[int(dec.reason[a])],
            reason="",
        ))
    control_name = data.arms[data.control] if data.control >= 0 else None
    winner = data.arms[int(dec.winner)] if dec.winner >= 0 else None
    best_i = int(np.argmin(summary.loss_rel))
    arms = [
        _replace_reason(arm, _reason(arm.reason_code, arm, control_name, winner, data.arms[best_i],
                                     float(summary.loss_rel[best_i]), opts, float(dec.required_prob)))
        for arm in arms
    ]
    graduation = None
    if winner is not None:
        w = arms[int(dec.winner)]
        days = max(w.days, 1)
        daily = w.spend / days
        graduation = Graduation(
            experiment=data.experiment, arm=w.arm, market=w.market, channel=w.channel,
            test_daily_spend=daily, daily_budget_base=daily * opts.graduation_multiplier,
            roas_mean=w.roas_mean, roas_lo=w.roas_lo, roas_hi=w.roas_hi,
        )
    return ExperimentResult(
        experiment=data.experiment, start=str(data.dates[0].date()), end=str(data.dates[-1].date()),
        metric=opts.metric, control=control_name, ready=bool(dec.ready),
        required_prob=float(dec.required_prob), loss_threshold=opts.rules.loss_threshold,
        arms=arms, graduation=graduation,
    )


def _replace_reason(arm: ArmResult, text: str) -> ArmResult:
    return replace(arm, reason=text)
