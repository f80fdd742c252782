"""Lazada Sponsored Solutions export: Spend, Orders, Revenue per campaign and day; market currency."""

from __future__ import annotations

from adbudget.ingest.base import PlatformImporter, register


@register
class LazadaImporter(PlatformImporter):
    name = "lazada"
    channel = "lazada"
    signature = (r"Campaign Name", r"Spend", r"Revenue", r"Orders")
    date_formats = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
    aliases = {
        "date": ("Date",),
        "campaign": ("Campaign Name",),
        "ad_group": ("Ad Group Name",),
        "impressions": ("Impressions",),
        "clicks": ("Clicks",),
        "spend": ("Spend",),
        "conversions": ("Orders",),
        "revenue": ("Revenue",),
    }
