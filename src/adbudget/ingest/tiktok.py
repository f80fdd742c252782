"""TikTok Ads Manager export (CSV or XLSX); `total_complete_payment_rate` is a value, not a rate."""

from __future__ import annotations

from adbudget.ingest.base import PlatformImporter, register


@register
class TikTokImporter(PlatformImporter):
    name = "tiktok"
    channel = "tiktok"
    signature = (r"Complete payment|complete_payment|完成支付", r"Cost|cost|花费|消耗")
    aliases = {
        "date": ("By Day", "Date", "stat_time_day", "日期", "按天"),
        "market": ("Country/Region", "Country", "国家/地区"),
        "account": ("Advertiser name", "Account", "广告主名称"),
        "campaign": ("Campaign name", "campaign_name", "推广系列名称"),
        "campaign_id": ("Campaign ID", "campaign_id", "推广系列ID", "推广系列 ID"),
        "ad_group": ("Ad group name", "adgroup_name", "广告组名称"),
        "creative": ("Ad name", "ad_name", "广告名称"),
        "currency": ("Currency", "currency", "币种"),
        "spend": ("Cost", "cost", "花费", "消耗"),
        "impressions": ("Impressions", "impressions", "展示次数"),
        "clicks": ("Clicks (destination)", "clicks", "Clicks", "点击量（目标页面）", "点击次数"),
        "conversions": ("Complete payment", "complete_payment", "完成支付"),
        "revenue": (
            "Total complete payment value",
            "total_complete_payment_rate",  # API name; it holds a value, not a rate
            "Complete payment value",
            "完成支付总价值",
        ),
    }
