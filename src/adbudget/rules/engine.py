"""Evaluate a rule set over all lines for one date: which rule fires on which line.

Each rule is one pass of numpy operations over arrays of all lines (scope masks are cached
per market, channel, bucket and campaign pattern; leaf comparisons are cached when rules
share them). The result is a list of *candidates* (rule, line); :mod:`adbudget.rules.resolve`
turns them into actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from adbudget.rules.metrics import LineMetrics
from adbudget.rules.spec import WEEKDAYS, AllOf, AnyOf, Leaf, NotOf, Rule, RuleSet, Scope

_CMP = {
    "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
    "==": np.equal, "!=": np.not_equal,
}


def schedule_allows(rule: Rule, day: date) -> bool:
    """True when the rule is enabled and its schedule includes *day*."""
    if not rule.enabled:
        return False
    s = rule.schedule
    if s is None:
        return True
    if s.weekdays is not None and WEEKDAYS[day.weekday()] not in s.weekdays:
        return False
    if s.start is not None and day < s.start:
        return False
    return not (s.end is not None and day > s.end)


class ScopeIndex:
    """Boolean masks of lines per scope filter, computed once per distinct value."""

    def __init__(self, lines: pd.DataFrame) -> None:
        self.lines = lines
        self.n = len(lines)
        self._cache: dict[tuple, np.ndarray] = {}
        self._all = np.ones(self.n, dtype=bool)

    def _values(self, column: str, values: tuple) -> np.ndarray:
        key = (column, values)
        mask = self._cache.get(key)
        if mask is None:
            mask = self.lines[column].isin(values).to_numpy()
            self._cache[key] = mask
        return mask

    def _pattern(self, pattern: str) -> np.ndarray:
        key = ("campaign~", pattern)
        mask = self._cache.get(key)
        if mask is None:
            rx = re.compile(pattern)
            mask = np.fromiter((rx.search(c) is not None for c in self.lines["campaign"].astype(str)),
                               dtype=bool, count=self.n)
            self._cache[key] = mask
        return mask

    def mask(self, scope: Scope) -> np.ndarray:
        """Lines in *scope* (every filter given must match)."""
        key = ("scope", scope)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        mask = self._all
        if scope.market is not None:
            mask = mask & self._values("market", tuple(scope.market))
        if scope.channel is not None:
            mask = mask & self._values("channel", tuple(scope.channel))
        if scope.bucket is not None:
            mask = mask & self._values("bucket", tuple(scope.bucket))
        if scope.test_arm is not None:
            arm = self.lines["test_arm"].to_numpy(bool)
            mask = mask & (arm if scope.test_arm else ~arm)
        if scope.campaign is not None:
            mask = mask & self._pattern(scope.campaign)
        self._cache[key] = mask
        return mask


class ConditionEvaluator:
    """Evaluates condition trees over all lines; identical leaves are computed once."""

    def __init__(self, metrics: LineMetrics) -> None:
        self.m = metrics
        self._leaf_cache: dict[Leaf, np.ndarray] = {}

    def rhs(self, leaf: Leaf) -> np.ndarray | float:
        """The right-hand side of a comparison (a constant or an array over lines)."""
        if leaf.value is not None:
            return leaf.value
        than = leaf.than
        assert than is not None
        if than.target is not None:
            base = self.m.target(than.target)
        else:
            base = self.m.get(than.metric or leaf.metric, than.window or leaf.window)
        return leaf.factor * base

    def leaf(self, leaf: Leaf) -> np.ndarray:
        out = self._leaf_cache.get(leaf)
        if out is None:
            lhs = self.m.get(leaf.metric, leaf.window)
            rhs = self.rhs(leaf)
            with np.errstate(invalid="ignore"):
                out = _CMP[leaf.op](lhs, rhs)
            if leaf.op == "!=":  # NaN != x is True in IEEE; missing data must not trigger
                out &= ~np.isnan(lhs)
                if isinstance(rhs, np.ndarray):
                    out &= ~np.isnan(rhs)
            self._leaf_cache[leaf] = out
        return out

    def __call__(self, cond) -> np.ndarray:
        if isinstance(cond, Leaf):
            return self.leaf(cond)
        if isinstance(cond, AllOf):
            out = self(cond.all[0])
            for c in cond.all[1:]:
                out = out & self(c)
            return out
        if isinstance(cond, AnyOf):
            out = self(cond.any[0])
            for c in cond.any[1:]:
                out = out | self(c)
            return out
        if isinstance(cond, NotOf):
            return self._not(cond.not_)
        raise TypeError(type(cond).__name__)

    def _not(self, cond) -> np.ndarray:
        # "not" of a comparison on missing data stays false: negate only where data exists
        return ~self(cond) & self._has_data(cond)

    def _has_data(self, cond) -> np.ndarray:
        if isinstance(cond, Leaf):
            ok = ~np.isnan(self.m.get(cond.metric, cond.window))
            rhs = self.rhs(cond)
            if isinstance(rhs, np.ndarray):
                ok &= ~np.isnan(rhs)
            return ok
        members = cond.all if isinstance(cond, AllOf) else cond.any if isinstance(cond, AnyOf) else [cond.not_]
        out = self._has_data(members[0])
        for c in members[1:]:
            out = out & self._has_data(c)
        return out

    def guard(self, rule: Rule) -> np.ndarray | None:
        g = rule.guard
        if g is None:
            return None
        w = g.window
        out = np.ones(self.m.n_lines, dtype=bool)
        for metric, floor in (("spend", g.min_spend), ("impressions", g.min_impressions),
                              ("clicks", g.min_clicks), ("conversions", g.min_conversions),
                              ("days", g.min_days)):
            if floor > 0:
                out &= self.m.get(metric, w) >= floor
        return out


@dataclass(frozen=True)
class Candidates:
    """Rule × line pairs whose scope, conditions, guard and schedule all hold."""

    rule_idx: np.ndarray
    line_idx: np.ndarray


def find_candidates(ruleset: RuleSet, metrics: LineMetrics) -> Candidates:
    """Evaluate every active rule on every line in its scope (vectorized over lines)."""
    scopes = ScopeIndex(metrics.lines)
    cond = ConditionEvaluator(metrics)
    rule_parts: list[np.ndarray] = []
    line_parts: list[np.ndarray] = []
    day = metrics.as_of
    for r, rule in enumerate(ruleset.rules):
        if not schedule_allows(rule, day):
            continue
        mask = scopes.mask(rule.scope)
        if not mask.any():
            continue
        mask = mask & cond(rule.when)
        g = cond.guard(rule)
        if g is not None:
            mask &= g
        hit = np.flatnonzero(mask)
        if hit.size:
            line_parts.append(hit)
            rule_parts.append(np.full(hit.size, r, dtype=np.int64))
    if not line_parts:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty)
    return Candidates(np.concatenate(rule_parts), np.concatenate(line_parts))


def rule_metric_keys(rule: Rule) -> list[tuple[str, str]]:
    """(metric, window) pairs a rule reads, for the snapshot stored with an applied action."""
    out: list[tuple[str, str]] = []

    def walk(c) -> None:
        if isinstance(c, Leaf):
            out.append((c.metric, c.window))
            if c.than is not None and c.than.target is None:
                out.append((c.than.metric or c.metric, c.than.window or c.window))
        elif isinstance(c, AllOf):
            for x in c.all:
                walk(x)
        elif isinstance(c, AnyOf):
            for x in c.any:
                walk(x)
        elif isinstance(c, NotOf):
            walk(c.not_)

    walk(rule.when)
    if rule.guard is not None:
        out.append(("spend", rule.guard.window))
    seen: dict[tuple[str, str], None] = {}
    for k in out:
        seen.setdefault(k, None)
    return list(seen)


def rule_targets(rule: Rule) -> list[str]:
    """Plan targets a rule compares against (added to the snapshot)."""
    out: list[str] = []

    def walk(c) -> None:
        if isinstance(c, Leaf):
            if c.than is not None and c.than.target is not None:
                out.append(c.than.target)
        elif isinstance(c, AllOf | AnyOf):
            for x in (c.all if isinstance(c, AllOf) else c.any):
                walk(x)
        elif isinstance(c, NotOf):
            walk(c.not_)

    walk(rule.when)
    return sorted(set(out))
