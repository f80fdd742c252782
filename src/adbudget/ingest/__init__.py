"""Importers: one module per source format, auto-detected from the header.

Every file goes the same way: read into strings (``reader``), mapped to canonical columns by
its importer (``base`` + one module per platform), typed and checked in DuckDB (``validate``),
then written in one transaction by the workspace.
"""

from adbudget.ingest import amazon, generic, google_ads, lazada, meta, shopee, tiktok  # noqa: F401
from adbudget.ingest.base import IMPORTERS, Context, Importer, Staged
from adbudget.ingest.reader import RawTable, read_file

# Detection order: platform formats first (their signatures are specific), then generic files.
DETECTION_ORDER = ("meta", "google_ads", "tiktok", "amazon", "shopee", "lazada", "ad_daily",
                   "orders", "touchpoints", "funnel", "lift_tests", "fx_rates", "margins")


def known_headers() -> set[str]:
    """Every header name any importer knows (used to find the header among preamble lines)."""
    out: set[str] = set()
    for cls in IMPORTERS.values():
        out |= cls.known_headers()
    return out


def detect(header: list[str]) -> Importer | None:
    """The first importer whose signature matches the header, or None."""
    for name in DETECTION_ORDER:
        cls = IMPORTERS[name]
        if cls.detect(header):
            return cls()
    return None


__all__ = ["DETECTION_ORDER", "IMPORTERS", "Context", "Importer", "RawTable", "Staged",
           "detect", "known_headers", "read_file"]
