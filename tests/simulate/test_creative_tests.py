"""The simulated seller's creative A/B tests: tagged arms in the ad files with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _tagged(world) -> pd.DataFrame:
    rows = world._ad_rows
    tagged = rows[rows["creative"].str.contains(r"\[T:", regex=True)].copy()
    parts = tagged["creative"].str.extract(r"\[T:(?P<experiment>[^/\]]+)/(?P<arm>[^\]\*]+)(?P<ctl>\*?)\]")
    return pd.concat([tagged, parts], axis=1)


def test_arms_are_tagged_with_one_control_each(tiny_world):
    truth = tiny_world.creative_tests()
    tagged = _tagged(tiny_world)
    assert len(truth) and set(truth["experiment"]) == set(tagged["experiment"])
    for exp, arms in truth.groupby("experiment"):
        assert arms["is_control"].sum() == 1
        got = tagged[tagged["experiment"] == exp]
        assert set(got["arm"]) == set(arms["arm"])
        assert set(got.loc[got["ctl"] == "*", "arm"]) == set(arms.loc[arms["is_control"], "arm"])
        # the test runs in one campaign of one line, inside the test window only
        assert got["campaign"].nunique() == 1 and got["channel"].nunique() == 1
        assert got["date"].min() >= arms["start"].iloc[0]


def test_arm_conversion_rates_follow_their_true_multipliers(tiny_world):
    truth = tiny_world.creative_tests().set_index(["experiment", "arm"])
    tagged = _tagged(tiny_world)
    per_arm = tagged.groupby(["experiment", "arm"])[["spend_base", "conversions"]].sum()
    checked = 0
    for exp in truth.index.get_level_values(0).unique():
        control = truth.loc[exp][truth.loc[exp]["is_control"]].index[0]
        c = per_arm.loc[(exp, control)]
        for arm, row in truth.loc[exp].iterrows():
            if arm == control:
                continue
            a = per_arm.loc[(exp, arm)]
            if min(a["conversions"], c["conversions"]) < 20:
                continue
            ratio = (a["conversions"] / a["spend_base"]) / (c["conversions"] / c["spend_base"])
            se = np.sqrt(1 / a["conversions"] + 1 / c["conversions"])
            assert abs(np.log(ratio) - np.log(row["multiplier"])) < 3.5 * se, (exp, arm, ratio)
            checked += 1
    assert checked >= 2


def test_experiments_module_reads_the_simulated_tests(tiny_world, tmp_path):
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo

    steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import", "experiments")]
    ctx, outcomes = run_demo(11, "tiny", tmp_path / "demo", steps=steps)
    try:
        assert [o.skipped for o in outcomes] == [None, None, None]
        report = outcomes[2].result
        truth = tiny_world.creative_tests()
        assert {e.experiment for e in report.experiments} == set(truth["experiment"])
        for exp in report.experiments:
            true = truth[truth["experiment"] == exp.experiment].set_index("arm")
            assert {a.arm for a in exp.arms} == set(true.index)
            for a in exp.arms:
                assert a.is_control == bool(true.loc[a.arm, "is_control"])
                # never scale an arm that is truly worse than the control by 15 % or more
                if a.decision == "scale":
                    assert true.loc[a.arm, "multiplier"] > 0.85
    finally:
        ctx.ws.close()
