"""Amazon Ads Sponsored Products campaign report (note the trailing space in `7 Day Total Sales `)."""

from __future__ import annotations

from adbudget.ingest.base import PlatformImporter, register


@register
class AmazonImporter(PlatformImporter):
    name = "amazon"
    channel = "amazon"
    signature = (r"7 Day Total Sales", r"Spend")
    date_formats = ("%Y-%m-%d", "%b %d, %Y", "%b %d %Y", "%d/%m/%Y")
    aliases = {
        "date": ("Date", "Start Date"),
        "market": ("Country", "Marketplace"),
        "account": ("Portfolio name",),
        "campaign": ("Campaign Name",),
        "ad_group": ("Ad Group Name",),
        "creative": ("Advertised SKU", "Advertised ASIN"),
        "currency": ("Currency",),
        "spend": ("Spend",),
        "impressions": ("Impressions",),
        "clicks": ("Clicks",),
        "conversions": ("7 Day Total Orders (#)",),
        "revenue": ("7 Day Total Sales",),  # header is '7 Day Total Sales ' (trimmed on read)
    }
