"""Bandit allocation of the test bucket: Thompson sampling with floors.

Batch Thompson sampling gives each live arm the share of posterior draws in which it is the
best (probability matching; Thompson 1933, Scott 2010 "A modern Bayesian look at the
multi-armed bandit"). Floors keep every live arm in the game: at least ``floor_share`` of an
equal split, and enough to reach the minimum sample (clicks) before the decision rule may
judge it. The bucket is first split across experiments in proportion to their live arms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ALLOCATION_COLUMNS = ["experiment", "arm", "market", "channel", "amount", "daily_amount",
                      "share", "p_best", "floor"]


def thompson_weights(draws: np.ndarray) -> np.ndarray:
    """P(arm is best) per arm from draws (A, S)."""
    draws = np.asarray(draws, dtype=float)
    if draws.shape[0] == 0:
        return np.zeros(0)
    winner = draws.argmax(0)
    return np.bincount(winner, minlength=draws.shape[0]) / draws.shape[1]


def split_with_floors(budget: float, weights: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """Floors first (scaled down if they exceed the budget), the rest by weight. Sums to budget."""
    weights = np.asarray(weights, dtype=float)
    floors = np.asarray(floors, dtype=float)
    if floors.size == 0:
        return floors
    if floors.sum() >= budget:
        return floors * (budget / floors.sum()) if floors.sum() > 0 else np.full(floors.size, budget / floors.size)
    total = weights.sum()
    share = weights / total if total > 0 and np.isfinite(total) else np.full(weights.size, 1 / weights.size)
    return floors + (budget - floors.sum()) * share


@dataclass(frozen=True)
class LiveArm:
    """A live arm with its posterior draws of the metric and what it still needs."""

    experiment: str
    arm: str
    market: str
    channel: str
    clicks: float  # so far
    cpc: float  # observed cost per click (0: unknown)


def allocate_test_budget(
    budget: float,
    experiments: list[tuple[list[LiveArm], np.ndarray]],
    *,
    floor_share: float = 0.1,
    min_clicks: int = 0,
    period_days: int = 30,
) -> pd.DataFrame:
    """Split *budget* over experiments (by live arms), then over arms by Thompson sampling.

    ``experiments`` holds, per experiment, its live arms and their draws (A, S).
    """
    experiments = [(arms, d) for arms, d in experiments if arms]
    if budget < 0:
        raise ValueError("budget must not be negative")
    if not experiments:
        return pd.DataFrame(columns=ALLOCATION_COLUMNS)
    n_live = np.array([len(arms) for arms, _ in experiments], dtype=float)
    rows = []
    for (arms, draws), exp_budget in zip(experiments, budget * n_live / n_live.sum(), strict=True):
        weights = thompson_weights(draws)
        equal = exp_budget / len(arms)
        floors = np.full(len(arms), floor_share * equal)
        for i, arm in enumerate(arms):
            missing = max(min_clicks - arm.clicks, 0.0)
            if missing > 0 and arm.cpc > 0:
                floors[i] = max(floors[i], min(equal, missing * arm.cpc))
        amounts = split_with_floors(exp_budget, weights, floors)
        for arm, amount, w, floor in zip(arms, amounts, weights, floors, strict=True):
            rows.append(dict(
                experiment=arm.experiment, arm=arm.arm, market=arm.market, channel=arm.channel,
                amount=float(amount), daily_amount=float(amount) / max(period_days, 1),
                share=float(amount / budget) if budget > 0 else 0.0, p_best=float(w),
                floor=float(min(floor, amount)),
            ))
    return pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)
