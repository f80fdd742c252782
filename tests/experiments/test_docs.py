"""docs/experiments.md documents every setting and every command of the area."""

from __future__ import annotations

from pathlib import Path

import typer

from adbudget.cli.experiments import register
from adbudget.config.experiments import DeclaredArm, ExperimentsSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "experiments.md"


def test_every_setting_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for name in ExperimentsSettings.model_fields:
        assert f"`{name}`" in text, name
    for name in DeclaredArm.model_fields:
        assert name in text, name


def test_every_command_is_documented():
    app = typer.Typer()
    register(app)
    group = app.registered_groups[0].typer_instance
    text = DOC.read_text(encoding="utf-8")
    names = [c.name for c in group.registered_commands]
    assert sorted(names) == ["allocate", "analyze", "check", "design", "fatigue", "lift", "pace", "status"]
    for name in names:
        assert f"adbudget tests {name}" in text, name
