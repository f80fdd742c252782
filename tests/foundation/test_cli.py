"""The CLI end to end: init, import, status, exit codes, JSON, Chinese."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from adbudget.cli.app import app

runner = CliRunner()


def test_init_import_status_json(tmp_path, data_dir):
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws, "--markets", "US,DE,ID,GB"]).exit_code == 0
    r = runner.invoke(app, ["import", str(data_dir / "fx_rates.csv"), "-w", ws])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import", str(data_dir / "meta_us.csv"), str(data_dir / "amazon_sp_us.csv"),
                            "--market", "US", "-w", ws, "--json"])
    assert r.exit_code == 0, r.output
    assert [x["rows"] for x in json.loads(r.stdout)] == [4, 2]
    r = runner.invoke(app, ["status", "-w", ws, "--json"])
    status = json.loads(r.stdout)
    spend = {(x["market"], x["channel"]): x["spend_base"] for x in status["lines"]}
    assert abs(spend[("US", "meta")] - (1234.56 + 310 + 1190.40 + 295.50)) < 1e-6
    assert abs(spend[("US", "amazon")] - (221.00 + 215.86)) < 1e-6


def test_bad_file_exits_1_with_line(tmp_path):
    ws = str(tmp_path / "ws")
    runner.invoke(app, ["init", ws, "--markets", "US"])
    bad = tmp_path / "bad.csv"
    bad.write_text("date,market,channel,campaign,currency,spend\n2025-03-01,US,meta,C,USD,oops\n")
    r = runner.invoke(app, ["import", str(bad), "-w", ws])
    assert r.exit_code == 1
    assert "bad.csv:2: column 'spend'" in r.output


def test_usage_error_exit_2_and_chinese(tmp_path, data_dir):
    ws = str(tmp_path / "ws")
    runner.invoke(app, ["init", ws, "--markets", "US"])
    r = runner.invoke(app, ["import", str(data_dir / "meta_us.csv"), "--source", "myspace", "-w", ws])
    assert r.exit_code == 2 and "unknown --source" in r.output
    r = runner.invoke(app, ["status", "-w", ws, "--lang", "zh"])
    assert r.exit_code == 0 and "工作区为空" in r.output


def test_not_a_workspace(tmp_path):
    r = runner.invoke(app, ["status", "-w", str(tmp_path)])
    assert r.exit_code == 1 and "adbudget init" in r.output


def test_import_a_folder_takes_fx_first(tmp_path, data_dir):
    import shutil

    ws = str(tmp_path / "ws")
    runner.invoke(app, ["init", ws, "--markets", "DE"])
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(data_dir / "meta_de_zh.csv", folder / "a_meta.csv")  # sorts before the FX file
    shutil.copy(data_dir / "fx_rates.csv", folder / "z_fx.csv")
    r = runner.invoke(app, ["import", str(folder), "--market", "DE", "-w", ws, "--json"])
    assert r.exit_code == 0, r.output
    assert [x["kind"] for x in json.loads(r.stdout)] == ["fx_rates", "ad_daily"]
