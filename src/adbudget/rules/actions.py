"""Action kinds (a registry: name → kind) and the arithmetic of budget and bid changes.

Every action belongs to a *family*: two rules may not both change one line's status, budget
or bid on the same day; within a family the higher priority wins and, at equal priority,
the safer action (pause over resume, lower over raise), then the earlier rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ActionKind:
    """What an action touches and how it ranks against others in its family."""

    name: str
    family: str  # status | budget | bid | notify
    safety: int  # lower wins ties at equal priority
    direction: int = 0  # +1 raise, -1 lower, 0 neither


ACTIONS: dict[str, ActionKind] = {
    k.name: k
    for k in [
        ActionKind("pause", "status", 0),
        ActionKind("pause_today", "status", 1),
        ActionKind("resume", "status", 2),
        ActionKind("lower_budget", "budget", 0, -1),
        ActionKind("rebalance", "budget", 1, -1),
        ActionKind("raise_budget", "budget", 2, +1),
        ActionKind("release_reserve", "budget", 3, +1),
        ActionKind("lower_bid", "bid", 0, -1),
        ActionKind("raise_bid", "bid", 1, +1),
        ActionKind("notify", "notify", 0),
    ]
}
"""Every action a rule may take, by the name used in rule files."""


def change_values(
    old: np.ndarray,
    direction: np.ndarray,
    pct: np.ndarray,
    amount: np.ndarray,
    floor: np.ndarray,
    cap: np.ndarray,
    max_step_pct: np.ndarray,
    max_step: np.ndarray,
) -> np.ndarray:
    """New values after raising (+1) or lowering (-1) by pct or amount, within step, floor, cap.

    Parameters are arrays aligned with *old* (NaN where a rule did not set them). A limit
    never turns a raise into a cut or a cut into a raise: the value then stays as it was.
    """
    with np.errstate(invalid="ignore"):
        delta = np.where(np.isnan(pct), amount, old * pct / 100.0)
        delta = np.where(np.isnan(max_step_pct), delta, np.minimum(delta, old * max_step_pct / 100.0))
        delta = np.where(np.isnan(max_step), delta, np.minimum(delta, max_step))
        delta = np.maximum(delta, 0.0)
        new = old + direction * delta
        up = direction > 0
        new = np.where(up & ~np.isnan(cap), np.minimum(new, cap), new)
        new = np.where(~up & ~np.isnan(floor), np.maximum(new, floor), new)
        new = np.maximum(new, 0.0)
        new = np.where(up, np.maximum(new, old), np.minimum(new, old))
    return new


def split_amount(total: float, weights: np.ndarray) -> np.ndarray:
    """Split *total* in proportion to non-negative *weights* (equally when they are all zero)."""
    w = np.nan_to_num(np.asarray(weights, float), nan=0.0)
    w = np.maximum(w, 0.0)
    if w.size == 0:
        return w
    if w.sum() <= 0:
        w = np.ones_like(w)
    return total * w / w.sum()
