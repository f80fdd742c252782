"""Attribution benchmark: our exact Markov (orders 1–4) and Shapley vs ChannelAttribution.

Usage (from the repository root):

    .venv/bin/python benchmarks/attribution.py [--journeys 1000000] [--channels 12]
        [--orders 1,2,3,4] [--touch-rows 50000000] [--peer-python /work/benchenv-attribution/bin/python]

1. Generates journeys (mean length ~6.5, channels from a sticky first-order chain, conversion
   from per-channel effects) and aggregates them into one ChannelAttribution path table
   (``path;total_conversions;total_conversion_value;total_null``), written to a temp file.
2. Runs every model in its own child process (one process tree; ours with this interpreter,
   ChannelAttribution with ``--peer-python``, a separate venv: it is GPL and never a runtime
   dependency). Each child loads the table (CSV), then times ``model(table) -> credit``
   starting from the same pandas DataFrame of path strings; it reports seconds and the peak
   RSS added over the loaded table (VmHWM, reset after loading).
3. Prints the ratio peer ÷ ours and the largest difference in channel shares.
4. Times our one-statement DuckDB path aggregation on ``--touch-rows`` generated touchpoints.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PEER_PYTHON = "/work/benchenv-attribution/bin/python"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return float(line.split()[1]) / 1024.0
    return float("nan")


def _current_rss_mb() -> float:
    return _status_mb("VmRSS")


def _reset_peak() -> None:
    """Reset the kernel's peak-RSS mark (VmHWM) so it measures the model run only."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


# -- data -------------------------------------------------------------------------------------
def make_paths(n_journeys: int, n_channels: int, seed: int = 0):
    """Aggregated path table (pandas) from generated journeys."""
    import duckdb
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = np.array([f"ch{i:02d}" for i in range(n_channels)], dtype=object)
    lengths = 1 + rng.poisson(5.5, n_journeys)
    trans = rng.dirichlet(np.full(n_channels, 0.6), size=n_channels)
    trans = 0.7 * trans + 0.3 * np.eye(n_channels)  # sticky: repeats are common
    cum = np.cumsum(trans, axis=1)
    first = rng.choice(n_channels, n_journeys, p=rng.dirichlet(np.ones(n_channels)))
    max_len = int(lengths.max())
    tokens = np.full((n_journeys, max_len), -1, dtype=np.int16)
    tokens[:, 0] = first
    for t in range(1, max_len):
        alive = lengths > t
        prev = tokens[alive, t - 1]
        u = rng.random(alive.sum())
        tokens[alive, t] = (u[:, None] > cum[prev]).sum(axis=1).clip(max=n_channels - 1)
    effect = rng.uniform(0.0, 0.6, n_channels)
    seen = np.zeros((n_journeys, n_channels), bool)
    rows, cols = np.nonzero(tokens >= 0)
    seen[rows, tokens[rows, cols]] = True
    logit = -3.5 + seen @ effect + 0.05 * lengths
    conv = rng.random(n_journeys) < 1 / (1 + np.exp(-logit))
    value = np.where(conv, rng.lognormal(3.5, 0.6, n_journeys), 0.0)
    flat = pd.DataFrame({"j": rows.astype(np.int64), "pos": cols.astype(np.int16),
                         "ch": names[tokens[rows, cols]]})
    jr = pd.DataFrame({"j": np.arange(n_journeys), "conv": conv.astype(float), "value": value})
    con = duckdb.connect()
    con.register("flat", flat)
    con.register("jr", jr)
    return con.execute("""
        WITH p AS (SELECT j, string_agg(ch, ' > ' ORDER BY pos) AS path FROM flat GROUP BY j)
        SELECT path, sum(conv) AS total_conversions, sum(value) AS total_conversion_value,
               sum(1 - conv) AS total_null
        FROM p JOIN jr USING (j) GROUP BY path ORDER BY path""").df()


# -- children ---------------------------------------------------------------------------------
def child(kind: str, model: str, file: str, repeat: int = 1) -> None:
    """Run one model ``repeat`` times in this process; print a JSON line with the best and the
    first time, peak memory and channel credit."""
    import pandas as pd

    df = pd.read_csv(file, sep=";")
    # imports happen before the clock starts, for both sides
    if kind == "ours":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        from adbudget.attribution import PathTable, bootstrap, make_model
    else:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution as ca
    base_rss = _current_rss_mb()
    _reset_peak()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        if kind == "ours":
            table = PathTable.from_frame(df)  # parsing the path strings is part of the run
            if model.startswith("bootstrap"):
                iv = bootstrap(make_model("markov"), table, n_boot=int(model.split("_")[1]))
                credit = dict(zip(table.channels, iv.draws.mean(axis=0), strict=True))
            else:
                credit = make_model(model).credit(table).as_dict()
            del table
        else:
            order = int(model.split("_")[1]) if "_" in model else 1
            with contextlib.redirect_stdout(io.StringIO()):
                res = ca.markov_model(df, "path", "total_conversions",
                                      var_value="total_conversion_value", var_null="total_null",
                                      order=order, verbose=False, flg_pro=False)
            credit = dict(zip(res["channel_name"], res["total_conversions"], strict=True))
        times.append(time.perf_counter() - t0)
    peak = _status_mb("VmHWM")
    print(json.dumps({"seconds": min(times), "first_seconds": times[0], "peak_rss_mb": peak,
                      "added_rss_mb": peak - base_rss, "credit": credit}))


def run_child(python: str, kind: str, model: str, file: str, repeat: int = 1) -> dict:
    out = subprocess.run([python, __file__, "--child", kind, model, file, str(repeat)],
                         capture_output=True, text=True, timeout=3600)
    if out.returncode != 0:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def share_diff(a: dict, b: dict) -> float:
    keys = sorted(set(a) | set(b))
    va = np.array([a.get(k, 0.0) for k in keys])
    vb = np.array([b.get(k, 0.0) for k in keys])
    return float(np.abs(va / va.sum() - vb / vb.sum()).max())


# -- aggregation ------------------------------------------------------------------------------
def aggregation(rows: int, threads: int | None) -> dict:
    import duckdb

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from adbudget.attribution import parse_windows, path_sql

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    t0 = time.perf_counter()
    con.execute(f"""
        CREATE TABLE touchpoints AS
        SELECT 'u' || CAST(i * 2 // 13 AS VARCHAR) AS user_id,
               TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i * 2 // 13) % 5000000 AS BIGINT)
                   + (i % 13) * 3600 + CAST(hash(i) % 3600 AS BIGINT)) AS ts,
               ['US', 'DE', 'ID'][CAST((i * 2 // 13) % 3 AS INTEGER) + 1] AS market,
               'ch' || CAST(hash(i * 7) % 12 AS VARCHAR) AS channel,
               'c' || CAST(hash(i * 11) % 5 AS VARCHAR) AS campaign,
               CASE WHEN hash(i * 3) % 4 = 0 THEN 'view' ELSE 'click' END AS interaction
        FROM range({rows}) r(i)""")
    con.execute("""
        CREATE TABLE orders AS
        SELECT 'o' || user_id AS order_id, user_id AS customer_id,
               max(ts) + INTERVAL 1 HOUR AS ordered_at,
               CAST(max(ts) + INTERVAL 1 HOUR AS DATE) AS order_date, any_value(market) AS market,
               50.0 AS revenue_base
        FROM touchpoints WHERE hash(user_id) % 20 = 0 GROUP BY user_id""")
    setup = time.perf_counter() - t0
    n_orders = con.execute("SELECT count(*) FROM orders").fetchone()[0]
    sql = path_sql(parse_windows("7d-click,1d-view"))
    t0 = time.perf_counter()
    df = con.execute(sql).df()
    seconds = time.perf_counter() - t0
    return {"rows": rows, "orders": int(n_orders), "paths": len(df), "seconds": seconds,
            "rows_per_s": rows / seconds, "setup_seconds": setup,
            "conversions": float(df.total_conversions.sum()),
            "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
            "peak_rss_mb": _rss_mb()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--channels", type=int, default=12)
    ap.add_argument("--orders", default="1,2,3,4")
    ap.add_argument("--touch-rows", type=int, default=50_000_000)
    ap.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all)")
    ap.add_argument("--peer-python", default=PEER_PYTHON)
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--skip-agg", action="store_true")
    ap.add_argument("--bootstrap", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per model in its process; the best time is reported")
    args = ap.parse_args()

    print(f"cpu cores: {os.cpu_count()}; python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    df = make_paths(args.journeys, args.channels)
    print(f"generated {args.journeys:,} journeys -> {len(df):,} distinct paths, "
          f"{int(df.total_conversions.sum()):,} conversions, mean length "
          f"{(df.path.str.count('>') + 1).mul(df.total_conversions + df.total_null).sum() / args.journeys:.2f} "
          f"({time.perf_counter() - t0:.1f} s)")
    tmp = Path(tempfile.mkdtemp(prefix="attr-bench-"))
    file = str(tmp / "paths.csv")
    df.to_csv(file, sep=";", index=False)
    peer_ok = not args.skip_peer and Path(args.peer_python).exists()
    if not args.skip_peer and not peer_ok:
        print(f"ChannelAttribution interpreter {args.peer_python} not found: measuring ours only")

    print(f"times: best of {args.repeat} runs per model, each in its own process, starting from "
          "the DataFrame of path strings; MB = peak RSS added over the loaded table")
    header = f"{'model':<22}{'ours s':>9}{'ours MB':>9}{'peer s':>9}{'peer MB':>9}{'ratio':>8}{'max share diff':>16}"
    print(header)
    print("-" * len(header))
    for k in [int(x) for x in args.orders.split(",") if x]:
        name = "markov" if k == 1 else f"markov_{k}"
        ours = run_child(sys.executable, "ours", name, file, args.repeat)
        peer = run_child(args.peer_python, "peer", name, file, args.repeat) if peer_ok else {}
        line = f"{name:<22}{ours.get('seconds', float('nan')):>9.2f}{ours.get('added_rss_mb', float('nan')):>9.0f}"
        if peer and "error" not in peer:
            ratio = peer["seconds"] / ours["seconds"]
            line += (f"{peer['seconds']:>9.2f}{peer['added_rss_mb']:>9.0f}{ratio:>7.1f}x"
                     f"{share_diff(ours['credit'], peer['credit']):>16.4f}")
        elif peer:
            line += f"   peer failed: {peer['error']}"
        print(line, flush=True)
    for name in ("shapley", "shapley_simplified", "markov_auto", f"bootstrap_{args.bootstrap}"):
        ours = run_child(sys.executable, "ours", name, file, 1 if "bootstrap" in name else args.repeat)
        if "error" in ours:
            print(f"{name:<22} failed: {ours['error']}")
            continue
        print(f"{name:<22}{ours['seconds']:>9.2f}{ours['added_rss_mb']:>9.0f}"
              f"{'(ChannelAttribution: no open-source equivalent)' if 'shapley' in name else ''}",
              flush=True)
    if not args.skip_agg:
        res = aggregation(args.touch_rows, args.threads)
        print(f"DuckDB path aggregation: {res['rows']:,} touchpoint rows, {res['orders']:,} orders "
              f"-> {res['paths']:,} paths in {res['seconds']:.1f} s = {res['rows_per_s'] / 1e6:.2f} M rows/s "
              f"(threads {res['threads']}, peak RSS {res['peak_rss_mb']:.0f} MB; setup {res['setup_seconds']:.1f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
