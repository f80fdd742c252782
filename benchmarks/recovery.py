"""Benchmark: how well the response model recovers the simulator's truth, by world size.

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/recovery.py \\
        [--sizes small,medium] [--seeds 0,7] [--method nuts|laplace] [--no-lift | --no-scale-tests]
        [--scale-test-share 0.25]

The tests (``tests/response/test_simulator.py``) score quick fits on the tiny and small
worlds; this runs the same scoring (``adbudget.simulate.recovery``) at full size, with the
default settings and NUTS, two chains in parallel: per world, share of true ROAS inside the
90 % interval, rank correlation of true vs estimated ROAS and marginal ROAS at current
spend, mean |log error| of the marginal ROAS, the rank that true ROAS with the prior's
curvature alone would get, and each channel's ROAS bias (mean log(estimated / true)). The issue's floors: coverage >= 80 %, marginal-ROAS rank >= 0.8.
No peer: this measures recovery, not speed (``benchmarks/mmm.py`` compares speed).
"""

from __future__ import annotations

import argparse
import json
import os
import time


def run(size: str, seed: int, method: str, use_lift: bool, draws: int | None,
        scale_tests: bool = True, scale_test_share: float = 0.25, claims: bool = True) -> dict:
    from adbudget.config.response import ResponseSettings
    from adbudget.response import fit_model
    from adbudget.simulate import World
    from adbudget.simulate.recovery import fit_inputs, score_fit

    start = time.perf_counter()
    world = World.build(seed, size, scale_test_share)
    inputs = fit_inputs(world, use_lift, scale_tests)
    built = time.perf_counter() - start
    settings = ResponseSettings(holdout_days=0, chain_method="auto", platform_claims=claims)
    start = time.perf_counter()
    result = fit_model(inputs.revenue, inputs.spend, inputs.regions, settings, method=method,
                       draws=draws, lift_tests=inputs.lift_tests, claims=inputs.claims,
                       campaign_spend=inputs.campaign_spend)
    seconds = time.perf_counter() - start
    d = result.diagnostics
    return {"size": size, "seed": seed, "method": method, "lift_tests": use_lift, "scale_tests": scale_tests,
            "claims": claims, "steps_per_draw": result.diagnostics.get("steps_per_draw"),
            "markets": len(world.spec.markets), "days": world.spec.days,
            "lift_tests_n": 0 if inputs.lift_tests is None else len(inputs.lift_tests),
            "build_seconds": built, "fit_seconds": seconds,
            "r_hat": d.get("r_hat_max"), "ess": d.get("ess_min"), "divergences": d.get("divergences"),
            **score_fit(world, result).as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium", help="simulator sizes, comma-separated")
    parser.add_argument("--seeds", default="0", help="world seeds, comma-separated")
    parser.add_argument("--method", default="nuts", choices=["nuts", "laplace", "svi"])
    parser.add_argument("--draws", type=int, default=None, help="draws per chain (default: settings)")
    parser.add_argument("--no-lift", action="store_true", help="fit without the worlds' lift tests")
    parser.add_argument("--no-scale-tests", action="store_true",
                        help="fit with the worlds' holdouts only, without their scale tests")
    parser.add_argument("--scale-test-share", type=float, default=0.25,
                        help="share of the lines without a holdout that get a scale test (1 = all)")
    parser.add_argument("--no-claims", action="store_true",
                        help="fit without the platforms' reported conversions ([response] platform_claims = false)")
    parser.add_argument("--json", action="store_true", help="one JSON line per world instead of a table")
    args = parser.parse_args()
    rows = []
    for size in [s for s in args.sizes.split(",") if s]:
        for seed in [int(s) for s in args.seeds.split(",") if s]:
            row = run(size, seed, args.method, not args.no_lift, args.draws, not args.no_scale_tests,
                      args.scale_test_share, not args.no_claims)
            row["load"] = os.getloadavg()[0]
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{size} seed {seed}: {row['lines']} lines, {row['days']} days, "
                      f"{row['lift_tests_n']} lift tests, fit {row['fit_seconds']:.1f} s "
                      f"(R-hat {row['r_hat'] or float('nan'):.3f}, ESS {row['ess'] or float('nan'):.0f}, "
                      f"{row['divergences'] if row['divergences'] is not None else '-'} div.); "
                      f"coverage {row['coverage']:.0%}, ROAS rank {row['rank_roas']:.2f}, "
                      f"marginal-ROAS rank {row['rank_marginal']:.2f} "
                      f"(true ROAS + prior curvature: {row['rank_marginal_prior_curvature']:.2f}), "
                      f"|log error| marginal {row['log_error_marginal']:.2f}; load {row['load']:.1f}",
                      flush=True)
                tested = [(label, row[key]) for label, key in (
                    ("scale-tested lines", "log_error_marginal_scale_tested"),
                    ("holdout lines", "log_error_marginal_holdout_tested")) if row[key] is not None]
                if tested:
                    print("  |log error| marginal on " + ", ".join(f"{label} {v:.2f}" for label, v in tested),
                          flush=True)
                print("  ROAS bias per channel, mean log(estimated / true): " + ", ".join(
                    f"{c} {v:+.2f}" for c, v in sorted(row["roas_bias"].items())), flush=True)


if __name__ == "__main__":
    main()
