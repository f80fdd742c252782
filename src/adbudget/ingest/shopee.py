"""Shopee Ads export: preamble lines, DD-MM-YYYY dates, `Expense` and `GMV`; market currency."""

from __future__ import annotations

from adbudget.ingest.base import PlatformImporter, register


@register
class ShopeeImporter(PlatformImporter):
    name = "shopee"
    channel = "shopee"
    signature = (r"Expense|花费", r"GMV|销售额")
    date_formats = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
    aliases = {
        "date": ("Date", "日期"),
        "campaign": ("Ad Name", "Campaign Name", "广告名称"),
        "creative": ("Product Name", "商品名称"),
        "impressions": ("Impression", "Impressions", "曝光次数"),
        "clicks": ("Clicks", "点击数"),
        "conversions": ("Orders", "Conversions", "订单数"),
        "revenue": ("GMV", "销售额"),
        "spend": ("Expense", "花费"),
    }
