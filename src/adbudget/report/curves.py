"""Curves: daily response per market × channel with its credible band, today's and planned spend.

Pure: takes the response area's ``curves_table()`` frame (a spend grid with mean, lo, hi per
line) and optional current/planned daily spend per line; returns a :class:`Section` with one
figure per market (a trace and band per channel) and a table of per-line facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report.model import Column, Figure, Section, Table

_ALIASES = {
    "spend": ("spend", "daily_spend", "spend_base", "x"),
    "mean": ("mean", "response", "expected", "revenue", "median"),
    "lo": ("lo", "lower", "q05", "p05", "hdi_lo"),
    "hi": ("hi", "upper", "q95", "p95", "hdi_hi"),
}
_FACTS = ("saturation_pct", "half_saturation", "half", "ec50", "carryover", "adstock",
          "decay", "half_life", "half_life_days", "roas", "marginal_roas", "identified")


_SHOWN = ("market", "channel", "current", "planned", "roas", "roas_lo", "roas_hi",
          "marginal_roas", "saturation_pct", "half_life", "contribution_share", "identified")
_FORMATS = {"market": "text", "channel": "text", "current": "money", "planned": "money",
            "roas": "ratio", "roas_lo": "ratio", "roas_hi": "ratio", "marginal_roas": "ratio",
            "saturation_pct": "pct", "half_life": "num", "contribution_share": "pct",
            "identified": "text"}
_FIT_WORDS = ("roas", "half_life", "saturation", "carryover", "adstock", "identified", "share",
              "contribution")


def _pick(df: pd.DataFrame, name: str) -> str | None:
    for cand in _ALIASES[name]:
        if cand in df.columns:
            return cand
    return None


def curve_figures(table: pd.DataFrame, lang: str = "en", base_currency: str = "USD",
                  current: Mapping[tuple[str, str], float] | None = None,
                  planned: Mapping[tuple[str, str], float] | None = None,
                  name: Callable[[str], str] = str) -> tuple[list[Figure], list[dict[str, Any]]]:
    """One figure per market (a line and band per channel, today's ● and planned ◆ daily
    spend) and per line what the grid says at today's spend. *name* shows a channel code by
    name (the dashboard passes its display names; the legend groups stay the codes)."""
    s_col, m_col = _pick(table, "spend"), _pick(table, "mean")
    lo_col, hi_col = _pick(table, "lo"), _pick(table, "hi")
    assert s_col is not None and m_col is not None
    figures: list[Figure] = []
    current = dict(current or {})
    planned = dict(planned or {})
    rows: list[dict[str, Any]] = []
    for market, gm in table.groupby("market", sort=True):
        traces: list[dict[str, Any]] = []
        shapes: list[dict[str, Any]] = []
        for i, (channel, g) in enumerate(gm.groupby("channel", sort=True)):
            g = g.sort_values(s_col)
            if lo_col and hi_col:
                traces += fg.band(g[s_col].tolist(), g[lo_col].tolist(), g[hi_col].tolist(),
                                  f"{name(str(channel))} {t('report.curves.band', lang)}", i,
                                  group=str(channel))
            traces.append(fg.line(g[s_col].tolist(), g[m_col].tolist(), name(str(channel)), i,
                                  legendgroup=str(channel)))
            now, plan = current.get((market, channel)), planned.get((market, channel))
            if now is None and "current" in g.columns and g["current"].dtype == bool and g["current"].any():
                now = float(g.loc[g["current"], s_col].iloc[0])
            for value, symbol, label in ((now, "circle", t("report.curves.today", lang)),
                                         (plan, "diamond", t("report.curves.planned", lang))):
                if value is not None and np.isfinite(value):
                    y = float(np.interp(value, g[s_col], g[m_col]))
                    traces.append({"type": "scatter", "mode": "markers", "x": [float(value)],
                                   "y": [y], "name": f"{name(str(channel))} {label}",
                                   "showlegend": False,
                                   "marker": {"symbol": symbol, "size": 10, "color": fg.color(i),
                                              "line": {"color": "#222", "width": 1}}})
            rec: dict[str, Any] = {"market": market, "channel": channel,
                                   "current": now, "planned": plan}
            top = float(g[m_col].max())
            if now is not None and top > 0:
                rec["saturation_pct"] = float(np.interp(now, g[s_col], g[m_col])) / top * 100
            for fact in _FACTS:
                if fact not in g.columns or fact in rec:
                    continue
                col = g[fact]
                if pd.api.types.is_numeric_dtype(col) and col.nunique() > 1:
                    if now is not None:  # a quantity along the curve: read it at today's spend
                        rec[fact] = float(np.interp(now, g[s_col], col))
                else:
                    v = col.iloc[0]
                    rec[fact] = v.item() if hasattr(v, "item") else v
            rows.append(rec)
        lay = fg.layout("", t("report.curves.x", lang, currency=base_currency),
                        t("report.curves.y", lang, currency=base_currency))
        lay["shapes"] = shapes
        figures.append(Figure(f"fig-curve-{market}", t("report.curves.fig", lang, market=market),
                              fg.figure(traces, lay)))
    return figures, rows


def curves_section(table: pd.DataFrame, lang: str = "en", base_currency: str = "USD",
                   current: Mapping[tuple[str, str], float] | None = None,
                   planned: Mapping[tuple[str, str], float] | None = None,
                   facts: pd.DataFrame | None = None, interval: float | None = None) -> Section:
    """Build the Curves page/chapter. *facts* is the fit's per-line summary; when it carries
    the platforms' claims, the chapter also says per line what the platform claims and what
    we estimate it caused (``report.claims``: the sentences, a table with the intervals, and
    the same fields in ``data["lines"]`` under the names ``/api/model`` uses), *interval*
    being the fit's credible mass (0.9 when not given)."""
    section = Section(key="curves", title=t("report.curves.title", lang))
    if table is None or table.empty:
        section.status = "empty"
        section.message = t("report.curves.no_curves", lang)
        return section
    s_col, m_col = _pick(table, "spend"), _pick(table, "mean")
    if s_col is None or m_col is None or "market" not in table or "channel" not in table:
        section.status = "error"
        section.message = t("report.curves.bad_table", lang, columns=", ".join(map(str, table.columns)))
        return section
    from adbudget.report import labels

    figures, rows = curve_figures(table, lang, base_currency, current, planned,
                                  name=lambda c: labels.channel(c, lang))  # legends by name
    section.figures.extend(figures)
    facts_df = pd.DataFrame(rows)
    fitted = facts is not None and not facts.empty and {"market", "channel"} <= set(facts.columns)
    if fitted:
        keep = ["market", "channel"] + [c for c in facts.columns if c not in ("market", "channel")
                                        and any(w in str(c) for w in _FIT_WORDS)]
        # the model's own marginal ROAS and saturation win over the ones read off the grid
        facts_df = facts_df.merge(facts[keep], on=["market", "channel"], how="left",
                                  suffixes=("_grid", ""))
        for col in ("marginal_roas", "saturation_pct"):
            if col not in facts_df.columns and f"{col}_grid" in facts_df.columns:
                facts_df = facts_df.rename(columns={f"{col}_grid": col})
        if "contribution_share" in facts_df.columns:
            facts_df["contribution_share"] = facts_df["contribution_share"] * 100
    shown = [c for c in _SHOWN if c in facts_df.columns]
    shown += [c for c in _FACTS if c in facts_df.columns and c not in shown
              and not c.endswith("_grid")]
    facts_df = facts_df[shown]
    cols = []
    for c in shown:
        label_key = (f"report.col.{c}" if c in ("market", "channel") else
                     "report.curves.today" if c == "current" else
                     "report.curves.planned" if c == "planned" else f"report.curves.fact.{c}")
        label = t(label_key, lang)
        cols.append(Column(c, label if label != label_key else c, _FORMATS.get(c, "num")))  # type: ignore[arg-type]
    recs = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in facts_df.to_dict(orient="records")]
    section.tables.append(Table(t("report.curves.facts", lang), cols, recs,
                                note=t("report.curves.note_fit" if fitted else "report.curves.note",
                                       lang)))
    section.data = {"lines": recs}
    if fitted:
        _add_claims(section, facts, recs, lang, base_currency, interval)
    return section


def _add_claims(section: Section, facts: pd.DataFrame, recs: list[dict[str, Any]], lang: str,
                base_currency: str, interval: float | None) -> None:
    """The claims block, table and per-line fields, when the fit carries claims."""
    from adbudget.report import claims
    from adbudget.report.mmm import claims_block

    rows = claims.claim_rows(facts, lang)
    if not rows:
        return
    pct = f"{float(interval or 0.9) * 100:g}"
    by_line = {(r["market"], r["channel"]): r for r in rows}
    for rec in recs:  # the fit's claim fields beside each line (0-1 shares, like /api/model)
        row = by_line.get((rec.get("market"), rec.get("channel")))
        rec.update({f: (row or {}).get(f) for f in claims.CLAIM_FIELDS if f not in rec
                    or rec[f] is None})
        rec["has_claims"] = row is not None
    table = claims.claims_table(rows, pct, lang)
    if table is not None:
        section.tables.append(table)
    section.data["claims"] = claims_block(rows, pct, base_currency, lang)
    section.data["interval"] = float(pct) / 100
