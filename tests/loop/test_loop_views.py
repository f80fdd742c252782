"""The loop's report chapter and dashboard page, read from the workspace's saved loop."""

from __future__ import annotations

import pytest

from adbudget.report.loop import loop_section
from adbudget.workspace.loop import LoopPeriod, LoopResult


def _record() -> dict:
    periods = [
        LoopPeriod("2026-11", 30000.0, 5000.0, 9000.0, 6000.0, 4000.0, 5000 / 9000, 0.3,
                   plan_performance=4800.0, oracle_performance=7000.0,
                   status_quo_performance=5000.0,
                   misses=[{"market": "DE", "forecast": 900.0, "lo": 800.0, "hi": 1000.0,
                            "actual": 950.0, "missed": False, "z": 0.5}]),
        LoopPeriod("2026-12", 31000.0, 7000.0, 9500.0, 6500.0, 6500.0, 12000 / 18500, 0.2,
                   plan_performance=6600.0, oracle_performance=7600.0,
                   status_quo_performance=5400.0,
                   misses=[{"market": "US", "forecast": 9000.0, "lo": 8000.0, "hi": 10000.0,
                            "actual": 6000.0, "missed": True, "z": -3.0}]),
    ]
    return LoopResult(seed=0, size="tiny", periods=periods, seconds=1.0).record()


@pytest.mark.parametrize(("lang", "word"), [("en", "Status quo"), ("zh", "维持原分配")])
def test_the_section_draws_plan_oracle_and_status_quo_per_month(lang: str, word: str) -> None:
    s = loop_section(_record(), lang)
    assert s.ok and s.figures[0].id == "loop-profit"
    traces = s.figures[0].spec["data"]
    assert [tr["y"] for tr in traces] == [[5000.0, 7000.0], [9000.0, 9500.0], [6000.0, 6500.0]]
    assert traces[2]["name"] == word and traces[0]["x"] == ["2026-11", "2026-12"]
    perf = s.figures[1].spec["data"]  # the performance bucket, like with like
    assert [tr["y"] for tr in perf][1] == [7000.0, 7600.0]
    share = next(k for k in s.kpis if k.fmt == "pct")
    assert share.value == pytest.approx(100 * 12000 / 18500)  # "pct" cells take 0-100
    from adbudget.report.render import fmt

    assert fmt(share.value, share.fmt) == "64.9%"  # what the page shows (it said 0.6%)
    misses = s.tables[1].rows
    assert misses[0]["market"] == "US" and misses[1]["market"] == "DE"  # misses first


def test_the_workspace_keeps_the_loop_and_the_report_and_dashboard_read_it(workspace) -> None:
    from fastapi.testclient import TestClient

    from adbudget.web import create_app

    empty = workspace.reports.page("loop", "en") if hasattr(workspace, "reports") else None
    assert workspace.loop_result() is None
    if empty is not None:
        assert empty.status == "empty" and "adbudget loop" in empty.message
    workspace.save_loop(_record())
    assert workspace.loop_result()["summary"]["plan_profit"] == pytest.approx(12000.0)
    with TestClient(create_app(workspace), raise_server_exceptions=False) as c:
        for lang, title in (("en", "Loop"), ("zh", "闭环")):
            r = c.get(f"/loop?lang={lang}")
            assert r.status_code == 200 and title in r.text
            assert "loop-profit" in r.text and "2026-12" in r.text
    (workspace.root / "loop.json").write_text("{not json", encoding="utf-8")
    assert workspace.loop_result() is None  # a broken file is no loop, not a crash
