"""The dashboard in Chromium over a real demo workspace (tiny world, quick SVI fit, built once).

Every page in English and Chinese at 1440 and 390 px: no horizontal page scroll, and no
English text on Chinese pages outside an allow-list (brands, ISO codes, metric acronyms,
and elements marked translate="no": the seller's own campaign and rule names). The flows:
import -> stale banner -> Refit -> re-plan; rules approve / confirm / undo; the profit tile
equals the plan's total and the frontier's point at the same budget.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
PENDING = ".plot:not([data-rendered='1'])"
PAGES = [("overview", "/"), ("plan", "/plan"), ("model", "/model"), ("curves", "/curves"),
         ("attribution", "/attribution"), ("tests", "/tests"), ("rules", "/rules"),
         ("loop", "/loop"), ("brand", "/brand"), ("agency", "/agency"),
         ("ltv", "/ltv"), ("cohorts", "/cohorts"), ("funnel", "/funnel"), ("import", "/import")]
# words that stay as they are in Chinese: brands, acronyms of metrics, codes
ALLOWED = {"meta", "tiktok", "youtube", "shopee", "lazada", "kol", "google", "amazon", "ads",
           "parquet", "xlsx", "gdpr", "roas", "mer", "mape", "svi", "nuts", "csv", "ltv", "bg",
           "nbd", "gamma", "adbudget", "plotly", "english", "usd", "eur", "cpm", "cpc", "ctr",
           "cvr", "iroas", "sku", "id", "mmm"}
# column names a seller types into an import file, quoted as such in messages
FILE_COLUMNS = ("baseline_spend",)

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

if sync_playwright is None or not Path(CHROMIUM).exists():
    pytest.skip("playwright or /usr/bin/chromium not available", allow_module_level=True)

ENGLISH_JS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,[translate="no"],.modebar,[hidden]')) continue;
    const s = n.textContent.trim();
    if (s) out.push(s);
  }
  return out;
}"""


def english_words(texts: list[str], own: set[str] = frozenset()) -> list[str]:
    """Words of English on a Chinese page: not a brand, acronym or ISO code, not a command in
    backticks, an adbudget.toml setting ([section] key) or an import-file column name, and not one of the seller's own names (*own*:
    experiment, arm, rule, campaign and lift-test names, which stay as the seller wrote them)."""
    bad = []
    for s in texts:
        # commands to type are code, their options too (adbudget loop --dir)
        s = re.sub(r"`[^`]*`|'?adbudget [a-z]+(?: --?[a-z][a-z-]*)*'?", " ", s)
        s = re.sub(r"(?<![\w-])--[a-z][a-z-]*", " ", s)  # an option to type: --method nuts
        # an English term glossed in parentheses after its Chinese words: 暂停 4-8 周（go-dark）
        s = re.sub(r"（[A-Za-z][A-Za-z -]*）", " ", s)
        # a setting as the seller writes it in adbudget.toml: [section] key
        s = re.sub(r"\[[a-z_]+\]\s*[a-z_]+", " ", s)
        for name in sorted(own, key=len, reverse=True):
            if name in s:  # whole names only, case as the seller wrote them
                s = re.sub(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", " ", s)
        for col in FILE_COLUMNS:
            s = s.replace(col, " ")
        for w in re.findall(r"[A-Za-z][A-Za-z'’]+", s):
            if w.lower() not in ALLOWED and not re.fullmatch(r"[A-Z]{2,3}", w):
                bad.append(f"{w!r} in {s[:80]!r}")
    return bad


def seller_names(ws) -> set[str]:
    """The seller's own names in the workspace (they are data, not interface text)."""
    names: set[str] = set()
    for sql in ("SELECT DISTINCT campaign FROM ad_daily", "SELECT DISTINCT ad_group FROM ad_daily",
                "SELECT DISTINCT creative FROM ad_daily", "SELECT DISTINCT test_id FROM lift_tests"):
        for v in ws.store.query(sql).iloc[:, 0]:
            if v:  # experiment tags and arms live inside campaign / ad group / creative names
                names.add(str(v))
                names |= set(re.split(r"[\s_\[\]():|/=,;*]+", str(v)))
    return {n for n in names if len(n) > 1 and not n.isdigit()}


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The tiny demo world (seed 7) imported, fitted (SVI), planned; served on loopback."""
    import uvicorn

    from adbudget.web import create_app
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo
    from tests.web.data import free_port

    root = tmp_path_factory.mktemp("dash") / "demo"
    # only the steps the pages need (the oracle, scoring and the report file are not shown)
    steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import", "fit", "plan", "rules")]
    ctx, outcomes = run_demo(7, "tiny", root, steps=steps)
    assert [o.name for o in outcomes if o.skipped] == [], [(o.name, o.skipped) for o in outcomes]
    if ctx.ws is not None:
        ctx.ws.close()
    ws = Workspace.open(root)
    app = create_app(ws)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}", app.state.adb, root
    srv.should_exit = True
    thread.join(10)
    ws.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _page(browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return ctx, page


def _visit_all(base, browser, width, check):
    ctx, page = _page(browser, width)
    problems: list[str] = []
    try:
        for lang in ("en", "zh"):
            for name, path in PAGES:
                r = page.goto(f"{base}{path}?lang={lang}")
                assert r is not None and r.status == 200, (name, lang)
                page.wait_for_selector(PENDING, state="detached", timeout=120_000)
                problems += check(page, name, lang)
        assert page.errors == []
    finally:
        ctx.close()
    return problems


@pytest.mark.parametrize("width", [1440, 390])
def test_every_page_both_languages_without_horizontal_scroll(demo_server, browser, width):
    base, _, _ = demo_server

    def check(page, name, lang):
        over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        return [f"{name} {lang} {width}px overflows by {over}px"] if over > 0 else []

    problems = _visit_all(base, browser, width, check)
    assert problems == [], "\n".join(problems)


def test_zh_pages_have_no_english_text(demo_server, browser):
    base, state, _ = demo_server
    own = state.run(seller_names, state.ws)

    def check(page, name, lang):
        if lang != "zh":
            return []
        return [f"{name}: {w}" for w in english_words(page.evaluate(ENGLISH_JS), own)]

    problems = _visit_all(base, browser, 1440, check)
    assert problems == [], "\n".join(problems[:60])


def test_profit_tile_equals_plan_total_and_frontier(demo_server, browser):
    base, state, _ = demo_server
    ctx, page = _page(browser, 1440)
    try:
        page.goto(f"{base}/plan?lang=en")
        page.wait_for_selector(PENDING, state="detached", timeout=180_000)
        tile = float(page.locator("[data-kpi='profit'] .kpi-value").get_attribute("data-value"))
        total = float(page.locator("[data-total-profit]").get_attribute("data-total-profit"))
        plan = state.run(state.ws.latest_plan)
        assert tile == pytest.approx(plan.totals["profit"]) == pytest.approx(total)
        body = page.request.get(f"{base}/api/plan/frontier?lang=en").json()
        assert body["status"] == "ok"
        at = [p for p in body["points"] if p["budget"] == pytest.approx(plan.budget)]
        assert at, "the frontier has a point at the plan's budget"
        assert at[0]["profit"] == pytest.approx(tile, rel=0.01, abs=1.0)
        assert page.locator("#plan-tiles .kpi-interval").count() >= 2  # profit and revenue
    finally:
        ctx.close()


def test_report_plan_and_model_read_the_same_numbers(demo_server):
    """The report's plan chapter shows the plan's own totals (the tile's number) with the
    interval; its Model chapter draws the dashboard's model views."""
    _, state, _ = demo_server
    plan = state.run(state.ws.latest_plan)
    section = state.run(state.ws.reports.plan_page, "en", with_frontier=False)
    kpis = {k.label: k for k in section.kpis}
    assert kpis["Expected profit"].value == pytest.approx(plan.totals["profit"])
    assert kpis["Expected profit"].hint.startswith("80% interval")
    model = state.run(state.ws.reports.page, "model", "en")
    assert model.ok and {f.id for f in model.figures} >= {"report-fig-fit", "report-fig-waterfall"}


MY_CHAPTERS = ("summary", "overview", "plan", "model", "curves", "attribution", "tests", "rules",
               "ltv", "cohorts", "funnel")


def test_chinese_report_file_has_no_english_text(demo_server, browser, tmp_path):
    """The offline report in Chinese, opened from file:// with the network cut: no English
    word outside the allow-list in the dashboard's chapters, no script error."""
    _, state, _ = demo_server
    own = state.run(seller_names, state.ws) | {state.ws.root.resolve().name}
    out = state.run(state.ws.write_report, tmp_path / "report-zh.html", "zh")
    ctx, page = _page(browser, 1440)
    try:
        page.route("http*://**", lambda route: route.abort())
        page.goto(out.resolve().as_uri())
        page.wait_for_timeout(2000)
        problems = []
        for chapter in MY_CHAPTERS:
            texts = page.evaluate(ENGLISH_JS.replace("document.body", f"document.getElementById('{chapter}')"))
            problems += [f"{chapter}: {w}" for w in english_words(texts, own)]
        assert problems == [], "\n".join(problems[:60])
        assert page.errors == []
    finally:
        ctx.close()


PRINT_TABLE_WIDTHS_JS = """() => { const out = [];
  document.querySelectorAll('section').forEach(sec => {
    const W = sec.getBoundingClientRect().width;
    sec.querySelectorAll('table.data').forEach((tb, i) => {
      const w = tb.getBoundingClientRect().width;
      if (w > W + 1) out.push(`${sec.id} table ${i}: ${Math.round(w)} px > ${Math.round(W)} px`);
    });
  });
  return out; }"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_prints_every_table_within_the_page(demo_server, browser, tmp_path, lang):
    """Paper does not scroll: printed (A4 landscape, 1 cm margins: 1047 px at 96 dpi), no table
    of any chapter is wider than its chapter (the plan's 22 columns and the claims table's 16
    ran off a portrait page by up to 1,100 px before)."""
    _, state, _ = demo_server
    out = state.run(state.ws.write_report, tmp_path / f"report-{lang}.html", lang)
    ctx = browser.new_context(viewport={"width": 1047, "height": 718})
    page = ctx.new_page()
    try:
        page.route("http*://**", lambda route: route.abort())
        page.emulate_media(media="print")
        page.goto(out.resolve().as_uri())
        page.wait_for_timeout(1000)
        assert page.evaluate(PRINT_TABLE_WIDTHS_JS) == []
        assert page.locator("#curves-claims li").count() > 0  # the Curves chapter's claims
    finally:
        ctx.close()


def test_curves_page_says_what_platforms_claim_and_what_they_caused(demo_server, browser):
    base, state, _ = demo_server
    fit = state.run(state.ws.fit_state).fit
    with_claims = fit.summary["claimed_revenue"].notna().sum()
    ctx, page = _page(browser, 1440)
    try:
        page.goto(f"{base}/curves?lang=en")
        items = page.locator("#block-claims li")
        assert items.count() == with_claims > 0
        text = items.first.inner_text()
        # "DE · Amazon: the platform claims 896 orders worth $33,823.49 (ROAS 10.19); we
        # estimate it caused 414 orders, $15,612.46 [90% interval ... to ...] (ROAS 4.70): an
        # incrementality share of 46.2% [90% interval ...]. The model reads ..."
        assert re.search(r"the platform claims [\d,]+ orders worth \$[\d,.]+ \(ROAS [\d.]+\); "
                         r"we estimate it caused [\d,]+ orders, \$[\d,.]+ \[90% interval "
                         r"\$[\d,.]+ to \$[\d,.]+\] \(ROAS [\d.]+\): an incrementality share "
                         r"of [\d.]+% \[90% interval [\d.]+% to [\d.]+%\]", text), text
        assert page.locator("#block-claims li strong").first.inner_text() in text.split(":")[0]
        assert page.locator("#tbl-curves-claims tbody tr").count() == with_claims
        page.goto(f"{base}/curves?lang=zh")
        assert "平台声称带来" in page.locator("#block-claims li").first.inner_text()
        assert "笔订单、US$" in page.locator("#block-claims li").first.inner_text()
    finally:
        ctx.close()


def test_rules_approve_confirm_and_undo(demo_server, browser):
    base, state, _ = demo_server
    ctx, page = _page(browser, 1440)
    try:
        page.goto(f"{base}/rules?lang=en")
        rows = page.locator("input.rule-row")
        n = rows.count()
        if n == 0:
            pytest.skip("the demo proposes no rule actions today")
        page.uncheck("#rules-all")
        rows.nth(0).check()
        before = len(state.run(state.ws.rules_log))
        with page.expect_navigation():
            page.click("#rules-review")
        assert page.locator("#rules-confirm").is_visible()
        assert len(state.run(state.ws.rules_log)) == before  # nothing applied before confirming
        with page.expect_navigation():
            page.click("#rules-confirm-apply")
        log = state.run(state.ws.rules_log)
        assert len(log) == before + 1 and not bool(log.iloc[0]["undone"])
        assert "Applied 1 action" in page.locator("#page-message").inner_text()
        with page.expect_navigation():
            page.click("#rules-undo")
        log = state.run(state.ws.rules_log)
        assert bool(log.iloc[0]["undone"])
        assert page.locator("#tbl-rules-log tr[data-id] .undone").first.inner_text() == "yes"
    finally:
        ctx.close()


def test_import_then_refit_then_replan(demo_server, browser, tmp_path):
    base, state, root = demo_server
    src = sorted((root / "data").rglob("*meta*.csv"))
    if not src:
        pytest.skip("no Meta export in the demo data")
    lines = src[0].read_text(encoding="utf-8").splitlines()
    # the same export with its last day dropped: a re-import that changes the data
    shorter = tmp_path / src[0].name
    shorter.write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    ctx, page = _page(browser, 1440)
    try:
        page.goto(f"{base}/import?lang=en")
        page.set_input_files("#file", str(shorter))
        with page.expect_navigation():
            page.click("#preview")
        if page.locator("#commit").count() == 0:
            pytest.skip("the shortened export was not accepted: " + page.inner_text("main")[:200])
        with page.expect_navigation():
            page.click("#commit")
        assert "Total ad spend was" in page.locator("#import-result").inner_text()
        page.goto(f"{base}/plan?lang=en")
        # the data changed: the model and the plan are labelled stale, with a Fit button
        assert page.locator("#stale-banner").count() == 1
        assert page.locator("#plan-stale").count() == 1
        page.click("#stale-banner .fit-button")
        page.wait_for_url("**/fit/*", timeout=30_000)  # the progress page follows the refit
        assert page.locator("#fit-progress").count() == 1
        page.wait_for_url("**/plan?msg=*", timeout=300_000)  # and comes back when it is saved
        assert "Model refitted" in page.locator("#page-message").inner_text()
        assert page.locator("#stale-banner").count() == 0
        assert "re-plan" in page.locator("#plan-stale").inner_text()  # made with the old model
        with page.expect_navigation(timeout=120_000):
            page.click("#replan")
        assert page.locator("#plan-error").count() == 0
        assert page.locator("#plan-stale").count() == 0
        assert page.errors == []
    finally:
        ctx.close()
