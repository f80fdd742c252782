"""Workspace.attribute on a real store and the `adbudget attribute` command."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from adbudget.cli.attribution import register
from adbudget.config import default_settings
from adbudget.workspace import Workspace

from .gen import known_effect_journeys


def _insert(ws, table: str, df: pd.DataFrame) -> None:
    ws.store.con.register("df_in", df)
    ws.store.execute(f"INSERT INTO {table} BY NAME SELECT *, 0 AS import_id FROM df_in")
    ws.store.con.unregister("df_in")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("attr") / "ws"
    ws = Workspace.init(root, default_settings(["US", "DE"]))
    t_us, o_us, _ = known_effect_journeys(n_users=3000, seed=1, market="US")
    t_de, o_de, _ = known_effect_journeys(n_users=2000, seed=2, market="DE")
    t_de["user_id"] = "de" + t_de["user_id"]
    o_de["customer_id"] = "de" + o_de["customer_id"]
    o_de["order_id"] = "de" + o_de["order_id"]
    _insert(ws, "touchpoints", pd.concat([t_us, t_de]))
    _insert(ws, "orders", pd.concat([o_us, o_de]))
    days = pd.date_range("2025-01-01", "2025-03-10")
    rows = [(d.date(), m, c, "acc", "c1", "g", "cr", "USD", 50.0, 1000, 10, 3.0, 150.0, 50.0, 150.0)
            for d in days for m in ("US", "DE") for c in ("meta", "google_search", "youtube")]
    cols = ("date market channel account campaign ad_group creative currency spend impressions "
            "clicks conversions revenue spend_base revenue_base").split()
    _insert(ws, "ad_daily", pd.DataFrame(rows, columns=cols))
    n_orders = len(o_us) + len(o_de)
    both = pd.concat([o_us, o_de])
    # spend is summed over the orders' period (first to last order day)
    days = (both.order_date.max() - both.order_date.min()).days + 1
    ws.close()
    return root, n_orders, days


def test_attribute_by_channel_joins_spend_and_platform_claims(workspace) -> None:
    root, n_orders, days = workspace
    with Workspace.open(root, read_only=True) as ws:
        rep = ws.attribute(model="markov", n_boot=20)
    tbl = rep.table.set_index("channel")
    assert rep.totals["orders"] == n_orders
    assert tbl["conversions"].sum() == pytest.approx(rep.totals["attributed_orders"])
    assert rep.totals["attributed_orders"] <= n_orders
    assert tbl.loc["meta", "spend"] == pytest.approx(2 * 50 * days)
    assert tbl.loc["meta", "platform_conversions"] == pytest.approx(2 * 3 * days)
    assert tbl.loc["meta", "overclaim"] == pytest.approx(2 * 3 * days / tbl.loc["meta", "conversions"])
    assert tbl.loc["meta", "roas"] == pytest.approx(tbl.loc["meta", "revenue"] / (2 * 50 * days))
    assert (tbl["conversions_lo"] <= tbl["conversions"] + 1e-9).all()
    assert (tbl["conversions"] <= tbl["conversions_hi"] + 1e-9).all()
    # email has no ad_daily rows: credit but no spend, no ROAS
    assert tbl.loc["email", "spend"] == 0 and pd.isna(tbl.loc["email", "roas"])
    assert pd.isna(tbl.loc["email", "overclaim"])  # nothing reported: no ratio, not 0


def test_attribute_by_market_and_campaign_and_comparisons(workspace) -> None:
    root, _, _ = workspace
    with Workspace.open(root, read_only=True) as ws:
        by_market = ws.attribute(model="shapley", by="market", n_boot=0)
        us = by_market.table[by_market.table.market == "US"]
        assert us["conversions"].sum() == pytest.approx(
            ws.attribution_paths(by="market").query("market == 'US'").total_conversions.sum())
        camp = ws.attribute(model="linear", by="campaign", n_boot=0, compare_models=True,
                            compare_windows=True)
    assert set(camp.table.campaign.dropna()) == {"c1"}
    assert {"last", "markov", "shapley", "linear"} <= set(camp.models.columns)
    for model in ("last", "markov", "shapley"):
        assert camp.models[model].sum() == pytest.approx(camp.totals["attributed_orders"])
    assert {"1d", "7d", "30d", "roas_7d"} <= set(camp.windows_table.columns)


def test_attribute_from_a_channelattribution_file(workspace, tmp_path) -> None:
    root, _, _ = workspace
    f = tmp_path / "paths.csv"
    f.write_text("path;total_conversions;total_conversion_value;total_null\n"
                 "meta > google_search;10;500;30\nyoutube > meta;5;200;40\nemail;1;20;9\n")
    with Workspace.open(root, read_only=True) as ws:
        rep = ws.attribute(model="markov", paths_file=f, n_boot=0)
    assert rep.totals["attributed_orders"] == 16
    assert rep.table.conversions.sum() == pytest.approx(16)
    assert rep.details["source"] == str(f)


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps `attribute` as a named sub-command
        pass

    return app


def test_cli_json_text_and_errors(workspace) -> None:
    root, n_orders, _ = workspace
    runner = CliRunner()
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--json", "--bootstrap", "5",
                                 "--model", "markov_auto"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["totals"]["orders"] == n_orders
    assert data["details"]["model"]["all"]["chosen_order"] in (1, 2, 3, 4)
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--lang", "zh", "--bootstrap", "0",
                                 "--compare-windows"])
    assert res.exit_code == 0, res.output
    assert "归因订单与收入" in res.output and "多报" in res.output
    # the touch-level model has no windows: --compare-windows says so instead of staying silent
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--bootstrap", "0",
                                 "--model", "hazard", "--compare-windows"])
    assert res.exit_code == 0, res.output
    assert "has no windows" in res.output and "--model markov --compare-windows" in res.output
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--by", "country"])
    assert res.exit_code == 2 and "country" in res.output
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--window", "3d-click"])
    assert res.exit_code == 2 and "one of" in res.output
    res = runner.invoke(_app(), ["attribute", "-w", str(root), "--model", "magic"])
    assert res.exit_code == 2 and "allowed" in res.output


def test_cli_empty_workspace_says_what_to_do(tmp_path) -> None:
    ws = Workspace.init(tmp_path / "empty", default_settings(["US"]))
    ws.close()
    res = CliRunner().invoke(_app(), ["attribute", "-w", str(tmp_path / "empty")])
    assert res.exit_code == 1 and "import touchpoints" in res.output


def test_settings_section_validates() -> None:
    from adbudget.config.settings import validate_settings
    from adbudget.errors import SettingsError

    base = default_settings(["US"]).model_dump(mode="json")
    ok = validate_settings({**base, "attribution": {"model": "shapley", "bootstrap": 10}})
    assert ok.attribution.model == "shapley" and ok.attribution.click_window_days == 7
    with pytest.raises(SettingsError, match="unknown attribution model"):
        validate_settings({**base, "attribution": {"model": "magic"}})
    with pytest.raises(SettingsError, match="unknown setting"):
        validate_settings({**base, "attribution": {"nope": 1}})
