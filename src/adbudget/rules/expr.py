"""A compact text form for conditions, turned into the same mapping the rule files use.

``roas(last_7d) < 0.5 * breakeven_roas and (conversions(last_7d) < 1 or cpa(yesterday) >
1.3 * cpa(last_7d))`` reads like the method's own sentences. Grammar::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := metric OP rhs
    metric     := NAME ["(" WINDOW ")"]           # window defaults to last_7d
    rhs        := NUMBER | [NUMBER "*"] ref | ref ["*" NUMBER]
    ref        := metric | TARGET

Names and windows are checked later by the rule models, so errors read the same either way.
"""

from __future__ import annotations

import re
from typing import Any

from adbudget.rules.spec import TARGETS

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(?P<op><=|>=|==|!=|<|>)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[()*]))"
)
MAX_LENGTH = 2000


class ExprError(ValueError):
    """A condition text that does not follow the grammar (with the column where it stops)."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            pos += len(text[pos:]) - len(text[pos:].lstrip())
            raise ExprError(f"unexpected {text[pos:pos + 10]!r} at column {pos + 1}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExprError(f"condition longer than {MAX_LENGTH} characters")
        self.toks = _tokens(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ExprError("condition ends too early")
        if (kind and tok[0] != kind) or (value and tok[1] != value):
            want = value or kind
            raise ExprError(f"expected {want!r} at column {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def at(self, value: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] == value and tok[0] in ("name", "punct")

    def parse(self) -> dict[str, Any]:
        out = self.expr()
        tok = self.peek()
        if tok is not None:
            raise ExprError(f"unexpected {tok[1]!r} at column {tok[2]}")
        return out

    def expr(self) -> dict[str, Any]:
        parts = [self.and_expr()]
        while self.at("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else {"any": parts}

    def and_expr(self) -> dict[str, Any]:
        parts = [self.not_expr()]
        while self.at("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else {"all": parts}

    def not_expr(self) -> dict[str, Any]:
        self.depth += 1
        if self.depth > 50:
            raise ExprError("condition nested too deeply")
        try:
            if self.at("not"):
                self.take()
                return {"not": self.not_expr()}
            if self.at("("):
                self.take()
                inner = self.expr()
                self.take("punct", ")")
                return inner
            return self.comparison()
        finally:
            self.depth -= 1

    def metric(self) -> tuple[str, str | None]:
        name = self.take("name")[1]
        window = None
        if self.at("("):
            self.take()
            window = self.take("name")[1]
            self.take("punct", ")")
        return name, window

    def comparison(self) -> dict[str, Any]:
        metric, window = self.metric()
        op = self.take("op")[1]
        leaf: dict[str, Any] = {"metric": metric, "op": op}
        if window:
            leaf["window"] = window
        tok = self.peek()
        if tok is not None and tok[0] == "num":
            number = float(self.take()[1])
            if self.at("*"):
                self.take()
                leaf["factor"] = number
                leaf["than"] = self.ref(metric, window)
            else:
                leaf["value"] = number
            return leaf
        leaf["than"] = self.ref(metric, window)
        if self.at("*"):
            self.take()
            leaf["factor"] = float(self.take("num")[1])
        return leaf

    def ref(self, lhs_metric: str, lhs_window: str | None) -> dict[str, Any]:
        name, window = self.metric()
        if name in TARGETS and window is None:
            return {"target": name}
        out: dict[str, Any] = {}
        if name != lhs_metric:
            out["metric"] = name
        if window is not None and window != (lhs_window or "last_7d"):
            out["window"] = window
        if not out:  # the same metric in the same window: a comparison with itself
            out["metric"] = name
        return out


def parse_condition(text: str) -> dict[str, Any]:
    """The mapping form (``all``/``any``/``not`` and leaves) of a condition text."""
    return _Parser(text).parse()
