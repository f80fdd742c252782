"""The Curves page as the dashboard shows it (a view of its own, not the report's section).

Reads the saved fit through ``ws.fit_state()`` (a stale fit is still shown, labelled stale),
draws one response figure per market with channels by name, today's (●) and the plan's (◆)
daily spend, and lists per line ROAS and marginal ROAS with their intervals, saturation,
carryover and share of effect; then, when the fit used the platforms' own claims, what each
platform claims next to what we estimate it caused (claimed revenue and ROAS, caused revenue
and ROAS with the fit's interval, incrementality share, the organic part of the claim and
the claim multiplier). Nothing about claims is shown when the fit has none.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import labels
from adbudget.report import mmm as mv
from adbudget.report.curves import curve_figures
from adbudget.report.format import finite as _f
from adbudget.report.mmm import planned_daily
from adbudget.web.area_views import WebTable

__all__ = ["claims", "curves_view", "line_table", "notices", "planned_daily"]


def interval(lo: Any, hi: Any, kind: str, lang: str, currency: str = "USD") -> str:
    """``a – b`` in the column's format (— when either end is missing)."""
    from adbudget.web.format import fmt_value

    if _f(lo) is None or _f(hi) is None:
        return "—"
    return f"{fmt_value(lo, kind, currency, lang)} – {fmt_value(hi, kind, currency, lang)}"


def line_table(rows: list[dict[str, Any]], pct: str, lang: str) -> WebTable:
    """Per line facts at today's spend, sortable and filterable by market and channel."""
    shown = []
    for r in rows:
        shown.append({**r, "channel": r["channel_name"],
                      "roas_interval": interval(r.get("roas_lo"), r.get("roas_hi"), "ratio", lang),
                      "mroas_interval": interval(r.get("mroas_lo"), r.get("mroas_hi"), "ratio",
                                                 lang)})
    cols = [("market", t("web.col.market", lang), "text"),
            ("channel", t("web.col.channel", lang), "text"),
            ("current", t("web.plan.current_daily", lang), "money"),
            ("planned", t("web.plan.planned_daily", lang), "money"),
            ("roas", t("web.glossary.roas.name", lang), "ratio"),
            ("roas_interval", t("web.curves.interval", lang, pct=pct), "text"),
            ("mroas", t("web.glossary.marginal_roas.name", lang), "ratio"),
            ("mroas_interval", t("web.curves.interval", lang, pct=pct), "text"),
            ("saturation", t("web.curves.saturation", lang), "pct"),
            ("half_life", t("web.curves.half_life", lang), "num"),
            ("spend_share", t("web.model.spend_share", lang), "pct"),
            ("effect_share", t("web.model.effect_share", lang), "pct")]
    return WebTable("curves-lines", t("web.curves.lines", lang), cols, shown,
                    t("web.curves.lines_note", lang), ("market", "channel"),
                    tips={"roas": t("web.glossary.roas.def", lang),
                          "mroas": t("web.glossary.marginal_roas.def", lang)})


def claims(rows: list[dict[str, Any]], pct: str, currency: str, lang: str
           ) -> tuple[list[str], WebTable | None]:
    """Per line with claims, the sentence "the platform claims X (ROAS a); we estimate it
    caused Y [interval] (ROAS b)" and the same numbers as a sortable table; nothing when the
    fit carries no claims."""
    from adbudget.report.claims import sentence

    with_claims = [r for r in rows if r["has_claims"]]
    if not with_claims:
        return [], None
    sentences, recs = [], []
    for r in with_claims:
        sentences.append(sentence(r, pct, currency, lang))
        recs.append({"market": r["market"], "channel": r["channel_name"],
                     "claimed_revenue": r["claimed_revenue"], "claimed_roas": r["claimed_roas"],
                     "claimed_orders": r.get("claimed_conversions"),
                     "caused_orders": r.get("caused_conversions"),
                     "caused": r["incremental_revenue"],
                     "caused_interval": interval(r["incremental_revenue_lo"],
                                                 r["incremental_revenue_hi"], "money", lang,
                                                 currency),
                     "roas": r["roas"],
                     "incremental_share": _share100(r["incremental_share"]),
                     "share_interval": interval(_share100(r.get("incremental_share_lo")),
                                                _share100(r.get("incremental_share_hi")), "pct",
                                                lang),
                     "organic_share": _share100(r.get("organic_claim_share")),
                     "organic_interval": interval(_share100(r.get("organic_claim_share_lo")),
                                                  _share100(r.get("organic_claim_share_hi")),
                                                  "pct", lang),
                     "over_claim": r.get("over_claim")})
    cols = [("market", t("web.col.market", lang), "text"),
            ("channel", t("web.col.channel", lang), "text"),
            ("claimed_revenue", t("web.claims.claimed", lang), "money"),
            ("claimed_orders", t("web.claims.claimed_orders", lang), "int"),
            ("claimed_roas", t("web.claims.claimed_roas", lang), "ratio"),
            ("caused", t("web.claims.caused", lang), "money"),
            ("caused_interval", t("web.curves.interval", lang, pct=pct), "text"),
            ("caused_orders", t("web.claims.caused_orders", lang), "int"),
            ("roas", t("web.glossary.roas.name", lang), "ratio"),
            ("incremental_share", t("web.glossary.incremental_share.name", lang), "pct"),
            ("share_interval", t("web.curves.interval", lang, pct=pct), "text"),
            ("organic_share", t("web.glossary.organic_share.name", lang), "pct"),
            ("organic_interval", t("web.curves.interval", lang, pct=pct), "text"),
            ("over_claim", t("web.glossary.claim_multiplier.name", lang), "ratio")]
    if all(r["over_claim"] is None for r in recs):
        cols = [c for c in cols if c[0] != "over_claim"]
    if all(r["organic_share"] is None for r in recs):
        cols = [c for c in cols if not c[0].startswith("organic")]
    for key in ("claimed_orders", "caused_orders"):  # a fit without the platforms' conversions
        if all(r[key] is None for r in recs):
            cols = [c for c in cols if c[0] != key]
    tips = {"roas": t("web.glossary.roas.def", lang),
            "incremental_share": t("web.glossary.incremental_share.def", lang),
            "organic_share": t("web.glossary.organic_share.def", lang),
            "over_claim": t("web.glossary.claim_multiplier.def", lang)}
    return sentences, WebTable("curves-claims", t("web.claims.table", lang), cols, recs,
                               t("web.claims.note", lang), ("market", "channel"), tips)


def _share100(v: Any) -> float | None:
    x = _f(v)
    return None if x is None else x * 100


def curves_view(fit: Any, plan: Any, lang: str, currency: str, table: pd.DataFrame | None = None,
                current: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """The page's figures, tables and notes from a saved fit and the latest plan (or None).
    Without a fit (``fit=None``) the figures come from a curves *table* and today's spend
    *current* alone (the workspace's ``curves_table`` / ``response_curves``)."""
    planned = planned_daily(plan) if plan is not None else {}
    if fit is None:
        figures, _ = curve_figures(table, lang, currency, current or {}, planned,
                                   name=lambda c: labels.channel(c, lang))
        return {"figures": [{"id": f.id, "title": f.title, "spec": f.spec} for f in figures],
                "tables": [], "claims": [], "notes": []}
    summary: pd.DataFrame = fit.summary
    table = fit.curves_table(points=25)
    current = {(str(m), str(c)): float(s) for m, c, s in
               zip(summary["market"], summary["channel"], summary["current_spend"], strict=True)}
    figures, _ = curve_figures(table, lang, currency, current, planned,
                               name=lambda c: labels.channel(c, lang))
    rows = mv.line_rows(summary, planned, lang)
    for r, rec in zip(rows, summary.to_dict(orient="records"), strict=True):
        r["half_life"] = _f(rec.get("half_life"))
    pct = f"{float(getattr(fit, 'interval', 0.8) or 0.8) * 100:g}"
    sentences, claims_table = claims(rows, pct, currency, lang)
    tables = [line_table(rows, pct, lang)] + ([claims_table] if claims_table else [])
    return {"figures": [{"id": f.id, "title": f.title, "spec": f.spec} for f in figures],
            "tables": tables, "claims": sentences, "interval_pct": pct,
            "notes": notices(fit, lang)}


def notices(fit: Any, lang: str) -> list[str]:
    """The fit's notices in *lang*, channel and line codes by name (``report.mmm``)."""
    return mv.fit_notices(fit, lang)
