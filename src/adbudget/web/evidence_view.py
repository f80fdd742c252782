"""The Attribution and Tests pages as the dashboard shows them (views of their own).

Pure: takes the areas' results (``AttributionReport``; ``ExperimentsReport`` with creative
fatigue and imported lift tests) and returns tiles, Plotly figures and sortable tables with
every code shown by name in the page's language (channels, attribution models and windows,
decisions, lift-test methods), intervals as one "a – b" cell beside their value, ROAS and
the over-claim ratios next to the channel (not off-screen), counts as whole numbers, P(best)
as a percentage, and "already below" where a fatigued creative is under break-even. The
seller's own names (experiments, arms, campaigns, creatives, test ids) are left as written.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report import labels
from adbudget.report.format import finite as _f
from adbudget.report.generic import jsonable
from adbudget.web.area_views import WebTable
from adbudget.web.plan_view import Tile

_WINDOW = re.compile(r"^(\d+)d$")


def _frame(v: Any) -> pd.DataFrame | None:
    if v is None:
        return None
    if isinstance(v, pd.DataFrame):
        return v
    try:
        return pd.DataFrame(jsonable(v))
    except (TypeError, ValueError):
        return None


def _interval(lo: Any, hi: Any, kind: str, lang: str, currency: str = "USD") -> str:
    from adbudget.web.format import fmt_value

    if _f(lo) is None or _f(hi) is None:
        return "—"
    return f"{fmt_value(lo, kind, currency, lang)} – {fmt_value(hi, kind, currency, lang)}"


def _key_name(by: str, value: Any, lang: str) -> str:
    return labels.channel(value, lang) if by == "channel" else str(value)


def model_name(code: Any, lang: str) -> str:
    """An attribution model's name (``time_decay`` → time decay / 时间衰减)."""
    return labels.word("attr_model", code, lang)


def windows_name(code: Any, lang: str) -> str:
    """``7d-click,1d-view`` → 7-day click, 1-day view (in the page's language)."""
    parts = []
    for p in str(code or "").split(","):
        m = re.match(r"^\s*(\d+)d-(click|view)\s*$", p)
        parts.append(t(f"web.window.{m.group(2)}", lang, days=m.group(1)) if m else p.strip())
    return ", ".join(x for x in parts if x)


def _lookback(col: str, lang: str) -> str:
    """A windows-table column (``7d``, ``roas_7d``) by name."""
    m = _WINDOW.match(col)
    if m:
        return t("web.attr.window_conv", lang, days=m.group(1))
    m = re.match(r"^roas_(\d+)d$", col)
    if m:
        return t("web.attr.window_roas", lang, days=m.group(1))
    return t("report.attribution.col.spend", lang) if col == "spend" else col


# -- attribution ------------------------------------------------------------------------------
def attribution_view(report: Any, lang: str, currency: str) -> dict[str, Any]:
    """Tiles, figures and tables of an attribution report (models and windows side by side)."""
    table = _frame(getattr(report, "table", None))
    if table is None or table.empty:
        return {"empty": t("report.attribution.empty", lang)}
    by = str(getattr(report, "by", "channel") or "channel")
    key = by if by in table.columns else str(table.columns[0])
    totals = dict(getattr(report, "totals", {}) or {})
    attributed = totals.get("attributed_orders_scaled", totals.get("attributed_orders"))
    tiles = [
        Tile("model", t("report.attribution.model", lang),
             model_name(getattr(report, "model", ""), lang), "text",
             period=windows_name(getattr(report, "windows", ""), lang)),
        Tile("orders", t("report.attribution.orders", lang), totals.get("orders"), "int"),
        Tile("attributed", t("report.attribution.attributed", lang), attributed, "int",
             tip=t("report.attribution.attributed_hint", lang)),
        Tile("roas", t("report.attribution.col.roas", lang), totals.get("roas"), "ratio",
             tip=t("web.attr.roas_def", lang)),
        Tile("conv_overclaim", t("web.glossary.conv_overclaim.name", lang),
             totals.get("platform_overclaim"), "ratio",
             tip=t("web.glossary.conv_overclaim.def", lang)),
    ]
    names = [_key_name(key, k, lang) for k in table[key]]
    figures = []
    if {"platform_conversions", "conversions"} <= set(table.columns):
        figures.append({"id": "fig-attr-platform", "title": t("report.attribution.fig_platform", lang),
                        "spec": fg.figure(
                            [fg.bar(names, table["conversions"].tolist(),
                                    t("report.attribution.attributed", lang), 0),
                             fg.bar(names, table["platform_conversions"].tolist(),
                                    t("report.attribution.col.platform_conversions", lang), 1)],
                            fg.layout("", "", t("report.attribution.conversions", lang),
                                      barmode="group",
                                      yaxis={"type": "log", "dtick": 1, "automargin": True}))})
    models = _frame(getattr(report, "models", None))
    model_cols: list[str] = []
    if models is not None and not models.empty and key in models.columns:
        model_cols = [c for c in models.columns
                      if c != key and pd.api.types.is_numeric_dtype(models[c])]
        mnames = [_key_name(key, k, lang) for k in models[key]]
        figures.append({"id": "fig-attr-models", "title": t("report.attribution.fig_models", lang),
                        "spec": fg.figure([fg.bar(mnames, models[c].tolist(), model_name(c, lang), i)
                                           for i, c in enumerate(model_cols)],
                                          fg.layout("", "", t("report.attribution.conversions", lang),
                                                    barmode="group"))})
    windows = _frame(getattr(report, "windows_table", None))
    win_cols: list[str] = []
    if windows is not None and not windows.empty and key in windows.columns:
        win_cols = [c for c in windows.columns if _WINDOW.match(str(c))]
        wnames = [_key_name(key, k, lang) for k in windows[key]]
        figures.append({"id": "fig-attr-windows", "title": t("report.attribution.fig_windows", lang),
                        "spec": fg.figure([fg.bar(wnames, windows[c].tolist(), _lookback(c, lang), i)
                                           for i, c in enumerate(win_cols)],
                                          fg.layout("", "", t("report.attribution.conversions", lang),
                                                    barmode="group"))})
    key_label = t(f"report.attribution.col.{key}", lang)
    rows = []
    for name, rec in zip(names, table.to_dict(orient="records"), strict=True):
        rows.append({**rec, key: name,
                     "conversions_interval": _interval(rec.get("conversions_lo"),
                                                       rec.get("conversions_hi"), "int", lang),
                     "revenue_interval": _interval(rec.get("revenue_lo"), rec.get("revenue_hi"),
                                                   "money", lang, currency)})
    cols = [(key, key_label, "text"),
            ("spend", t("report.attribution.col.spend", lang), "money"),
            ("conversions", t("report.attribution.col.conversions", lang), "int"),
            ("conversions_interval", t("web.attr.interval", lang), "text"),
            ("roas", t("report.attribution.col.roas", lang), "ratio"),
            ("platform_roas", t("report.attribution.col.platform_roas", lang), "ratio"),
            ("overclaim", t("web.glossary.attr_overclaim.name", lang), "ratio"),
            ("overclaim_revenue", t("web.glossary.attr_overclaim_revenue.name", lang), "ratio"),
            ("revenue", t("report.attribution.col.revenue", lang), "money"),
            ("revenue_interval", t("web.attr.interval", lang), "text"),
            ("platform_conversions", t("report.attribution.col.platform_conversions", lang), "int"),
            ("platform_revenue", t("report.attribution.col.platform_revenue", lang), "money")]
    cols = [c for c in cols if c[0] in rows[0]]
    filters = (key,) if key in ("channel", "market") else ()
    tables = [WebTable("attr-main", t("report.attribution.table", lang), cols, rows,
                       t("web.attr.note", lang), filters,
                       {"roas": t("web.attr.roas_def", lang),
                        "overclaim": t("web.attr.note", lang),
                        "overclaim_revenue": t("web.attr.note", lang)})]
    if model_cols and models is not None:
        mrows = [{**r, key: _key_name(key, r[key], lang)} for r in models.to_dict(orient="records")]
        tables.append(WebTable("attr-models", t("report.attribution.fig_models", lang),
                               [(key, key_label, "text")]
                               + [(c, model_name(c, lang), "int") for c in model_cols],
                               mrows, "", filters))
    if win_cols and windows is not None:
        roas_cols = [c for c in windows.columns if re.match(r"^roas_\d+d$", str(c))]
        wrows = [{**r, key: _key_name(key, r[key], lang)} for r in windows.to_dict(orient="records")]
        wcols = ([(key, key_label, "text")] + [(c, _lookback(c, lang), "int") for c in win_cols]
                 + ([("spend", t("report.attribution.col.spend", lang), "money")] if "spend" in windows else [])
                 + [(c, _lookback(c, lang), "ratio") for c in roas_cols])
        tables.append(WebTable("attr-windows", t("report.attribution.fig_windows", lang), wcols,
                               wrows, t("report.attribution.windows_note", lang), filters))
    return {"tiles": tiles, "figures": figures, "tables": tables, "notes": []}


# -- tests --------------------------------------------------------------------------------------
def _as_dict(obj: Any) -> dict[str, Any]:
    value = jsonable(obj)
    if isinstance(value, dict):
        return value
    return jsonable(dict(vars(obj))) if hasattr(obj, "__dict__") else {}


def tests_view(status: Any, fatigue: Any, lift: Any, lang: str, currency: str) -> dict[str, Any]:
    """Tiles, per-experiment figures and tables of running tests, fatigued creatives and
    imported lift tests."""
    experiments = list(getattr(status, "experiments", []) or []) if status is not None else []
    arms, grads = [], []
    for exp in experiments:
        for arm in getattr(exp, "arms", []):
            arms.append(_as_dict(arm))
        if getattr(exp, "graduation", None) is not None:
            grads.append(_as_dict(exp.graduation))
    fat = [f for f in (jsonable(fatigue) or []) if isinstance(f, dict) and f.get("fatigued")]
    lifts = [r for r in (jsonable(lift) or []) if isinstance(r, dict)]
    if not arms and not fat and not lifts:
        return {"empty": t("report.tests.empty", lang)}
    tiles = [Tile("experiments", t("report.tests.n_experiments", lang), len(experiments), "int"),
             Tile("scale", t("report.tests.n_scale", lang),
                  sum(a.get("decision") == "scale" for a in arms), "int"),
             Tile("stop", t("report.tests.n_stop", lang),
                  sum(a.get("decision") == "stop" for a in arms), "int"),
             Tile("fatigued", t("report.tests.n_fatigued", lang), len(fat), "int")]
    figures, tables = [], []
    if arms:
        df = pd.DataFrame(arms)
        for i, (exp, g) in enumerate(df.groupby("experiment", sort=False)):
            metric = str(g["metric"].iloc[0])
            err = {"type": "data", "symmetric": False,
                   "array": (g["metric_hi"] - g["metric_mean"]).clip(lower=0).tolist(),
                   "arrayminus": (g["metric_mean"] - g["metric_lo"]).clip(lower=0).tolist()}
            hover = [t("web.tests.p_best", lang, p=_pct_text(p, lang)) for p in g["p_best"]]
            figures.append({"id": f"fig-test-{i}", "title": t("report.tests.fig", lang, experiment=exp),
                            "spec": fg.figure([{"type": "scatter", "mode": "markers",
                                                "x": g["arm"].tolist(), "y": g["metric_mean"].tolist(),
                                                "error_y": err, "text": hover,
                                                "name": _metric(metric, lang), "marker": {"size": 10}}],
                                              fg.layout("", "", _metric(metric, lang)))})
        rows = [{**a, "channel": labels.channel(a.get("channel"), lang),
                 "interval": _interval(a.get("metric_lo"), a.get("metric_hi"), "ratio", lang),
                 "metric_name": _metric(str(a.get("metric") or ""), lang),
                 "decision": _decision(a.get("decision"), lang),
                 "reason": labels.retranslate(str(a.get("reason") or ""), lang)} for a in arms]
        cols = [("experiment", t("report.tests.col.experiment", lang), "text"),
                ("arm", t("report.tests.col.arm", lang), "text"),
                ("decision", t("report.tests.col.decision", lang), "text"),
                ("p_best", t("report.tests.col.p_best", lang), "share"),
                ("metric_name", t("web.tests.metric", lang), "text"),
                ("metric_mean", t("report.tests.col.metric_mean", lang), "ratio"),
                ("interval", t("web.tests.interval", lang), "text"),
                ("expected_loss", t("report.tests.col.expected_loss", lang), "ratio"),
                ("market", t("report.tests.col.market", lang), "text"),
                ("channel", t("report.tests.col.channel", lang), "text"),
                ("days", t("report.tests.col.days", lang), "int"),
                ("spend", t("report.tests.col.spend", lang), "money"),
                ("conversions", t("report.tests.col.conversions", lang), "int"),
                ("roas", t("report.tests.col.roas", lang), "ratio"),
                ("reason", t("report.tests.col.reason", lang), "text")]
        tables.append(WebTable("tests-arms", t("report.tests.arms", lang), cols, rows, "",
                               ("market", "channel")))
    if grads:
        gkeys = list(grads[0])
        tables.append(WebTable("tests-grads", t("report.tests.graduations", lang),
                               [(k, _col(k, lang), "num" if isinstance(grads[0][k], int | float)
                                 else "text") for k in gkeys],
                               [{**g, "channel": labels.channel(g.get("channel"), lang)}
                                if "channel" in g else g for g in grads]))
    if fat:
        frows = []
        for f in fat:
            r = {k: f.get(k) for k in ("market", "channel", "campaign", "creative", "age_days",
                                       "spend", "ctr_drop", "cvr_drop", "roas_now",
                                       "breakeven_roas", "days_to_breakeven")}
            r["channel"] = labels.channel(r["channel"], lang)
            roas, be = _f(r["roas_now"]), _f(r["breakeven_roas"])
            if roas is not None and be is not None and roas < be:
                r["days_to_breakeven"] = t("web.tests.already_below", lang)
            else:
                from adbudget.web.format import days

                r["days_to_breakeven"] = days(r["days_to_breakeven"], lang)
            frows.append(r)
        fcols = [("market", "text"), ("channel", "text"), ("campaign", "text"),
                 ("creative", "text"), ("age_days", "int"), ("spend", "money"),
                 ("ctr_drop", "share"), ("cvr_drop", "share"), ("roas_now", "ratio"),
                 ("breakeven_roas", "ratio"), ("days_to_breakeven", "text")]
        tables.append(WebTable("tests-fatigue", t("report.tests.fatigue", lang),
                               [(k, _col(k, lang), f) for k, f in fcols], frows,
                               t("report.tests.fatigue_note", lang), ("market", "channel")))
    if lifts:
        lrows = [{"test_id": r.get("test_id"), "market": r.get("market"),
                  "channel": labels.channel(r.get("channel"), lang),
                  "method": labels.word("lift_method", r.get("method"), lang),
                  "days": r.get("days"), "currency": r.get("currency"), "spend": r.get("spend"),
                  "baseline_spend": r.get("baseline_spend") if r.get("kind") == "scale" else None,
                  "iroas": r.get("iroas"),
                  "interval": _interval(r.get("iroas_lo"), r.get("iroas_hi"), "ratio", lang),
                  "measures": t(f"experiments.lift.kind_{r.get('kind', 'holdout')}_short", lang)}
                 for r in lifts]
        lcols = [("test_id", "text"), ("market", "text"), ("channel", "text"),
                 ("method", "text"), ("measures", "text"), ("iroas", "ratio"),
                 ("interval", "text"), ("days", "int"), ("currency", "text"), ("spend", "num"),
                 ("baseline_spend", "num")]
        tables.append(WebTable("tests-lift", t("report.tests.lift", lang),
                               [(k, _col(k, lang), f) for k, f in lcols], lrows,
                               t("report.tests.lift_note", lang), ("market", "channel")))
    return {"tiles": tiles, "figures": figures, "tables": tables, "notes": []}


def _col(key: str, lang: str) -> str:
    if key == "interval":
        return t("web.tests.interval", lang)
    text = t(f"report.tests.col.{key}", lang)
    return text if text != f"report.tests.col.{key}" else key.replace("_", " ")


def _decision(code: Any, lang: str) -> str:
    key = f"experiments.decision.{code}"
    text = t(key, lang)
    return str(code) if text == key else text


def _metric(code: str, lang: str) -> str:
    return code.upper() if code in ("roas", "cvr", "ctr", "cpa") else code


def _pct_text(p: Any, lang: str) -> str:
    from adbudget.web.format import share

    return share(p, lang)
