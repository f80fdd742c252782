"""Safe imports: one transaction per file, no double counting, clear line errors."""

from __future__ import annotations

import pytest

from adbudget.errors import InputError

HEADER = "date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,clicks,conversions,revenue\n"


def _write(path, body: str) -> None:
    path.write_text(HEADER + body, encoding="utf-8")


def _content(ws) -> dict[str, list]:
    """Every table's content, to compare before and after a failed import."""
    out = {}
    for table in ("imports", "ad_daily", "orders", "touchpoints", "funnel_daily", "lift_tests", "fx_rates"):
        out[table] = ws.store.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    return out


def test_reimport_same_file_is_noop(workspace, data_dir):
    first = workspace.import_file(data_dir / "meta_us.csv", market="US")
    again = workspace.import_file(data_dir / "meta_us.csv", market="US")
    assert first.inserted == 4 and again.already_imported and again.inserted == 0
    assert len(workspace.ad_daily()) == 4


def test_overlapping_export_replaces_by_natural_key(workspace, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    _write(a, "2025-03-01,US,meta,acc,C1,G,X,USD,100,1000,10,1,200\n"
              "2025-03-02,US,meta,acc,C1,G,X,USD,110,1000,10,1,210\n")
    _write(b, "2025-03-02,US,meta,acc,C1,G,X,USD,120,1100,11,2,250\n"
              "2025-03-03,US,meta,acc,C1,G,X,USD,130,1200,12,2,260\n")
    workspace.import_file(a)
    result = workspace.import_file(b)
    assert result.replaced == 1
    df = workspace.ad_daily()
    assert df.spend.tolist() == [100, 120, 130]  # 03-02 replaced, never double counted
    assert df.spend.sum() == 350


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("2025-02-30,US,meta,a,C,G,X,USD,10,1,1,0,0", "date", "not a date"),
        ("2025-03-01,US,meta,a,C,G,X,USD,-5,1,1,0,0", "spend", "must not be negative"),
        ("2025-03-01,US,meta,a,C,G,X,XYZ,10,1,1,0,0", "currency", "unknown currency"),
        ("2025-03-01,ZZ,meta,a,C,G,X,USD,10,1,1,0,0", "market", "unknown market"),
        ("2025-03-01,US,myspace,a,C,G,X,USD,10,1,1,0,0", "channel", "unknown channel"),
        ("2025-03-01,US,meta,a,C,G,X,USD,ten,1,1,0,0", "spend", "not a number"),
    ],
)
def test_bad_row_names_line_and_column_and_changes_nothing(workspace, tmp_path, data_dir, line, column, message):
    workspace.import_file(data_dir / "meta_us.csv", market="US")
    before = _content(workspace)
    path = tmp_path / "bad.csv"
    _write(path, "2025-03-01,US,meta,a,C,G,OK,USD,10,1,1,0,0\n"
                 "2025-03-02,US,meta,a,C,G,OK,USD,10,1,1,0,0\n" + line + "\n")
    with pytest.raises(InputError) as info:
        workspace.import_file(path)
    text = str(info.value)
    assert text.startswith(f"bad.csv:4: column '{column}'"), text
    assert message in text
    assert _content(workspace) == before


def test_missing_column_is_named(workspace, tmp_path):
    path = tmp_path / "nospend.csv"
    path.write_text("date,market,channel,campaign,currency\n2025-03-01,US,meta,C,USD\n")
    with pytest.raises(InputError, match="column 'spend': missing column"):
        workspace.import_file(path, source="ad_daily")


def test_missing_fx_rate_is_an_error_not_one(workspace, tmp_path):
    path = tmp_path / "eur_early.csv"
    _write(path, "2025-02-01,DE,meta,a,C,G,X,EUR,10,1,1,0,0\n")
    with pytest.raises(InputError, match=r"no FX rate for EUR on or before 2025-02-01"):
        workspace.import_file(path)
    assert workspace.ad_daily().empty


def test_three_number_formats_give_identical_rows(tmp_path):
    from adbudget import Workspace
    from adbudget.config import default_settings

    bodies = {
        "en": '2025-03-01,US,meta,a,C,G,X,USD,"1,234.56","1,234,567",12,3,"10,000.5"\n',
        "fr": '2025-03-01,US,meta,a,C,G,X,USD,"1 234,56","1 234 567",12,3,"10 000,5"\n',
        "de": '2025-03-01,US,meta,a,C,G,X,USD,"1.234,56","1.234.567",12,3,"10.000,5"\n',
    }
    results = []
    for name, body in bodies.items():
        ws = Workspace.init(tmp_path / name, default_settings(["US"]))
        path = tmp_path / f"{name}.csv"
        _write(path, body)
        ws.import_file(path)
        results.append(ws.ad_daily().to_dict("records"))
        ws.close()
    assert results[0] == results[1] == results[2]
    assert results[0][0]["spend"] == 1234.56 and results[0][0]["impressions"] == 1234567
    assert results[0][0]["revenue"] == 10000.5


def test_dry_run_writes_nothing(workspace, data_dir):
    before = _content(workspace)
    result = workspace.import_file(data_dir / "meta_us.csv", market="US", dry_run=True)
    assert result.dry_run and result.inserted == 4 and len(result.preview) == 4
    assert _content(workspace) == before
