"""Rule files: YAML and TOML, errors that name file, line and key; fuzzed files never crash."""

from __future__ import annotations

import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.errors import InputError
from adbudget.rules.loader import detect_format, parse_rules
from adbudget.rules.spec import ACTION_TYPES, METRICS, RuleSet
from adbudget.rules.templates import load_template, template_names

GOOD_YAML = """\
rules:
  - name: stop-loss
    scope: {test_arm: true}
    when:
      all:
        - {metric: spend, window: last_7d, op: ">", value: 100}
        - {metric: roas, window: last_7d, op: "<", than: {target: breakeven_roas}, factor: 0.5}
    action: {type: pause}
"""


def error_of(text: str, name: str = "rules.yaml") -> InputError:
    with pytest.raises(InputError) as info:
        parse_rules(text, name)
    return info.value


def test_good_file_parses():
    rs = parse_rules(GOOD_YAML, "a.yaml")
    assert [r.name for r in rs.rules] == ["stop-loss"]
    assert rs.windows() == {"last_7d"}




@pytest.mark.parametrize("old,new,line,key,words", [
    ('op: ">"', 'op: "<>"', 6, "rules.0.when.all.0.op", "unknown operator"),
    ("window: last_7d, op: \">\"", "window: last_7x, op: \">\"", 6, "rules.0.when.all.0.window", "unknown window"),
    ("metric: spend", "metric: spent", 6, "rules.0.when.all.0.metric", "unknown metric"),
    ("type: pause", "type: explode", 8, "rules.0.action.type", "unknown action type"),
    ("{test_arm: true}", "{test_arm: true, colour: red}", 3, "rules.0.scope.colour", "unknown key"),
    ("target: breakeven_roas", "target: breakeven", 7, "rules.0.when.all.1.than.target", "unknown target"),
    ("value: 100}", "value: 100, than: {window: last_3d}}", 6, "rules.0.when.all.0", "exactly one of"),
    ("{test_arm: true}", "{campaign: '(unclosed'}", 3, "rules.0.scope.campaign", "regular expression"),
])
def test_yaml_errors_name_line_and_key(old, new, line, key, words):
    err = error_of(GOOD_YAML.replace(old, new, 1), "my_rules.yaml")
    text = str(err)
    assert text.startswith(f"my_rules.yaml:{line}: "), text
    assert f"key '{key}'" in text, text
    assert words in text, text


def test_yaml_syntax_error_names_the_line():
    err = error_of(GOOD_YAML.replace("scope: {test_arm: true}", "scope: {test_arm: true"), "x.yml")
    assert str(err).startswith("x.yml:") and "not valid YAML" in str(err)
    assert err.line is not None and 3 <= err.line <= 5


GOOD_TOML = """\
[[rules]]
name = "one"
when = { metric = "roas", window = "last_7d", op = "<", value = 1 }
action = { type = "pause" }

[[rules]]
name = "two"
priority = 3
action = { type = "raise_budget", pct = 10 }

[rules.when]
metric = "roas"
window = "last_7d"
op = ">"
value = 4
"""


def test_toml_parses_and_errors_point_into_the_right_table():
    rs = parse_rules(GOOD_TOML, "r.toml")
    assert [r.name for r in rs.rules] == ["one", "two"]
    err = error_of(GOOD_TOML.replace('op = ">"', 'op = "=>"'), "r.toml")
    assert str(err).startswith("r.toml:14: key 'rules.1.when.op'"), str(err)
    err = error_of(GOOD_TOML.replace("pct = 10", "pct = 10, amount = 5"), "r.toml")
    assert str(err).startswith("r.toml:9: key 'rules.1.action'"), str(err)
    err = error_of(GOOD_TOML.replace("priority = 3", "priority = 3\nprio = 4"), "r.toml")
    assert str(err).startswith("r.toml:9: key 'rules.1.prio'"), str(err)


def test_toml_syntax_error_names_the_line():
    err = error_of(GOOD_TOML.replace('name = "two"', 'name = "two'), "r.toml")
    assert str(err).startswith("r.toml:7: not valid TOML"), str(err)


def test_duplicate_names_and_top_level_shapes():
    assert "used twice" in str(error_of(GOOD_YAML + GOOD_YAML.replace("rules:\n", "", 1)))
    assert isinstance(parse_rules("", "e.yaml"), RuleSet)  # an empty file is an empty rule set
    assert len(parse_rules(GOOD_YAML.replace("rules:\n", "").replace("\n  ", "\n")[2:], "l.yaml").rules) == 1
    assert "mapping" in str(error_of("- 1\n- 2\n".replace("- 1\n- 2\n", "42\n")))


def test_deep_nesting_is_refused():
    cond = "{metric: spend, window: last_7d, op: '>', value: 1}"
    for _ in range(40):
        cond = "{all: [" + cond + "]}"
    err = error_of(f"rules:\n  - name: deep\n    when: {cond}\n    action: {{type: pause}}\n")
    assert "nested deeper" in str(err) and err.line == 3


def test_format_from_extension():
    assert detect_format("a.YML") == "yaml" and detect_format("b.toml") == "toml"
    with pytest.raises(InputError):
        detect_format("c.json")


@pytest.mark.parametrize("name", template_names())
def test_templates_are_valid(name):
    rs = load_template(name)
    assert rs.rules and all(r.description for r in rs.rules)


def test_the_method_templates_are_shipped():
    assert {"stop_loss", "scale_winners", "judge_7d", "reserve_at_peak"} <= set(template_names())


# -- fuzzing: a clear error or a valid rule set, never anything else ---------------------------------
KEYS = ["rules", "name", "when", "action", "type", "metric", "window", "op", "value", "than", "factor",
        "all", "any", "not", "scope", "market", "channel", "campaign", "guard", "schedule", "weekdays",
        "priority", "cooldown_days", "pct", "amount", "floor", "cap", "to", "target", "min_days"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.sampled_from(list(METRICS) + list(ACTION_TYPES) + ["<", ">=", "last_7d",
                                         "today", "this_month", "last_0d", "(", "US", "mon", "breakeven_roas"]),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), inner, max_size=5)),
    max_leaves=30,
)


def _check(text: str, name: str) -> None:
    try:
        rs = parse_rules(text, name)
    except InputError as exc:
        assert str(exc).startswith(name)
        assert "\n" not in str(exc).strip()
    else:
        assert isinstance(rs, RuleSet)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_fuzzed_yaml_structures_never_crash(tree):
    _check(yaml.safe_dump({"rules": [tree]} if not isinstance(tree, dict) else tree), "f.yaml")


def _mutations():
    base = yaml.safe_load(GOOD_YAML)
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append((*path, k))
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append((*path, i))
                walk(v, (*path, i))

    walk(base, ())
    return base, paths


_BASE, _PATHS = _mutations()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_PATHS), trees)
def test_mutated_valid_file_gives_valid_rules_or_a_clear_error(path, value):
    import copy

    data = copy.deepcopy(_BASE)
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    _check(yaml.safe_dump(data), "m.yaml")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.printable + "：“”，", max_size=300))
def test_random_text_never_crashes(text):
    _check(text, "t.yaml")
    _check(text, "t.toml")
