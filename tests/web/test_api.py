"""The app in process: pages, JSON API, re-planning, CSRF, uploads, tokens, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from adbudget.errors import NotFittedError, UsageError
from adbudget.web import create_app
from adbudget.web.serve import plan_access

PAGES = ["/", "/plan", "/curves", "/attribution", "/tests", "/rules", "/import"]
HTML = {"accept": "text/html"}

GOOD_CSV = (b"date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,"
            b"clicks,conversions,revenue\n"
            b"2025-03-03,US,meta,a,c,g,cr,USD,10.5,100,5,1,30\n"
            b"2025-03-04,US,meta,a,c,g,cr,USD,11.5,100,5,1,30\n")
BAD_CSV = GOOD_CSV.replace(b"11.5", b"abc")  # line 3, column spend


def _csrf(client: TestClient) -> str:
    client.get("/", headers=HTML)
    return client.cookies["adb_csrf"]


def _count(client: TestClient, table: str) -> int:
    ws = client.app.state.adb.ws
    return int(ws.store.scalar(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders(client, path):
    r = client.get(path, headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'href="/static/plotly.min.js"' not in r.text  # script, not link
    assert '<script src="/static/plotly.min.js"></script>' in r.text
    assert "http://" not in r.text and "https://" not in r.text  # nothing from the internet
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_language_switch_changes_text_and_sticks(client):
    assert ">Overview<" in client.get("/", headers=HTML).text
    zh = client.get("/plan?lang=zh", headers=HTML).text
    assert ">总览<" in zh and "重新规划" in zh
    assert ">总览<" in client.get("/curves", headers=HTML).text  # cookie remembers


def test_pages_of_missing_areas_say_so(tmp_path, web_ws):
    class Bare(type(web_ws)):
        curves_table = None
        response_fit = None
        attribute = None
        experiments_status = None
        rules_run = None

    root = web_ws.root
    web_ws.close()
    ws = Bare.open(root)
    try:
        c = TestClient(create_app(ws), raise_server_exceptions=False)
        for path, method in (("/curves", "response_fit"), ("/attribution", "attribute"),
                             ("/tests", "experiments_status"), ("/rules", "rules_run")):
            r = c.get(path, headers=HTML)
            assert r.status_code == 200 and 'data-status="not_built"' in r.text
            assert method in r.text
        assert c.get("/api/curves").json()["status"] == "not_built"
    finally:
        ws.close()


def test_not_fitted_is_plain(client):
    ws = client.app.state.adb.ws

    def no_fit(*a, **k):
        raise NotFittedError("no saved response model")

    ws.curves_table = no_fit
    body = client.get("/api/curves").json()
    assert body["status"] == "not_fitted" and "adbudget fit" in body["message"]
    assert "no fitted model yet" in client.get("/curves", headers=HTML).text.lower()


def test_api_sections_and_openapi(client):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/overview", "/api/plan", "/api/curves", "/api/attribution", "/api/tests",
                 "/api/rules", "/api/import", "/api/plan.csv"):
        assert path in schema["paths"], path
    body = client.get("/api/overview").json()
    assert body["status"] == "ok" and body["figures"] and body["figures"][0]["spec"]["data"]
    plan = client.get("/api/plan").json()
    assert plan["status"] == "ok"
    assert "fig-plan-frontier" not in {f["id"] for f in plan["figures"]}  # loaded separately
    body = client.get("/api/plan/frontier").json()
    assert body["status"] == "ok"
    assert body["plan_budget"] == pytest.approx(18000)
    budgets = [p["budget"] for p in body["points"]]
    assert budgets[:2] == [4500, 9000] and 18000 in budgets  # the plan's own budget is a point
    assert 'data-src="/api/plan/frontier?lang=en"' in client.get("/plan", headers=HTML).text
    assert sum(line["amount_base"] for line in plan["data"]["lines"]) == pytest.approx(18000)


def test_api_replan_changes_totals(client):
    r = client.post("/api/plan", json={"budget": 24000, "period": "2025-04"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert sum(line["amount_base"] for line in body["data"]["lines"]) == pytest.approx(24000)
    latest = client.get("/api/plan").json()
    assert latest["data"]["period"] == "2025-04"
    assert sum(line["amount_base"] for line in latest["data"]["lines"]) == pytest.approx(24000)
    csv = client.get("/api/plan.csv")
    assert csv.status_code == 200 and csv.text.startswith("bucket,market,channel,amount_base")


@pytest.mark.parametrize("payload", [{"budget": -5}, {"budget": 0}, {"budget": "x"}, {},
                                     {"budget": 10, "objective": "fame"}])
def test_api_replan_rejects_bad_input(client, payload):
    assert client.post("/api/plan", json=payload).status_code == 422


def test_api_replan_without_planner_or_fit(web_ws):
    c = TestClient(create_app(web_ws), raise_server_exceptions=False)
    if not callable(getattr(web_ws, "plan", None)):
        assert c.post("/api/plan", json={"budget": 1000}).status_code == 501

    def no_fit(*a, **k):
        raise NotFittedError("no saved response model")

    web_ws.plan = no_fit
    r = c.post("/api/plan", json={"budget": 1000})
    assert r.status_code == 409 and "adbudget fit" in r.json()["detail"]


def test_form_replan_needs_csrf(client):
    r = client.post("/plan", data={"budget": "30000"}, headers=HTML)
    assert r.status_code == 403
    assert client.get("/api/plan").json()["data"]["budget"] == pytest.approx(18000)
    token = _csrf(client)
    r = client.post("/plan", data={"budget": "30000", "period": "2025-05", "csrf_token": token},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/plan", headers=HTML).text
    assert "30,000" in page
    bad = client.post("/plan", data={"budget": "-1", "csrf_token": token}, headers=HTML)
    assert bad.status_code == 200 and "positive" in bad.text


def test_cross_site_posts_are_refused(client):
    token = _csrf(client)
    r = client.post("/plan", data={"budget": "30000", "csrf_token": token},
                    headers={"origin": "http://evil.example", **HTML})
    assert r.status_code == 403
    r = client.post("/api/plan", content=b"budget=5", headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code in (403, 422)
    assert client.get("/api/plan").json()["data"]["budget"] == pytest.approx(18000)


def test_upload_preview_then_commit(client):
    token = _csrf(client)
    before = _count(client, "ad_daily")
    r = client.post("/import/preview", data={"csrf_token": token},
                    files={"file": ("../../etc/meta.csv", GOOD_CSV, "text/csv")}, headers=HTML)
    assert r.status_code == 200, r.text
    assert "meta.csv" in r.text and "2025-03-03" in r.text and 'id="commit"' in r.text
    assert _count(client, "ad_daily") == before  # preview writes nothing
    upload_id = r.text.split('name="upload_id" value="')[1].split('"')[0]
    r = client.post("/import/commit", data={"csrf_token": token, "upload_id": upload_id},
                    headers=HTML)
    assert r.status_code == 200 and _count(client, "ad_daily") == before + 2
    again = client.post("/import/commit", data={"csrf_token": token, "upload_id": upload_id},
                        headers=HTML)
    assert again.status_code == 410  # an upload commits once


def test_bad_upload_shows_line_error_and_changes_nothing(client):
    token = _csrf(client)
    before = _count(client, "ad_daily")
    r = client.post("/import/preview", data={"csrf_token": token},
                    files={"file": ("bad.csv", BAD_CSV, "text/csv")}, headers=HTML)
    assert r.status_code == 200
    assert 'data-line="3"' in r.text and "bad.csv:3" in r.text and "spend" in r.text
    assert 'id="commit"' not in r.text
    assert _count(client, "ad_daily") == before


def test_upload_limits_and_types(planning_ws):
    c = TestClient(create_app(planning_ws, upload_limit=1024), raise_server_exceptions=False)
    c.get("/", headers=HTML)
    token = c.cookies["adb_csrf"]
    big = GOOD_CSV + b"2025-03-05,US,meta,a,c,g,cr,USD,1,1,1,1,1\n" * 100
    r = c.post("/import/preview", data={"csrf_token": token},
               files={"file": ("big.csv", big, "text/csv")}, headers=HTML)
    assert r.status_code == 413
    r = c.post("/import/preview", data={"csrf_token": token},
               files={"file": ("x.exe", b"MZ", "application/octet-stream")}, headers=HTML)
    assert r.status_code == 200 and ".csv" in r.text and 'id="commit"' not in r.text
    r = c.post("/api/import", files={"file": ("big.csv", big, "text/csv")},
               headers={"x-csrf-token": token})
    assert r.status_code == 413


def test_api_import_dry_run_reports_line_errors(client):
    token = _csrf(client)
    before = _count(client, "ad_daily")
    r = client.post("/api/import", files={"file": ("bad.csv", BAD_CSV, "text/csv")},
                    headers={"x-csrf-token": token})
    assert r.status_code == 422  # a refused file: the located errors in the body
    body = r.json()
    assert body["ok"] is False and body["errors"][0]["line"] == 3
    assert body["errors"][0]["column"] == "spend"
    r = client.post("/api/import", files={"file": ("ok.csv", GOOD_CSV, "text/csv")})
    assert r.status_code == 403  # a multipart post without the CSRF header
    assert _count(client, "ad_daily") == before


def test_token_protects_every_request(planning_ws):
    app = create_app(planning_ws, token="s3cret-token")
    c = TestClient(app, raise_server_exceptions=False)
    for path in ("/", "/api/overview", "/api/openapi.json", "/static/plotly.min.js"):
        assert c.get(path).status_code == 401, path
        assert c.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/overview", headers={"authorization": "Bearer s3cret-token"}
                 ).status_code == 200
    assert c.get("/", headers={"x-adbudget-token": "s3cret-token"}).status_code == 200
    r = c.get("/plan?lang=zh&token=s3cret-token", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/plan?lang=zh"
    assert "adb_token" in c.cookies and "HttpOnly" in r.headers["set-cookie"]
    assert c.get("/plan", headers=HTML).status_code == 200  # cookie carries it from now on
    assert c.post("/api/plan", json={"budget": 1}, headers={"authorization": "Bearer x"}
                  ).status_code == 401


def test_serve_requires_token_off_loopback():
    assert plan_access("127.0.0.1", None) == (None, False)
    assert plan_access("::1", None) == (None, False)
    token, generated = plan_access("0.0.0.0", None)
    assert generated and token and len(token) >= 24
    long_token = "a-long-enough-token-42"
    assert plan_access("0.0.0.0", long_token) == (long_token, False)
    assert plan_access("127.0.0.1", "mine") == ("mine", False)  # loopback: any non-blank token
    for short in ("mine", "x", "123456789012345"):  # issue 20: short tokens refused off loopback
        with pytest.raises(UsageError, match="at least 16"):
            plan_access("0.0.0.0", short)
    for blank in (" ", "", " padded-token-1234567 "):
        with pytest.raises(UsageError):
            plan_access("127.0.0.1", blank)


def test_host_header_checked_on_loopback(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "127.0.0.1:8765"}).status_code == 200


def test_errors_never_show_a_stack_trace(client):
    def boom():
        raise RuntimeError("secret internals")

    client.app.add_api_route("/boom", boom)
    for headers in (HTML, {"accept": "application/json"}):
        r = client.get("/boom", headers=headers)
        assert r.status_code == 500
        assert "Traceback" not in r.text and "secret internals" not in r.text
    r = client.get("/does-not-exist", headers=HTML)
    assert r.status_code == 404 and "Traceback" not in r.text


def test_curves_page_marks_today_and_plan(client):
    from tests.web.conftest import hill_curves

    body = client.get("/api/curves").json()
    assert body["status"] == "ok"
    assert {f["id"] for f in body["figures"]} == {"fig-curve-US", "fig-curve-DE"}
    facts = {(r["market"], r["channel"]): r for r in body["tables"][0]["rows"]}
    curves = hill_curves()
    for n, line in enumerate(curves.lines):
        assert facts[line]["current"] == pytest.approx(curves.current_spend[n])
    # planned daily spend = the stored plan's daily budget (6000 / 30 for US meta)
    assert facts[("US", "meta")]["planned"] == pytest.approx(200.0)
    # marginal ROAS read at today's spend, below the average ROAS on a concave curve
    assert 0 < facts[("US", "meta")]["marginal_roas"]
    html = client.get("/curves", headers=HTML).text
    assert 'id="fig-curve-US"' in html


def test_default_language_from_serve(planning_ws):
    c = TestClient(create_app(planning_ws, default_lang="zh"))
    assert ">总览<" in c.get("/", headers=HTML).text
    assert ">Overview<" in c.get("/?lang=en", headers=HTML).text


def test_rules_dry_run_apply_and_export(client):
    from dataclasses import dataclass, field
    from datetime import date

    import pandas as pd

    calls = []

    @dataclass
    class Ev:
        as_of: date = date(2025, 3, 3)
        actions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame([
            {"rule": "stop-loss", "line": "US|meta|c", "action": "pause",
             "metrics": "roas:last_7d=0.4"}]))
        n_rules: int = 2
        n_lines: int = 6
        n_candidates: int = 1
        n_skipped: int = 0

    @dataclass
    class Run:
        evaluation: Ev
        applied: bool

    def rules_run(date=None, dry_run=True, rule_files=None):
        calls.append(dry_run)
        return Run(Ev(), not dry_run)

    client.app.state.adb.ws.rules_run = rules_run
    page = client.get("/rules", headers=HTML).text
    assert "stop-loss" in page and "roas:last_7d=0.4" in page and calls == [True]
    csv = client.get("/api/rules.csv")
    assert csv.status_code == 200 and "stop-loss" in csv.text and "pause" in csv.text
    token = _csrf(client)
    assert client.post("/rules/apply", data={}, headers=HTML).status_code == 403
    assert False not in calls  # nothing applied without the CSRF token
    # nothing ticked: nothing applied
    r = client.post("/rules/review", data={"csrf_token": token}, headers=HTML)
    assert r.status_code == 200 and "No action was ticked" in r.text and False not in calls
    assert "nothing was applied" in client.get("/rules?skip=1", headers=HTML).text
