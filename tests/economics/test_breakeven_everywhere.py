"""One break-even per market, whichever command or page shows it (issue 22).

The market of the issue: gross margin 50 %, returns 10 %, payment fees 3 %, shipping 5 per
order, average order value 50. Per unit of net revenue it keeps
0.50 - 0.03 / 0.9 - 5 / (0.9 x 50) = 0.35556, so its break-even ROAS is 2.8125 (the
planner's old formula gave the same; the tests page said 3.13 and the rules 3.70).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.economics import UnitEconomics, breakeven_roas
from adbudget.experiments import breakeven_roas as experiments_breakeven
from adbudget.plan import value_per_revenue
from tests.web.conftest import hill_curves
from tests.web.data import make_workspace

US_BE = 1.0 / (0.50 - 0.03 / 0.9 - 5.0 / (0.9 * 50.0))  # 2.8125, by hand
LTV_US_META = 1.5


def test_the_issue_numbers():
    assert US_BE == pytest.approx(2.8125)
    e = UnitEconomics(gross_margin_pct=50, return_rate_pct=10, payment_fee_pct=3,
                      shipping_cost_per_order=5, order_value=50)
    assert e.breakeven_roas == pytest.approx(US_BE)
    assert breakeven_roas(50, 10, 3, 5, 50) == pytest.approx(US_BE)
    assert experiments_breakeven(50, 10, 3, 5, 50) == pytest.approx(US_BE)
    assert e.breakeven_roas_ltv(LTV_US_META) == pytest.approx(US_BE / LTV_US_META)
    # profit of a (revenue, spend) pair is zero exactly at break-even
    assert e.profit(US_BE * 100.0, 100.0) == pytest.approx(0.0, abs=1e-9)
    # nothing left for ads: no ROAS pays
    assert UnitEconomics(gross_margin_pct=5, payment_fee_pct=3, shipping_cost_per_order=5,
                         order_value=10).breakeven_roas == math.inf
    with pytest.raises(TypeError):  # keyword-only: margins are too easy to swap by position
        UnitEconomics(50, 3, 5)  # type: ignore[misc]


def test_rule_text_names_the_ltv_breakeven_apart():
    from adbudget.rules import parse_condition

    assert parse_condition("roas(last_7d) < breakeven_roas_ltv")["than"] == {"target": "breakeven_roas_ltv"}
    assert parse_condition("roas(last_7d) < breakeven_roas")["than"] == {"target": "breakeven_roas"}


def test_simulator_scores_with_the_same_formula():
    from adbudget.simulate.spec import build_spec

    spec = build_spec(seed=3, size="small")
    for m in spec.markets:
        hand = (m.gross_margin_pct / 100 - m.payment_fee_pct / 100 / (1 - m.return_rate_pct / 100)
                - m.shipping_cost_per_order / ((1 - m.return_rate_pct / 100) * m.aov))
        assert m.profit_margin() == pytest.approx(hand, rel=1e-12)


@pytest.fixture
def seller(tmp_path, monkeypatch):
    """The web tests' workspace with US set to the issue's economics and AOV 50; curves are
    known Hill curves and the LTV multiplier of US/meta is 1.5 (no fitted model needed)."""
    from adbudget.workspace import LtvService, Workspace

    ws = make_workspace(tmp_path / "ws", with_plan=False)
    ws.store.execute("UPDATE orders SET revenue = 50, revenue_base = 50 WHERE market = 'US'")
    s = ws.settings
    us = s.markets["US"].model_copy(update={"gross_margin_pct": 50.0, "return_rate_pct": 10.0,
                                            "payment_fee_pct": 3.0, "shipping_cost_per_order": 5.0})
    ws.save_settings(s.model_copy(update={"markets": {**s.markets, "US": us}}))
    ws.close()
    monkeypatch.setattr(Workspace, "response_curves", lambda self, *a, **k: hill_curves())
    monkeypatch.setattr(LtvService, "ltv_value_multipliers",
                        lambda self, *a, **k: {("US", "meta"): LTV_US_META})
    return tmp_path / "ws"


def _cli(*args: str) -> object:
    res = CliRunner().invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_one_breakeven_on_every_command_and_page(seller):
    from fastapi.testclient import TestClient

    from adbudget.web import create_app
    from adbudget.workspace import Workspace

    seen: dict[str, float] = {}
    # plan --json: every US line, first-order; the LTV one labelled apart
    plan = _cli("plan", "-b", "20000", "-p", "2025-03", "-w", str(seller))
    us = [ln for ln in plan["lines"] if ln["market"] == "US" and ln["bucket"] != "reserve"]
    assert us
    for ln in us:
        assert ln["breakeven_roas"] == pytest.approx(US_BE)
    meta = [ln for ln in us if ln["channel"] == "meta" and ln["bucket"] == "performance"]
    assert meta and meta[0]["breakeven_roas_ltv"] == pytest.approx(US_BE / LTV_US_META)
    assert all(ln["breakeven_roas_ltv"] is None for ln in us if ln["channel"] != "meta")
    seen["plan"] = us[0]["breakeven_roas"]

    # rules run --json: a rule that reads breakeven_roas shows it per line
    rules = seller / "be.toml"
    rules.write_text('[[rules]]\nname = "show"\naction = { type = "notify", message = "x" }\n'
                     'when = { metric = "roas", window = "last_7d", op = "<", '
                     'than = { target = "breakeven_roas" }, factor = 100 }\n', encoding="utf-8")
    run = _cli("rules", "run", "--dry-run", "--date", "2025-03-03", "--file", str(rules),
               "-w", str(seller))
    rule_be = {a["market"]: a.get("metrics", {}).get("breakeven_roas") for a in run["actions"]}
    seen["rules"] = rule_be.get("US")

    # tests fatigue --json: the break-even each creative is judged against
    fat = _cli("tests", "fatigue", "-w", str(seller))
    fat_us = [r["breakeven_roas"] for r in fat if r["market"] == "US"]
    seen["tests"] = fat_us[0] if fat_us else None

    # the report's plan page and the dashboard's API
    with Workspace.open(seller) as ws:
        assert ws.breakeven_by_market()["US"] == pytest.approx(US_BE)
        targets = ws.rules_targets().set_index(["market", "channel"])
        assert targets.loc[("US", "*"), "breakeven_roas"] == pytest.approx(US_BE)
        assert targets.loc[("US", "meta"), "breakeven_roas"] == pytest.approx(US_BE)
        # rules may compare with the LTV break-even by its own name
        assert targets.loc[("US", "meta"), "breakeven_roas_ltv"] == pytest.approx(US_BE / LTV_US_META)
        assert targets.loc[("US", "google_search"), "breakeven_roas_ltv"] == pytest.approx(US_BE)
        section = ws.report_sections("en", pages=["plan"])["plan"]
        rows = [r for tbl in section.tables for r in tbl.rows
                if r.get("market") == "US" and r.get("breakeven_roas") is not None]
        seen["report"] = rows[0]["breakeven_roas"]
        ltv_rows = [r for r in rows if r.get("breakeven_roas_ltv") is not None]
        assert ltv_rows and all(r["channel"] == "meta" for r in ltv_rows)  # its own column
        assert all(r["breakeven_roas_ltv"] == pytest.approx(US_BE / LTV_US_META) for r in ltv_rows)
        labels = {c.key: c.label for tbl in section.tables for c in tbl.columns}
        assert labels["breakeven_roas_ltv"] != labels["breakeven_roas"]
        with TestClient(create_app(ws), raise_server_exceptions=False) as client:
            page = client.get("/api/plan").json()
        api_rows = [r for tbl in page["tables"] for r in tbl["rows"]
                    if r.get("market") == "US" and r.get("breakeven_roas") is not None]
        seen["dashboard"] = api_rows[0]["breakeven_roas"]
        assert value_per_revenue(ws.settings.markets["US"], 50.0) == pytest.approx(1 / US_BE)

    present = {k: v for k, v in seen.items() if v is not None}
    assert {"plan", "report", "dashboard", "rules", "tests"} <= set(present), seen
    for where, value in present.items():
        assert value == pytest.approx(US_BE, rel=1e-6), where
    assert np.isfinite(list(present.values())).all()
