"""The written files: byte-identical per seed, and their totals equal the truth to the cent."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from adbudget.simulate import World, read_manifest

from .readers import read_native


def _digests(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tiny_files, tmp_path):
    out, _ = tiny_files
    again = tmp_path / "again"
    World.build(seed=11, size="tiny").write(again)
    assert _digests(out) == _digests(again)


def test_different_seed_gives_a_different_world(tiny_world):
    other = World.build(seed=12, size="tiny")
    a, b = tiny_world.spec.lines, other.spec.lines
    assert [ln.beta for ln in a][:3] != [ln.beta for ln in b][:3]
    assert not tiny_world.orders()["revenue"].head(50).equals(other.orders()["revenue"].head(50))


def test_manifest_lists_every_importable_file(tiny_files):
    out, manifest = tiny_files
    assert read_manifest(out).files == manifest.files
    sources = {f.source for f in manifest.files}
    assert {"meta", "google_ads", "tiktok", "amazon", "shopee", "lazada", "orders", "touchpoints",
            "funnel", "fx_rates", "margins", "lift_tests"} <= sources
    assert manifest.files[0].source == "fx_rates"  # rates before anything that needs them
    assert any(f.path.endswith(".tsv") for f in manifest.files)  # UTF-16 Google Ads variant
    for f in manifest.files:
        assert (out / f.path).stat().st_size > 0


def test_native_files_sum_to_truth_to_the_cent(tiny_files, tiny_world):
    out, manifest = tiny_files
    fx = pd.read_csv(out / "finance" / "fx_rates.csv", parse_dates=["date"])
    parts = [read_native(out / f.path, f.source, f.market) for f in manifest.files
             if f.kind == "ad_daily"]
    ads = pd.concat(parts, ignore_index=True)
    currency = {m.code: m.currency for m in tiny_world.spec.markets}
    ads["currency"] = ads["market"].map(currency)
    ads = ads.merge(fx, on=["date", "currency"], how="left")
    assert ads["per_base"].notna().all()
    ads["spend_base"] = (ads["spend"] / ads["per_base"]).round(4)
    ads["revenue_base"] = (ads["revenue"] / ads["per_base"]).round(4)
    got = ads.groupby(["date", "market", "channel"])[["spend_base", "revenue_base"]].sum()
    truth = pd.read_csv(out / "truth" / "daily_lines.csv", parse_dates=["date"])
    truth = truth[truth["spend"] > 0].set_index(["date", "market", "channel"])
    assert set(got.index) == set(truth.index)
    joined = truth.join(got)
    assert np.abs(joined["spend"] - joined["spend_base"]).max() < 0.005
    assert np.abs(joined["platform_revenue"] - joined["revenue_base"]).max() < 0.005


def test_orders_file_matches_truth(tiny_files, tiny_world):
    out, _ = tiny_files
    orders = pd.read_csv(out / "shop" / "orders.csv", dtype={"revenue": str})
    assert orders["order_id"].is_unique
    truth = pd.read_csv(out / "truth" / "daily_markets.csv")
    assert len(orders) == truth["orders"].sum()
    by_market = orders.groupby("market").size()
    assert by_market.to_dict() == truth.groupby("market")["orders"].sum().to_dict()
    # revenue in base from the written local amount and the written FX rate of the local day
    frame = tiny_world.orders()
    assert abs(frame["revenue_base"].sum() - truth["revenue"].sum()) < 0.01
    repeaters = orders.groupby("customer_id").size()
    assert (repeaters > 1).mean() > 0.05  # customers come back


def test_truth_json_is_complete(tiny_files, tiny_world):
    out, _ = tiny_files
    truth = json.loads((out / "truth.json").read_text())
    assert truth["seed"] == 11 and truth["size"] == "tiny"
    assert len(truth["lines"]) == len(tiny_world.spec.lines)
    assert {m["market"] for m in truth["markets"]} == {"US", "DE", "ID", "SA"}
    assert truth["weak_funnel_step"]["market"] in {"US", "DE", "ID", "SA"}
    assert World.from_truth(out / "truth.json").spec == tiny_world.spec


def test_round_trip_through_the_importers(tiny_files, tiny_world, tmp_path):
    from adbudget.workspace import Workspace

    if not hasattr(Workspace, "import_file"):
        pytest.skip("importers (ws.import_file) not available yet")
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo, world_settings

    # the demo's own steps do the import (so this also tests `adbudget demo`'s pipeline)
    steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import", "status")]
    ctx, outcomes = run_demo(11, "tiny", tmp_path / "demo", steps=steps)
    assert [o.skipped for o in outcomes] == [None, None, None]
    ws = ctx.ws
    _, manifest = tiny_files
    try:
        assert outcomes[1].result["files"] == len(manifest.files)
        assert ws.settings.ingest.market_patterns["US"] == "^US_"
        assert ws.settings == world_settings(tiny_world).model_copy(
            update={"markets": ws.settings.markets})  # margins came back through the import
        got = ws.store.query(
            "SELECT date, market, channel, CAST(sum(spend_base) AS DOUBLE) AS s, "
            "CAST(sum(revenue_base) AS DOUBLE) AS r FROM ad_daily GROUP BY ALL")
        got["date"] = pd.to_datetime(got["date"])
        truth = tiny_world.daily_lines()
        truth = truth[truth["spend"] > 0]
        joined = truth.merge(got, on=["date", "market", "channel"], how="outer", indicator=True)
        assert (joined["_merge"] == "both").all()
        assert np.abs(joined["spend"] - joined["s"]).max() < 0.005
        assert np.abs(joined["platform_revenue"] - joined["r"]).max() < 0.005
        orders = ws.store.query(
            "SELECT order_date AS date, market, count(*) AS n, CAST(sum(revenue_base) AS DOUBLE) AS r, "
            "CAST(sum(refunded_base) AS DOUBLE) AS f FROM orders GROUP BY ALL")
        orders["date"] = pd.to_datetime(orders["date"])
        tm = tiny_world.daily_markets()
        tm = tm[tm["orders"] > 0].merge(orders, on=["date", "market"], how="left")
        assert (tm["orders"] == tm["n"]).all()
        assert np.abs(tm["revenue"] - tm["r"]).max() < 0.01
        assert np.abs(tm["net_revenue"] - (tm["r"] - tm["f"])).max() < 0.01
        counts = ws.status().tables
        assert counts["touchpoints"] == len(tiny_world.touchpoints())
        assert counts["funnel_daily"] == len(tiny_world.funnel_daily())
        assert counts["lift_tests"] == len(tiny_world.lift_tests())
        m = ws.settings.markets["DE"]
        assert m.gross_margin_pct == tiny_world.spec.market("DE").gross_margin_pct
    finally:
        ws.close()


def test_load_world_without_files_matches_the_truth(tiny_world, tmp_path):
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import world_settings

    ws = Workspace.init(tmp_path / "ws", world_settings(tiny_world))
    try:
        counts = ws.load_world(tiny_world)
        assert counts["orders"] == len(tiny_world.orders())
        spend = ws.daily_spend()
        truth = tiny_world.daily_lines()
        truth = truth[truth["spend"] > 0]
        joined = truth.merge(spend, on=["date", "market", "channel"], suffixes=("", "_store"))
        assert len(joined) == len(truth)
        assert np.abs(joined["spend"] - joined["spend_store"]).max() < 0.005
        revenue = ws.daily_revenue()
        markets = tiny_world.daily_markets()
        assert abs(revenue["revenue"].sum() - markets["net_revenue"].sum()) < 0.01 * len(revenue)
        assert len(ws.touchpoints()) == len(tiny_world.touchpoints())
    finally:
        ws.close()
