"""`tests analyze` on imported exports: the workspace reads the tests from its own ad_daily
and orders (it never sees the simulator), stores them as lift tests, and they match the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app
from adbudget.experiments.scale_design import ScaleTestDesign, schedule_frame
from adbudget.experiments.schedule_io import read_schedule, write_schedule
from adbudget.experiments.switchback import channel_block_days
from adbudget.simulate import World
from adbudget.simulate.forward import continue_folder, designed_test_truth
from adbudget.workspace import Workspace
from adbudget.workspace.simulate import world_settings


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, pd.DataFrame, pd.DataFrame]:
    root = tmp_path_factory.mktemp("loop")
    world = World.build(2, "tiny")
    world.write(root / "sim")
    now = world.current_spend()
    daily = {k: float(v) for k, v in zip(world.lines, now, strict=True)}
    designs = []
    for market in sorted({m for m, _ in world.lines}):  # the biggest line of each market
        i = max((j for j, (m, _) in enumerate(world.lines) if m == market), key=lambda j: now[j])
        m, c = world.lines[i]
        designs.append(ScaleTestDesign(f"SB-{m}-{c}", m, c, "switchback", float(now[i]), 1.5, 0.5,
                                       channel_block_days(c), "2026-11-01", 30, 0, 0, 0, 0, 0, 0, 0))
    sched = schedule_frame(daily, "2026-11-01", 30, designs)
    write_schedule(sched, root / "schedule.csv")
    truth = designed_test_truth(world, sched).set_index("test_id")
    _, _, period = continue_folder(root / "sim", root / "schedule.csv")
    ws = Workspace.init(root / "ws", world_settings(world))
    ws.import_simulated(root / "sim")
    ws.import_simulated(period)
    return ws, read_schedule(root / "schedule.csv"), truth


def test_imported_tests_match_their_truth_and_feed_the_next_fit(imported) -> None:
    ws, sched, truth = imported
    readings = ws.analyze_tests(sched)
    assert len(readings) == 4
    z = []
    for r in readings:
        true = float(truth.loc[r.test_id, "true_daily_difference"]) * r.days
        z.append((r.incremental_revenue - true) / r.incremental_revenue_se)
        # the arms are read from the spend the platforms reported: 1.5x and 0.5x the budget
        assert r.hi_spend / r.lo_spend == pytest.approx(3.0, rel=0.02)
    assert np.all(np.abs(z) < 2.6), z
    stored = ws.lift_tests()
    assert set(stored["test_id"]) >= {r.test_id for r in readings}
    mine = stored[stored["method"] == "switchback"]
    assert (mine["baseline_spend"].astype(float) > 0).all()  # scale tests, not holdouts
    # the response model's inputs carry them (the next fit uses them)
    lift = ws._response_inputs(None)["lift_tests"]
    assert set(mine["test_id"]) <= set(lift["test_id"])
    # reading again replaces, never duplicates
    ws.analyze_tests(sched)
    assert len(ws.lift_tests()) == len(stored)


def test_cli_analyze_dry_run_and_located_errors(imported, tmp_path) -> None:
    ws, sched, _ = imported
    ws.close()
    runner = CliRunner()
    path = tmp_path / "s.csv"
    write_schedule(sched, path)
    r = runner.invoke(app, ["tests", "analyze", "--schedule", str(path), "--dry-run", "--json",
                            "-w", str(ws.root)])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    df = pd.read_csv(path)
    df.loc[4, "arm"] = "up"
    df.to_csv(bad, index=False)
    r = runner.invoke(app, ["tests", "analyze", "--schedule", str(bad), "-w", str(ws.root)])
    assert r.exit_code == 1 and "bad.csv:6" in r.output and "'arm'" in r.output
