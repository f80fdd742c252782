"""Fixtures of the ltv tests: the CDNOW sample, workspaces filled with known orders/funnels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CDNOW = Path("/work/shared/data/cdnow/CDNOW_sample.txt")
if not CDNOW.exists():  # a checkout next to shared/
    CDNOW = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """CDNOW sample transactions: customer, date, dollars (one row per purchase record)."""
    if not CDNOW.exists():
        pytest.skip("CDNOW sample not available")
    df = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["cust", "sample", "date", "cds", "dollars"])
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


def insert(ws, table: str, df: pd.DataFrame) -> None:
    """Insert a DataFrame into a store table (columns by name)."""
    ws.store.con.register("_df", df)
    try:
        ws.store.execute(f"INSERT INTO {table} BY NAME SELECT *, 0 AS import_id FROM _df")
    finally:
        ws.store.con.unregister("_df")


def make_funnel(
    rates: dict[str, tuple[float, float, float]], days: int = 120, sessions: int = 2000,
    start: str = "2025-01-01", seed: int = 0, devices: tuple[str, ...] = ("desktop", "mobile"),
    change: dict[str, tuple[int, int, float]] | None = None,
) -> pd.DataFrame:
    """Binomial funnel counts per market, day and device with the given step rates.

    ``change`` = {market: (step index, first day, factor)} multiplies one rate from that day.
    """
    rng = np.random.default_rng(seed)
    rows = []
    dates = pd.date_range(start, periods=days, freq="D")
    for market, r in rates.items():
        for d, date in enumerate(dates):
            for device in devices:
                rr = list(r)
                if change and market in change and d >= change[market][1]:
                    rr[change[market][0]] *= change[market][2]
                n = rng.poisson(sessions / len(devices))
                atc = rng.binomial(n, rr[0])
                chk = rng.binomial(atc, rr[1])
                pur = rng.binomial(chk, rr[2])
                for step, c in zip(("sessions", "add_to_cart", "checkout", "purchase"),
                                   (n, atc, chk, pur), strict=True):
                    rows.append((date, market, step, device, int(c)))
    return pd.DataFrame(rows, columns=["date", "market", "step", "device", "count"])
