"""Fuzzing the parsers: whatever the bytes, only our own error type escapes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.errors import AdbudgetError
from adbudget.ingest import known_headers, read_file

HEADERS = [
    "Day,Campaign name,Ad set name,Ad name,Amount spent (USD),Impressions,Link clicks,Purchases,Purchases conversion value",
    "date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,clicks,conversions,revenue",
    "Date,Campaign Name,Currency,Spend,7 Day Total Sales ,7 Day Total Orders (#)",
    "order_id,customer_id,ordered_at,market,currency,revenue",
]

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "--", "1,234.56", "1.234,56", "1 234,56", "-3", "2025-03-01", "01-03-2025",
                     "US", "meta", "USD", "nan", "1e400", '"', "\ufeff", "2025-13-45"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from(HEADERS), rows=st.lists(st.lists(cell, min_size=1, max_size=14), max_size=5))
def test_import_of_random_rows_raises_only_our_errors(workspace, header, rows):
    body = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    before = len(workspace.ad_daily())
    try:
        workspace.import_file(Path("fuzz.csv"), data=body.encode("utf-8", "surrogatepass"), market="US")
    except AdbudgetError:
        assert len(workspace.ad_daily()) == before
    except UnicodeEncodeError:
        pass


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300))
def test_reader_on_random_bytes(data):
    try:
        read_file(Path("x.csv"), known_headers(), data=data)
    except AdbudgetError:
        pass
