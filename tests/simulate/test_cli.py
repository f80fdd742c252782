"""`adbudget simulate` and `adbudget demo` from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.workspace import simulate as demo

runner = CliRunner()


@pytest.fixture
def own_steps(monkeypatch):
    """Only this area's steps (other areas' analyses are tested in their own suites)."""
    keep = {"simulate", "oracle"}
    monkeypatch.setattr(demo, "DEMO_STEPS", [s for s in demo.DEMO_STEPS if s.name in keep])


def test_simulate_writes_files_and_lists_them(tmp_path):
    out = tmp_path / "sim"
    result = runner.invoke(app, ["simulate", "--out", str(out), "--seed", "3", "--size", "tiny", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 3 and (out / "truth.json").exists()
    assert all((out / f).exists() for f in data["files"])


def test_bad_size_is_a_one_line_usage_error(tmp_path):
    result = runner.invoke(app, ["simulate", "--out", str(tmp_path), "--size", "huge"])
    assert result.exit_code == 2
    assert "huge" in result.output and "Traceback" not in result.output


def test_demo_runs_its_steps(tmp_path, own_steps):
    result = runner.invoke(app, ["demo", "--size", "tiny", "--seed", "2", "--dir", str(tmp_path / "ws"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    steps = {s["step"]: s for s in json.loads(result.stdout)["steps"]}
    assert steps["simulate"]["skipped"] is None and steps["oracle"]["skipped"] is None
    assert {r["market"] for r in steps["oracle"]["result"]} == {"US", "DE", "ID", "SA"}
    assert (tmp_path / "ws" / "data" / "manifest.json").exists()


def test_demo_in_chinese_prints_translated_headings(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", [s for s in demo.DEMO_STEPS if s.name in ("simulate", "oracle")])
    result = runner.invoke(app, ["demo", "--size", "tiny", "--dir", str(tmp_path / "ws"), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "最优分配" in result.output


def test_demo_refuses_a_real_workspace_and_reuses_its_own(tmp_path, monkeypatch):
    from adbudget.config import default_settings
    from adbudget.workspace import Workspace

    Workspace.init(tmp_path / "real", default_settings(["US"])).close()
    result = runner.invoke(app, ["demo", "--size", "tiny", "--dir", str(tmp_path / "real")])
    assert result.exit_code == 1 and "not a demo" in result.output
    monkeypatch.setattr(demo, "DEMO_STEPS", [s for s in demo.DEMO_STEPS if s.name == "simulate"])
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "adbudget.toml").write_text("")  # an earlier demo: settings + data/manifest.json
    (folder / "data").mkdir()
    (folder / "data" / "manifest.json").write_text("{}")
    (folder / "data" / "stale.csv").write_text("old")
    result = runner.invoke(app, ["demo", "--size", "tiny", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    assert not (folder / "data" / "stale.csv").exists()


@pytest.mark.slow
def test_whole_demo_with_every_area(tmp_path):
    result = runner.invoke(app, ["demo", "--size", "small", "--dir", str(tmp_path / "ws"), "--json"])
    assert result.exit_code == 0, result.output
    steps = {s["step"]: s for s in json.loads(result.stdout)["steps"]}
    assert all(steps[name]["skipped"] is None for name in ("simulate", "import", "status"))
