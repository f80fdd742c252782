"""Workspace wiring and the CLI: plans saved with inputs, reloaded, exported; clean errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from adbudget.cli import plan as plan_cli
from adbudget.config import default_settings
from adbudget.plan.rounding import to_minor_units
from adbudget.workspace import Workspace
from tests.plan.test_planner import LINES, curves


@pytest.fixture
def ws(tmp_path, monkeypatch):
    w = Workspace.init(tmp_path / "ws", default_settings(["US", "DE", "ID"]))
    days = pd.date_range("2026-10-01", periods=35, freq="D")
    rows = []
    for d in days:
        for m, ch in LINES:
            cur = {"US": "USD", "DE": "EUR", "ID": "IDR"}[m]
            rows.append(dict(date=d.date(), market=m, channel=ch, account="a", campaign="c",
                             ad_group="g", creative="x", currency=cur, spend=100.0,
                             impressions=20000, clicks=300, conversions=10.0, revenue=400.0,
                             spend_base=100.0, revenue_base=400.0))
    df = pd.DataFrame(rows)
    w.store.con.register("df", df)
    w.store.execute("INSERT INTO ad_daily BY NAME SELECT *, 0 AS import_id FROM df")
    fx = pd.DataFrame({"date": [days[0].date()] * 2, "currency": ["EUR", "IDR"], "per_base": [0.9, 16000.0]})
    w.store.con.register("fx", fx)
    w.store.execute("INSERT INTO fx_rates BY NAME SELECT *, 0 AS import_id FROM fx")
    c = curves(draws=30)
    monkeypatch.setattr(Workspace, "response_curves", lambda self, markets=None: c, raising=False)
    yield w
    w.close()


def test_plan_saved_reloaded_and_exported(ws, tmp_path):
    result = ws.plan(100_000, "2026-12")
    assert result.plan_id == 1
    assert sum(to_minor_units(x.amount_base) for x in result.lines) == 10_000_000
    de = next(x for x in result.lines if x.market == "DE")
    assert de.amount_local == pytest.approx(de.amount_base * 0.9, abs=0.01)
    us_meta = next(x for x in result.lines if (x.market, x.channel, x.bucket) == ("US", "meta", "brand"))
    assert "CPM 5.00 (data)" in us_meta.reason  # 100 spend / 20,000 impressions
    again = ws.latest_plan()
    assert again.plan_id == 1 and again.records() == result.records()
    assert again.check == result.check and again.policies["US"].shares == result.policies["US"].shares
    assert again.inputs["budget"] == 100_000 and again.inputs["days"] == 31
    csv = ws.export_plan(tmp_path / "p.csv")
    df = pd.read_csv(csv)
    assert round(df["amount_base"].sum(), 2) == 100_000
    js = json.loads(ws.export_plan(tmp_path / "p.json").read_text(encoding="utf-8"))
    assert js["plan_id"] == 1 and len(js["lines"]) == len(result.lines)


def test_no_curves_says_run_fit(tmp_path, monkeypatch):
    from adbudget.errors import NotFittedError

    w = Workspace.init(tmp_path / "w2", default_settings(["US"]))
    monkeypatch.setattr(Workspace, "response_curves",
                        lambda self, markets=None: (_ for _ in ()).throw(NotFittedError("none")),
                        raising=False)
    with pytest.raises(NotFittedError, match="no fitted response model: run adbudget fit"):
        w.plan(1000, "2026-12")
    w.close()


@pytest.fixture
def app():
    a = typer.Typer()
    plan_cli.register(a)
    return a


def test_cli_plan_json_and_table(ws, app):
    root = str(ws.root)
    ws.close()
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "--budget", "100000", "--period", "2026-12", "-w", root,
                              "--buckets", "brand=25,performance=55,test=12,reserve=8", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["budget"] == 100000 and data["buckets"]["performance"] == pytest.approx(55000, abs=0.05)
    assert data["check"]["passed"] is True
    res = runner.invoke(app, ["plan", "-b", "100000", "-p", "2026-12", "-w", root, "--lang", "zh",
                              "--max-change", "50%"])
    assert res.exit_code == 0, res.output
    assert "已验证最优" in res.stdout and "计划 2026-12" in res.stdout
    res = runner.invoke(app, ["plans", "-w", root, "--json"])
    assert [r["id"] for r in json.loads(res.stdout)] == [1, 2]


def test_cli_errors_are_one_line(ws, app):
    root = str(ws.root)
    ws.settings.plan.line_caps.update({f"{m}.{c}": 1000.0 for m, c in LINES})
    ws.save_settings()
    ws.close()
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "-b", "1000", "-p", "2026-13", "-w", root])
    assert res.exit_code == 1 and "period '2026-13' not understood" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["plan", "-b", "1000", "-p", "2026-12", "-w", root, "--buckets", "performance=90"])
    assert res.exit_code == 2 and "add to 90%" in res.output
    res = runner.invoke(app, ["plan", "-b", "100000", "-p", "2026-12", "-w", root])
    assert res.exit_code == 1
    assert "US/meta: lower bound" in res.output and "(from max change ±30% vs last period's split) exceeds upper bound 1,000.00 (from cap)" in res.output
    res = runner.invoke(app, ["plan", "-b", "100000", "-p", "2026-12", "-w", root, "--max-change", "none"])
    assert res.exit_code == 1 and "allow at most 12,009.73 but the budget of growth and maturity markets" in res.output and "conflict: cap" in res.output


def test_cli_scenarios_and_frontier(ws, app):
    root = str(ws.root)
    ws.close()
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "-b", "50000,100000", "-p", "2026-12", "-w", root, "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["budget"] for r in rows] == [50000, 100000]
    res = runner.invoke(app, ["plan", "-b", "50000,100000,200000", "-p", "2026-12", "-w", root,
                              "--frontier", "--max-change", "none", "--json"])
    assert res.exit_code == 0, res.output
    fr = json.loads(res.stdout)
    assert [p["budget"] for p in fr["points"]] == [50000, 100000, 200000]
    assert np.isfinite(fr["points"][0]["profit"])


def test_the_plan_being_carried_out_names_its_brand_and_test_money(ws):
    """The next plan's performance move limit leaves out the brand and test money of the plan
    whose period the recent spend falls in (not a later scenario's)."""
    november = ws.plan(100_000, "2026-11")  # the data runs to 2026-11-04: being carried out
    ws.plan(90_000, "2026-12")  # a scenario for next month: not carried out yet
    expected: dict = {}
    for x in november.lines:
        if x.bucket in ("brand", "test"):
            expected[(x.market, x.channel)] = expected.get((x.market, x.channel), 0.0) + x.daily_budget_base
    got = ws.plans.plan_inputs(100_000, "2027-01").non_performance
    assert got is not None and set(got) == set(expected)
    assert got == pytest.approx(expected)
    assert got[("US", "meta")] > 0
