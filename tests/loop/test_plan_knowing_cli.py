"""`adbudget plan --knowing`: the knowledge move limit from the CLI (issue 24, item 6)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.experiments.accountability import RULES
from adbudget.plan.knowledge import DEFAULT_STEPS
from adbudget.simulate import World
from adbudget.workspace import Workspace
from adbudget.workspace.simulate import world_settings


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> str:
    world = World.build(0, "tiny")
    ws = Workspace.init(tmp_path_factory.mktemp("knowing") / "ws", world_settings(world))
    ws.load_world(world)
    ws.fit(method="laplace", seed=0)
    root = str(ws.root)
    ws.close()
    return root


def test_plan_knowing_names_each_lines_rule_and_keeps_its_limit(fitted) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["plan", "-b", "30000", "-p", "2026-11", "--knowing", "--json",
                            "--buckets", "performance=100", "-w", fitted])
    assert r.exit_code == 0, r.output
    plan = json.loads(r.stdout)
    perf = [ln for ln in plan["lines"] if ln["bucket"] == "performance"]
    assert perf and sum(ln["amount_base"] for ln in plan["lines"]) == pytest.approx(30000, abs=0.05)
    ws = Workspace.open(fitted, read_only=True)
    try:
        frame = ws.move_knowledge_frame().set_index(["market", "channel"])
    finally:
        ws.close()
    scale = 30000 / plan["days"] / float(frame["reference"].sum())
    for ln in perf:
        args = ln["reason_args"]
        assert args["move_rule"] in RULES
        row = frame.loc[(ln["market"], ln["channel"])]
        assert args["move_rule"] == row["rule"]
        daily = ln["amount_base"] / plan["days"]
        # inside its own rule's band around the (bucket-scaled) recent spend
        cut, up = DEFAULT_STEPS[args["move_rule"]]
        assert daily <= row["reference"] * scale * (1 + up) * 1.02 + 0.05
        assert daily >= row["reference"] * scale * (1 - cut) * 0.98 - 0.05
    assert plan["plan_id"] is not None  # saved like a plain plan


def test_plan_knowing_plans_one_budget_and_has_help_in_both_languages(fitted) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["plan", "-b", "30000", "-p", "2026-11", "--knowing", "--frontier",
                            "-w", fitted])
    assert r.exit_code == 2 and "--knowing" in r.output  # a usage error
    for lang, word in (("en", "what is known"), ("zh", "认知程度")):
        r = runner.invoke(app, ["plan", "--help", "--lang", lang], env={"COLUMNS": "200"})
        assert r.exit_code == 0 and word in r.output, r.output


def test_scale_tests_for_a_knowing_plan_value_what_a_reading_unlocks(fitted, tmp_path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["plan", "-b", "30000", "-p", "2026-11", "--knowing", "--json",
                            "-w", fitted])
    assert r.exit_code == 0, r.output
    out = tmp_path / "nov.csv"
    r = runner.invoke(app, ["tests", "design", "--scale", "--period", "2026-11", "--schedule",
                            str(out), "--json", "-w", fitted])
    assert r.exit_code == 0, r.output
    designs = json.loads(r.stdout)["tests"]
    assert out.is_file()
    for d in designs:  # each designed test is worth more than it gives up
        assert d["value"] > d["profit_given_up"] and d["unit"] == "switchback"
