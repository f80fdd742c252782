"""Agency mode: selection, fan-out with a failing seller, the summary, CLI, report and web page.

Fast: the sellers are empty workspaces plus one tiny simulated seller (status only); the
fit-and-plan run over simulated sellers is in tests/agency/test_agency_plan.py (slow).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from adbudget.agency import find_sellers, load_summary, run_sellers, save_summary
from adbudget.agency.jobs import SellerResult
from adbudget.cli.app import app
from adbudget.errors import UsageError
from adbudget.report.agency import agency_section, write_agency_report
from adbudget.workspace import Workspace


@pytest.fixture(scope="module")
def agency(tmp_path_factory):
    """shop-a, shop-b: empty workspaces; shop-sim: a tiny simulated seller; broken: a
    workspace whose settings do not parse; notes: a folder that is not a workspace."""
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo

    root = tmp_path_factory.mktemp("agency")
    for name in ("shop-a", "shop-b"):
        Workspace.init(root / name).close()
    steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import")]
    run_demo(3, "tiny", root / "shop-sim", steps=steps)
    (root / "broken").mkdir()
    (root / "broken" / "adbudget.toml").write_text("base_currency = [1, 2\n", encoding="utf-8")
    (root / "notes").mkdir()
    return root


def test_selection_by_name_and_glob(agency) -> None:
    assert [s.name for s in find_sellers(agency)] == ["broken", "shop-a", "shop-b", "shop-sim"]
    assert [s.name for s in find_sellers(agency, ["shop-*"])] == ["shop-a", "shop-b", "shop-sim"]
    assert [s.name for s in find_sellers(agency, ["shop-b,broken"])] == ["broken", "shop-b"]
    with pytest.raises(UsageError, match="shop-x"):
        find_sellers(agency, ["shop-a", "shop-x"])
    with pytest.raises(UsageError, match="no seller workspaces"):
        find_sellers(agency / "notes")


@pytest.mark.parametrize("backend", ["serial", "process"])
def test_one_failure_never_stops_the_others(agency, backend) -> None:
    heard: list[str] = []
    results = run_sellers(find_sellers(agency), "status", backend=backend, workers=2,
                          on_done=lambda r: heard.append(r.seller))
    assert sorted(heard) == ["broken", "shop-a", "shop-b", "shop-sim"]
    by = {r.seller: r for r in results}
    assert [r.seller for r in results] == ["broken", "shop-a", "shop-b", "shop-sim"]  # sellers' order
    assert not by["broken"].ok and str(agency / "broken") in by["broken"].error
    assert all(by[s].ok for s in ("shop-a", "shop-b", "shop-sim"))
    assert by["shop-a"].spend_30d is None and "no ad data" in by["shop-a"].warnings


def test_spend_is_the_stores_last_30_days(agency) -> None:
    (res,) = run_sellers(find_sellers(agency, ["shop-sim"]), "status", backend="serial")
    with Workspace.open(agency / "shop-sim", read_only=True) as ws:
        spend = ws.store.con.execute(
            "SELECT sum(spend_base)::DOUBLE FROM ad_daily "
            "WHERE date > (SELECT max(date) FROM ad_daily) - INTERVAL 30 DAY").fetchone()[0]
    assert res.currency == "USD" and res.spend_30d == pytest.approx(spend) and spend > 0
    assert res.revenue_30d > 0


def test_cli_status_json_exit_code_and_summary_file(agency) -> None:
    r = CliRunner().invoke(app, ["agency", "status", "--dir", str(agency), "--backend", "serial",
                                 "--json"])
    assert r.exit_code == 1  # one seller failed
    doc = json.loads(r.stdout)
    assert [s["seller"] for s in doc["sellers"]] == ["broken", "shop-a", "shop-b", "shop-sim"]
    assert doc["totals"]["USD"]["sellers"] == 3
    saved = load_summary(agency)
    assert saved is not None and saved["action"] == "status" and len(saved["sellers"]) == 4
    ok = CliRunner().invoke(app, ["agency", "status", "--dir", str(agency), "-s", "shop-*",
                                  "--backend", "serial", "--lang", "zh"])
    assert ok.exit_code == 0, ok.output
    assert "代理汇总" in ok.output and "shop-sim" in ok.output
    bad = CliRunner().invoke(app, ["agency", "status", "--dir", str(agency), "-s", "nope"])
    assert bad.exit_code != 0 and "nope" in bad.output


def test_report_page_and_web_view(agency, tmp_path) -> None:
    results = [SellerResult("s1", "/x/s1", "plan", currency="USD", spend_30d=1000.0,
                            estimated_profit=250.0, plan_change_pct=0.1),
               SellerResult("s2", "/x/s2", "plan", ok=False, error="/x/s2: the store is locked")]
    root = tmp_path / "ag"
    root.mkdir()
    save_summary(root, "plan", results, 1.0, "serial")
    section = agency_section(load_summary(root), "en")
    kpis = {k.label: k.value for k in section.kpis}
    assert kpis["Sellers"] == 2 and kpis["Failed"] == 1
    assert kpis["Estimated true profit of the plans (USD)"] == 250.0
    assert section.tables[1].rows == [{"seller": "s2", "error": "/x/s2: the store is locked"}]
    html = write_agency_report(load_summary(root), tmp_path / "agency.html", "zh").read_text()
    assert "s2" in html and "/x/s2: the store is locked" in html and "代理" in html
    assert agency_section(None).status == "empty"

    from fastapi.testclient import TestClient

    from adbudget.web.app import create_app

    ws = Workspace.init(root / "s1")
    try:
        with TestClient(create_app(ws), raise_server_exceptions=False) as c:
            page = c.get("/agency")
        assert page.status_code == 200 and "s2" in page.text and "store is locked" in page.text
    finally:
        ws.close()


def test_pool_workers_are_single_threaded() -> None:
    """The pool is sized to the cores, so each worker keeps XLA, BLAS and DuckDB to one thread;
    a setting the user made wins, and XLA flags already set are kept."""
    from adbudget.agency.runner import _env, single_thread_env

    env = single_thread_env({"OMP_NUM_THREADS": "3", "XLA_FLAGS": "--xla_dump_to=/tmp/x"})
    assert env["OMP_NUM_THREADS"] == "3" and env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["MKL_NUM_THREADS"] == "1"
    flags = env["XLA_FLAGS"].split()
    assert flags[0] == "--xla_dump_to=/tmp/x"
    assert "--xla_cpu_multi_thread_eigen=false" in flags
    assert "--xla_force_host_platform_device_count=1" in flags
    # already single-threaded: nothing doubled
    assert single_thread_env(env)["XLA_FLAGS"] == env["XLA_FLAGS"]
    import os

    before = os.environ.get("OPENBLAS_NUM_THREADS")
    with _env({"OPENBLAS_NUM_THREADS": "1"}):
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before


@pytest.mark.parametrize(("lang", "more"), [("en", "… and 2 more"), ("zh", "……另有 2 条")])
def test_the_agency_table_shows_the_first_warning_and_a_readable_time(lang: str, more: str) -> None:
    """One warning and how many more, as the CLI shows them; the run's time to the minute (the
    page showed every warning in one cell and the raw ISO timestamp)."""
    from adbudget.report.agency import agency_section

    doc = {"action": "status", "updated_at": "2026-12-07T23:27:56+00:00", "sellers": [
        {"seller": "a", "ok": True, "currency": "USD", "spend_30d": 100.0, "plan_change_pct": 0.231,
         "warnings": ["first warning", "second", "third"]}]}
    s = agency_section(doc, lang)
    table = s.tables[0]
    assert "2026-12-07 23:27 UTC" in table.title
    assert table.rows[0]["warnings"] == "first warning " + more
    assert table.rows[0]["change"] == pytest.approx(23.1)  # a 0-100 "pct" cell
