"""The workspace as services: the test budget the planner asks for is the plan's own test
bucket, and no area reaches another through ``hasattr`` (issue 22)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from adbudget.plan import make_plan
from tests.plan.test_planner import inputs

SRC = Path(__file__).resolve().parents[2] / "src" / "adbudget"


def test_test_allocation_gets_the_test_buckets_total():
    asked: list[tuple[float, int]] = []

    def allocate(budget: float, days: int) -> pd.DataFrame:
        asked.append((budget, days))
        return pd.DataFrame({"market": ["US", "US"], "channel": ["meta", "tiktok"],
                             "amount_base": [3.0, 1.0], "arm": ["a", "b"]})

    plan = make_plan(inputs(allocate_tests=allocate))
    test_total = sum(ln.amount_base for ln in plan.lines if ln.bucket == "test")
    (budget, days), = asked
    assert days == plan.days
    assert budget == pytest.approx(test_total, abs=0.05)  # not a guess such as budget x 0.125
    us_arms = {ln.channel: ln.amount_base for ln in plan.lines
               if ln.bucket == "test" and ln.market == "US"}
    assert us_arms["meta"] == pytest.approx(3 * us_arms["tiktok"], rel=1e-3)
    assert plan.inputs["experiments"] is True


def test_no_live_arm_keeps_the_default_test_split():
    base = make_plan(inputs())
    none = make_plan(inputs(allocate_tests=lambda budget, days: None))
    assert none.records() == base.records() and none.inputs["experiments"] is False


def test_workspace_areas_declare_what_they_use():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (SRC / "workspace").glob("*.py"))
    assert "hasattr(self" not in text
    mine = ["core", "plan", "report", "rules", "experiments", "ltv", "__init__"]
    for name in mine:
        src = (SRC / "workspace" / f"{name}.py").read_text(encoding="utf-8")
        assert "type: ignore[attr-defined]" not in src, name
        assert not re.search(r"class \w+Mixin", src), name
