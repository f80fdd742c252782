"""Read rule files (YAML or TOML text) into a :class:`RuleSet`, with errors that name file, line, key.

Pydantic reports where a value is wrong as a *loc* path (``rules → 2 → when → all → 0 → op``).
For YAML we walk the composed node tree (which keeps line marks) along that path; for TOML,
which keeps no marks, we find the n-th ``[[rules]]`` table and search for the key after it.
This module reads text, not files: the caller passes the file name for messages.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from pydantic import ValidationError

from adbudget.errors import InputError
from adbudget.rules.spec import MAX_DEPTH, RuleSet, condition_depth

MAX_TEXT = 2_000_000


def detect_format(name: str) -> str:
    """``yaml`` or ``toml`` from the file name's extension."""
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".toml"):
        return "toml"
    raise InputError("rule files must end in .yaml, .yml or .toml", file=name)


def parse_rules(text: str, name: str = "<rules>", fmt: str | None = None) -> RuleSet:
    """Validate rule-file text; raise :class:`InputError` naming file, line and key on any problem."""
    fmt = fmt or detect_format(name)
    if len(text) > MAX_TEXT:
        raise InputError(f"rule file is larger than {MAX_TEXT} characters", file=name)
    if fmt == "yaml":
        data, locate = _load_yaml(text, name)
    elif fmt == "toml":
        data, locate = _load_toml(text, name)
    else:
        raise InputError(f"unknown rule-file format {fmt!r}; use yaml or toml", file=name)
    if data is None:
        data = {}
    if isinstance(data, list):
        data = {"rules": data}
    if not isinstance(data, dict):
        raise InputError("a rule file holds a mapping with a 'rules' list", file=name, line=1)
    rules = data.get("rules")
    if isinstance(rules, list):
        for i, raw in enumerate(rules):
            if isinstance(raw, dict) and condition_depth(raw.get("when")) > MAX_DEPTH:
                raise InputError(
                    f"key 'rules.{i}.when': conditions nested deeper than {MAX_DEPTH} levels",
                    file=name, line=locate(("rules", i, "when")),
                )
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "union_tag_invalid" and "type" not in loc[-1:]:
            msg = "unknown action type; allowed: " + ", ".join(_action_types())
            loc = (*loc, "type")
        key = ".".join(str(p) for p in _user_loc(loc)) or "(top level)"
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise InputError(_one_line(f"key '{key}': {msg}{suffix}"), file=name, line=locate(loc)) from None
    except RecursionError:
        raise InputError("conditions nested too deeply", file=name) from None


def _one_line(text: str) -> str:
    """Control characters (a newline in a key, say) escaped, so an error stays one line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _action_types() -> list[str]:
    from adbudget.rules.spec import ACTION_TYPES

    return list(ACTION_TYPES)


_TAGS = {"all-group", "any-group", "not-group", "leaf"}


def _user_loc(loc: tuple) -> list:
    """Drop pydantic's union tags and class names from a loc so it reads like the file."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part in _TAGS or "[" in part or part in _ACTION_TAGS):
            continue
        out.append(part)
    return out


_ACTION_TAGS = {
    "pause", "pause_today", "resume", "notify", "raise_budget", "lower_budget", "raise_bid",
    "lower_bid", "rebalance", "release_reserve",
}


# -- YAML --------------------------------------------------------------------------------------
def _load_yaml(text: str, name: str):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = _one_line(f"not valid YAML: {exc.problem or exc.context}")
        raise InputError(reason, file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(_one_line(f"not valid YAML: {str(exc).splitlines()[0]}"), file=name) from None
    except (RecursionError, ValueError, OverflowError) as exc:
        raise InputError(f"not valid YAML: {type(exc).__name__}", file=name) from None
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        key = yaml.ScalarNode("tag:yaml.org,2002:str", "rules", node.start_mark, node.end_mark)
        node = yaml.MappingNode("tag:yaml.org,2002:map", [(key, node)], node.start_mark, node.end_mark)

    def locate(loc: tuple) -> int | None:
        try:
            return _yaml_line(node, loc)
        except (AttributeError, TypeError):  # a node without marks: name no line rather than fail
            return None

    return data, locate


def _yaml_line(node: Any, loc: tuple) -> int | None:
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    node = value
                    line = key.start_mark.line + 1
                    break
            # a part that is not a key (a union tag) is skipped
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
    return line


# -- TOML --------------------------------------------------------------------------------------
def _load_toml(text: str, name: str):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InputError(_one_line(f"not valid TOML: {reason}"), file=name, line=line) from None
    except (RecursionError, ValueError) as exc:
        raise InputError(f"not valid TOML: {type(exc).__name__}", file=name) from None
    lines = text.splitlines()

    def locate(loc: tuple) -> int | None:
        return _toml_line(lines, loc)

    return data, locate


def _toml_line(lines: list[str], loc: tuple) -> int | None:
    """Line of the n-th ``[[rules]]`` header, then of the deepest key of *loc* found after it."""
    start = 0
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        count = -1
        for i, raw in enumerate(lines):
            if re.match(r"\s*\[\[\s*rules\s*\]\]", raw):
                count += 1
                if count == loc[1]:
                    start = i
                    break
        else:
            return None
        end = next(
            (j for j in range(start + 1, len(lines)) if re.match(r"\s*\[\[\s*rules\s*\]\]", lines[j])),
            len(lines),
        )
        keys = [p for p in loc[2:] if isinstance(p, str) and p not in _TAGS and "[" not in p]
        found = start
        for key in keys:
            pat = re.compile(rf"(^|[\s{{,.\[]){re.escape(key)}\s*(=|\]|\.)")
            for j in range(found, end):
                if pat.search(lines[j]):
                    found = j
                    break
        return found + 1
    if loc:
        pat = re.compile(rf"^\s*\[?\s*{re.escape(str(loc[0]))}\b")
        for i, raw in enumerate(lines):
            if pat.search(raw):
                return i + 1
    return 1
