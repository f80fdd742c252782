"""The move limit that follows what is known (issue 24, item 6), as a planner constraint.

One ±30 % for every line is a cap on learning: on the simulator's small worlds even a planner
that knows the true curves earns only 84–88 % of the oracle over six months when each line may
move ±30 % a month, and 96 % when lines may be cut freely (``benchmarks/loop.py`` notes). What
a line may do follows what is known about it (``experiments.accountability
.knowledge_move_limits`` sorts the lines): a line whose marginal return a test or a tight
posterior pins may move far; an unsure line, or one whose last forecast missed, moves little;
no line is planned beyond a stated factor of the highest daily spend the data or a test saw.

Cuts and raises are limited separately: cutting a line spends the money on lines the data
know better, raising it bets on spend levels never seen — so each rule allows a deeper cut than
raise. The limits reach the planner as :class:`KnowledgeMoveLimit`, which replaces
``MaxChange`` while :func:`move_knowledge` is active (a context, so the planner's signature
and the saved settings stay as they are), and each line's bound names its rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from adbudget.i18n import t
from adbudget.plan.constraints import Constraint, LineContext

# rule -> (deepest cut, highest raise) as fractions of the line's reference spend
DEFAULT_STEPS: dict[str, tuple[float, float]] = {
    "tested": (1.0, 0.6),
    # the posterior is clearly on one side of break-even: free in that direction only
    "clear_above": (0.6, 0.6),
    "clear_below": (1.0, 0.3),
    "pinned": (0.6, 0.3),  # a tight posterior alone is not evidence enough (Laplace is narrow)
    "default": (0.6, 0.3),
    "unsure": (0.3, 0.15),
    "missed": (0.3, 0.15),
}


@dataclass(frozen=True)
class LineKnowledge:
    """What is known about one line, for its move limit."""

    rule: str  # tested | clear_above | clear_below | pinned | default | unsure | missed
    down: float  # deepest cut, fraction of the reference
    up: float  # highest raise, fraction of the reference
    max_seen: float = 0.0  # highest daily spend the data or a test has seen (0: unknown)
    beyond_seen: float = 1.5  # never more than this x max_seen
    # last period's daily *performance* money on the line (None: its recent spend, as for
    # MaxChange). Brand and test money on a line are not performance money: counting them in
    # the reference ratchets brand channels up inside the performance bucket month by month.
    base: float | None = None


@dataclass(frozen=True)
class KnowledgeMoveLimit(Constraint):
    """Per-line bounds ``reference x (1 - down) .. reference x (1 + up)``, capped at
    ``beyond_seen x max_seen``; lines it does not know keep ``fallback`` (±30 %)."""

    lines: Mapping[str, LineKnowledge]  # keyed "market.channel" as adbudget.toml names lines
    fallback: float = 0.3
    name: str = "knowledge move limit"

    def _of(self, label: str) -> LineKnowledge:
        key = label.replace("/", ".", 1)
        return self.lines.get(key) or LineKnowledge("default", self.fallback, self.fallback)

    def references(self, ctx: LineContext) -> np.ndarray:
        """Each line's reference: last period's performance money when every line has it
        (scaled to this bucket as ``ctx.reference`` is), else ``ctx.reference``."""
        ref = np.maximum(np.asarray(ctx.reference, dtype=float), 0.0)
        know = [self._of(lab) for lab in ctx.labels]
        if not know or any(k.base is None for k in know):
            return ref
        base = np.maximum(np.array([float(k.base) for k in know]), 0.0)  # type: ignore[arg-type]
        cost = np.asarray(ctx.cost, dtype=float)
        total, have = float(cost @ ref), float(cost @ base)
        return base * (total / have) if have > 0 and total > 0 else ref

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        """Floors around the performance reference (so brand money never ratchets a line up);
        raises around the larger of it and the line's recent spend scaled to the bucket: a
        line whose recent money was all brand or test money (performance reference 0) has
        still been seen at that spend, and a multiplicative limit of 0 would lock it out for
        good (found in the loop's diagnosis: US Meta, the oracle's 213 a day, held at 0).
        That spend is scaled up when the bucket is larger than the recent spend, never down:
        a performance bucket of half the budget scaled every line's reference to half its
        recent spend, so a +60 % raise capped US Amazon (the oracle's 274 a day) at 0.85x
        the 187 a day it was spending."""
        ref = self.references(ctx)
        know = [self._of(lab) for lab in ctx.labels]
        lo = ref * np.array([max(0.0, 1.0 - k.down) for k in know])
        cur = np.maximum(np.asarray(ctx.current, dtype=float), 0.0)
        cost = np.asarray(ctx.cost, dtype=float)
        total, have = float(cost @ ref), float(cost @ cur)
        seen_ref = np.maximum(ref, cur * max(total / have, 1.0)) if have > 0 and total > 0 else ref
        hi = seen_ref * np.array([1.0 + k.up for k in know])
        seen = np.array([k.max_seen * k.beyond_seen if k.max_seen > 0 else np.inf for k in know])
        hi = np.minimum(hi, np.maximum(seen, lo))
        return lo, hi

    def line_names(self, ctx: LineContext) -> list[str]:
        """The bound's name per line: the rule that applied, for the line's reason."""
        return [rule_text(self._of(lab)) for lab in ctx.labels]


def rule_text(k: LineKnowledge) -> str:
    """'move limit −100 %/+60 % (a scale test read its slope)' in the active language."""
    return t("loop.move.limit", down=f"{k.down * 100:g}", up=f"{k.up * 100:g}",
             why=t(f"loop.move.{k.rule}"))


def from_limits(frame, steps: Mapping[str, tuple[float, float]] | None = None,
                beyond_seen: float = 1.5) -> dict[str, LineKnowledge]:
    """LineKnowledge per ``market.channel`` from ``knowledge_move_limits``' frame (its
    ``rule``, ``max_seen`` and optional ``base`` columns); ``steps`` maps a rule to (cut,
    raise)."""
    steps = {**DEFAULT_STEPS, **(steps or {})}
    out: dict[str, LineKnowledge] = {}
    for r in frame.itertuples():
        down, up = steps.get(str(r.rule), steps["default"])
        seen = float(getattr(r, "max_seen", 0.0) or 0.0)
        base = getattr(r, "base", None)
        base = float(base) if base is not None and np.isfinite(float(base)) else None
        out[f"{r.market}.{r.channel}"] = LineKnowledge(str(r.rule), down, up,
                                                       seen if np.isfinite(seen) else 0.0,
                                                       beyond_seen, base)
    return out


_ACTIVE: ContextVar[Mapping[str, LineKnowledge] | None] = ContextVar("adbudget_move_knowledge",
                                                                    default=None)


@contextmanager
def move_knowledge(lines: Mapping[str, LineKnowledge]) -> Iterator[None]:
    """Plan with the knowledge move limit instead of ``MaxChange`` inside this block."""
    token = _ACTIVE.set(dict(lines))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active() -> Mapping[str, LineKnowledge] | None:
    """The knowledge the planner plans with now (None: the plain ±max change)."""
    return _ACTIVE.get()


__all__ = ["DEFAULT_STEPS", "KnowledgeMoveLimit", "LineKnowledge", "active", "from_limits",
           "move_knowledge", "rule_text"]
