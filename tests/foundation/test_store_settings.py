"""Store versioning and locking; settings validation; translation catalogs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from adbudget.config import default_settings, load_settings
from adbudget.errors import SchemaVersionError, SettingsError, WorkspaceLockedError
from adbudget.store import SCHEMA_VERSION, Store


def test_new_store_has_current_schema(tmp_path):
    store = Store(tmp_path / "a.duckdb")
    assert store.schema_version() == SCHEMA_VERSION
    cols = dict(store.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name='ad_daily'"
    ).fetchall())
    assert cols["spend"].startswith("DECIMAL") and cols["spend_base"].startswith("DECIMAL")
    store.close()


def test_newer_file_is_refused(tmp_path):
    path = tmp_path / "a.duckdb"
    store = Store(path)
    store.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    store.close()
    with pytest.raises(SchemaVersionError, match="newer adbudget"):
        Store(path)


def test_second_writer_gets_a_clear_message(tmp_path):
    path = tmp_path / "a.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(WorkspaceLockedError, match="workspace is in use by another process"):
            Store(path)
    finally:
        holder.kill()
        holder.wait()


def test_wrong_setting_names_key_and_allowed_values(tmp_path):
    path = tmp_path / "adbudget.toml"
    path.write_text('base_currency = "USD"\n[markets.US]\nregion = "NA"\ncurrency = "USD"\n'
                    'timezone = "America/New_York"\nstage = "teenage"\n')
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    text = str(info.value)
    assert "markets.US.stage" in text and "'entry'" in text and "'maturity'" in text


@pytest.mark.parametrize(
    ("snippet", "key"),
    [
        ('currency = "XXX"', "markets.US.currency"),
        ('timezone = "Mars/Olympus"', "markets.US.timezone"),
        ('gross_margin_pct = 140', "markets.US.gross_margin_pct"),
        ('colour = "red"', "markets.US.colour"),
    ],
)
def test_more_wrong_settings(tmp_path, snippet, key):
    base = {"currency": 'currency = "USD"', "timezone": 'timezone = "America/New_York"'}
    lines = ['[markets.US]', 'region = "NA"']
    field = snippet.split(" = ")[0]
    for name, line in base.items():
        if name != field:
            lines.append(line)
    lines.append(snippet)
    path = tmp_path / "adbudget.toml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SettingsError, match=re.escape(key)):
        load_settings(path)


def test_default_catalog_round_trips_through_toml(tmp_path):
    from adbudget.config import dump_settings

    settings = default_settings()
    assert len(settings.markets) == 19
    assert settings.markets["VN"].currency == "VND" and settings.markets["BR"].timezone == "America/Sao_Paulo"
    path = tmp_path / "adbudget.toml"
    path.write_text(dump_settings(settings))
    assert load_settings(path) == settings


def test_every_english_message_has_a_chinese_twin_with_the_same_placeholders():
    from adbudget.i18n import catalog

    en, zh = catalog("en"), catalog("zh")
    missing = sorted(set(en) - set(zh))
    assert not missing, f"missing in zh: {missing[:10]}"
    field = re.compile(r"\{(\w+)")
    for key, text in en.items():
        assert set(field.findall(text)) == set(field.findall(zh[key])), key


def test_a_version_1_store_migrates_and_keeps_its_lift_tests(tmp_path):
    """Version 2 adds lift_tests.baseline_spend (scale tests); old rows become holdouts (0)."""
    import duckdb

    from adbudget.store.schema import MIGRATIONS

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(MIGRATIONS[0])
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO lift_tests VALUES ('t1', 'US', 'meta', DATE '2025-02-01', DATE '2025-02-28', "
                "20000, 41000, 6500, 'USD', 'geo_holdout', 1)")
    con.close()
    store = Store(path)
    assert store.schema_version() == SCHEMA_VERSION >= 2
    rows = store.query("SELECT test_id, spend, baseline_spend FROM lift_tests")
    assert rows["test_id"].tolist() == ["t1"] and float(rows["baseline_spend"].iloc[0]) == 0.0
    store.close()
