"""Exports a seller opens in Excel or uploads to Ads Manager never carry a live formula, and
the server refuses what it must (issue 20)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.rules.export import export_actions, spreadsheet_safe

runner = CliRunner()
FORMULA = '=HYPERLINK("x")'


@pytest.mark.parametrize(("value", "safe"), [
    (FORMULA, "'" + FORMULA), ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("-12.5", "-12.5"), ("+3%", "+3%"), ("US | Prospecting", "US | Prospecting"), (1.5, 1.5),
])
def test_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def _actions() -> pd.DataFrame:
    return pd.DataFrame([{
        "for_date": "2025-03-10", "rule": "cut", "line": f"US|meta|{FORMULA}", "market": "US", "channel": "meta",
        "campaign": FORMULA, "action": "lower_budget", "before_status": "active", "after_status": "active",
        "before_budget": 100.0, "after_budget": 85.0, "before_bid": None, "after_bid": None,
        "message": "-ROAS under break-even", "metrics": {"roas": 0.5},
    }, {
        "for_date": "2025-03-10", "rule": "cut", "line": "US|google_search|@evil", "market": "US",
        "channel": "google_search", "campaign": "@evil", "action": "pause", "before_status": "active",
        "after_status": "paused", "before_budget": 50.0, "after_budget": 50.0, "before_bid": None,
        "after_bid": None, "message": "", "metrics": {},
    }])


@pytest.mark.parametrize(("fmt", "column", "name"), [
    ("meta", "Campaign Name", FORMULA), ("google", "Campaign", "@evil"), ("csv", "campaign", FORMULA)])
def test_exports_write_formula_names_as_text(fmt, column, name):
    text = export_actions(_actions(), fmt)
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [r[column] for r in rows]
    assert "'" + name in cells and name not in cells
    for row in rows:  # no cell of any export starts a formula
        assert not any(v.startswith(("=", "+", "@")) for v in row.values())
    if fmt == "csv":
        assert rows[0]["before_budget"] == "100.0"  # numbers stay numbers


def test_json_export_keeps_the_name_as_is():
    import json

    assert json.loads(export_actions(_actions(), "json"))[0]["campaign"] == FORMULA


def test_cli_rules_export_of_a_formula_campaign_opens_as_text(tmp_path):
    ws = str(tmp_path / "ws")
    assert runner.invoke(app, ["init", ws, "--markets", "US"]).exit_code == 0
    start = date.today() - timedelta(days=30)
    lines = ["date,market,channel,account,campaign,currency,spend,impressions,clicks,conversions,revenue"]
    for i in range(30):
        day = (start + timedelta(days=i)).isoformat()
        lines.append(f'{day},US,meta,acc,"{FORMULA.replace(chr(34), chr(34) * 2)}",USD,100,5000,80,1,10')
        lines.append(f"{day},US,meta,acc,Fine,USD,100,5000,80,9,600")
    path = tmp_path / "ads.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["import", str(path), "-w", ws]).exit_code == 0
    assert runner.invoke(app, ["rules", "templates", "--copy", "-w", ws]).exit_code == 0
    ran = runner.invoke(app, ["rules", "run", "-w", ws])
    assert ran.exit_code == 0, ran.output
    for fmt, column in (("csv", "campaign"), ("meta", "Campaign Name")):
        out = tmp_path / f"actions.{fmt}.csv"
        result = runner.invoke(app, ["rules", "export", "--format", fmt, "--out", str(out), "-w", ws])
        assert result.exit_code == 0, result.output
        names = [r[column] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))]
        assert "'" + FORMULA in names, names


def test_chunked_upload_over_the_limit_gets_413(workspace):
    from fastapi.testclient import TestClient

    from adbudget.web import create_app

    client = TestClient(create_app(workspace, upload_limit=1024))

    def chunks():
        for _ in range(64):
            yield b"x" * 1024

    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + b"x" * (80 * 1024) + f"\r\n--{boundary}--\r\n".encode()

    def stream():
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]

    response = client.post("/api/import", content=stream(),
                           headers={"content-type": f"multipart/form-data; boundary={boundary}",
                                    "x-csrf-token": "t"}, cookies={"adb_csrf": "t"})
    assert response.status_code == 413, response.text
    assert chunks  # (a plain generator body: no Content-Length, so only the streaming check can catch it)


def test_web_import_of_a_broken_utf16_file_is_a_located_error_not_500(workspace):
    from fastapi.testclient import TestClient

    from adbudget.web import create_app

    client = TestClient(create_app(workspace))
    data = b"\xff\xfe" + "date\tmarket\tchannel\tcampaign\tcurrency\tspend\n".encode("utf-16-le") + b"\x41"
    response = client.post("/api/import", files={"file": ("cut.csv", data, "text/csv")},
                           headers={"x-csrf-token": "t"}, cookies={"adb_csrf": "t"})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["file"] == "cut.csv" and errors[0]["line"] == 2 and "UTF-16" in errors[0]["reason"]
