"""Real browser: Debian's Chromium driven by Playwright against a loopback server.

Every page loads without console errors, charts render, the language switch changes text,
the budget field re-plans, a bad upload shows its line error and changes nothing, and the
offline report draws its charts from a file:// URL. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
# a selector, not a JS predicate: the pages' CSP forbids eval, which polling predicates need
PENDING = ".plot:not([data-rendered='1'])"
PAGES = [("overview", "/"), ("plan", "/plan"), ("curves", "/curves"),
         ("attribution", "/attribution"), ("tests", "/tests"), ("rules", "/rules"),
         ("import", "/import")]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

from tests.web.data import free_port  # noqa: E402

if sync_playwright is None or not Path(CHROMIUM).exists():
    pytest.skip("playwright or /usr/bin/chromium not available", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a free loopback port, over a small re-plannable workspace."""
    import uvicorn

    from adbudget.web import create_app
    from tests.web.conftest import planning_class
    from tests.web.data import make_workspace

    root = tmp_path_factory.mktemp("browser") / "ws"
    make_workspace(root).close()
    ws = planning_class().open(root)
    app = create_app(ws)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}", app.state.adb
    srv.should_exit = True
    thread.join(10)
    ws.close()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def context(browser):
    """One context for the module, so plotly.min.js is fetched once and then cached."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    context.clear_cookies()  # each test starts in English with fresh cookies
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    pg.close()


def test_every_page_loads_without_console_errors(server, page):
    base, _ = server
    for name, path in PAGES:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, name
        plots = page.locator(".plot")
        page.wait_for_selector(PENDING, state="detached", timeout=30000)
        for i in range(plots.count()):  # every chart drew something: bars or line paths
            el = plots.nth(i)
            assert el.get_attribute("data-rendered") == "1", (name, i)
            assert el.locator("svg.main-svg").count() > 0
            assert el.locator("g.trace path").count() > 0, (name, i)
        if name == "overview":
            assert plots.count() >= 4
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert page.errors == [], name


def test_language_switch(server, page):
    base, _ = server
    page.goto(base + "/plan")
    assert page.locator("[data-nav='overview']").inner_text() == "Overview"
    page.click("[data-lang='zh']")
    page.wait_for_load_state()
    assert page.locator("[data-nav='overview']").inner_text() == "总览"
    assert page.locator("#replan").inner_text() == "重新规划"
    page.screenshot(path=str(ARTIFACTS / "plan-zh.png"), full_page=True)
    page.click("[data-nav='curves']")  # the choice sticks
    assert page.locator("h1").inner_text() == "曲线"
    page.click("[data-lang='en']")
    assert page.locator("h1").inner_text() == "Curves"
    assert page.errors == []


def test_budget_field_replans_and_totals_change(server, page):
    base, state = server
    page.goto(base + "/plan")
    budget_kpi = page.locator(".kpi").first.locator(".kpi-value")
    before = budget_kpi.inner_text()
    page.fill("#budget", "27000")
    with page.expect_navigation():
        page.click("#replan")
    page.wait_for_selector(".plot[data-rendered='1']", timeout=15000)
    assert budget_kpi.inner_text() == "$27,000.00" != before
    total = sum(line["amount_base"] for line in state.run(state.ws.saved_plan)["lines"])
    assert total == pytest.approx(27000)
    page.screenshot(path=str(ARTIFACTS / "plan-replanned.png"), full_page=True)
    assert page.errors == []


def test_bad_upload_shows_line_error_and_changes_nothing(server, page, tmp_path):
    from tests.web.test_api import BAD_CSV

    base, state = server
    count = lambda: state.run(state.ws.store.scalar, "SELECT count(*) FROM ad_daily")  # noqa: E731
    before = count()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_CSV)
    page.goto(base + "/import")
    page.set_input_files("#file", str(bad))
    with page.expect_navigation():
        page.click("#preview")
    errors = page.locator("#import-errors")
    assert errors.is_visible()
    assert "bad.csv:3" in errors.inner_text() and "spend" in errors.inner_text()
    assert page.locator("#commit").count() == 0
    page.screenshot(path=str(ARTIFACTS / "import-bad.png"), full_page=True)
    assert count() == before
    assert page.errors == []


def test_offline_report_draws_charts(server, page, tmp_path):
    _, state = server
    out = state.run(state.ws.write_report, tmp_path / "plan.html", "en")
    page.context.route("http*://**", lambda route: route.abort())  # no network at all
    page.goto(out.as_uri())
    page.wait_for_function("document.querySelectorAll('.plot .main-svg').length > 0")
    assert page.locator(".plot .main-svg").count() >= 4
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "report.pdf")) if hasattr(page, "pdf") else None
    assert page.errors == []


@pytest.mark.slow
def test_demo_workspace_pages(browser, tmp_path):
    """Every page of a real demo workspace (``adbudget demo --dir DIR``, optionally fitted and
    planned) loads without console errors. Set ADBUDGET_DEMO_WS=DIR; it is copied first."""
    import os

    import uvicorn

    from adbudget.web import create_app
    from adbudget.workspace import Workspace

    src = os.environ.get("ADBUDGET_DEMO_WS")
    if not src or not (Path(src) / "adbudget.toml").exists():
        pytest.skip("set ADBUDGET_DEMO_WS to a demo workspace folder")
    root = tmp_path / "demo"
    shutil.copytree(src, root)
    ws = Workspace.open(root)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, path in PAGES:
            assert page.goto(f"http://127.0.0.1:{port}{path}").status == 200, name
            page.wait_for_selector(PENDING, state="detached", timeout=300_000)
            page.screenshot(path=str(ARTIFACTS / f"demo-{name}.png"), full_page=True)
            assert errors == [], name
    finally:
        context.close()
        srv.should_exit = True
        thread.join(10)
        ws.close()
