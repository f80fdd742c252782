"""Generic CSV/Parquet files with our canonical column names, one importer per table."""

from __future__ import annotations

from adbudget.ingest.base import Importer, register
from adbudget.ingest.spec import TABLE_COLUMNS


def _generic(kind: str, source: str, signature: tuple[str, ...]) -> type[Importer]:
    columns = TABLE_COLUMNS[kind]
    cls = type(
        f"Generic_{source}",
        (Importer,),
        {
            "name": source,
            "kind": kind,
            "signature": signature,
            "aliases": {c.name: (c.name,) for c in columns},
            "date_formats": ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"),
            "__doc__": f"Canonical {kind} file.",
        },
    )
    return register(cls)


# Order matters in detection only through signatures, which are disjoint.
GenericAdDaily = _generic("ad_daily", "ad_daily", ("date", "market", "channel", "spend"))
GenericOrders = _generic("orders", "orders", ("order_id", "customer_id", "ordered_at"))
GenericTouchpoints = _generic("touchpoints", "touchpoints", ("user_id", "ts", "interaction"))
GenericFunnel = _generic("funnel_daily", "funnel", ("date", "step", "count"))
GenericLift = _generic("lift_tests", "lift_tests", ("test_id", "incremental_revenue"))
GenericFx = _generic("fx_rates", "fx_rates", ("date", "currency", "per_base"))
GenericMargins = _generic("margins", "margins", ("market", "gross_margin_pct"))

GENERIC_TYPES = (GenericAdDaily, GenericOrders, GenericTouchpoints, GenericFunnel, GenericLift, GenericFx)
