"""End to end: tagged rows in the store -> status, graduation, allocation, design, CLI."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from adbudget.cli.experiments import register
from adbudget.errors import InputError, SettingsError
from adbudget.i18n import catalog
from adbudget.workspace import Workspace

from .conftest import arm_rows, insert_ad_daily


@pytest.fixture
def ws(tmp_path, settings):
    w = Workspace.init(tmp_path / "ws", settings)
    # hook: the video arm converts 40 % better than the control, plenty of data
    insert_ad_daily(w, arm_rows(["[T:hook/static*]", "[T:hook/video]"], [0.03, 0.042], seed=1))
    # audience: three arms, still too little data (2 days)
    insert_ad_daily(w, arm_rows(["[T:aud/broad*]", "[T:aud/lookalike]", "[T:aud/interest]"],
                                [0.03, 0.03, 0.03], days=2, clicks_per_day=100, seed=2,
                                market="DE", channel="tiktok"))
    yield w
    w.close()


def test_status_scales_the_winner_and_graduates_it(ws):
    report = ws.experiments_status()
    exps = {e.experiment: e for e in report.experiments}
    assert set(exps) == {"hook", "aud"}
    hook = {a.arm: a for a in exps["hook"].arms}
    assert hook["video"].decision == "scale" and hook["static"].decision == "stop"
    assert hook["video"].p_beat_control > 0.99 and hook["static"].is_control
    assert "video" in hook["video"].reason and "static" in hook["video"].reason
    g = exps["hook"].graduation
    assert g.arm == "video" and g.market == "US" and g.channel == "meta"
    assert np.isclose(g.daily_budget_base, 2.0 * hook["video"].spend / 21)
    assert all(a.decision == "continue" and a.reason_code == "not_enough_data" for a in exps["aud"].arms)
    grads = ws.graduations()
    assert list(grads["arm"]) == ["video"]
    with pytest.raises(InputError):
        ws.experiments_status("nope")


def test_threshold_and_language(ws):
    from adbudget.i18n import set_language

    set_language("zh")
    try:
        hook = ws.experiments_status("hook").experiments[0]
        assert "放量" in hook.arms[1].reason
    finally:
        set_language("en")
    strict = ws.experiments_status("hook", loss_threshold=1e-3).experiments[0]
    assert strict.loss_threshold == 1e-3
    assert strict.arms[1].expected_loss < 1e-3  # every draw favours video: nothing to lose
    with pytest.raises(SettingsError):
        ws.experiments_status(loss_threshold=2.0)


def test_allocation_covers_live_arms_only(ws):
    df = ws.test_allocation(3000.0, period_days=30)
    assert set(df["experiment"]) == {"aud"}  # hook has ended
    assert np.isclose(df["amount"].sum(), 3000.0)
    assert (df["amount"] > 0).all() and set(df["market"]) == {"DE"}
    with pytest.raises(InputError):
        ws.test_allocation(0)


def test_design_uses_data_and_validates(ws):
    rep = ws.test_design("US", "meta", lift=0.2, daily_budget=2000)
    assert rep.assumptions_from_data
    assert abs(rep.design.cvr - 0.036) < 0.004 and abs(rep.design.cpc - 1.0) < 1e-6
    assert not ws.test_design("DE", "google_search").assumptions_from_data
    with pytest.raises(SettingsError):
        ws.test_design("XX", "meta")
    plan = ws.entry_test_plan("DE", 5000, days=14)
    assert plan.platforms[0] == "meta" and np.isclose(sum(c.budget for c in plan.cells), 5000)


def test_lift_and_fatigue_through_workspace(ws):
    df = pd.DataFrame(dict(test_id=["g1"], market=["US"], channel=["meta"],
                           start_date=[pd.Timestamp("2025-01-01").date()], end_date=[pd.Timestamp("2025-01-28").date()],
                           spend=[1000.0], incremental_revenue=[2500.0], incremental_revenue_se=[500.0],
                           currency=["USD"], method=["geo"]))
    ws.store.con.register("lt", df)
    ws.store.execute("INSERT INTO lift_tests BY NAME SELECT *, 0 AS import_id FROM lt")
    assert np.isclose(ws.lift_results()[0].iroas, 2.5)
    assert list(ws.lift_calibration()["iroas"]) == [2.5]
    fat = ws.creative_fatigue(markets=["US"])
    assert len(fat) == 2 and not any(f.fatigued for f in fat)


@pytest.fixture
def cli():
    app = typer.Typer()
    register(app)
    return app


def test_cli_commands(ws, cli):
    root = str(ws.root)
    ws.close()
    runner = CliRunner()
    out = runner.invoke(cli, ["tests", "status", "-w", root, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {e["experiment"] for e in data["experiments"]} == {"hook", "aud"}
    out = runner.invoke(cli, ["tests", "status", "-w", root, "--lang", "zh"])
    assert out.exit_code == 0 and "放量" in out.output
    out = runner.invoke(cli, ["tests", "allocate", "--budget", "1000", "-w", root, "--json"])
    assert out.exit_code == 0 and np.isclose(sum(r["amount"] for r in json.loads(out.output)), 1000)
    out = runner.invoke(cli, ["tests", "design", "--market", "US", "--budget", "4000", "-w", root])
    assert out.exit_code == 0 and "meta" in out.output
    for cmd in (["lift"], ["fatigue", "--all"], ["allocate", "--budget", "500"]):
        out = runner.invoke(cli, ["tests", *cmd, "-w", root])
        assert out.exit_code == 0, out.output
    bad = runner.invoke(cli, ["tests", "allocate", "--budget", "-5", "-w", root])
    assert bad.exit_code == 1 and "budget" in bad.output
    bad = runner.invoke(cli, ["tests", "design", "--market", "XX", "-w", root])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_translations_match():
    en = {k: v for k, v in catalog("en").items() if k.startswith("experiments.")}
    zh = {k: v for k, v in catalog("zh").items() if k.startswith("experiments.")}
    assert set(en) == set(zh)
    for key, text in en.items():
        assert set(re.findall(r"\{(\w+)", text)) == set(re.findall(r"\{(\w+)", zh[key])), key
    from adbudget.experiments.decide import DECISIONS, REASONS

    for code in REASONS:
        assert f"experiments.reason.{code}" in en
    for code in DECISIONS:
        assert f"experiments.decision.{code}" in en


def test_rows_prefiltered_in_sql_match_python(ws):
    in_sql = ws.experiment_rows()
    everything = ws.ad_daily()
    from adbudget.experiments.arms import tag_rows

    in_python = tag_rows(everything, ws._tag_rules())
    assert len(in_sql) == len(in_python) == len(everything)  # every fixture row is tagged
    # a pattern DuckDB's RE2 cannot run (lookahead) falls back to Python and still works
    ws.settings.experiments.tag_pattern = r"\[T:(?P<experiment>\w+)/(?P<arm>[\w-]+)(?=[*\]])(?P<control>\*)?\]"
    again = ws.experiment_rows()
    assert sorted(again["arm"].unique()) == sorted(in_sql["arm"].unique())


def test_entry_plan_defaults_to_the_plans_test_bucket(ws, monkeypatch):
    with pytest.raises(InputError):
        ws.entry_test_plan("DE")  # no plan saved, no budget given

    class _Plan:
        def to_frame(self):
            return pd.DataFrame(dict(bucket=["test", "test", "performance"], market=["DE", "US", "DE"],
                                     amount_base=[2400.0, 900.0, 10_000.0]))

    from adbudget.workspace import PlanStore

    monkeypatch.setattr(PlanStore, "read", lambda self, plan_id=None: _Plan())  # the one plan reader
    assert ws.test_bucket_budget("DE") == 2400.0
    plan = ws.entry_test_plan("DE")
    assert np.isclose(plan.budget, 2400.0) and np.isclose(sum(c.budget for c in plan.cells), 2400.0)


def test_other_metrics(ws):
    ws.settings.experiments.metric = "conversion_rate"
    hook = ws.experiments_status("hook").experiments[0]
    video = hook.arms[1]
    assert hook.metric == "conversion_rate" and video.metric == "conversion_rate"
    assert abs(video.metric_mean - video.cvr) < 0.002 and video.roas_mean > 1  # ROAS still reported
    assert video.decision == "scale" and "conversion rate" in video.reason
    ws.settings.experiments.metric = "revenue_per_click"
    video = ws.experiments_status("hook").experiments[0].arms[1]
    assert abs(video.metric_mean - video.revenue / video.clicks) < 0.1


def test_design_overrides(ws):
    rep = ws.test_design("ID" if "ID" in ws.settings.markets else "DE", "meta", cvr=0.05, cpc=0.1, order_value=20)
    d = rep.design
    assert (d.cvr, d.cpc, d.order_value) == (0.05, 0.1, 20) and rep.given == ["cpc", "cvr", "order_value"]
    with pytest.raises(InputError):
        ws.test_design("DE", "meta", cvr=1.5)


def test_declared_arms_survive_the_settings_file(tmp_path, settings):
    from adbudget.config.experiments import DeclaredArm

    settings.experiments.arms = [
        DeclaredArm(experiment="brand", arm="long", match=r"ad \[T:hook/static\*\]", control=True),
        DeclaredArm(experiment="brand", arm="short", match="ad .T:hook/video.", market="US"),
    ]
    w = Workspace.init(tmp_path / "w2", settings)
    insert_ad_daily(w, arm_rows(["[T:hook/static*]", "[T:hook/video]"], [0.03, 0.042], seed=1))
    w.close()
    w = Workspace.open(tmp_path / "w2")
    try:
        assert w.settings.experiments.tag_pattern == settings.experiments.tag_pattern
        (exp,) = w.experiments_status().experiments
        assert exp.experiment == "brand" and exp.control == "long"
        assert [a.arm for a in exp.arms] == ["long", "short"] and exp.graduation.arm == "short"
    finally:
        w.close()


def test_anchored_tag_pattern(ws):
    ws.settings.experiments.tag_pattern = r"^ad \[T:(?P<experiment>\w+)/(?P<arm>[\w-]+)(?P<control>\*)?\]$"
    rows = ws.experiment_rows()
    assert set(rows["experiment"]) == {"hook", "aud"} and len(rows) == len(ws.ad_daily())
