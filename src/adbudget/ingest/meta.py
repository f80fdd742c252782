"""Meta Ads Manager export (English and Chinese UI headers); currency is in the spend header."""

from __future__ import annotations

import re

from adbudget.errors import InputError
from adbudget.ingest.base import PlatformImporter, register

_SPEND = re.compile(r"(Amount spent|已花费金额)\s*[\(（]([A-Za-z]{3})[\)）]")


@register
class MetaImporter(PlatformImporter):
    name = "meta"
    channel = "meta"
    signature = (r"(Campaign name|广告系列名称)", _SPEND.pattern)
    aliases = {
        "date": ("Day", "Reporting starts", "天", "报告开始日期"),
        "market": ("Country", "国家/地区", "国家"),
        "account": ("Account name", "账户名称"),
        "campaign": ("Campaign name", "广告系列名称"),
        "campaign_id": ("Campaign ID", "广告系列编号", "广告系列 ID"),
        "ad_group": ("Ad set name", "广告组名称"),
        "creative": ("Ad name", "广告名称"),
        "impressions": ("Impressions", "展示次数"),
        "clicks": ("Link clicks", "链接点击量"),
        "conversions": ("Purchases", "购物次数"),
        "revenue": ("Purchases conversion value", "购物转化价值"),
    }

    @classmethod
    def known_headers(cls) -> set[str]:
        return super().known_headers() | {"Amount spent (USD)", "已花费金额 (USD)"}

    def finish(self, raw, rows, out, labels, ctx):
        spend_columns = [(c, _SPEND.fullmatch(c)) for c in raw.header if _SPEND.fullmatch(c)]
        if not spend_columns:
            raise InputError("missing column 'Amount spent (XXX)' (XXX = currency code)",
                             file=raw.file, line=1 + len(raw.preamble), column="Amount spent")
        column, match = spend_columns[0]
        out["spend"] = rows[column].to_numpy()
        out["currency"] = match.group(2).upper()
        labels["spend"] = column
        labels["currency"] = column
        return super().finish(raw, rows, out, labels, ctx)


