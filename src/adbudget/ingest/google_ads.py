"""Google Ads report: title rows, totals rows, `--` placeholders, UTF-8 CSV or UTF-16 TSV."""

from __future__ import annotations

import pandas as pd

from adbudget.ingest.base import PlatformImporter, register

_VIDEO_TYPES = {"video", "视频", "demand gen"}


@register
class GoogleAdsImporter(PlatformImporter):
    name = "google_ads"
    channel = None  # search or YouTube, from the campaign type
    slice_channels = ("google_search", "youtube")
    signature = (r"Impr\.?|展示次数", r"Conv\. value|转化价值", r"Cost|费用")
    aliases = {
        "date": ("Day", "Date", "日期", "天"),
        "market": ("Country/Territory (User location)", "Country", "Market"),
        "account": ("Account", "Account name", "账号"),
        "campaign": ("Campaign", "广告系列"),
        "campaign_id": ("Campaign ID", "广告系列 ID"),
        "ad_group": ("Ad group", "广告组"),
        "creative": ("Ad", "Ad name"),
        "currency": ("Currency code", "Currency", "货币代码"),
        "spend": ("Cost", "费用"),
        "impressions": ("Impr.", "Impressions", "展示次数"),
        "clicks": ("Clicks", "点击次数"),
        "conversions": ("Conversions", "转化次数"),
        "revenue": ("Conv. value", "转化价值"),
    }

    def keep_rows(self, raw):
        first = raw.rows.iloc[:, 0].astype(str).str.strip()
        return ~first.str.match(r"(?i)^(total|总计)")

    def finish(self, raw, rows, out, labels, ctx):
        type_column = next((c for c in raw.header if c in ("Campaign type", "广告系列类型")), None)
        if type_column is not None:
            kind = rows[type_column].str.strip().str.lower()
            out["channel"] = kind.map(lambda k: "youtube" if k in _VIDEO_TYPES else "google_search")
        else:
            out["channel"] = pd.Series("google_search", index=out.index)
        return super().finish(raw, rows, out, labels, ctx)
