"""/api/curves carries the claims columns /api/model has (same names), the nav links every
page (brand, loop, agency included), and Plotly's Chinese locale has one copy."""

from __future__ import annotations

from importlib import resources

import pytest
from fastapi.testclient import TestClient

from adbudget.report.claims import CLAIM_FIELDS
from adbudget.report.render import plotly_locale_js, render_report
from adbudget.web import create_app
from tests.web.conftest import planning_class
from tests.web.test_own_views import _fit

HTML = {"accept": "text/html"}


@pytest.fixture
def fitted_client(tmp_path):
    """The planning stand-in with a saved fit that carries the platforms' claims."""
    from adbudget.workspace.dashboard import FitState
    from tests.web.data import make_workspace

    make_workspace(tmp_path / "ws").close()
    fit = _fit()

    class Fitted(planning_class()):
        def response_fit(self, check=True):
            return fit

        def fit_state(self):
            return FitState("ok", fit)

    ws = Fitted.open(tmp_path / "ws")
    with TestClient(create_app(ws), raise_server_exceptions=False) as c:
        yield c
    ws.close()


def test_api_curves_has_the_claims_columns_of_api_model(fitted_client):
    curves = fitted_client.get("/api/curves").json()
    model = fitted_client.get("/api/model").json()
    assert curves["status"] == model["status"] == "ok"
    title = model["tables"][-1]["title"]
    c_tb = [tb for tb in curves["tables"] if tb["title"] == title]
    assert c_tb, [tb["title"] for tb in curves["tables"]]
    assert [c["key"] for c in c_tb[0]["columns"]] == [c["key"] for c in model["tables"][-1]["columns"]]
    assert c_tb[0]["rows"] == model["tables"][-1]["rows"]
    meta = {(r["market"], r["channel"]): r for r in curves["data"]["lines"]}[("US", "meta")]
    m_meta = {(r["market"], r["channel"]): r for r in model["data"]["lines"]}[("US", "meta")]
    for f in CLAIM_FIELDS:
        assert meta[f] == pytest.approx(m_meta[f]), f
    assert meta["claimed_revenue"] == 30_000.0 and meta["incremental_share"] == 0.4
    assert curves["data"]["claims"]["sentences"] == model["data"]["claims"]["sentences"]
    zh = fitted_client.get("/api/curves?lang=zh").json()
    assert zh["data"]["claims"]["sentences"][0].startswith("US · Meta：平台声称 US$30,000.00")


def test_nav_links_every_page_including_brand_loop_and_agency(client):
    text = client.get("/", headers=HTML).text
    for key in ("loop", "brand", "agency", "model", "ltv", "import"):
        assert f'data-nav="{key}"' in text, key
    zh = client.get("/?lang=zh", headers=HTML).text
    assert 'data-nav="agency">代理商<' in zh
    agency = client.get("/agency", headers=HTML)
    assert agency.status_code == 200
    assert 'class="active" data-nav="agency"' in agency.text  # the page is its own nav entry


def test_plotly_chinese_locale_lives_in_one_file(client):
    js = client.get("/static/plotly-locale-zh.js")
    assert js.status_code == 200 and js.text == plotly_locale_js()
    assert "javascript" in js.headers["content-type"]
    assert 'shortMonths: ["1月"' in js.text
    page = client.get("/?lang=zh", headers=HTML).text
    assert page.index('src="/static/plotly.min.js"') < page.index('src="/static/plotly-locale-zh.js"')
    assert page.index('src="/static/plotly-locale-zh.js"') < page.index('src="/static/app.js"')
    app_js = (resources.files("adbudget.web") / "static" / "app.js").read_text(encoding="utf-8")
    assert "Plotly.register" not in app_js
    report = render_report({}, "zh", "ws", "USD")
    assert report.count("Plotly.register(") == 1 and plotly_locale_js() in report
