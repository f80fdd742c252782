"""Benchmark: does incremental attribution beat last touch on the simulator's journeys?

    nice .venv/bin/python benchmarks/incremental_attribution.py [--size tiny] [--seeds 0,1,2,3] \\
        [--models markov,shapley,hazard] [--method laplace]

Per world: import the simulated seller, fit the response model (platform claims on), then
attribute the tracked journeys with last touch, with each path model, and with each path
model scaled to the model's incremental revenue per channel (``attribute --incremental``).
The score is the L1 distance between each method's channel shares and the true shares of
the ad-caused tracked conversions (``World.true_channel_credit``): lower is better. Issue
"Trust no single source": incremental attribution should beat last touch on journeys with
navigational touches.
"""

from __future__ import annotations

import argparse
import tempfile

import pandas as pd


def shares(table: pd.DataFrame) -> pd.Series:
    by = table.groupby("channel")["conversions"].sum()
    by = by[by.index != "direct"] if "direct" in by.index else by
    return by / by.sum()


def run(seed: int, size: str, models: list[str], method: str) -> dict[str, float]:
    from adbudget.simulate import World
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import world_settings

    world = World.build(seed, size)
    truth = world.true_channel_credit().set_index("channel")["share"]
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        ws = Workspace.init(folder, world_settings(world))
        ws.load_world(world)
        ws.fit(method=method)

        def l1(model: str, incremental: bool) -> float:
            report = ws.attribute(model=model, windows="30d-click,30d-view", incremental=incremental)
            got = shares(report.table)
            channels = truth.index.union(got.index)
            return float((got.reindex(channels, fill_value=0) - truth.reindex(channels, fill_value=0)).abs().sum())

        out["last"] = l1("last", False)
        for model in models:
            out[model] = l1(model, False)
            out[f"{model}+inc"] = l1(model, True)
        ws.store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--seeds", default="0,1,2,3")
    parser.add_argument("--models", default="markov,shapley,hazard")
    parser.add_argument("--method", default="laplace")
    args = parser.parse_args()
    models = args.models.split(",")
    columns = ["last", *[c for m in models for c in (m, f"{m}+inc")]]
    print(f"{'world':<10}" + "".join(f"{c:>14}" for c in columns))
    wins = {c: 0 for c in columns}
    seeds = [int(s) for s in args.seeds.split(",")]
    for seed in seeds:
        row = run(seed, args.size, models, args.method)
        for c in columns:
            wins[c] += row[c] < row["last"]
        print(f"{args.size + ' ' + str(seed):<10}" + "".join(f"{row[c]:>14.3f}" for c in columns), flush=True)
    print(f"{'beats last':<10}" + "".join(f"{wins[c]:>11}/{len(seeds)}" for c in columns))


if __name__ == "__main__":
    main()
