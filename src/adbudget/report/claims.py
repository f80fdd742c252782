"""What each platform claims next to what the model estimates the line caused (issue 23, item 5).

Pure and shared: the dashboard's Curves and Model pages, ``/api/curves``, ``/api/model`` and
the report's Model and Curves chapters all read the same per-line fields of the saved fit's
summary (``response.results``: ``claimed_revenue``, ``claimed_conversions``,
``claimed_roas``, ``incremental_revenue`` and its interval, ``incremental_share`` and its
interval, ``caused_conversions``, ``organic_claim_share`` and its interval, ``over_claim``)
and render them here, in the reader's language. Nothing is estimated here: a field the fit
does not carry is left out of the sentence, never computed in its place.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import labels
from adbudget.report.format import finite as _f
from adbudget.report.format import money, number, ratio, share
from adbudget.report.model import Column, Table

# per-line fields of the fit summary about claims; shown when present, nothing when absent
CLAIM_FIELDS = ("claimed_revenue", "claimed_conversions", "claimed_roas", "incremental_revenue",
                "incremental_revenue_lo", "incremental_revenue_hi", "incremental_share",
                "incremental_share_lo", "incremental_share_hi", "caused_conversions",
                "organic_claim_share", "organic_claim_share_lo", "organic_claim_share_hi",
                "over_claim", "roas", "roas_lo", "roas_hi")
# read (and shown) only when the fit carries them
OPTIONAL_FIELDS = ("caused_conversions_lo", "caused_conversions_hi")
# the shares are 0-1 in the fit and in ``data.lines``; tables show them as % (x 100)
SHARES = ("incremental_share", "organic_claim_share")


def claim_fields(rec: dict[str, Any]) -> dict[str, Any]:
    """The claim fields of one summary record as floats (None where missing or NaN) and
    ``has_claims``: the platform claims something and the fit says what the line caused."""
    row: dict[str, Any] = {f: _f(rec.get(f)) for f in CLAIM_FIELDS}
    row.update({f: _f(rec[f]) for f in OPTIONAL_FIELDS if f in rec})
    row["has_claims"] = row["claimed_revenue"] is not None and (
        row["incremental_revenue"] is not None or row["incremental_share"] is not None)
    return row


def claim_rows(summary: pd.DataFrame | None, lang: str) -> list[dict[str, Any]]:
    """Per line of the fit summary that has claims: its label, market, channel (code and
    name) and the claim fields. Empty when the fit carries no claims."""
    if summary is None or summary.empty or "claimed_revenue" not in summary.columns:
        return []
    out = []
    for rec in summary.to_dict(orient="records"):
        row = claim_fields(rec)
        if not row["has_claims"]:
            continue
        out.append({"label": labels.line_label(rec["market"], rec["channel"], lang),
                    "market": rec["market"], "channel": rec["channel"],
                    "channel_name": labels.channel(rec["channel"], lang), **row})
    return out


def _interval(lo: Any, hi: Any, show: Any, lang: str) -> str | None:
    if _f(lo) is None or _f(hi) is None:
        return None
    return t("web.claims.range", lang, lo=show(lo), hi=show(hi))


def sentence(row: dict[str, Any], pct: str, currency: str, lang: str) -> str:
    """"US · Meta: the platform claims 1,204 orders worth $101,886.45 (ROAS 5.64); we estimate
    it caused 419 orders, $35,468.51 [80% interval $26,744.71 to $45,980.39] (ROAS 1.96): an
    incrementality share of 34.8% [80% interval 26.2% to 45.1%]." and, when the fit read the
    claim's organic part, what share of the claim that is."""
    def cash(v: Any) -> str:
        return money(v, currency, lang)

    values = {"line": row["label"], "pct": pct,
              "claimed": cash(row["claimed_revenue"]),
              "claimed_roas": ratio(row["claimed_roas"], lang),
              "caused": cash(row["incremental_revenue"]),
              "lo": cash(row["incremental_revenue_lo"]), "hi": cash(row["incremental_revenue_hi"]),
              "roas": ratio(row["roas"], lang), "share": share(row["incremental_share"], lang),
              "orders": number(row.get("claimed_conversions"), lang),
              "caused_orders": number(row.get("caused_conversions"), lang)}
    span = _interval(row.get("incremental_share_lo"), row.get("incremental_share_hi"),
                     lambda v: share(v, lang), lang)
    values["share_span"] = t("web.claims.span", lang, pct=pct, span=span) if span else ""
    orders = row.get("claimed_conversions") is not None and row.get("caused_conversions") is not None
    text = t("web.claims.line_orders" if orders else "web.claims.line", lang, **values)
    orders_span = _interval(row.get("caused_conversions_lo"), row.get("caused_conversions_hi"),
                            lambda v: number(v, lang), lang)
    gap = "" if lang == "zh" else " "  # Chinese sentences follow each other without a space
    if orders and orders_span:
        text += gap + t("web.claims.orders_interval", lang, pct=pct, span=orders_span)
    if row.get("organic_claim_share") is not None:
        organic = share(row["organic_claim_share"], lang)
        o_span = _interval(row.get("organic_claim_share_lo"), row.get("organic_claim_share_hi"),
                           lambda v: share(v, lang), lang)
        text += gap + (t("web.claims.organic_interval", lang, organic=organic, pct=pct,
                         span=o_span) if o_span else t("web.claims.organic", lang,
                                                       organic=organic))
    return text


def sentences(rows: list[dict[str, Any]], pct: str, currency: str, lang: str) -> list[str]:
    """One sentence per line with claims (see :func:`sentence`)."""
    return [sentence(r, pct, currency, lang) for r in rows if r.get("has_claims")]


def _pct100(v: Any) -> float | None:
    x = _f(v)
    return None if x is None else x * 100


def claims_table(rows: list[dict[str, Any]], pct: str, lang: str, intervals: bool = True
                 ) -> Table | None:
    """Claimed vs caused per line as a report table (the same column keys on ``/api/model``
    and ``/api/curves``); the shares in % with their intervals when *intervals*. None when no
    line has claims."""
    claimed = [r for r in rows if r.get("has_claims")]
    if not claimed:
        return None
    lo, hi = t("report.col.lo", lang), t("report.col.hi", lang)
    cols = [Column("label", t("web.col.line", lang)),
            Column("claimed_revenue", t("web.claims.claimed", lang), "money"),
            Column("claimed_conversions", t("web.claims.claimed_orders", lang), "int"),
            Column("claimed_roas", t("web.claims.claimed_roas", lang), "ratio"),
            Column("incremental_revenue", t("web.claims.caused", lang), "money"),
            Column("incremental_revenue_lo", lo, "money"),
            Column("incremental_revenue_hi", hi, "money"),
            Column("caused_conversions", t("web.claims.caused_orders", lang), "int"),
            Column("roas", t("web.glossary.roas.name", lang), "ratio"),
            Column("incremental_share", t("web.glossary.incremental_share.name", lang), "pct")]
    if intervals:
        cols += [Column("incremental_share_lo", lo, "pct"),
                 Column("incremental_share_hi", hi, "pct")]
    cols.append(Column("organic_claim_share", t("web.glossary.organic_share.name", lang), "pct"))
    if intervals:
        cols += [Column("organic_claim_share_lo", lo, "pct"),
                 Column("organic_claim_share_hi", hi, "pct")]
    cols.append(Column("over_claim", t("web.glossary.claim_multiplier.name", lang), "ratio"))
    recs = []
    for r in claimed:
        rec = {c.key: r.get(c.key) for c in cols}
        for key in SHARES:
            for suffix in ("", "_lo", "_hi"):
                if key + suffix in rec:
                    rec[key + suffix] = _pct100(r.get(key + suffix))
        recs.append(rec)
    # a column no line fills (a fit without conversions, organic parts or multipliers) is left out
    cols = [c for c in cols if c.key == "label" or any(rec[c.key] is not None for rec in recs)]
    recs = [{c.key: rec[c.key] for c in cols} for rec in recs]
    return Table(t("web.claims.table", lang) + f" ({pct}%)", cols, recs,
                 t("web.glossary.incremental_share.def", lang) + " "
                 + t("web.glossary.organic_share.def", lang))


__all__ = ["CLAIM_FIELDS", "SHARES", "claim_fields", "claim_rows", "claims_table", "sentence",
           "sentences"]
