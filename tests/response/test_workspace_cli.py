"""Fit through the workspace: saved with hashes, refused when stale; the fit/curves commands."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from adbudget.cli.response import register
from adbudget.curves import ResponseCurves
from adbudget.errors import NotFittedError
from adbudget.i18n import catalog
from adbudget.response import from_bytes, to_bytes

from .helpers import shared_world, workspace_with


@pytest.fixture(scope="module")
def world():
    return shared_world()


def test_fit_save_load_and_refuse_when_stale(tmp_path, world):
    ws = workspace_with(tmp_path, world)
    with pytest.raises(NotFittedError):
        ws.response_curves()
    result = ws.fit(method="laplace", draws=60)
    curves = ws.response_curves()
    assert isinstance(curves, ResponseCurves)
    assert curves.lines == result.lines and curves.n_draws == 120
    np.testing.assert_allclose(curves.response(curves.current_spend),
                               result.curves().response(result.current_spend), rtol=1e-5)
    assert ws.response_curves(markets=["FR"]).lines == [("FR", "google_search"), ("FR", "meta"),
                                                        ("FR", "tiktok")]
    table = ws.curves_table(market="US", channel="meta")
    assert set(table.columns) >= {"spend", "mean", "lo", "hi"} and (table["lo"] <= table["hi"]).all()
    # new data -> refused until refit
    ws.store.execute("UPDATE ad_daily SET spend_base = spend_base * 2 WHERE market = 'US'")
    with pytest.raises(NotFittedError, match="data changed"):
        ws.response_curves()
    ws.store.execute("UPDATE ad_daily SET spend_base = spend_base / 2 WHERE market = 'US'")
    ws.response_curves()
    # settings change -> refused
    ws.settings.response.holdout_days = 7
    with pytest.raises(NotFittedError, match="settings"):
        ws.response_curves()
    ws.close()


def test_serialisation_round_trip(world):
    from adbudget.config.response import ResponseSettings
    from adbudget.response import fit_model

    r = fit_model(world.revenue, world.spend, world.regions, ResponseSettings(max_lag=10),
                  method="laplace", draws=30)
    back = from_bytes(to_bytes(r))
    assert back.lines == r.lines and back.notices == r.notices
    pd.testing.assert_frame_equal(back.summary, r.summary, check_dtype=False)
    np.testing.assert_allclose(back.draws["beta"], r.draws["beta"], rtol=1e-6)
    assert len(back.decomposition) == len(r.decomposition)


def test_lift_tests_in_other_currency_are_converted(tmp_path, world):
    ws = workspace_with(tmp_path, world)
    fx = pd.DataFrame({"date": [pd.Timestamp("2024-01-01").date()], "currency": ["EUR"], "per_base": [0.9]})
    ws.store.con.register("fx_df", fx)
    ws.store.execute("INSERT INTO fx_rates BY NAME SELECT *, 0 AS import_id FROM fx_df")
    lift = pd.DataFrame([{"test_id": "t", "market": "FR", "channel": "meta",
                          "start_date": pd.Timestamp("2024-03-01").date(),
                          "end_date": pd.Timestamp("2024-03-28").date(), "spend": 900.0,
                          "incremental_revenue": 1800.0, "incremental_revenue_se": 180.0,
                          "currency": "EUR", "method": "geo"}])
    ws.store.con.register("lift_df", lift)
    ws.store.execute("INSERT INTO lift_tests BY NAME SELECT *, 0 AS import_id FROM lift_df")
    got = ws._response_inputs(None)["lift_tests"].iloc[0]
    assert got["spend"] == pytest.approx(1000.0) and got["incremental_revenue"] == pytest.approx(2000.0)
    ws.close()


def _quick_fit(folder) -> tuple[CliRunner, typer.Typer, dict]:
    """`adbudget fit --method laplace --json` on the workspace; the runner, app and report."""
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    out = runner.invoke(app, ["fit", "-w", str(folder), "--method", "laplace", "--draws", "40", "--json"])
    assert out.exit_code == 0, out.output
    return runner, app, json.loads(out.stdout)


def test_cli_fit_and_curves(tmp_path, world):
    ws = workspace_with(tmp_path, world)
    ws.close()
    runner, app, report = _quick_fit(tmp_path)
    assert {r["channel"] for r in report["summary"]} == {"meta", "google_search", "tiktok"}
    assert "r2_in_sample" in report["diagnostics"]
    out = runner.invoke(app, ["curves", "-w", str(tmp_path), "--market", "fr", "--points", "5", "--json"])
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.stdout)) == 15
    out = runner.invoke(app, ["curves", "-w", str(tmp_path), "--market", "US", "--lang", "zh"])
    assert out.exit_code == 0 and "响应曲线" in out.stdout
    out = runner.invoke(app, ["fit", "-w", str(tmp_path), "--method", "bogus"])
    assert out.exit_code == 2 and "bogus" in out.output


def test_translations_have_same_keys_and_placeholders():
    import re

    en = {k: v for k, v in catalog("en").items() if k.startswith("response.")}
    zh = {k: v for k, v in catalog("zh").items() if k.startswith("response.")}
    assert en.keys() == zh.keys()
    for key in en:
        assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", zh[key])), key


def _small_weekly_spend_world():
    from adbudget.response.data import to_weekly
    from adbudget.response.synthetic import make_world

    world = make_world(["US"], ["meta", "tiktok"], days=364, seed=2)
    _, spend = to_weekly(world.revenue, world.spend, pd.Timestamp("2024-01-01"))
    return world, spend


def test_weekly_ad_rows_fit_weekly_with_daily_curves(tmp_path):
    """Ad spend exported weekly (rows dated on week starts) and revenue from daily orders."""
    from dataclasses import replace

    world, weekly_spend = _small_weekly_spend_world()
    ws = workspace_with(tmp_path, replace(world, spend=weekly_spend))
    ws.close()
    runner, app, report = _quick_fit(tmp_path)
    assert report["diagnostics"]["period_days"] == 7 and report["diagnostics"]["holdout_days"] == 28
    truth = world.truth.set_index("channel")["current_spend"]
    for row in report["summary"]:  # daily spend now = last 4 weeks / 28 days
        assert row["current_spend"] == pytest.approx(truth[row["channel"]], rel=0.01)
    out = runner.invoke(app, ["fit", "-w", str(tmp_path), "--method", "laplace", "--draws", "40"])
    assert out.exit_code == 0 and "are per day" in " ".join(out.stdout.split())
    out = runner.invoke(app, ["fit", "-w", str(tmp_path), "--granularity", "monthly"])
    assert out.exit_code == 2 and "monthly" in out.output


def test_cli_granularity_weekly_sums_daily_data(tmp_path):
    world, _ = _small_weekly_spend_world()
    ws = workspace_with(tmp_path, world)
    result = ws.fit(method="laplace", draws=30, granularity="weekly")
    assert result.diagnostics["period_days"] == 7
    ws.response_curves()  # the override is a fit-time choice: the saved fit is not stale
    daily_again = ws.fit(method="laplace", draws=30)
    assert daily_again.diagnostics["period_days"] == 1
    ws.close()
