"""The fast path for big canonical CSVs gives exactly what the exact path gives, errors included."""

from __future__ import annotations

import pytest

import adbudget.workspace.ingest as ingest_module
from adbudget.errors import InputError

HEADER = "date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,clicks,conversions,revenue\n"
BODY = "".join(
    f"2025-03-{day:02d},{m},meta,acc,C{i},G,X,{cur},{10 + i + day / 100:.2f},{1000 + i},{i},{i % 3},{20.5 + i}\n"
    for day in range(1, 8) for i, (m, cur) in enumerate([("US", "USD"), ("DE", "EUR"), ("ID", "IDR")])
)


def _import(workspace, path, fast: bool, monkeypatch):
    monkeypatch.setattr(ingest_module, "FAST_PATH_BYTES", 0 if fast else 10**12)
    return workspace.import_file(path)


@pytest.mark.parametrize("fast", [False, True])
def test_fast_and_exact_paths_store_the_same_rows(tmp_path, monkeypatch, fast):
    from adbudget import Workspace
    from adbudget.config import default_settings

    results = {}
    for mode in (False, True):
        ws = Workspace.init(tmp_path / f"w{mode}", default_settings(["US", "DE", "ID"]))
        (tmp_path / "fx.csv").write_text("date,currency,per_base\n2025-01-01,EUR,0.9\n2025-01-01,IDR,16000\n")
        ws.import_file(tmp_path / "fx.csv")
        path = tmp_path / "big.csv"
        path.write_text(HEADER + BODY)
        _import(ws, path, mode, monkeypatch)
        results[mode] = ws.ad_daily().to_dict("records")
        ws.close()
    assert results[True] == results[False]
    assert len(results[True]) == 21


def test_fast_path_falls_back_to_exact_error(workspace, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text(HEADER + BODY + "2025-03-09,US,meta,acc,C9,G,X,USD,-1,1,1,0,0\n")
    with pytest.raises(InputError, match=r"big.csv:23: column 'spend': '-1': must not be negative"):
        _import(workspace, path, True, monkeypatch)
    assert workspace.ad_daily().empty
