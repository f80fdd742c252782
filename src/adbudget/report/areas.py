"""Dedicated views of the attribution, experiments and rules results (pure, duck-typed).

Each builder reads the documented fields of the area's result object (falling back to the
generic view in :mod:`adbudget.report.generic` for anything it does not know).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from adbudget.i18n import t
from adbudget.report import figures as fg
from adbudget.report.generic import describe, jsonable, records_table
from adbudget.report.model import Column, Figure, Kpi, Section, Table


def _frame(value: Any) -> pd.DataFrame | None:
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        return value
    try:
        return pd.DataFrame(jsonable(value))
    except (TypeError, ValueError):
        return None


def _as_dict(obj: Any) -> dict[str, Any]:
    """A result record as a plain dict (dataclass, pydantic model, mapping or plain object)."""
    value = jsonable(obj)
    if isinstance(value, dict):
        return value
    return jsonable(dict(vars(obj))) if hasattr(obj, "__dict__") else {}


def _labels(prefix: str, keys: list[str], lang: str) -> dict[str, str]:
    """Translated labels where the catalog has them, the key itself otherwise."""
    out = {}
    for k in keys:
        text = t(f"{prefix}.{k}", lang)
        out[k] = text if text != f"{prefix}.{k}" else k.replace("_", " ")
    return out


def _table(title: str, df: pd.DataFrame, prefix: str, lang: str, note: str = "") -> Table:
    recs = jsonable(df)
    return records_table(title, recs, _labels(prefix, [str(c) for c in df.columns], lang), note)


# -- attribution ------------------------------------------------------------------------------
def attribution_section(report: Any, lang: str = "en", base_currency: str = "USD") -> Section:
    """Attributed vs platform-claimed conversions, models side by side, windows side by side."""
    section = Section(key="attribution", title=t("report.attribution.title", lang))
    table = _frame(getattr(report, "table", None))
    if table is None or table.empty:
        section.status = "empty"
        section.message = t("report.attribution.empty", lang)
        return section
    by = str(getattr(report, "by", "channel") or "channel")
    key = by if by in table.columns else str(table.columns[0])
    totals = dict(getattr(report, "totals", {}) or {})
    section.kpis = [
        Kpi(t("report.attribution.model", lang), str(getattr(report, "model", "")), "text",
            str(getattr(report, "windows", ""))),
        Kpi(t("report.attribution.orders", lang), totals.get("orders"), "int"),
        Kpi(t("report.attribution.attributed", lang), totals.get("attributed_orders_scaled", totals.get("attributed_orders")), "int",
            t("report.attribution.attributed_hint", lang)),
        Kpi(t("report.col.overclaim", lang), totals.get("platform_overclaim"), "ratio",
            t("report.overview.overclaim_hint", lang)),
    ]
    keys = [str(k) for k in table[key]]
    if "platform_conversions" in table.columns and "conversions" in table.columns:
        section.figures.append(Figure("fig-attr-platform", t("report.attribution.fig_platform", lang),
            fg.figure([fg.bar(keys, table["conversions"].tolist(),
                              t("report.attribution.attributed", lang), 0),
                       fg.bar(keys, table["platform_conversions"].tolist(),
                              t("report.col.conversions", lang), 1)],
                      fg.layout("", "", t("report.attribution.conversions", lang),
                                barmode="group", yaxis={"type": "log", "automargin": True}))))
    models = _frame(getattr(report, "models", None))
    if models is not None and not models.empty and key in models.columns:
        cols = [c for c in models.columns if c != key and pd.api.types.is_numeric_dtype(models[c])]
        section.figures.append(Figure("fig-attr-models", t("report.attribution.fig_models", lang),
            fg.figure([fg.bar([str(k) for k in models[key]], models[c].tolist(), str(c), i)
                       for i, c in enumerate(cols)],
                      fg.layout("", "", t("report.attribution.conversions", lang), barmode="group"))))
    windows = _frame(getattr(report, "windows_table", None))
    if windows is not None and not windows.empty and key in windows.columns:
        wcols = [c for c in windows.columns if c not in (key, "spend") and not str(c).startswith("roas")
                 and pd.api.types.is_numeric_dtype(windows[c])]
        section.figures.append(Figure("fig-attr-windows", t("report.attribution.fig_windows", lang),
            fg.figure([fg.bar([str(k) for k in windows[key]], windows[c].tolist(), str(c), i)
                       for i, c in enumerate(wcols)],
                      fg.layout("", "", t("report.attribution.conversions", lang), barmode="group"))))
    section.tables.append(_table(t("report.attribution.table", lang), table, "report.attribution.col",
                                 lang, t("report.attribution.note", lang)))
    if models is not None and not models.empty:
        section.tables.append(_table(t("report.attribution.fig_models", lang), models,
                                     "report.attribution.col", lang))
    if windows is not None and not windows.empty:
        section.tables.append(_table(t("report.attribution.fig_windows", lang), windows,
                                     "report.attribution.col", lang,
                                     t("report.attribution.windows_note", lang)))
    section.data = {"model": getattr(report, "model", None), "windows": getattr(report, "windows", None),
                    "by": by, "totals": jsonable(totals), "table": jsonable(table)}
    return section


# -- experiments ------------------------------------------------------------------------------
ARM_COLUMNS = ["experiment", "arm", "market", "channel", "days", "spend", "conversions", "roas",
               "metric", "metric_mean", "metric_lo", "metric_hi", "p_best", "expected_loss",
               "p_above_breakeven", "decision", "reason"]


def _lift_table(lift: Any, lang: str) -> Table | None:
    """Imported lift tests: what each measured (average return of a holdout, marginal return of
    a scale test's extra spend) with its incremental ROAS and interval, amounts in the test's
    own currency."""
    recs = [r for r in (jsonable(lift) or []) if isinstance(r, dict)]
    if not recs:
        return None
    rows = [{
        "test_id": r.get("test_id"), "market": r.get("market"), "channel": r.get("channel"),
        "method": r.get("method"), "days": r.get("days"), "currency": r.get("currency"),
        "spend": r.get("spend"), "baseline_spend": r.get("baseline_spend") if r.get("kind") == "scale" else None,
        "measures": t(f"experiments.lift.kind_{r.get('kind', 'holdout')}_short", lang),
        "iroas": r.get("iroas"), "iroas_lo": r.get("iroas_lo"), "iroas_hi": r.get("iroas_hi"),
    } for r in recs]
    cols = [Column(c, t(f"report.tests.col.{c}", lang), fmt) for c, fmt in (
        ("test_id", "text"), ("market", "text"), ("channel", "text"), ("method", "text"), ("days", "int"),
        ("currency", "text"), ("spend", "num"), ("baseline_spend", "num"),
        ("iroas", "ratio"), ("iroas_lo", "ratio"), ("iroas_hi", "ratio"), ("measures", "text"))]
    return Table(t("report.tests.lift", lang), cols, rows, t("report.tests.lift_note", lang))


def tests_section(report: Any, fatigue: Any = None, lang: str = "en", lift: Any = None) -> Section:
    """Arms with probability to be best, expected loss and decision; graduations; fatigue;
    imported lift tests."""
    section = Section(key="tests", title=t("report.tests.title", lang))
    experiments = list(getattr(report, "experiments", []) or [])
    rows = []
    grads = []
    for exp in experiments:
        for arm in getattr(exp, "arms", []):
            rec = _as_dict(arm)
            rows.append({k: rec.get(k) for k in ARM_COLUMNS})
        if getattr(exp, "graduation", None) is not None:
            grads.append(_as_dict(exp.graduation))
    fat = [f for f in (jsonable(fatigue) or []) if isinstance(f, dict) and f.get("fatigued")]
    lift_table = _lift_table(lift, lang)
    if not rows and not fat and lift_table is None:
        section.status = "empty"
        section.message = t("report.tests.empty", lang)
        return section
    section.kpis = [
        Kpi(t("report.tests.n_experiments", lang), len(experiments), "int"),
        Kpi(t("report.tests.n_scale", lang), sum(r["decision"] == "scale" for r in rows), "int"),
        Kpi(t("report.tests.n_stop", lang), sum(r["decision"] == "stop" for r in rows), "int"),
        Kpi(t("report.tests.n_fatigued", lang), len(fat), "int"),
    ]
    if rows:
        df = pd.DataFrame(rows)
        for i, (exp, g) in enumerate(df.groupby("experiment", sort=False)):
            err = {"type": "data", "symmetric": False,
                   "array": (g["metric_hi"] - g["metric_mean"]).clip(lower=0).tolist(),
                   "arrayminus": (g["metric_mean"] - g["metric_lo"]).clip(lower=0).tolist()}
            section.figures.append(Figure(f"fig-test-{i}", t("report.tests.fig", lang, experiment=exp),
                fg.figure([{"type": "scatter", "mode": "markers", "x": g["arm"].tolist(),
                            "y": g["metric_mean"].tolist(), "error_y": err,
                            "text": [f"P(best) {p:.0%}" if p is not None else "" for p in g["p_best"]],
                            "name": str(g["metric"].iloc[0]), "marker": {"size": 10}}],
                          fg.layout("", "", str(g["metric"].iloc[0])))))
        cols = [Column(c, t(f"report.tests.col.{c}", lang), fmt) for c, fmt in (
            ("experiment", "text"), ("arm", "text"), ("market", "text"), ("channel", "text"),
            ("days", "int"), ("spend", "money"), ("conversions", "num"), ("roas", "ratio"),
            ("metric_mean", "num"), ("metric_lo", "num"), ("metric_hi", "num"), ("p_best", "ratio"),
            ("expected_loss", "ratio"), ("decision", "text"), ("reason", "text"))]
        section.tables.append(Table(t("report.tests.arms", lang), cols, rows))
    else:
        section.notes.append(t("report.tests.empty", lang))
    if grads:
        section.tables.append(records_table(t("report.tests.graduations", lang), grads,
                                            _labels("report.tests.col", list(grads[0]), lang)))
    if fat:
        keep = ["market", "channel", "campaign", "creative", "age_days", "spend", "ctr_drop",
                "cvr_drop", "roas_now", "breakeven_roas", "days_to_breakeven"]
        recs = [{k: f.get(k) for k in keep} for f in fat]
        for r in recs:  # drops are fractions; the table shows percentages
            for k in ("ctr_drop", "cvr_drop"):
                if isinstance(r.get(k), int | float):
                    r[k] = r[k] * 100
        table = records_table(t("report.tests.fatigue", lang), recs,
                              _labels("report.tests.col", keep, lang),
                              t("report.tests.fatigue_note", lang))
        fmts = {"ctr_drop": "pct", "cvr_drop": "pct", "spend": "money", "roas_now": "ratio",
                "breakeven_roas": "ratio", "days_to_breakeven": "int"}
        section.tables.append(Table(table.title, [Column(c.key, c.label, fmts.get(c.key, c.fmt))  # type: ignore[arg-type]
                                                  for c in table.columns], table.rows, table.note))
    section.data = {"arms": rows, "graduations": grads, "fatigued": fat}
    if lift_table is not None:
        section.tables.append(lift_table)
    return section


# -- rules ------------------------------------------------------------------------------------
ACTION_COLUMNS = ["rule", "market", "channel", "campaign", "action", "before_status",
                  "after_status", "before_budget", "after_budget", "before_bid", "after_bid",
                  "message", "metrics"]

def rules_section(run: Any, lang: str = "en") -> Section:
    """Today's proposed actions with their triggering metrics, and skipped candidates."""
    section = Section(key="rules", title=t("report.rules.title", lang))
    ev = getattr(run, "evaluation", None)
    if ev is None:
        section.kpis, section.tables = describe(run, section.title)
        return section
    actions = _frame(getattr(ev, "actions", None))
    as_of = getattr(ev, "as_of", None)
    n_skipped = getattr(ev, "n_skipped", 0)
    section.kpis = [
        Kpi(t("report.rules.as_of", lang), str(as_of) if as_of is not None else None, "text"),
        Kpi(t("report.rules.n_rules", lang), getattr(ev, "n_rules", None), "int"),
        Kpi(t("report.rules.n_lines", lang), getattr(ev, "n_lines", None), "int"),
        Kpi(t("report.rules.n_actions", lang), 0 if actions is None else len(actions), "int"),
        Kpi(t("report.rules.n_skipped", lang), n_skipped, "int"),
    ]
    if actions is None or actions.empty:
        section.notes.append(t("report.rules.empty", lang))
    else:
        shown = [c for c in ACTION_COLUMNS if c in actions.columns] or list(actions.columns)
        table = _table(t("report.rules.actions", lang), actions[shown], "report.rules.col", lang)
        money = {"before_budget", "after_budget", "before_bid", "after_bid"}
        section.tables.append(Table(table.title, [
            Column(c.key, c.label, "money" if c.key in money else c.fmt) for c in table.columns],
            table.rows, table.note))
    skipped = getattr(ev, "skipped", None) if n_skipped else None
    if skipped is not None and len(skipped):
        section.tables.append(_table(t("report.rules.skipped", lang), _frame(skipped),
                                     "report.rules.col", lang))
    section.data = {"as_of": str(as_of) if as_of is not None else None,
                    "applied": bool(getattr(run, "applied", False)),
                    "actions": jsonable(actions) if actions is not None else [],
                    "rule_files": jsonable(getattr(run, "rule_files", []))}
    return section
