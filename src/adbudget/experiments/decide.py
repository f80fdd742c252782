"""Decisions per arm — scale, keep testing, stop (or keep the control) — vectorized.

The rule (one look at the data, any number of looks in practice):

1. Minimum-data guard: every arm needs ``min_clicks``, ``min_conversions`` and ``min_days``
   (and the experiment at least two arms) before the experiment can end; until then everything keeps testing (an arm that has its
   minimum and is almost surely below break-even is stopped early: stop losses fast).
2. A challenger is **scaled** when the probability that it beats the control reaches
   ``prob_to_scale`` (split Bonferroni-style over the challengers, so the chance of scaling
   under no true difference stays near ``1 - prob_to_scale``) *and* the expected loss of
   choosing it is below ``loss_threshold`` (relative to the best arm's metric). The other arms
   stop.
3. If no challenger qualifies and keeping the control already risks less than the threshold
   (without a control: every arm does), the test is over: keep the control, stop the
   challengers.
4. Otherwise keep testing, except challengers that are clearly worse than the control or have
   almost no chance to be best (``prob_to_stop``), which stop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.experiments.posterior import DrawSummary

DECISIONS = ("continue", "scale", "stop", "keep")
CONTINUE, SCALE, STOP, KEEP = range(4)

# Reason codes (i18n keys under experiments.reason.*)
REASONS = (
    "not_enough_data", "scale", "replaced", "keep_control", "no_winner", "control_better",
    "unlikely_best", "below_breakeven", "likely_but_risky", "not_sure", "control_running",
    "no_difference", "not_sure_best", "single_arm",
)
(R_NOT_ENOUGH, R_SCALE, R_REPLACED, R_KEEP_CONTROL, R_NO_WINNER, R_CONTROL_BETTER,
 R_UNLIKELY_BEST, R_BELOW_BREAKEVEN, R_LIKELY_RISKY, R_NOT_SURE, R_CONTROL_RUNNING,
 R_NO_DIFFERENCE, R_NOT_SURE_BEST, R_SINGLE_ARM) = range(len(REASONS))


@dataclass(frozen=True)
class DecisionRules:
    """The user's risk tolerance and minimum-data guards."""

    loss_threshold: float = 0.01
    prob_to_scale: float = 0.975
    prob_to_stop: float = 0.05
    min_clicks: int = 200
    min_conversions: int = 20
    min_days: int = 7
    breakeven_stop_prob: float = 0.05  # stop an arm whose P(ROAS >= break-even) is below this

    def required_prob(self, n_challengers: np.ndarray | int) -> np.ndarray:
        """P(beat control) a challenger needs, split over the challengers."""
        return 1.0 - (1.0 - self.prob_to_scale) / np.maximum(np.asarray(n_challengers), 1)


@dataclass(frozen=True)
class Decisions:
    """Decision and reason codes per arm (..., A); winner index per experiment (-1: none)."""

    decision: np.ndarray
    reason: np.ndarray
    winner: np.ndarray
    ready: np.ndarray  # (...,) every arm has its minimum data
    required_prob: np.ndarray  # (...,)


def decide(
    summary: DrawSummary,
    clicks: np.ndarray,
    conversions: np.ndarray,
    days: np.ndarray,
    control: np.ndarray | int | None,
    rules: DecisionRules,
    p_breakeven: np.ndarray | None = None,
) -> Decisions:
    """Apply :class:`DecisionRules` to summaries of shape (..., A); see the module docstring."""
    loss = summary.loss_rel
    lead, n_arms = loss.shape[:-1], loss.shape[-1]
    ctrl = np.full(lead, -1) if control is None else np.broadcast_to(np.asarray(control), lead)
    arm = np.arange(n_arms)
    is_ctrl = arm == ctrl[..., None]
    has_ctrl = ctrl >= 0
    n_chal = n_arms - has_ctrl.astype(int)
    p_req = rules.required_prob(n_chal)
    p_win = np.where(has_ctrl[..., None], np.nan_to_num(summary.p_beat_control, nan=0.0),
                     summary.p_best)

    ready_arm = ((np.asarray(clicks) >= rules.min_clicks)
                 & (np.asarray(conversions) >= rules.min_conversions)
                 & (np.asarray(days) >= rules.min_days))
    ready = ready_arm.all(-1) & (n_arms >= 2)  # one arm alone has nothing to be compared with

    eligible = ready[..., None] & ~is_ctrl & (p_win >= p_req[..., None]) & (loss <= rules.loss_threshold)
    has_winner = eligible.any(-1)
    winner = np.where(has_winner, np.argmin(np.where(eligible, loss, np.inf), axis=-1), -1)
    ctrl_loss = np.take_along_axis(loss, np.clip(ctrl, 0, n_arms - 1)[..., None], -1)[..., 0]
    settled = np.where(has_ctrl, ctrl_loss, loss.max(-1)) <= rules.loss_threshold
    concluded = ready & ~has_winner & settled

    decision = np.full(loss.shape, CONTINUE)
    reason = np.where(ready[..., None],
                      np.where(p_win >= p_req[..., None], R_LIKELY_RISKY,
                               np.where(has_ctrl[..., None], R_NOT_SURE, R_NOT_SURE_BEST)),
                      R_NOT_ENOUGH)
    reason = np.where(is_ctrl & ready[..., None], R_CONTROL_RUNNING, reason)
    if n_arms < 2:
        reason = np.full(loss.shape, R_SINGLE_ARM)

    # 4. stop the clear losers while the test goes on
    live = ready[..., None] & ~has_winner[..., None] & ~concluded[..., None] & ~is_ctrl
    control_better = live & has_ctrl[..., None] & (p_win <= 1.0 - p_req[..., None])
    unlikely = live & (n_arms > 2) & (summary.p_best < rules.prob_to_stop)
    for mask, code in ((unlikely, R_UNLIKELY_BEST), (control_better, R_CONTROL_BETTER)):
        decision = np.where(mask, STOP, decision)
        reason = np.where(mask, code, reason)
    if p_breakeven is not None:
        losing = (ready_arm & ~has_winner[..., None] & ~concluded[..., None]
                  & (np.asarray(p_breakeven) < rules.breakeven_stop_prob))
        decision = np.where(losing, STOP, decision)
        reason = np.where(losing, R_BELOW_BREAKEVEN, reason)

    # 3. concluded without a winner
    c3 = concluded[..., None]
    decision = np.where(c3, np.where(is_ctrl, KEEP, np.where(has_ctrl[..., None], STOP, KEEP)), decision)
    reason = np.where(c3, np.where(is_ctrl, R_KEEP_CONTROL,
                                   np.where(has_ctrl[..., None], R_NO_WINNER, R_NO_DIFFERENCE)), reason)

    # 2. a winner: scale it, stop the rest
    is_winner = arm == winner[..., None]
    w3 = has_winner[..., None]
    decision = np.where(w3, np.where(is_winner, SCALE, STOP), decision)
    reason = np.where(w3, np.where(is_winner, R_SCALE, R_REPLACED), reason)
    return Decisions(decision=decision, reason=reason, winner=winner, ready=ready, required_prob=p_req)
