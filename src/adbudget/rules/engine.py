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
        self._campaigns = [str(c) for c in lines["campaign"].tolist()]
        self._arm = lines["test_arm"].to_numpy(bool) if "test_arm" in lines else np.zeros(self.n, bool)
        self._codes: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        for c in ("market", "channel", "bucket"):
            if c in lines:
                codes, uniques = pd.factorize(lines[c].astype(object))
                self._codes[c] = (codes, {str(u): i for i, u in enumerate(uniques)})

    def _values(self, column: str, values: tuple) -> np.ndarray:
        key = (column, values)
        mask = self._cache.get(key)
        if mask is None:
            codes, lookup = self._codes[column]
            wanted = [lookup[v] for v in values if v in lookup]
            mask = np.isin(codes, wanted) if wanted else np.zeros(self.n, dtype=bool)
            self._cache[key] = mask
        return mask

    def _pattern(self, pattern: str) -> np.ndarray:
        key = ("campaign~", pattern)
        mask = self._cache.get(key)
        if mask is None:
            rx = re.compile(pattern)
            mask = np.fromiter((rx.search(c) is not None for c in self._campaigns), dtype=bool, count=self.n)
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
            mask = mask & (self._arm if scope.test_arm else ~self._arm)
        if scope.campaign is not None:
            mask = mask & self._pattern(scope.campaign)
        self._cache[key] = mask
        return mask

    def indices(self, scope: Scope) -> np.ndarray:
        """Indices of the lines in *scope* (cached like the masks)."""
        key = ("idx", scope)
        cached = self._cache.get(key)
        if cached is None:
            cached = np.flatnonzero(self.mask(scope))
            self._cache[key] = cached
        return cached


class ConditionEvaluator:
    """Evaluates condition trees over all lines, or over a subset of line indices.

    Over all lines, identical leaves are computed once (rules generated from templates share
    many). Over a subset (a rule scoped to a market or a channel), the arrays are gathered
    first, so a narrowly scoped rule costs in proportion to its lines, not to all lines.
    """

    def __init__(self, metrics: LineMetrics) -> None:
        self.m = metrics
        self._leaf_cache: dict[Leaf, np.ndarray] = {}

    def _array(self, metric: str, window: str, idx: np.ndarray | None) -> np.ndarray:
        arr = self.m.get(metric, window)
        return arr if idx is None else arr[idx]

    def rhs(self, leaf: Leaf, idx: np.ndarray | None = None) -> np.ndarray | float:
        """The right-hand side of a comparison (a constant or an array over lines)."""
        if leaf.value is not None:
            return leaf.value
        than = leaf.than
        assert than is not None
        if than.target is not None:
            base = self.m.target(than.target)
            base = base if idx is None else base[idx]
        else:
            base = self._array(than.metric or leaf.metric, than.window or leaf.window, idx)
        return leaf.factor * base

    def _compare(self, leaf: Leaf, idx: np.ndarray | None) -> np.ndarray:
        lhs = self._array(leaf.metric, leaf.window, idx)
        rhs = self.rhs(leaf, idx)
        out = _CMP[leaf.op](lhs, rhs)  # comparisons with NaN are False and do not warn
        if leaf.op == "!=":  # NaN != x is True in IEEE; missing data must not trigger
            out &= ~np.isnan(lhs)
            if isinstance(rhs, np.ndarray):
                out &= ~np.isnan(rhs)
        return out

    def leaf(self, leaf: Leaf, idx: np.ndarray | None = None) -> np.ndarray:
        if idx is not None:
            return self._compare(leaf, idx)
        out = self._leaf_cache.get(leaf)
        if out is None:
            out = self._compare(leaf, None)
            self._leaf_cache[leaf] = out
        return out

    def __call__(self, cond, idx: np.ndarray | None = None) -> np.ndarray:
        if isinstance(cond, Leaf):
            return self.leaf(cond, idx)
        if isinstance(cond, AllOf):
            out = self(cond.all[0], idx)
            for c in cond.all[1:]:
                out = out & self(c, idx)
            return out
        if isinstance(cond, AnyOf):
            out = self(cond.any[0], idx)
            for c in cond.any[1:]:
                out = out | self(c, idx)
            return out
        if isinstance(cond, NotOf):
            # "not" of a comparison on missing data stays false: negate only where data exists
            return ~self(cond.not_, idx) & self._has_data(cond.not_, idx)
        raise TypeError(type(cond).__name__)

    def _has_data(self, cond, idx: np.ndarray | None) -> np.ndarray:
        if isinstance(cond, Leaf):
            ok = ~np.isnan(self._array(cond.metric, cond.window, idx))
            rhs = self.rhs(cond, idx)
            if isinstance(rhs, np.ndarray):
                ok &= ~np.isnan(rhs)
            return ok
        members = cond.all if isinstance(cond, AllOf) else cond.any if isinstance(cond, AnyOf) else [cond.not_]
        out = self._has_data(members[0], idx)
        for c in members[1:]:
            out = out & self._has_data(c, idx)
        return out

    def guard(self, rule: Rule, idx: np.ndarray | None = None) -> np.ndarray | None:
        g = rule.guard
        if g is None:
            return None
        w = g.window
        out = None
        for metric, floor in (("spend", g.min_spend), ("impressions", g.min_impressions),
                              ("clicks", g.min_clicks), ("conversions", g.min_conversions),
                              ("days", g.min_days)):
            if floor > 0:
                ok = self._array(metric, w, idx) >= floor
                out = ok if out is None else out & ok
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
    n = metrics.n_lines
    small = max(n // 4, 1)
    rule_parts: list[np.ndarray] = []
    line_parts: list[np.ndarray] = []
    day = metrics.as_of
    for r, rule in enumerate(ruleset.rules):
        if not schedule_allows(rule, day):
            continue
        idx = scopes.indices(rule.scope)
        if idx.size == 0:
            continue
        if idx.size <= small:
            ok = cond(rule.when, idx)
            g = cond.guard(rule, idx)
            if g is not None:
                ok &= g
            hit = idx[ok]
        else:
            mask = scopes.mask(rule.scope) & cond(rule.when)
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
