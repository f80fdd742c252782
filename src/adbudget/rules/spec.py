"""The rule language: pydantic models of a rule file (scope, conditions, guard, action, schedule).

A rule file holds ``rules: [...]`` (YAML) or ``[[rules]]`` tables (TOML). Every model forbids
unknown keys, so a typo is an error that names the key rather than a silently ignored option.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

METRICS: tuple[str, ...] = (
    "spend", "impressions", "clicks", "conversions", "revenue", "roas", "cpa", "ctr", "cvr",
    "cpm", "cpc", "frequency", "reach", "daily_spend", "days", "plan_share", "budget_use",
)
"""Metrics computed per line and window (see :mod:`adbudget.rules.metrics`)."""

STATE_METRICS: tuple[str, ...] = ("daily_budget", "bid")
"""Window-free values of a line's current settings."""

TARGETS: tuple[str, ...] = (
    "breakeven_roas", "breakeven_roas_ltv", "target_roas", "marginal_roas", "plan_daily_budget",
    "plan_amount",
)
"""Plan targets a condition can compare against (``than: {target: ...}``)."""

BUCKETS = ("brand", "performance", "test", "reserve")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_WINDOW_DAYS = 365
MAX_DEPTH = 12

_WINDOW = re.compile(r"^(today|yesterday|this_month|last_(\d{1,3})d)$")
_OPS = {
    "<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "!=": "!=",
    "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=",
}


def window_days(window: str) -> int | None:
    """Length in days of a fixed window (``None`` for this_month, which depends on the date)."""
    if window in ("today", "yesterday"):
        return 1
    m = _WINDOW.match(window)
    if m and m.group(2):
        return int(m.group(2))
    return None


def _check_window(value: str) -> str:
    m = _WINDOW.match(value)
    if not m:
        raise ValueError(
            f"unknown window {value!r}; use today, yesterday, this_month or last_<N>d (e.g. last_7d)"
        )
    if m.group(2) and not 1 <= int(m.group(2)) <= MAX_WINDOW_DAYS:
        raise ValueError(f"window {value!r}: N must be between 1 and {MAX_WINDOW_DAYS}")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    """Accept a single value where a list is expected (``market: US``)."""
    if value is None or isinstance(value, list | tuple):
        return value
    return [value]


class Scope(_Model):
    """Which lines a rule looks at: all given filters must match (empty scope = every line)."""

    market: tuple[str, ...] | None = None
    channel: tuple[str, ...] | None = None
    campaign: str | None = None  # regular expression, searched in the campaign name
    bucket: tuple[Literal["brand", "performance", "test", "reserve"], ...] | None = None
    test_arm: bool | None = None

    _lists = field_validator("market", "channel", "bucket", mode="before")(_as_list)

    @field_validator("market")
    @classmethod
    def _markets(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None:
            for m in value:
                if not re.fullmatch(r"[A-Z]{2}", m):
                    raise ValueError(f"market {m!r} is not an ISO alpha-2 code such as US or DE")
        return value

    @field_validator("campaign")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except (re.error, RecursionError, OverflowError) as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class Than(_Model):
    """Right-hand side of a comparison: another metric, another window, or a plan target."""

    metric: str | None = None
    window: str | None = None
    target: str | None = None

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str | None) -> str | None:
        if value is not None and value not in METRICS + STATE_METRICS:
            raise ValueError(f"unknown metric {value!r}; allowed: {', '.join(METRICS + STATE_METRICS)}")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        return None if value is None else _check_window(value)

    @field_validator("target")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        if value is not None and value not in TARGETS:
            raise ValueError(f"unknown target {value!r}; allowed: {', '.join(TARGETS)}")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Than:
        if self.target is not None and (self.metric is not None or self.window is not None):
            raise ValueError("'than' takes either 'target' or 'metric'/'window', not both")
        if self.target is None and self.metric is None and self.window is None:
            raise ValueError("'than' needs 'metric', 'window' or 'target'")
        return self


class Leaf(_Model):
    """One comparison: ``metric(window) op value`` or ``metric(window) op factor × than``."""

    metric: str
    window: str = "last_7d"
    op: str
    value: float | None = None
    than: Than | None = None
    factor: float = 1.0

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if value not in METRICS + STATE_METRICS:
            raise ValueError(f"unknown metric {value!r}; allowed: {', '.join(METRICS + STATE_METRICS)}")
        return value

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        return _check_window(value)

    @field_validator("op")
    @classmethod
    def _op(cls, value: str) -> str:
        if value not in _OPS:
            raise ValueError(f"unknown operator {value!r}; allowed: <, <=, >, >=, ==, !=")
        return _OPS[value]

    @field_validator("value", "factor")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and value != value:
            raise ValueError("must be a number, not NaN")
        return value

    @model_validator(mode="after")
    def _one_rhs(self) -> Leaf:
        if (self.value is None) == (self.than is None):
            raise ValueError("a condition needs exactly one of 'value' or 'than'")
        return self


def _text_to_condition(value: Any) -> Any:
    """A condition given as text (``roas(last_7d) < 0.5 * breakeven_roas``) → its mapping."""
    if isinstance(value, str):
        from adbudget.rules.expr import parse_condition

        return parse_condition(value)
    return value


def _texts_to_conditions(value: Any) -> Any:
    if isinstance(value, list):
        return [_text_to_condition(v) for v in value]
    return value


def _cond_kind(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("all", "any", "not"):
            if key in value:
                return key + "-group"
    if isinstance(value, BaseModel):
        return {AllOf: "all-group", AnyOf: "any-group", NotOf: "not-group"}.get(type(value), "leaf")
    return "leaf"


class AllOf(_Model):
    """True when every member is true."""

    all: list[Condition] = Field(min_length=1)

    _texts = field_validator("all", mode="before")(_texts_to_conditions)


class AnyOf(_Model):
    """True when at least one member is true."""

    any: list[Condition] = Field(min_length=1)

    _texts = field_validator("any", mode="before")(_texts_to_conditions)


class NotOf(_Model):
    """True when the member is false (a line with missing data is false either way)."""

    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _text = field_validator("not_", mode="before")(_text_to_condition)


Condition = Annotated[
    Annotated[AllOf, Tag("all-group")]
    | Annotated[AnyOf, Tag("any-group")]
    | Annotated[NotOf, Tag("not-group")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(_cond_kind),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Guard(_Model):
    """Minimum data before a rule may judge a line (not enough data: the rule stays silent)."""

    window: str = "last_7d"
    min_spend: float = 0.0
    min_impressions: float = 0.0
    min_clicks: float = 0.0
    min_conversions: float = 0.0
    min_days: int = Field(0, ge=0)

    @field_validator("window")
    @classmethod
    def _window(cls, value: str) -> str:
        return _check_window(value)


class Schedule(_Model):
    """When a rule may act: weekdays and an optional date range (inclusive)."""

    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] | None = None
    start: date | None = None
    end: date | None = None

    _lists = field_validator("weekdays", mode="before")(_as_list)


class _Action(_Model):
    message: str | None = None


class Pause(_Action):
    """Stop the line until a rule or a person resumes it."""

    type: Literal["pause"]


class PauseToday(_Action):
    """Stop the line for the evaluation day only."""

    type: Literal["pause_today"]


class Resume(_Action):
    """Restart a paused line."""

    type: Literal["resume"]


class Notify(_Action):
    """Only report; changes nothing."""

    type: Literal["notify"]


class _Change(_Action):
    pct: float | None = Field(None, ge=0, le=1000)
    amount: float | None = Field(None, ge=0)
    floor: float | None = Field(None, ge=0)
    cap: float | None = Field(None, ge=0)
    max_step_pct: float | None = Field(None, ge=0)
    max_step: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _by(self) -> _Change:
        if (self.pct is None) == (self.amount is None):
            raise ValueError("give exactly one of 'pct' or 'amount'")
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValueError("'floor' is above 'cap'")
        return self


class RaiseBudget(_Change):
    """Raise the daily budget by a percentage or an amount (base currency)."""

    type: Literal["raise_budget"]


class LowerBudget(_Change):
    """Lower the daily budget by a percentage or an amount (base currency)."""

    type: Literal["lower_budget"]


class RaiseBid(_Change):
    """Raise the bid (max CPC) by a percentage or an amount."""

    type: Literal["raise_bid"]


class LowerBid(_Change):
    """Lower the bid (max CPC) by a percentage or an amount."""

    type: Literal["lower_bid"]


class Rebalance(_Action):
    """Move ``pct`` of each triggering line's budget to the lines in ``to`` (weighted)."""

    type: Literal["rebalance"]
    pct: float = Field(gt=0, le=100)
    to: Scope
    weight: Literal["equal", "budget", "roas"] = "roas"
    weight_window: str = "last_7d"

    @field_validator("weight_window")
    @classmethod
    def _window(cls, value: str) -> str:
        return _check_window(value)


class ReleaseReserve(_Action):
    """Give reserve money (per day, base currency) to the triggering lines."""

    type: Literal["release_reserve"]
    amount: float | None = Field(None, gt=0)
    pct_of_reserve: float | None = Field(None, gt=0, le=100)
    split: Literal["equal", "budget", "roas"] = "budget"
    max_step_pct: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _by(self) -> ReleaseReserve:
        if (self.amount is None) == (self.pct_of_reserve is None):
            raise ValueError("give exactly one of 'amount' or 'pct_of_reserve'")
        return self


Action = Annotated[
    Pause | PauseToday | Resume | Notify | RaiseBudget | LowerBudget | RaiseBid | LowerBid
    | Rebalance | ReleaseReserve,
    Field(discriminator="type"),
]

ACTION_TYPES: tuple[str, ...] = (
    "pause", "pause_today", "resume", "notify", "raise_budget", "lower_budget", "raise_bid",
    "lower_bid", "rebalance", "release_reserve",
)


class Rule(_Model):
    """One rule: when the conditions hold for a line in scope, take the action."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    enabled: bool = True
    priority: int = 0
    scope: Scope = Field(default_factory=Scope)
    when: Condition
    guard: Guard | None = None
    action: Action
    cooldown_days: int = Field(0, ge=0, le=365)
    schedule: Schedule | None = None

    _text = field_validator("when", mode="before")(_text_to_condition)


class RuleSet(_Model):
    """A validated set of rules (from one or several files); names are unique."""

    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice; names must be unique")
            seen.add(rule.name)
        return self

    def merged(self, other: RuleSet) -> RuleSet:
        """Rules of both sets (names must stay unique)."""
        return RuleSet.model_validate({"rules": [*self.rules, *other.rules]})

    def windows(self) -> set[str]:
        """Every window any rule reads (conditions, guards, weights)."""
        out: set[str] = set()
        for rule in self.rules:
            out |= condition_windows(rule.when)
            if rule.guard:
                out.add(rule.guard.window)
            if isinstance(rule.action, Rebalance):
                out.add(rule.action.weight_window)
        return out


def condition_windows(cond: Any) -> set[str]:
    """Windows read by a condition tree."""
    if isinstance(cond, AllOf):
        return set().union(*(condition_windows(c) for c in cond.all))
    if isinstance(cond, AnyOf):
        return set().union(*(condition_windows(c) for c in cond.any))
    if isinstance(cond, NotOf):
        return condition_windows(cond.not_)
    out = {cond.window}
    if cond.than is not None and cond.than.window:
        out.add(cond.than.window)
    return out


def condition_depth(value: Any, depth: int = 0) -> int:
    """Nesting depth of a raw (unvalidated) condition mapping, to refuse absurd nesting."""
    if depth > MAX_DEPTH + 1:
        return depth
    if isinstance(value, dict):
        inner = [v for k, v in value.items() if k in ("all", "any", "not")]
        best = depth
        for v in inner:
            items = v if isinstance(v, list) else [v]
            for item in items:
                best = max(best, condition_depth(item, depth + 1))
        return best
    return depth
