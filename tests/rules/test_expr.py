"""The text form of conditions: same rules as the mapping form, precedence, clear errors, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adbudget.errors import InputError
from adbudget.rules.expr import ExprError, parse_condition
from adbudget.rules.loader import parse_rules
from adbudget.rules.spec import RuleSet

from .conftest import fired, run


def test_mapping_form_of_each_comparison():
    assert parse_condition("roas(last_7d) < 2") == {"metric": "roas", "window": "last_7d", "op": "<", "value": 2.0}
    assert parse_condition("spend > 100") == {"metric": "spend", "op": ">", "value": 100.0}
    assert parse_condition("roas(last_7d) < 0.5 * breakeven_roas") == {
        "metric": "roas", "window": "last_7d", "op": "<", "factor": 0.5, "than": {"target": "breakeven_roas"}}
    assert parse_condition("cpa(yesterday) > cpa(last_7d) * 1.3") == {
        "metric": "cpa", "window": "yesterday", "op": ">", "than": {"window": "last_7d"}, "factor": 1.3}
    assert parse_condition("spend(today) >= 0.5 * daily_budget") == {
        "metric": "spend", "window": "today", "op": ">=", "factor": 0.5, "than": {"metric": "daily_budget"}}


def test_precedence_and_grouping():
    out = parse_condition("a < 1 or b < 2 and not c < 3")
    assert out == {"any": [{"metric": "a", "op": "<", "value": 1.0},
                           {"all": [{"metric": "b", "op": "<", "value": 2.0},
                                    {"not": {"metric": "c", "op": "<", "value": 3.0}}]}]}
    out = parse_condition("(a < 1 or b < 2) and c < 3")
    assert list(out) == ["all"] and list(out["all"][0]) == ["any"]


@pytest.mark.parametrize("text,words", [
    ("roas <", "ends too early"), ("roas ~ 1", "column 6"), ("roas < 1 )", "unexpected ')'"),
    ("< 1", "expected 'name'"), ("roas(last_7d < 1", "expected ')'"),
])
def test_syntax_errors_say_where(text, words):
    with pytest.raises(ExprError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse_condition(text)


def test_text_and_mapping_rules_fire_alike(daily):
    text = """rules:
  - name: r
    when: "spend(last_7d) > 100 and (roas(last_7d) < 0.5 * breakeven_roas or not cpc(last_7d) < 0.4)"
    action: {type: notify}
"""
    mapping = """rules:
  - name: r
    when: {all: [{metric: spend, window: last_7d, op: ">", value: 100},
                 {any: [{metric: roas, window: last_7d, op: "<", than: {target: breakeven_roas}, factor: 0.5},
                        {not: {metric: cpc, window: last_7d, op: "<", value: 0.4}}]}]}
    action: {type: notify}
"""
    assert fired(run(text, daily)) == fired(run(mapping, daily)) == {("r", "US_perf_win"), ("r", "US_test_lose")}


def test_errors_in_text_name_the_rule_line_and_key():
    with pytest.raises(InputError) as info:
        parse_rules("rules:\n  - name: a\n    when: 'roas(last_9x) < 1'\n    action: {type: pause}\n", "t.yaml")
    assert str(info.value).startswith("t.yaml:3: key 'rules.0.when.window': unknown window")
    with pytest.raises(InputError) as info:
        parse_rules('[[rules]]\nname = "a"\nwhen = "roas < < 1"\naction = { type = "pause" }\n', "t.toml")
    assert str(info.value).startswith("t.toml:3: key 'rules.0.when'") and "column" in str(info.value)


WORDS = ["roas", "spend", "cpa", "(", ")", "last_7d", "today", "and", "or", "not", "<", ">=", "==", "*",
         "0.5", "3", "breakeven_roas", "daily_budget", "x", "-", "(last_3d)", "1e9", "!="]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=25))
def test_fuzzed_condition_text_never_crashes(words):
    text = " ".join(words).replace('"', "")
    try:
        rs = parse_rules(f'rules:\n  - name: f\n    when: "{text}"\n    action: {{type: notify}}\n', "f.yaml")
    except InputError as exc:
        assert str(exc).startswith("f.yaml") and "\n" not in str(exc)
    else:
        assert isinstance(rs, RuleSet)
