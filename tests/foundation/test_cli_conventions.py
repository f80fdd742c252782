"""CLI conventions: help in Chinese, choices shown and checked, -w everywhere, completion."""

from __future__ import annotations

from typer.testing import CliRunner

from adbudget.cli.app import app, help_key, requested_language, walk_commands
from adbudget.i18n import catalog

runner = CliRunner()


def test_plan_help_in_chinese_by_flag_and_by_environment():
    for args, env in ((["--lang", "zh", "plan", "--help"], {}), (["plan", "--help"], {"ADBUDGET_LANG": "zh"}),
                      (["plan", "--lang", "zh", "--help"], {})):
        r = runner.invoke(app, args, env={"COLUMNS": "120", **env})
        assert r.exit_code == 0, r.output
        assert "把一个周期的预算分配到预算桶、市场与渠道" in r.output, args
        assert "profit（利润，默认）" in r.output and "选项" in r.output
        assert "Split a period's budget" not in r.output
    r = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "120", "ADBUDGET_LANG": ""})
    assert "Split a period's budget" in r.output and "Options" in r.output  # English again


def test_every_command_has_its_help_in_both_languages():
    import typer

    root = typer.main.get_command(app)
    zh = catalog("zh")
    missing = [help_key(path) for path, cmd in walk_commands(root) if cmd.help and help_key(path) not in zh]
    assert missing == []
    untranslated = [(help_key(path), p.name) for path, cmd in walk_commands(root) for p in cmd.params
                    if getattr(p, "help", None) and help_key(path, p.name) not in zh
                    and f"cli.common.{p.name}" not in zh]
    assert untranslated == []


def test_bad_objective_lists_the_choices():
    r = runner.invoke(app, ["plan", "-b", "1000", "-p", "2026-12", "--objective", "roas"])
    assert r.exit_code == 2
    assert "profit" in r.output and "revenue" in r.output and "roas" in r.output
    r = runner.invoke(app, ["fit", "--help"], env={"COLUMNS": "160"})
    assert "laplace" in r.output and "nuts|svi|laplace" in r.output
    r = runner.invoke(app, ["status", "--lang", "fr"])
    assert r.exit_code == 2 and "en" in r.output and "zh" in r.output


def test_demo_takes_workspace_and_completion_is_offered():
    r = runner.invoke(app, ["demo", "--help"], env={"COLUMNS": "160"})
    assert "--workspace" in r.output and "-w" in r.output and "--dir" in r.output
    r = runner.invoke(app, ["--help"], env={"COLUMNS": "160"})
    assert "--install-completion" in r.output and "markets" in r.output


def test_requested_language():
    assert requested_language(["plan", "--lang=zh"]) == "zh"
    assert requested_language(["--lang", "xx", "plan"]) is None or requested_language(["--lang", "xx"]) != "xx"
