"""Workspace wiring and the `ltv`, `cohorts`, `funnel` commands (en and zh, JSON)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from adbudget.config import default_settings
from adbudget.errors import NotFittedError
from tests.ltv.conftest import insert, make_funnel
from tests.ltv.world import MarketWorld, make_orders

WORLDS = {
    "US": MarketWorld(0.5, 8.0, 0.8, 3.0, 5.0, 4.0, 20.0, 600),
    "DE": MarketWorld(0.3, 6.0, 1.2, 2.0, 4.0, 3.0, 10.0, 400),
}


@pytest.fixture(scope="module")
def ws_path(tmp_path_factory):
    from adbudget import Workspace

    root = tmp_path_factory.mktemp("ltv") / "ws"
    settings = default_settings(["US", "DE", "GB", "ID"])
    settings.ltv.draws = 40  # intervals are not what these tests check
    ws = Workspace.init(root, settings)
    orders = make_orders(WORLDS, seed=11, total_days=420, acquire_days=300)
    orders = orders.drop(columns=[])
    orders.loc[orders.index % 7 == 0, "first_touch_channel"] = None  # some without channel
    insert(ws, "orders", orders)
    rates = {"US": (0.09, 0.5, 0.7), "DE": (0.09, 0.5, 0.4), "GB": (0.092, 0.49, 0.71),
             "ID": (0.088, 0.51, 0.69)}
    funnel = make_funnel(rates, days=60, start="2025-01-01", seed=2)
    insert(ws, "funnel_daily", funnel)
    ws.close()
    return root


@pytest.fixture
def ws(ws_path):
    from adbudget import Workspace

    w = Workspace.open(ws_path)
    yield w
    w.close()


@pytest.fixture(scope="module")
def cli():
    import typer

    from adbudget.cli.ltv import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, list(args))

    return run


def test_ltv_saves_and_multipliers_reuse_the_fit(ws):
    report = ws.ltv()
    mult = ws.ltv_value_multipliers()
    assert mult == report.multipliers(ws.settings.channels)
    assert set(mult) >= {("US", "meta"), ("DE", "google_search")}
    # a channel without customers gets its market's multiplier
    us = next(s for s in report.segments if s.market == "US" and s.channel == "*")
    assert mult[("US", "youtube")] == pytest.approx(us.multiplier)
    assert ("GB", "meta") not in mult  # no orders in GB
    saved = ws.store.query("SELECT name, model_version FROM models WHERE name = 'ltv'")
    assert len(saved) == 1
    # the cache answers without refitting
    ws.ltv = None  # type: ignore[assignment]
    assert ws.ltv_value_multipliers() == mult


def test_calibration_end_gives_a_holdout_check(ws):
    report = ws.ltv(calibration_end="2024-12-01", horizon_days="90d")
    assert report.horizon_days == 90 and report.holdout_days > 30
    pool = next(s for s in report.segments if s.market == "*")
    assert pool.holdout_actual > 0
    assert pool.holdout_predicted == pytest.approx(pool.holdout_actual, rel=0.35)


def test_funnel_flags_de_purchase(ws):
    rep = ws.funnel()
    de = next(m for m in rep.markets if m.market == "DE")
    assert de.weakest_step == "purchase"
    assert de.gain_revenue is None or de.gain_revenue >= 0


def test_no_orders_is_a_clear_error(tmp_path):
    from adbudget import Workspace

    ws = Workspace.init(tmp_path / "empty", default_settings(["US"]))
    try:
        with pytest.raises(NotFittedError):
            ws.ltv_value_multipliers()
        with pytest.raises(NotFittedError):
            ws.funnel()
    finally:
        ws.close()


def test_cli_ltv_json_has_params_of_every_model(cli, ws_path):
    r = cli("ltv", "--workspace", str(ws_path), "--json", "--by", "channel")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["horizon_days"] == 180
    for seg in data["segments"]:
        assert {"r", "alpha", "a", "b"} <= set(seg["bgnbd"])
        assert {"p", "q", "v"} <= set(seg["gamma_gamma"])


def test_cli_human_outputs_in_both_languages(cli, ws_path):
    r = cli("ltv", "--workspace", str(ws_path), "--calibration-end", "2024-12-01")
    assert r.exit_code == 0, r.output
    assert "LTV multiplier" in r.output and "Predicted" in r.output
    r = cli("ltv", "--workspace", str(ws_path), "--lang", "zh", "--by", "channel")
    assert r.exit_code == 0, r.output
    assert "LTV 倍数" in r.output
    r = cli("cohorts", "--workspace", str(ws_path), "--metric", "repeat_rate")
    assert r.exit_code == 0, r.output
    assert "Cohort" in r.output
    r = cli("funnel", "--workspace", str(ws_path), "--lang", "zh")
    assert r.exit_code == 0, r.output
    assert "最弱环节" in r.output
    r = cli("funnel", "--workspace", str(ws_path), "--market", "DE", "--json")
    data = json.loads(r.output)
    assert [m["market"] for m in data["markets"]] == ["DE"]
    assert data["markets"][0]["weakest_step"] == "purchase"


def test_cli_bad_options_exit_cleanly(cli, ws_path):
    r = cli("ltv", "--workspace", str(ws_path), "--by", "week")
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = cli("ltv", "--workspace", str(ws_path), "--horizon", "soon")
    assert r.exit_code == 2
    r = cli("funnel", "--workspace", str(ws_path), "--market", "XX")
    assert r.exit_code == 2
    r = cli("ltv", "--workspace", str(ws_path), "--market", "XX")
    assert r.exit_code == 2 and "XX" in r.output
    r = cli("ltv", "--workspace", str(ws_path), "--horizon", "0d")
    assert r.exit_code == 2
    r = cli("ltv", "--workspace", str(ws_path), "--calibration-end", "1990-01-01")
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_cohorts_json(cli, ws_path):
    r = cli("cohorts", "--workspace", str(ws_path), "--json", "--no-channel")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    rows = pd.DataFrame(data["rows"])
    assert set(rows["channel"]) == {"*"}
    assert rows["customers"].sum() == sum(w.customers for w in WORLDS.values())
