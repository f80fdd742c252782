"""Generation time of the simulator per size (wall clock and CPU time of this process).

    .venv/bin/python benchmarks/simulate.py [--sizes small,medium,large] [--seed 7] [--oracle]

Prints, per size: markets, lines, days, orders, touchpoints, ad rows, the time to generate
the data in memory, the time to write every file, and the total against the issue's limits
(large < 120 s). With --oracle it also times ``oracle_allocation`` for next month's budget.
No peer is timed: no open-source tool generates this kind of seller (platform exports with
over-claiming, journeys with known causes, FX) to compare with.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from adbudget.simulate import World


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def bench(size: str, seed: int, oracle: bool) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(prefix=f"adbudget-sim-{size}-"))
    try:
        t0 = _clock()
        world = World.build(seed, size)
        world.panels  # noqa: B018
        world._orders  # noqa: B018
        world._journeys  # noqa: B018
        world._ad_rows  # noqa: B018
        gen = _since(t0)
        t1 = _clock()
        world.write(out / "data")
        write = _since(t1)
        total = _since(t0)
        row = {
            "markets": len(world.spec.markets), "lines": len(world.spec.lines),
            "days": world.spec.days,
            "orders": sum(len(b.day) for b in world._orders.values()),
            "touchpoints": sum(len(j.touchpoints) for j in world._journeys.values()),
            "ad_rows": len(world._ad_rows),
            "generate_wall": gen[0], "generate_cpu": gen[1],
            "write_wall": write[0], "write_cpu": write[1],
            "total_wall": total[0], "total_cpu": total[1],
            "mb_written": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6,
        }
        if oracle:
            budget = float(world.current_spend(30).sum() * 30)
            t2 = _clock()
            world.oracle_allocation(budget, world.next_month)
            row["oracle_wall"], row["oracle_cpu"] = _since(t2)
        return row
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--oracle", action="store_true")
    args = parser.parse_args()
    limits = {"large": 120.0}
    print(f"{'size':7} {'mkts':>4} {'lines':>5} {'days':>5} {'orders':>9} {'touches':>9} "
          f"{'ad rows':>8} {'gen s':>7} {'write s':>8} {'total s':>8} {'cpu s':>7} {'MB':>6}"
          + (f" {'oracle s':>8} {'cpu s':>6}" if args.oracle else ""))
    for size in args.sizes.split(","):
        r = bench(size, args.seed, args.oracle)
        limit = limits.get(size)
        verdict = "" if limit is None else (" ok (< 120 s)" if r["total_wall"] < limit else " OVER 120 s")
        print(f"{size:7} {r['markets']:>4} {r['lines']:>5} {r['days']:>5} {r['orders']:>9,} "
              f"{r['touchpoints']:>9,} {r['ad_rows']:>8,} {r['generate_wall']:>7.1f} "
              f"{r['write_wall']:>8.1f} {r['total_wall']:>8.1f} {r['total_cpu']:>7.1f} "
              f"{r['mb_written']:>6.0f}"
              + (f" {r['oracle_wall']:>8.2f} {r['oracle_cpu']:>6.2f}" if args.oracle else "")
              + verdict, flush=True)


if __name__ == "__main__":
    main()
