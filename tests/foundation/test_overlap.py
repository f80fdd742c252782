"""Overlap semantics (issue 20): an export replaces the whole slice it covers; re-importing an
older file over newer data needs --replace; a campaign renamed between exports stays one."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from adbudget.errors import InputError

HEADER = "date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,clicks,conversions,revenue\n"
META = "Day,Country,Account name,Campaign ID,Campaign name,Amount spent (USD),Impressions,Purchases conversion value\n"


def _write(path, rows: list[str], header: str = HEADER):
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _spend(ws) -> dict[tuple[str, str], float]:
    rows = ws.store.con.execute("SELECT CAST(date AS VARCHAR), campaign, CAST(spend AS DOUBLE) FROM ad_daily").fetchall()
    return {(d, c): s for d, c, s in rows}


def _row(day: str, campaign: str, spend: float, account: str = "acc", channel: str = "meta") -> str:
    return f"2025-03-0{day},US,{channel},{account},{campaign},G,X,USD,{spend},100,10,1,{2 * spend}"


def test_reimporting_an_older_file_over_newer_data_asks_for_replace(workspace, tmp_path):
    a = _write(tmp_path / "a.csv", [_row("1", "C1", 100), _row("2", "C1", 110), _row("3", "C1", 120)])
    b = _write(tmp_path / "b.csv", [_row("2", "C1", 111), _row("3", "C1", 121), _row("4", "C1", 131)])
    workspace.import_file(a)
    workspace.import_file(b)
    newer = _spend(workspace)
    assert newer == {("2025-03-01", "C1"): 100, ("2025-03-02", "C1"): 111, ("2025-03-03", "C1"): 121,
                     ("2025-03-04", "C1"): 131}
    with pytest.raises(InputError, match=r"imported before .* replaced 2 of its rows .*--replace"):
        workspace.import_file(a)
    assert _spend(workspace) == newer  # nothing changed, nothing silently skipped either
    again = workspace.import_file(a, replace=True)
    assert not again.already_imported and again.replaced == 3
    assert _spend(workspace) == {("2025-03-01", "C1"): 100, ("2025-03-02", "C1"): 110, ("2025-03-03", "C1"): 120,
                                 ("2025-03-04", "C1"): 131}


def test_reimport_after_unrelated_imports_is_still_a_no_op(workspace, tmp_path):
    a = _write(tmp_path / "a.csv", [_row("1", "C1", 100)])
    other = _write(tmp_path / "other.csv", [_row("1", "C9", 5, account="acc2")])
    workspace.import_file(a)
    workspace.import_file(other)  # a later import of the same kind, another slice
    assert workspace.import_file(a).already_imported


def test_cli_reimport_says_replace_and_replace_works(workspace, tmp_path):
    from adbudget.cli.app import app

    a = _write(tmp_path / "a.csv", [_row("1", "C1", 100), _row("2", "C1", 110)])
    b = _write(tmp_path / "b.csv", [_row("2", "C1", 999)])
    ws = str(workspace.root)
    workspace.close()
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(a), "-w", ws]).exit_code == 0
    assert runner.invoke(app, ["import", str(b), "-w", ws]).exit_code == 0
    refused = runner.invoke(app, ["import", str(a), "-w", ws])
    assert refused.exit_code == 1 and "--replace" in refused.output
    assert runner.invoke(app, ["import", str(a), "--replace", "-w", ws]).exit_code == 0


def test_an_overlapping_export_removes_rows_it_no_longer_holds(workspace, tmp_path):
    a = _write(tmp_path / "a.csv", [_row("1", "Keep", 10), _row("1", "Gone", 20), _row("2", "Gone", 21),
                                    _row("3", "Gone", 22), _row("2", "Other", 7, account="acc2"),
                                    _row("2", "Search", 8, channel="google_search")])
    b = _write(tmp_path / "b.csv", [_row("2", "Keep", 11), _row("3", "Keep", 12)])
    workspace.import_file(a)
    preview = workspace.import_file(b, dry_run=True)
    assert (preview.replaced, preview.removed) == (0, 2)
    result = workspace.import_file(b)
    assert result.removed == 2
    spend = _spend(workspace)
    # Gone on 03-02 and 03-03 lay inside b's slice (03-02..03-03 × US/acc × meta): removed.
    # 03-01 is outside the range; acc2 and google_search are other slices: all kept.
    assert spend == {("2025-03-01", "Keep"): 10, ("2025-03-01", "Gone"): 20, ("2025-03-02", "Keep"): 11,
                     ("2025-03-03", "Keep"): 12, ("2025-03-02", "Other"): 7, ("2025-03-02", "Search"): 8}


def test_a_renamed_campaign_is_recognised_by_its_id(workspace, tmp_path):
    jan = _write(tmp_path / "jan.csv", ["2025-03-01,US,acc,123,Spring Sale,100,1000,300",
                                        "2025-03-02,US,acc,123,Spring Sale,110,1000,320",
                                        "2025-03-02,US,acc,456,Brand,50,500,90"], META)
    feb = _write(tmp_path / "feb.csv", ["2025-03-02,US,acc,123,Spring Sale 2,111,1000,321",
                                        "2025-03-03,US,acc,123,Spring Sale 2,120,1000,330",
                                        "2025-03-02,US,acc,456,Brand,50,500,90"], META)
    workspace.import_file(jan)
    workspace.import_file(feb)
    df = workspace.ad_daily()
    by_campaign = df.groupby("campaign").spend.sum().to_dict()
    # one campaign under its latest name, 03-02 counted once (111, not 110 + 111)
    assert by_campaign == {"Spring Sale 2": 100 + 111 + 120, "Brand": 50}
    assert sorted(df[df.campaign == "Spring Sale 2"].campaign_id.unique()) == ["123"]


def test_the_old_key_replacement_still_holds(workspace, tmp_path):
    a = _write(tmp_path / "a.csv", [_row("1", "C1", 100), _row("2", "C1", 110)])
    b = _write(tmp_path / "b.csv", [_row("2", "C1", 120), _row("3", "C1", 130)])
    workspace.import_file(a)
    assert workspace.import_file(b).replaced == 1
    assert sorted(_spend(workspace).values()) == [100, 120, 130]
