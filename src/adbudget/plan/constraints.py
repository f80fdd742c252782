"""Constraints on the performance optimizer as small composable objects.

Each constraint turns into per-line lower/upper bounds on daily spend (or, for the bucket
total, the budget the lines must use). :func:`combine` intersects them and fails with an
error that names the conflicting constraints and lines, before any optimization runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from adbudget.errors import InputError
from adbudget.i18n import t


@dataclass(frozen=True)
class LineContext:
    """What constraints may look at: the lines, their spend history and a mean-ROAS probe."""

    labels: list[str]  # "market/channel"
    current: np.ndarray  # recent average daily spend per line
    reference: np.ndarray  # last period's split scaled to this period's bucket total
    cost: np.ndarray  # budget per unit of line spend (1 / performance share)
    value_per_revenue: np.ndarray  # contribution per unit of revenue (profit objective)
    mean_revenue: Callable[[np.ndarray], np.ndarray] | None = None  # daily spend -> E[R]

    @property
    def n(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Bounds:
    """Intersected bounds with the name of the constraint that set each one."""

    lower: np.ndarray
    upper: np.ndarray
    lower_by: list[str]
    upper_by: list[str]
    total: float


class Constraint:
    """Base: a named constraint contributing lower/upper bounds per line."""

    name = "constraint"

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(ctx.n), np.full(ctx.n, np.inf)


@dataclass(frozen=True)
class BucketTotal(Constraint):
    """The lines together use exactly this much budget (daily, in budget units)."""

    total: float
    name: str = "the bucket"


@dataclass(frozen=True)
class LineFloor(Constraint):
    """Minimum daily spend of named lines."""

    amounts: dict[str, float]
    name: str = "floor"

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        lo = np.array([self.amounts.get(label, 0.0) for label in ctx.labels], dtype=float)
        return lo, np.full(ctx.n, np.inf)


@dataclass(frozen=True)
class LineCap(Constraint):
    """Maximum daily spend of named lines."""

    amounts: dict[str, float]
    name: str = "cap"

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        hi = np.array([self.amounts.get(label, np.inf) for label in ctx.labels], dtype=float)
        return np.zeros(ctx.n), hi


@dataclass(frozen=True)
class MaxChange(Constraint):
    """Each line stays within ±pct of its reference (last period's split, scaled).

    Lines without a reference (new lines) are held at zero here: new channels are the test
    bucket's job, the performance optimizer does not bet on spend levels it has never seen.
    """

    pct: float
    name: str = "max change"

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        ref = np.asarray(ctx.reference, dtype=float)
        return ref * max(0.0, 1 - self.pct), ref * (1 + self.pct)


@dataclass(frozen=True)
class AlwaysOn(Constraint):
    """Named lines keep at least ``min_share`` of their current spend (never switched off)."""

    labels: Sequence[str]
    min_share: float = 0.5
    name: str = "always on"

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        keep = np.array([label in set(self.labels) for label in ctx.labels])
        base = np.maximum(np.asarray(ctx.reference, dtype=float), 0.0)
        lo = np.where(keep, np.maximum(base * self.min_share, 1e-6), 0.0)
        return lo, np.full(ctx.n, np.inf)


@dataclass(frozen=True)
class BreakEvenFloor(Constraint):
    """Average ROAS of each line stays at or above its break-even ROAS (profit >= 0).

    Becomes a cap: the largest spend at which ``E[R(x)] * v >= x`` (found by bisection on
    the falling side of the average-return curve).
    """

    name: str = "break-even ROAS floor"
    search_max: float = 1e9
    iterations: int = 40

    def bounds(self, ctx: LineContext) -> tuple[np.ndarray, np.ndarray]:
        if ctx.mean_revenue is None:
            return np.zeros(ctx.n), np.full(ctx.n, np.inf)
        v = np.asarray(ctx.value_per_revenue, dtype=float)
        # bracket: a spend where it still pays (best point on a coarse geometric scan)
        scan = np.geomspace(1e-3, self.search_max, 40)
        values = ctx.mean_revenue(np.repeat(scan[:, None], ctx.n, axis=1))
        profit = values * v[None, :] - scan[:, None]
        best = np.argmax(profit / scan[:, None], axis=0)
        ok = (profit[best, np.arange(ctx.n)] >= 0) & (v > 0)
        lo_x = scan[best]
        hi_x = np.full(ctx.n, self.search_max)
        for _ in range(self.iterations):  # geometric bisection on the falling side
            mid = np.sqrt(lo_x * hi_x)
            pays = ctx.mean_revenue(mid) * v - mid >= 0
            lo_x = np.where(pays, mid, lo_x)
            hi_x = np.where(pays, hi_x, mid)
        cap = np.where(ok, lo_x, 0.0)
        return np.zeros(ctx.n), cap


@dataclass(frozen=True)
class ConstraintSet:
    """A bucket total plus any number of per-line constraints."""

    total: BucketTotal
    items: tuple[Constraint, ...] = field(default_factory=tuple)


def combine(constraints: ConstraintSet, ctx: LineContext, display_scale: float = 1.0) -> Bounds:
    """Intersect all constraints; raise InputError naming the conflict when infeasible.

    ``display_scale`` turns daily amounts into the period amounts shown in the message.
    """
    k = display_scale
    lo = np.zeros(ctx.n)
    hi = np.full(ctx.n, np.inf)
    lo_by = ["-"] * ctx.n
    hi_by = ["-"] * ctx.n
    for item in constraints.items:
        c_lo, c_hi = item.bounds(ctx)
        # a constraint may name its bound per line (the knowledge move limit names the rule)
        names = item.line_names(ctx) if hasattr(item, "line_names") else [item.name] * ctx.n
        for i in range(ctx.n):
            if c_lo[i] > lo[i]:
                lo[i], lo_by[i] = float(c_lo[i]), names[i]
            if c_hi[i] < hi[i]:
                hi[i], hi_by[i] = float(c_hi[i]), names[i]
    tol = 1e-9
    for i in range(ctx.n):
        if lo[i] > hi[i] * (1 + tol) + tol:
            raise InputError(t(
                "plan.error.line_conflict", line=ctx.labels[i], lower=_money(lo[i] * k),
                lower_by=lo_by[i], upper=_money(hi[i] * k), upper_by=hi_by[i],
            ))
    total = constraints.total.total
    need = float(ctx.cost @ lo)
    if need > total * (1 + tol) + tol:
        names = sorted({lo_by[i] for i in range(ctx.n) if lo[i] > 0})
        raise InputError(t(
            "plan.error.floors_exceed", need=_money(need * k), total=_money(total * k),
            bucket=constraints.total.name, by=", ".join(names),
        ))
    allow = float(ctx.cost @ np.minimum(hi, 1e300))
    if allow < total * (1 - tol) - tol:
        names = sorted({hi_by[i] for i in range(ctx.n) if np.isfinite(hi[i])})
        raise InputError(t(
            "plan.error.caps_below", allow=_money(allow * k), total=_money(total * k),
            bucket=constraints.total.name, by=", ".join(names) or "-",
        ))
    return Bounds(lo, hi, lo_by, hi_by, total)


def _money(x: float) -> str:
    return f"{x:,.2f}" if np.isfinite(x) else "∞"


@dataclass(frozen=True)
class ConstraintRequest:
    """What the settings-driven constraints are built from, besides the plan settings."""

    labels: list[str]  # "market/channel", as errors and reasons name a line
    keys: list[str]  # "market.channel", as adbudget.toml names a line
    days: int  # settings give period amounts; bounds are daily
    max_change: float | None  # the request's --max-change (None: off)
    objective: str  # profit | revenue
    has_history: bool  # MaxChange needs last period's spend


def _line_floor(ps: Any, req: ConstraintRequest) -> Constraint | None:
    if not ps.line_floors:
        return None
    return LineFloor({lab: ps.line_floors[k] / req.days
                      for lab, k in zip(req.labels, req.keys, strict=True) if k in ps.line_floors})


def _line_cap(ps: Any, req: ConstraintRequest) -> Constraint | None:
    if not ps.line_caps:
        return None
    return LineCap({lab: ps.line_caps[k] / req.days
                    for lab, k in zip(req.labels, req.keys, strict=True) if k in ps.line_caps})


def _always_on(ps: Any, req: ConstraintRequest) -> Constraint | None:
    if not ps.always_on:
        return None
    return AlwaysOn([lab for lab, k in zip(req.labels, req.keys, strict=True) if k in ps.always_on],
                    ps.always_on_min_share)


def _max_change(ps: Any, req: ConstraintRequest) -> Constraint | None:
    from adbudget.plan import knowledge  # imports this module

    lines = knowledge.active()
    if lines is not None and req.has_history:  # the move limit that follows what is known
        return knowledge.KnowledgeMoveLimit(lines, fallback=req.max_change or 0.3,
                                            name=t("loop.move.name"))
    if req.max_change is None or not req.has_history:
        return None
    return MaxChange(req.max_change, name=t("plan.constraint.max_change",
                                            pct=f"{req.max_change * 100:g}"))


def _breakeven(ps: Any, req: ConstraintRequest) -> Constraint | None:
    if not (ps.breakeven_floor and req.objective == "profit"):
        return None
    return BreakEvenFloor(name=t("plan.constraint.breakeven"))


# Every constraint the plan settings (and the request) can ask for, in the order they are
# applied; the bucket total is not optional and is added by the planner itself.
CONSTRAINTS: dict[str, Callable[[Any, ConstraintRequest], Constraint | None]] = {
    "floor": _line_floor,  # plan.line_floors
    "cap": _line_cap,  # plan.line_caps
    "always_on": _always_on,  # plan.always_on, plan.always_on_min_share
    "max_change": _max_change,  # plan.max_change / --max-change (or plan.knowledge's limit)
    "breakeven": _breakeven,  # plan.breakeven_floor (profit objective)
}


def from_settings(ps: Any, req: ConstraintRequest) -> list[Constraint]:
    """The constraints the plan settings ``ps`` ask for, built by the registry in order."""
    return [c for build in CONSTRAINTS.values() if (c := build(ps, req)) is not None]


__all__ = [
    "CONSTRAINTS", "AlwaysOn", "Bounds", "BreakEvenFloor", "BucketTotal", "Constraint",
    "ConstraintRequest", "ConstraintSet", "LineCap", "LineContext", "LineFloor", "MaxChange",
    "combine", "from_settings",
]
