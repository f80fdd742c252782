"""The brand chapter of the report and the dashboard's brand page, on a simulated workspace."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adbudget.report.brand import section
from adbudget.simulate import World
from adbudget.web.app import create_app
from adbudget.workspace import Workspace
from adbudget.workspace.simulate import world_settings

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    world = World.build(5, "tiny")
    w = Workspace.init(tmp_path_factory.mktemp("brand") / "ws", world_settings(world))
    w.load_world(world)
    yield w
    w.close()


def test_report_section_has_every_market_and_the_stop_scenario(ws) -> None:
    s = section(ws, "en")
    assert s.status == "ok"
    markets = {r["market"] for r in s.tables[0].rows}
    assert markets == {"US", "DE", "ID", "SA"}
    for r in s.tables[0].rows:
        assert r["share_lo"] <= r["share"] <= r["share_hi"] or r["share_hi"] == 0
        assert r["reason"]
    stop = s.tables[1].rows
    assert len(stop) == 4 * 12 and all(r["lo"] <= r["lost"] + 1e-9 for r in stop)
    assert s.figures and s.figures[0].id == "brand-stop"
    zh = section(ws, "zh")
    assert zh.title == "品牌（长期）" and "品牌" in zh.notes[0]


def test_dashboard_brand_page_and_api(ws) -> None:
    c = TestClient(create_app(ws), raise_server_exceptions=False)
    r = c.get("/brand", headers=HTML)
    assert r.status_code == 200 and "brand-stop" in r.text and 'href="/brand"' in r.text
    api = c.get("/api/brand").json()
    assert api["status"] == "ok" and api["key"] == "brand"


def test_empty_workspace_says_so(tmp_path) -> None:
    from adbudget.config import default_settings

    w = Workspace.init(tmp_path / "ws", default_settings(["US"]))
    try:
        s = section(w, "en")
        assert s.status == "empty" and "import" in s.message
    finally:
        w.close()
