"""Scale benchmark (issue 18): DuckDB vs Spark on the same touch rows, and agency fan-out.

Part 1 — engines. ``--rows`` touch rows shaped like an import (``benchmarks/attribution.py``'s
``make_touch_tables``: string user ids, 12 channels, 15 % of journeys converting) are written
once to Parquet; then the path-aggregation statement (``attribution.sql.path_sql``, the SQL
written once) runs on DuckDB (``--threads`` threads) and on Spark ``local[N]`` (the same text
transpiled by ``engine.dialect.to_spark``) over those files; DuckDB's bare
``GROUP BY user`` with ``list(ts)`` runs on the same rows as the per-core reference. Printed:
seconds, rows/s, CPU seconds and rows per CPU second (the per-core rate: steady on a shared
machine, where wall time is not), peak memory (DuckDB: this process's peak RSS growth; Spark:
the peak RSS of the JVM the session starts), whether both tables are the same, and what
5 B rows would need: core-hours at the measured per-core rate, and executors (of
``--executor-cores``) to finish in ``--target-hours``.

Part 2 — agency. ``--sellers`` tiny simulated sellers (``adbudget simulate``'s tiny world,
seeds 0..N-1) are imported into workspaces of one agency folder, then planned through
``adbudget agency``'s runner, each plan fitting its seller first (``--method``, default SVI,
the fastest fit): one seller after the other (``serial``) vs the local process pool
(``--workers``). Wall time of each and the per-seller mean.

    .venv/bin/python benchmarks/scale.py --rows 5000000 --spark-cores 2 --sellers 4

On a shared 2-core machine keep it small (the numbers in docs/benchmarks.md name the sizes
used); the issue's 200 M rows and 50 sellers are the same commands with bigger arguments.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) / 1024.0
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


def _descendants_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's descendants (the JVM)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            pass
    return total


def _children_hwm_mb() -> float:
    """Sum of the peak RSS (VmHWM) of this process's descendants (the Spark JVM)."""
    total = 0.0
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        total += float(line.split()[1]) / 1024.0
        except OSError:
            pass
    return total


def engines(args: argparse.Namespace) -> None:
    import duckdb

    from adbudget.attribution import parse_windows, path_sql
    from adbudget.engine.base import DuckDBEngine, SparkEngine, spark_missing
    from attribution import _same_table, make_touch_tables

    tmp = Path(tempfile.mkdtemp(prefix="scale-"))
    try:
        t0 = time.perf_counter()
        con = duckdb.connect(str(tmp / "gen.duckdb"))
        con.execute(f"SET temp_directory = '{tmp}'")
        shape = make_touch_tables(con, args.rows)
        for table in ("touchpoints", "orders"):
            con.execute(f"COPY {table} TO '{tmp / table}.parquet' (FORMAT parquet)")
        con.close()
        (tmp / "gen.duckdb").unlink()
        print(f"{args.rows:,} touch rows ({shape['customers']:,} customers) written to Parquet "
              f"in {time.perf_counter() - t0:.0f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
        sql = path_sql(parse_windows("7d-click,1d-view"))
        ceiling = ("SELECT sum(len(l)) AS n FROM (SELECT hash(user_id) AS u, list(epoch_us(ts)) AS l "
                   "FROM touchpoints GROUP BY u)")

        duck = DuckDBEngine(threads=args.threads)
        for table in ("touchpoints", "orders"):
            duck.register_parquet(table, tmp / f"{table}.parquet")
        base = _rss_mb()
        runs: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
        frames = []
        for _ in range(args.repeat):  # interleaved; best wall time and the least CPU time
            for name, text in (("ours", sql), ("bare", ceiling)):
                c0, t0 = time.process_time(), time.perf_counter()
                out = duck.query(text)
                runs[name].append((time.perf_counter() - t0, time.process_time() - c0))
                if name == "ours":
                    frames.append(out)
        ours, bare = (min(w for w, _ in runs[k]) for k in ("ours", "bare"))
        ours_cpu, bare_cpu = (min(c for _, c in runs[k]) for k in ("ours", "bare"))
        duck_mb = _peak_mb() - base
        a = frames[0]
        per_core = args.rows / ours_cpu  # rows per CPU second: the per-core rate, whatever the load
        print(f"DuckDB ({args.threads} threads): path aggregation {ours:.2f} s = "
              f"{args.rows / ours / 1e6:.2f} M rows/s, CPU {ours_cpu:.1f} s = "
              f"{per_core / 1e6:.2f} M rows per CPU second; bare GROUP BY user {bare:.2f} s "
              f"(CPU {bare_cpu:.1f} s); ratio {bare / ours:.0%} by wall time, "
              f"{bare_cpu / ours_cpu:.0%} by CPU time; peak RSS +{duck_mb:.0f} MB; "
              f"{len(a):,} paths; load average {os.getloadavg()[0]:.1f}", flush=True)
        _extrapolate("DuckDB", per_core, args)
        duck.close()

        if args.spark_cores <= 0:
            return
        missing = spark_missing()
        if missing:
            print(f"Spark skipped: {missing}")
            return
        t0 = time.perf_counter()
        spark = SparkEngine(f"local[{args.spark_cores}]", conf={"spark.driver.memory": args.spark_memory})
        start_s = time.perf_counter() - t0
        for table in ("touchpoints", "orders"):
            spark.register_parquet(table, tmp / f"{table}.parquet")
        spark_runs = []
        for _ in range(max(1, args.spark_repeat)):
            # the first run also generates and compiles Java for each of the plan's ~70 stages
            # (a fixed cost per statement, not per row); later runs reuse the compiled code
            c0, t0 = _descendants_cpu() + time.process_time(), time.perf_counter()
            b = spark.query(sql)
            spark_runs.append((time.perf_counter() - t0,
                               _descendants_cpu() + time.process_time() - c0))  # JVM + driver
        (first_s, first_cpu), (secs, cpu) = spark_runs[0], min(spark_runs[1:] or spark_runs)
        c0, t0 = _descendants_cpu(), time.perf_counter()
        spark.spark.sql("SELECT count(*) FROM (SELECT user_id, collect_list(ts) AS l FROM "
                        "touchpoints GROUP BY user_id)").collect()
        sbare, sbare_cpu = time.perf_counter() - t0, _descendants_cpu() - c0
        jvm_mb = _children_hwm_mb()
        spark.close()
        s_core = args.rows / cpu
        print(f"Spark local[{args.spark_cores}] (session start {start_s:.0f} s): path aggregation "
              f"first run {first_s:.2f} s (CPU {first_cpu:.1f} s); "
              f"{'best later run' if len(spark_runs) > 1 else 'that run'} "
              f"{secs:.2f} s = {args.rows / secs / 1e6:.2f} M rows/s, CPU {cpu:.1f} s = "
              f"{s_core / 1e6:.3f} M rows per CPU second; bare GROUP BY user {sbare:.2f} s (CPU "
              f"{sbare_cpu:.1f} s); JVM peak RSS {jvm_mb:.0f} MB; same table as DuckDB: "
              f"{_same_table(a, b)}; load average {os.getloadavg()[0]:.1f}", flush=True)
        _extrapolate("Spark", s_core, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extrapolate(name: str, per_core: float, args: argparse.Namespace) -> None:
    rows = 5e9
    core_hours = rows / per_core / 3600
    if name == "DuckDB":  # one machine: how long on this many cores (memory and disk allowing)
        print(f"  5 B rows on DuckDB at {per_core / 1e6:.2f} M rows per CPU second: {core_hours:.1f} "
              f"core-hours = {core_hours / 2:.1f} h on 2 cores, {core_hours / 64:.2f} h on one "
              f"64-core machine (linear scaling assumed)", flush=True)
        return
    executors = core_hours / args.target_hours / args.executor_cores
    print(f"  5 B rows on {name} at {per_core / 1e6:.3f} M rows per CPU second: {core_hours:.1f} "
          f"core-hours; {executors:.1f} executors of {args.executor_cores} cores to finish in "
          f"{args.target_hours:g} h (linear scaling assumed: shuffles add to it)", flush=True)


def agency(args: argparse.Namespace) -> None:
    """Plan ``--sellers`` simulated sellers (each fitted on the way) one at a time and on the
    process pool; wall and CPU time of each (CPU: this process plus the pool's workers)."""
    from adbudget.agency import find_sellers, run_sellers
    from adbudget.workspace.simulate import DEMO_STEPS, run_demo

    tmp = Path(tempfile.mkdtemp(prefix="scale-agency-"))
    try:
        steps = [s for s in DEMO_STEPS if s.name in ("simulate", "import")]
        t0 = time.perf_counter()
        modes = [m for m in args.modes.split(",") if m in ("serial", "pool")]
        for seed in range(args.sellers):
            run_demo(seed, args.size, tmp / modes[0] / f"seller-{seed:03d}", steps=steps)
        for mode in modes[1:]:  # the same imported workspaces, copied (not simulated again)
            shutil.copytree(tmp / modes[0], tmp / mode)
        run_demo(10_000, args.size, tmp / "warm" / "seller-warm", steps=steps)
        print(f"{args.sellers} {args.size} sellers simulated and imported in "
              f"{time.perf_counter() - t0:.0f} s (one folder per mode)", flush=True)
        # one seller first, in a worker process of its own: the persistent XLA cache on disk
        # then holds the model's programs for both modes, while this process stays cold (no
        # JAX imported, nothing traced), as each pool worker starts: both modes pay their
        # cold starts inside the timing (one for serial, one per worker for the pool)
        run_sellers(find_sellers(tmp / "warm"), "plan", backend="process", workers=2,
                    options={"method": args.method})
        walls = {}
        for mode in modes:
            backend = "serial" if mode == "serial" else "process"
            sellers = find_sellers(tmp / mode)
            c_self, c_kids = time.process_time(), _children_cpu()
            t0 = time.perf_counter()
            # one pass: each seller has no fit yet, so its plan job fits it first (--method)
            plans = run_sellers(sellers, "plan", backend=backend, workers=args.workers,
                                options={"method": args.method})
            total = time.perf_counter() - t0
            cpu = time.process_time() - c_self + _children_cpu() - c_kids
            walls[mode] = total
            bad = [r.error for r in plans if not r.ok]
            width = 1 if backend == "serial" else min(args.workers or os.cpu_count() or 1, len(sellers))
            print(f"agency plan (fit {args.method} on the way), {backend:<7} ({width} at once): "
                  f"{total:.1f} s wall, {total / len(sellers):.2f} s per seller; CPU {cpu:.1f} s; "
                  f"sum of the sellers' own times {sum(r.seconds for r in plans):.1f} s; "
                  f"failures {len(bad)}; load average {os.getloadavg()[0]:.1f}", flush=True)
            for e in bad[:3]:
                print(f"  {e}")
        if len(walls) == 2:
            print(f"  pool vs one at a time: {walls['serial'] / walls['pool']:.2f}x faster "
                  f"(wall); for 50 sellers at the pool's pace: "
                  f"{walls['pool'] / args.sellers * 50:.0f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000, help="touch rows (0 skips part 1)")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    ap.add_argument("--repeat", type=int, default=2, help="DuckDB runs (best time reported)")
    ap.add_argument("--spark-cores", type=int, default=2, help="Spark local[N]; 0 skips Spark")
    ap.add_argument("--spark-memory", default="6g", help="Spark driver memory")
    ap.add_argument("--spark-repeat", type=int, default=2,
                    help="Spark runs of the statement: the first compiles its code; the best "
                         "later one gives the per-row rate")
    ap.add_argument("--executor-cores", type=int, default=4)
    ap.add_argument("--target-hours", type=float, default=1.0)
    ap.add_argument("--sellers", type=int, default=4, help="simulated sellers (0 skips part 2)")
    ap.add_argument("--size", default="tiny", help="world size of each seller")
    ap.add_argument("--method", default="svi", help="fit method (svi: the fastest)")
    ap.add_argument("--workers", type=int, default=None, help="process pool size (default: cores)")
    ap.add_argument("--modes", default="serial,pool", help="agency modes to time, in this order")
    args = ap.parse_args()
    print(f"cpu cores: {os.cpu_count()}; python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    if args.rows > 0:
        engines(args)
    if args.sellers > 0:
        agency(args)


if __name__ == "__main__":
    main()
