"""Pacing a per-day schedule with switchback arms (not an even spread)."""

from __future__ import annotations

import pandas as pd
import pytest

from adbudget.experiments.scale_design import schedule_frame
from adbudget.experiments.schedule_pacing import schedule_pacing


def _schedule() -> pd.DataFrame:
    days = pd.date_range("2026-11-01", periods=12)
    hi = [1.5 if (i // 3) % 2 == 0 else 0.5 for i in range(12)]  # 3-day blocks, high first
    rows = [{"date": d, "market": "US", "channel": "meta", "spend": 100.0 * f,
             "test_id": "SB-US-meta", "arm": "hi" if f > 1 else "lo"} for d, f in zip(days, hi, strict=True)]
    rows += [{"date": d, "market": "US", "channel": "google_search", "spend": 50.0, "test_id": "",
              "arm": ""} for d in days]
    return pd.DataFrame(rows)


def test_spend_on_schedule_is_on_track_and_today_follows_the_arm() -> None:
    sched = _schedule()
    spent = sched[sched["date"] < "2026-11-05"][["date", "market", "channel", "spend"]]
    rep = schedule_pacing(sched, spent, "2026-11-05")
    meta = rep.lines.set_index("channel").loc["meta"]
    # days 1-3 high (150), day 4 low (50): 500 spent = 500 scheduled, not 4/12 of 1200 = 400
    assert meta["expected_to_date"] == pytest.approx(500.0) and meta["pace"] == pytest.approx(1.0)
    assert meta["status"] == "on_track" and meta["arm_today"] == "lo"
    assert meta["required_daily"] == pytest.approx(50.0)  # today is a low day: 0.5x, as scheduled
    assert rep.days_elapsed == 4 and rep.days_total == 12


def test_underspend_raises_todays_budget_in_proportion_and_flags_the_line() -> None:
    sched = _schedule()
    spent = sched[sched["date"] < "2026-11-07"][["date", "market", "channel", "spend"]].copy()
    spent.loc[spent["channel"] == "google_search", "spend"] *= 0.5
    rep = schedule_pacing(sched, spent, "2026-11-07", tolerance_pct=10)
    g = rep.lines.set_index("channel").loc["google_search"]
    assert g["pace"] == pytest.approx(0.5) and g["status"] == "under"
    # 600 planned, 150 spent, 300 scheduled left: today's 50 becomes 50 x 450/300 = 75
    assert g["required_daily"] == pytest.approx(75.0)
    meta = rep.lines.set_index("channel").loc["meta"]
    assert meta["arm_today"] == "hi" and meta["required_daily"] == pytest.approx(150.0)


def test_a_designed_schedule_paces_through_the_cli(tmp_path, workspace) -> None:
    from typer.testing import CliRunner

    from adbudget.cli.app import app
    from adbudget.experiments.schedule_io import write_schedule

    path = write_schedule(schedule_frame({("US", "meta"): 100.0}, "2026-11-01", 30), tmp_path / "s.csv")
    workspace.close()
    for lang, word in (("en", "Pacing the schedule"), ("zh", "花费进度")):
        res = CliRunner().invoke(app, ["tests", "pace", "--schedule", str(path), "-w",
                                       str(workspace.root), "--lang", lang])
        assert res.exit_code == 0, res.output
        assert word in res.output and "3,000" in res.output
