"""Benchmark: does the plan make money? Gain captured on simulated sellers, with and without claims.

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/plan_quality.py \\
        [--sizes small,medium] [--seeds 0,1,7] [--method nuts|laplace|svi] \\
        [--claims on,off] [--world-claims informative|organic|noise] [--max-change 0.3]
        [--entry-as-growth] [--json]

Per world: the workspace imports the simulated seller's files, fits the response model
(platform claims on or off), plans next month's budget (last 30 days' spend) as one
performance bucket (``brand=0,performance=100,test=0,reserve=0``, objective profit, the
default max change), and scores the plan by the world's truth against last period's split
of the same money, the trust-region oracle (the best plan moving no line more than the
max change) and the unconstrained oracle (``adbudget.simulate.scoring``). Also prints the
fit's marginal-ROAS rank against the truth. The issue's floors: gain captured >= 70 % of
the trust-region oracle's on every world, never below last period's split.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time

PERFORMANCE_ONLY = {"brand": 0.0, "performance": 100.0, "test": 0.0, "reserve": 0.0}


def run(size: str, seed: int, method: str, claims: bool, world_claims: str = "informative",
        max_change: float = 0.3, draws: int | None = None, entry_as_growth: bool = False) -> dict:
    from adbudget.simulate import World
    from adbudget.simulate.recovery import score_fit
    from adbudget.simulate.scoring import performance_allocation, score_allocation
    from adbudget.workspace import Workspace
    from adbudget.workspace.simulate import world_settings

    world = World.build(seed, size)
    if world_claims != "informative":
        world = World(dataclasses.replace(world.spec, claims=world_claims))
    with tempfile.TemporaryDirectory() as folder:
        settings = world_settings(world)
        if entry_as_growth:  # plan entry markets like the others (no validation budget)
            settings = settings.model_copy(update={"markets": {
                code: m.model_copy(update={"stage": "growth" if m.stage == "entry" else m.stage})
                for code, m in settings.markets.items()}})
        settings = settings.model_copy(update={"response": settings.response.model_copy(
            update={"platform_claims": claims, "holdout_days": 0})})
        ws = Workspace.init(folder, settings)
        ws.load_world(world)
        start = time.perf_counter()
        fit = ws.fit(method=method, draws=draws)
        fit_seconds = time.perf_counter() - start
        budget = float(world.current_spend(30).sum() * 30)
        plan = ws.plan(round(budget, 2), world.next_month, objective="profit",
                       max_change=max_change, buckets=PERFORMANCE_ONLY, save=False)
        lines = list(plan.lines)
        ws.store.close()
    score = score_allocation(world, performance_allocation(lines), world.next_month, max_change)
    recovery = score_fit(world, fit)
    return {"size": size, "seed": seed, "method": method, "claims": claims,
            "world_claims": world_claims, "fit_seconds": round(fit_seconds, 1),
            "rank_marginal": recovery.rank_marginal, "rank_roas": recovery.rank_roas,
            "coverage": recovery.coverage,
            "coverage_incremental_share": recovery.coverage_incremental_share,
            "coverage_organic_share": recovery.coverage_organic_share,
            "organic_share_bias": recovery.organic_share_bias, **score.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small")
    parser.add_argument("--seeds", default="0,1,7")
    parser.add_argument("--method", default="nuts", choices=["nuts", "laplace", "svi"])
    parser.add_argument("--draws", type=int, default=None)
    parser.add_argument("--claims", default="on,off", help="fit with platform claims: on, off or both")
    parser.add_argument("--world-claims", default="informative",
                        choices=["informative", "organic", "noise"])
    parser.add_argument("--max-change", type=float, default=0.3)
    parser.add_argument("--entry-as-growth", action="store_true",
                        help="plan the worlds' entry markets as growth markets (no validation budget)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    header = (f"{'world':<10} {'claims':<6} {'mROAS rank':>10} {'plan':>10} {'last split':>10} "
              f"{'trust-reg.':>10} {'oracle':>10} {'gain/TR':>8} {'gain/or.':>8} {'fit s':>6}")
    if not args.json:
        print(header)
    for size in args.sizes.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for mode in args.claims.split(","):
                row = run(size, seed, args.method, mode == "on", args.world_claims,
                          args.max_change, args.draws, args.entry_as_growth)
                if args.json:
                    print(json.dumps(row), flush=True)
                    continue

                def pct(x: float | None) -> str:
                    return "-" if x is None else f"{100 * x:.0f} %"

                print(f"{size + ' ' + str(seed):<10} {mode:<6} {row['rank_marginal']:>10.2f} "
                      f"{row['plan_profit']:>10,.0f} {row['last_period_profit']:>10,.0f} "
                      f"{row['trust_region_profit']:>10,.0f} {row['oracle_profit']:>10,.0f} "
                      f"{pct(row['gain_captured_trust_region']):>8} {pct(row['gain_captured']):>8} "
                      f"{row['fit_seconds']:>6.0f}", flush=True)


if __name__ == "__main__":
    main()
