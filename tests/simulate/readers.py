"""Independent readers of the simulator's native files (not the project's importers), so the
files can be checked against the truth even without the ingest package."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

COLUMNS = {  # source -> (date, campaign, spend, revenue, date format)
    "meta": ("Day", "Campaign name", None, "Purchases conversion value", "%Y-%m-%d"),
    "tiktok": ("By Day", "Campaign name", "Cost", "Total complete payment value", "%Y-%m-%d"),
    "amazon": ("Date", "Campaign Name", "Spend", "7 Day Total Sales ", None),
    "shopee": ("Date", "Ad Name", "Expense", "GMV", "%d-%m-%Y"),
    "lazada": ("Date", "Campaign Name", "Spend", "Revenue", "%Y-%m-%d"),
    "google_ads": ("Day", "Campaign", "Cost", "Conv. value", "%Y-%m-%d"),
    "ad_daily": ("date", "campaign", "spend", "revenue", "%Y-%m-%d"),
}
CHANNEL = {"meta": "meta", "tiktok": "tiktok", "amazon": "amazon", "shopee": "shopee",
           "lazada": "lazada"}


def read_native(path: Path, source: str, market: str) -> pd.DataFrame:
    """date, market, channel, spend (local), revenue (local) of one platform file."""
    data = path.read_bytes()
    if data.startswith(b"\xff\xfe"):
        text, sep = data.decode("utf-16"), "\t"
    else:
        text, sep = data.decode("utf-8"), ","
    lines = text.split("\n")
    skip = 0
    if source == "google_ads":
        skip = 2
    elif source == "shopee":
        skip = next(i for i, ln in enumerate(lines) if ln.startswith("Date,"))
    df = pd.read_csv(io.StringIO("\n".join(lines[skip:])), sep=sep, dtype=str, keep_default_na=False)
    date_col, _camp, spend_col, rev_col, fmt = COLUMNS[source]
    if source == "google_ads":
        df = df[~df["Day"].str.startswith("Total")]
    if spend_col is None:
        spend_col = next(c for c in df.columns if c.startswith("Amount spent ("))
    if source == "google_ads":
        channel = df["Campaign type"].map(lambda k: "youtube" if k == "Video" else "google_search")
    elif source == "ad_daily":
        channel = df["channel"]
    else:
        channel = pd.Series(CHANNEL[source], index=df.index)
    dates = pd.to_datetime(df[date_col], format=fmt) if fmt else pd.to_datetime(df[date_col], format="mixed")
    revenue = pd.to_numeric(df[rev_col].replace("--", "0"))
    return pd.DataFrame({"date": dates, "market": market, "channel": channel,
                         "spend": pd.to_numeric(df[spend_col]), "revenue": revenue})
