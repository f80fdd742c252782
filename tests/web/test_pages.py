"""Dashboard pages through the app (no browser): language at display time, one profit,
stale labels, rules that contradict the plan."""

from __future__ import annotations

import html
import re
import time

import pytest

from adbudget.i18n import t
from tests.web.data import PLAN_LINES, store_plan

HTML = {"accept": "text/html"}


def _lines_with_keys():
    """The test plan's lines as the planner saves them today: text of the language the plan
    was made in (Chinese here) plus the reason's key and arguments."""
    out = []
    for line in PLAN_LINES:
        args = {"mroas": 1.6, "sat": 55.0}
        new = dict(line, reason_key="plan.reason.perf_free", reason_args=args,
                   reason=t("plan.reason.perf_free", "zh", mroas="1.60", sat="55"))
        out.append(new)
    return out


def test_a_plan_made_in_chinese_reads_in_english_on_the_english_page(client):
    ws = client.app.state.adb.ws
    store_plan(ws, _lines_with_keys(), 18000.0, "2025-03")
    client.app.state.adb.invalidate()
    en = html.unescape(client.get("/plan?lang=en", headers=HTML).text)
    zh = html.unescape(client.get("/plan?lang=zh", headers=HTML).text)
    assert t("plan.reason.perf_free", "en", mroas="1.60", sat="55") in en
    assert "边际" not in re.sub(r"<[^>]+>", " ", en.split('id="tbl-lines"')[1].split("</table>")[0])
    assert t("plan.reason.perf_free", "zh", mroas="1.60", sat="55") in zh


def test_profit_tile_table_total_and_currency(client):
    ws = client.app.state.adb.ws
    lines = [dict(line) for line in PLAN_LINES]
    lines[3]["expected_profit"] = None  # a line without a curve (the issue's -110 vs -3,268)
    plan_id = store_plan(ws, lines, 18000.0, "2025-03")
    # the planner's totals, saved in the plan's inputs like the plan area does
    import json
    totals = {"profit": -3268.0, "profit_lo": -7533.0, "profit_hi": 1546.0}
    inputs = {"format": 1, "result": {"days": 31, "base_currency": "USD", "totals": totals,
                                      "notes": [], "advice": []}}
    ws.store.execute("UPDATE plans SET inputs = ? WHERE id = ?", [json.dumps(inputs), plan_id])
    client.app.state.adb.invalidate()
    page = client.get("/plan?lang=en", headers=HTML).text
    tile = re.search(r'data-kpi="profit".*?data-value="([^"]*)"', page, re.S).group(1)
    total = re.search(r'data-total-profit="([^"]*)"', page).group(1)
    assert float(tile) == -3268.0 == float(total)  # not the sum of the lines with a curve
    assert "$-7,533.00" in page or "-$7,533.00" in page  # with its interval
    assert "$18,000.00" in page  # the budget with its symbol and ISO minor units


def test_stale_fit_is_labelled_and_offers_a_refit(client):
    from adbudget.workspace.dashboard import FitState

    state = client.app.state.adb
    state.ws.fit_state = lambda: FitState("stale", object(), "data changed")
    state.invalidate()
    page = html.unescape(client.get("/plan?lang=en", headers=HTML).text)
    assert 'id="stale-banner"' in page and 'action="/fit"' in page
    assert 'id="plan-stale"' in page
    zh = html.unescape(client.get("/?lang=zh", headers=HTML).text)
    assert t("web.stale.fit", "zh") in zh and t("web.fit.button", "zh") in zh


def test_fit_needs_csrf_and_reports_in_plain_words(client):
    state = client.app.state.adb
    calls = []
    state.ws.fit = lambda method=None, progress=None, **k: calls.append(method)
    r = client.post("/fit", data={"method": "svi", "next": "/plan"}, headers=HTML,
                    follow_redirects=False)
    assert r.status_code == 303 and calls == []
    client.get("/", headers=HTML)
    token = client.cookies["adb_csrf"]

    def refit(data):
        r = client.post("/fit", data={"csrf_token": token, **data}, headers=HTML,
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/fit/")
        job = r.headers["location"].rsplit("/", 1)[1]
        deadline = time.monotonic() + 30
        while not (body := client.get(f"/api/fit/{job}").json())["done"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        return body

    body = refit({"method": "svi", "next": "/plan"})
    assert calls == ["svi"] and body["stage"] == "done" and body["next"].startswith("/plan?msg=")
    assert "Model refitted" in client.get(body["next"], headers=HTML).text
    body = refit({"method": "bogus", "next": "//evil"})
    assert calls == ["svi", "svi"] and body["next"].startswith("/plan?")
    # a message is shown only by its server-made id: a link cannot put text on a page
    assert "forged" not in client.get("/plan?msg=forged&msg_text=forged", headers=HTML).text


@pytest.mark.parametrize("path", ["/", "/plan", "/model", "/ltv", "/cohorts", "/funnel", "/rules"])
def test_new_pages_answer_in_both_languages(client, path):
    for lang in ("en", "zh"):
        r = client.get(f"{path}?lang={lang}", headers=HTML)
        assert r.status_code == 200, (path, lang)
        assert f'data-lang="{lang}"' in r.text


def test_replan_says_what_changed(client):
    client.get("/", headers=HTML)
    token = client.cookies["adb_csrf"]
    r = client.post("/plan", data={"csrf_token": token, "budget": "27000", "period": "2025-04",
                                   "objective": "profit"}, headers=HTML)
    text = html.unescape(r.text)
    assert r.status_code == 200
    assert "Saved a new plan for 2025-04: budget $27,000.00" in text
    assert "The previous plan: budget $18,000.00" in text
