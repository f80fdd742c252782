"""Docs stay true: every CLI command is in the README and every settings section is documented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from adbudget.cli.app import app
from adbudget.config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _command_names() -> list[str]:
    click_app = typer.main.get_command(app)
    return sorted(click_app.commands)  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _command_names() if f"adbudget {name}" not in readme]
    assert not missing, f"commands not shown in README.md: {missing}"


def test_every_settings_section_is_documented():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert not missing, f"settings not documented in docs/settings.md: {missing}"


def test_settings_reference_is_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location("settings_doc", ROOT / "scripts" / "settings_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/settings.md is stale: run .venv/bin/python scripts/settings_doc.py"
