"""The response model's views (Meridian / Robyn one-pager / PyMC-Marketing style).

Pure: takes the saved fit's frames (``fit``: actual vs predicted with the hold-out flag;
``decomposition``: baseline and channel contributions per day; ``summary``: ROAS, marginal
ROAS and their intervals per line, contributions, optional platform-claim fields) and the
plan's lines, and returns Plotly figure dicts and table rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from adbudget.i18n import t
from adbudget.report import claims, labels
from adbudget.report import figures as fg
from adbudget.report.format import finite as _f

# optional per-line fields of the fit summary (platform claims vs what we estimate it caused);
# shown when present, nothing when absent (``report.claims`` renders them)
CLAIM_FIELDS = claims.CLAIM_FIELDS


def fit_stats(fit: pd.DataFrame, diagnostics: dict[str, Any] | None) -> dict[str, Any]:
    """R² and MAPE in sample and on the hold-out (computed here when the fit did not say)."""
    diag = diagnostics or {}
    out: dict[str, Any] = {"method": diag.get("method"), "holdout_days": diag.get("holdout_days")}

    def r2(a: np.ndarray, p: np.ndarray) -> float | None:
        if len(a) < 2 or np.var(a) == 0:
            return None
        return float(1 - np.sum((a - p) ** 2) / np.sum((a - a.mean()) ** 2))

    def mape(a: np.ndarray, p: np.ndarray) -> float | None:
        keep = a != 0
        return float(np.mean(np.abs((a[keep] - p[keep]) / a[keep]))) if keep.any() else None

    for name, sel in (("train", fit["train"].astype(bool)), ("holdout", ~fit["train"].astype(bool))):
        a = fit.loc[sel, "actual"].to_numpy(float)
        p = fit.loc[sel, "predicted"].to_numpy(float)
        out[f"r2_{name}"] = r2(a, p)
        out[f"mape_{name}"] = mape(a, p)
    if diag.get("r2_in_sample") is not None:
        out["r2_train"] = diag["r2_in_sample"]
    if diag.get("mape_in_sample") is not None:
        out["mape_train"] = diag["mape_in_sample"]
    if diag.get("mape_holdout") is not None:
        out["mape_holdout"] = diag["mape_holdout"]
    return out


def fit_figure(fit: pd.DataFrame, lang: str, base: str, market: str | None = None) -> dict[str, Any]:
    """Actual vs predicted revenue per day (all markets summed, or one), hold-out shaded."""
    d = fit if market is None else fit[fit["market"] == market]
    g = d.groupby("date", as_index=False).agg(actual=("actual", "sum"),
                                              predicted=("predicted", "sum"),
                                              train=("train", "min"))
    traces = [fg.line(g["date"], g["actual"], t("web.model.actual", lang), 7),
              fg.line(g["date"], g["predicted"], t("web.model.predicted", lang), 0)]
    lay = fg.layout("", "", base)
    hold = g[~g["train"].astype(bool)]
    if len(hold):
        x0 = pd.to_datetime(hold["date"]).min().date().isoformat()
        x1 = pd.to_datetime(hold["date"]).max().date().isoformat()
        lay["shapes"] = [{"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1,
                          "y0": 0, "y1": 1, "fillcolor": "rgba(240,180,41,0.15)", "line": {"width": 0}}]
        lay["annotations"] = [{"x": x0, "y": 1, "xref": "x", "yref": "paper", "showarrow": False,
                               "xanchor": "left", "yanchor": "top", "text": t("web.model.holdout", lang)}]
    return fg.figure(traces, lay)


def _component_name(c: str, lang: str) -> str:
    return t("web.model.baseline", lang) if c == "base" else labels.channel(c, lang)


def contributions_figure(dec: pd.DataFrame, lang: str, base: str) -> dict[str, Any]:
    """Weekly baseline and channel contributions, stacked (what revenue each part explains)."""
    d = dec.copy()
    d["week"] = pd.to_datetime(d["date"]).dt.to_period("W-SUN").dt.start_time
    g = d.groupby(["week", "component"], as_index=False)["value"].sum()
    order = ["base"] + sorted(c for c in g["component"].unique() if c != "base")
    traces = []
    for i, comp in enumerate(order):
        s = g[g["component"] == comp]
        traces.append(fg.bar(s["week"], s["value"], _component_name(comp, lang), i))
    return fg.figure(traces, fg.layout("", "", base, barmode="stack"))


def waterfall_figure(dec: pd.DataFrame, lang: str, base: str) -> dict[str, Any]:
    """Revenue over the fitted period built up from the baseline, channel by channel."""
    g = dec.groupby("component")["value"].sum()
    parts = [("base", float(g.get("base", 0.0)))] + sorted(
        ((c, float(v)) for c, v in g.items() if c != "base"), key=lambda x: -x[1])
    names = [_component_name(c, lang) for c, _ in parts] + [t("web.model.total", lang)]
    values = [v for _, v in parts] + [sum(v for _, v in parts)]
    measure = ["absolute"] + ["relative"] * (len(parts) - 1) + ["total"]
    trace = {"type": "waterfall", "x": names, "y": values, "measure": measure,
             "name": t("web.model.contribution", lang), "connector": {"line": {"color": "#bbb"}},
             "increasing": {"marker": {"color": fg.color(2)}},
             "decreasing": {"marker": {"color": fg.color(3)}},
             "totals": {"marker": {"color": fg.color(0)}}}
    lay = fg.layout("", "", base)
    lay["xaxis"]["tickangle"] = -35
    return fg.figure([trace], lay)


def roas_figure(summary: pd.DataFrame, lang: str) -> dict[str, Any]:
    """ROAS and marginal ROAS with their intervals per line (dots with error bars)."""
    s = summary.sort_values(["market", "channel"])
    names = [labels.line_label(m, c, lang) for m, c in zip(s["market"], s["channel"], strict=True)]
    traces = []
    for i, (col, key) in enumerate((("roas", "web.glossary.roas.name"),
                                    ("marginal_roas", "web.glossary.marginal_roas.name"))):
        if col not in s:
            continue
        y = s[col].astype(float)
        lo = s.get(f"{col}_lo", y).astype(float)
        hi = s.get(f"{col}_hi", y).astype(float)
        traces.append({"type": "scatter", "mode": "markers", "y": names, "x": y.tolist(),
                       "name": t(key, lang), "marker": {"color": fg.color(i), "size": 9},
                       "error_x": {"type": "data", "symmetric": False,
                                   "array": (hi - y).clip(lower=0).fillna(0).tolist(),
                                   "arrayminus": (y - lo).clip(lower=0).fillna(0).tolist()}})
    lay = fg.layout("", t("web.model.per_unit", lang), "", height=max(300, 26 * len(s) + 90))
    lay["yaxis"] = {"automargin": True, "type": "category"}
    lay["xaxis"]["rangemode"] = "tozero"
    return fg.figure(traces, lay)


def share_figure(summary: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Share of spend vs share of effect per line (Robyn's one-pager): effect above spend means
    the line earns more than its share of the money."""
    s = summary.copy()
    spend = s["current_spend"].astype(float)
    contrib = s["contribution"].astype(float).clip(lower=0)
    s["spend_share"] = spend / spend.sum() * 100 if spend.sum() else 0.0
    s["effect_share"] = contrib / contrib.sum() * 100 if contrib.sum() else 0.0
    s = s.sort_values("spend_share")
    names = [labels.line_label(m, c, lang) for m, c in zip(s["market"], s["channel"], strict=True)]
    traces = [fg.bar(s["spend_share"].tolist(), names, t("web.model.spend_share", lang), 7,
                     orientation="h"),
              fg.bar(s["effect_share"].tolist(), names, t("web.model.effect_share", lang), 2,
                     orientation="h")]
    lay = fg.layout("", "%", "", barmode="group", height=max(300, 30 * len(s) + 90))
    lay["yaxis"] = {"automargin": True, "type": "category"}
    return fg.figure(traces, lay)


def line_rows(summary: pd.DataFrame, planned: dict[tuple[str, str], float], lang: str
              ) -> list[dict[str, Any]]:
    """Per line: ROAS and marginal ROAS [interval], shares, current vs planned daily spend, and
    the platform's claim vs what we estimate it caused (when the fit has those fields)."""
    spend_tot = float(summary["current_spend"].astype(float).sum()) or 1.0
    contrib_tot = float(summary["contribution"].astype(float).clip(lower=0).sum()) or 1.0
    rows = []
    for rec in summary.to_dict(orient="records"):
        key = (rec["market"], rec["channel"])
        row = {"label": labels.line_label(rec["market"], rec["channel"], lang),
               "market": rec["market"], "channel": rec["channel"],
               "channel_name": labels.channel(rec["channel"], lang),
               "mroas": _f(rec.get("marginal_roas")), "mroas_lo": _f(rec.get("marginal_roas_lo")),
               "mroas_hi": _f(rec.get("marginal_roas_hi")),
               "spend_share": (_f(rec.get("current_spend")) or 0.0) / spend_tot * 100,
               "effect_share": max(_f(rec.get("contribution")) or 0.0, 0.0) / contrib_tot * 100,
               "current": _f(rec.get("current_spend")), "planned": planned.get(key),
               "saturation": _f(rec.get("saturation_pct"))}
        row.update(claims.claim_fields(rec))
        rows.append(row)
    return rows


def current_vs_planned_figure(rows: list[dict[str, Any]], lang: str, base: str) -> dict[str, Any]:
    """Today's daily spend vs the plan's daily budget per line."""
    rs = [r for r in rows if r["planned"] is not None or r["current"] is not None]
    rs.sort(key=lambda r: r["planned"] or 0.0)
    names = [r["label"] for r in rs]
    traces = [fg.bar([r["current"] for r in rs], names, t("web.plan.current_daily", lang), 7,
                     orientation="h"),
              fg.bar([r["planned"] for r in rs], names, t("web.plan.planned_daily", lang), 0,
                     orientation="h")]
    lay = fg.layout("", base, "", barmode="group", height=max(300, 30 * len(rs) + 90))
    lay["yaxis"] = {"automargin": True, "type": "category"}
    return fg.figure(traces, lay)


def planned_daily(plan: Any) -> dict[tuple[str, str], float]:
    """The plan's daily budget per market × channel, every bucket on that channel included
    (a curve is the channel's whole response, so brand and test money move along it too);
    the reserve is not spent on a channel."""
    out: dict[tuple[str, str], float] = {}
    lines = plan.get("lines") if isinstance(plan, dict) else getattr(plan, "lines", None)
    for line in lines or []:
        rec = line if isinstance(line, dict) else (line.record() if hasattr(line, "record")
                                                   else vars(line))
        if rec.get("bucket") == "reserve":
            continue
        v = _f(rec.get("daily_budget_base"))
        if v is not None:
            key = (str(rec.get("market")), str(rec.get("channel")))
            out[key] = out.get(key, 0.0) + v
    return out


def model_section(fit: Any, planned: dict[tuple[str, str], float], lang: str, base: str,
                  stale: bool = False) -> Any:
    """The report's Model chapter (the dashboard's Model page on paper): fit statistics, the
    fit panel, contributions and waterfall, ROAS and marginal ROAS with intervals, share of
    spend vs effect, current vs planned daily spend, and the platform claims vs what we
    estimate each line caused (when the fit has them)."""
    from adbudget.report.model import Column, Figure, Kpi, Section, Table

    section = Section(key="model", title=t("report.model.title", lang))
    stats = fit_stats(fit.fit, getattr(fit, "diagnostics", None))
    hold = stats.get("holdout_days")
    section.kpis = [
        Kpi(t("web.model.r2_train", lang), stats.get("r2_train"), "ratio"),
        Kpi(t("web.model.r2_holdout", lang), stats.get("r2_holdout"), "ratio"),
        Kpi(t("web.model.mape_train", lang), _pct(stats.get("mape_train")), "pct"),
        Kpi(t("web.model.mape_holdout", lang), _pct(stats.get("mape_holdout")), "pct",
            t("web.model.holdout_days", lang, n=hold) if hold else ""),
    ]
    pct = f"{float(getattr(fit, 'interval', 0.8) or 0.8) * 100:g}"
    rows = line_rows(fit.summary, planned, lang)
    for fid, key, spec in (
            ("fig-fit", "web.model.fit_title", fit_figure(fit.fit, lang, base)),
            ("fig-contrib", "web.model.contrib_title", contributions_figure(fit.decomposition, lang, base)),
            ("fig-waterfall", "web.model.waterfall_title", waterfall_figure(fit.decomposition, lang, base)),
            ("fig-roas", "web.model.roas_title", roas_figure(fit.summary, lang)),
            ("fig-share", "web.model.share_title", share_figure(fit.summary, lang)),
            ("fig-current-planned", "web.model.current_planned_title",
             current_vs_planned_figure(rows, lang, base))):
        section.figures.append(Figure(f"report-{fid}", t(key, lang, pct=pct), spec))
    cols = [Column("label", t("web.col.line", lang)),
            Column("roas", t("web.glossary.roas.name", lang), "ratio"),
            Column("roas_lo", t("report.col.lo", lang), "ratio"),
            Column("roas_hi", t("report.col.hi", lang), "ratio"),
            Column("mroas", t("web.glossary.marginal_roas.name", lang), "ratio"),
            Column("mroas_lo", t("report.col.lo", lang), "ratio"),
            Column("mroas_hi", t("report.col.hi", lang), "ratio"),
            Column("spend_share", t("web.model.spend_share", lang), "pct"),
            Column("effect_share", t("web.model.effect_share", lang), "pct"),
            Column("current", t("web.plan.current_daily", lang), "money"),
            Column("planned", t("web.plan.planned_daily", lang), "money")]
    section.tables.append(Table(t("web.model.lines_title", lang) + f" ({pct}%)", cols,
                                [{c.key: r.get(c.key) for c in cols} for r in rows]))
    table = claims.claims_table(rows, pct, lang)
    if table is not None:
        section.tables.append(table)
        section.data["claims"] = claims_block(rows, pct, base, lang)
    if stale:
        section.notes.append(t("web.stale.model_shown", lang))
    section.notes.extend(fit_notices(fit, lang))
    section.data.update({"stats": stats, "lines": rows, "interval": float(pct) / 100})
    return section


def claims_block(rows: list[dict[str, Any]], pct: str, base: str, lang: str
                 ) -> dict[str, Any]:
    """The claims sentences as a chapter block (``data["claims"]``: title and one sentence per
    line; the report's templates show it above the tables)."""
    return {"title": t("web.claims.title", lang),
            "sentences": claims.sentences(rows, pct, base, lang),
            "note": t("web.claims.note", lang)}


def _pct(v: Any) -> float | None:
    x = _f(v)
    return None if x is None else x * 100


def fit_notices(fit: Any, lang: str) -> list[str]:
    """The fit's notices in *lang* (from their key and values), channel and line codes in
    their arguments by name."""
    out = []
    for n in getattr(fit, "notices", []) or []:
        if not hasattr(n, "key"):
            out.append(labels.retranslate(str(getattr(n, "message", n)), lang))
            continue
        values = dict(getattr(n, "values", {}) or {})
        if isinstance(values.get("channel"), str):
            values["channel"] = labels.channel(values["channel"], lang)
        if values.get("method") in ("laplace", "svi", "nuts"):  # a fit method by name
            values["method"] = t(f"web.fit.name_{values['method']}", lang)
        if isinstance(values.get("line"), str) and "/" in values["line"]:
            m, c = values["line"].split("/", 1)
            values["line"] = labels.line_label(m, c, lang)
        out.append(t(n.key, lang, **values))
    return out
