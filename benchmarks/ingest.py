"""Import N ad_daily rows from a generic CSV: ours (validation, FX, dedupe, transaction) vs raw DuckDB.

Usage: .venv/bin/python benchmarks/ingest.py [--rows 5000000]
Prints rows/s for both and the ratio (target: ours within 2x of DuckDB's own read_csv).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2022-01-01", periods=1000).strftime("%Y-%m-%d").to_numpy()
    markets = np.array(["US", "GB", "DE", "ID"])
    currency = {"US": "USD", "GB": "GBP", "DE": "EUR", "ID": "IDR"}
    chunk = 1_000_000
    with path.open("w") as out:
        out.write("date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,"
                  "clicks,conversions,revenue\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            idx = np.arange(start, start + n)
            m = markets[idx % 4]
            df = pd.DataFrame({
                "date": days[(idx // 4) % 1000],
                "market": m,
                "channel": np.where(idx % 3 == 0, "meta", np.where(idx % 3 == 1, "tiktok", "google_search")),
                "account": "acc",
                "campaign": "c" + ((idx // 4000) % 100000).astype(str),
                "ad_group": "g" + (idx // 4000000).astype(str),
                "creative": "x",
                "currency": pd.Series(m).map(currency).to_numpy(),
                "spend": np.round(rng.gamma(2, 50, n), 2),
                "impressions": rng.integers(100, 100000, n),
                "clicks": rng.integers(0, 1000, n),
                "conversions": rng.integers(0, 50, n),
                "revenue": np.round(rng.gamma(2, 120, n), 2),
            })
            df.to_csv(out, header=False, index=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()

    from adbudget import Workspace
    from adbudget.config import default_settings

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        csv_path = tmp_path / "ad_daily.csv"
        t0 = time.perf_counter()
        make_csv(csv_path, args.rows)
        print(f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")

        # Peer: DuckDB's own typed read_csv into a table, no validation.
        con = duckdb.connect(str(tmp_path / "raw.duckdb"))
        t0 = time.perf_counter()
        con.execute(f"CREATE TABLE ad_daily AS SELECT * FROM read_csv('{csv_path}', header=true)")
        raw_s = time.perf_counter() - t0
        raw_rows = con.execute("SELECT count(*) FROM ad_daily").fetchall()[0][0]
        con.close()

        ws = Workspace.init(tmp_path / "ws", default_settings(["US", "GB", "DE", "ID"]))
        fx = tmp_path / "fx.csv"
        fx.write_text("date,currency,per_base\n2021-12-31,EUR,0.9\n2021-12-31,GBP,0.8\n2021-12-31,IDR,15000\n")
        ws.import_file(fx)
        t0 = time.perf_counter()
        result = ws.import_file(csv_path)
        ours_s = time.perf_counter() - t0
        ws.close()

    print(f"duckdb read_csv : {raw_rows:>10,} rows in {raw_s:6.2f}s = {raw_rows / raw_s:>12,.0f} rows/s")
    print(f"adbudget import : {result.inserted:>10,} rows in {ours_s:6.2f}s = {result.inserted / ours_s:>12,.0f} rows/s")
    print(f"ratio (ours / duckdb time): {ours_s / raw_s:.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
