"""Optimiser choice for the additive-hazard attribution model: TNC (ours) vs L-BFGS-B.

Usage (from the repository root):

    .venv/bin/python benchmarks/hazard.py [--seed 0] [--size tiny] [--repeat 3]

Builds the simulator's touch table (``touch_sql`` over ``World.touchpoints()`` and
``orders()``), fits ``hazard`` with each optimiser in the same process, prints the best wall
time of each, the ratio and the largest difference in channel credit (both must reach the
same optimum).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    import duckdb
    import pandas as pd

    from adbudget.attribution import TouchTable, touch_sql
    from adbudget.attribution import hazard as hz
    from adbudget.simulate import World

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", default="tiny")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    world = World.build(args.seed, args.size)
    touches = world.touchpoints()
    touches["ts"] = pd.to_datetime(touches["ts"].str.rstrip("Z"))
    con = duckdb.connect()
    con.register("touchpoints", touches)
    con.register("orders", world.orders())
    table = TouchTable.from_frame(con.execute(touch_sql(inactivity_days=30)).df())
    print(f"cpu cores {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; "
          f"{len(touches):,} touches, {table.total_conversions:,.0f} conversions")
    results = {}
    for method in ("TNC", "L-BFGS-B"):
        hz.METHOD = method
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            credit = hz.Hazard().credit_touches(table)
            best = min(best, time.perf_counter() - t0)
        results[method] = (best, credit.conversions / credit.conversions.sum())
        print(f"  {method:9s} best of {args.repeat}: {best:.3f} s", flush=True)
    ratio = results["L-BFGS-B"][0] / results["TNC"][0]
    diff = float(np.abs(results["TNC"][1] - results["L-BFGS-B"][1]).max())
    print(f"TNC is {ratio:.2f}x faster than L-BFGS-B; largest channel-share difference {diff:.2e}")


if __name__ == "__main__":
    main()
