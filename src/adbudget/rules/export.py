"""Actions as files the ad platforms' bulk editors import, and as generic CSV/JSON.

- Meta Ads Manager bulk edit (Export & Import → Import ads in bulk): one row per campaign,
  ``Campaign Name``, ``Campaign Status`` (ACTIVE/PAUSED) and ``Campaign Daily Budget`` in the
  ad account's currency.
- Google Ads Editor (Account → Import → From file): ``Campaign``, ``Campaign Status``
  (Enabled/Paused), ``Budget``, ``Budget type`` (Daily), and ``Max CPC`` hints for bid changes.
Budgets are converted from the base currency with each line's recent spend ratio (local per
base). The functions return text; writing the file is the caller's job.

Every CSV cell of text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is written with a leading apostrophe (OWASP's advice for CSV injection, what spreadsheet-safe
exporters do): Excel and Google Sheets then show it as text instead of running it as a formula,
so a campaign named ``=HYPERLINK("…")`` cannot act when the seller opens the file. Numbers are
written as numbers. JSON is left as it is (no spreadsheet reads it).
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd

EXPORT_FORMATS = ("meta", "google", "csv", "json")
_GOOGLE_CHANNELS = ("google_search", "youtube")


def _final_per_line(actions: pd.DataFrame) -> pd.DataFrame:
    """Last state per line after all of a day's actions (notify rows change nothing)."""
    acts = actions[actions["action"] != "notify"]
    if acts.empty:
        return acts
    return acts.groupby("line", sort=True).agg(
        market=("market", "first"), channel=("channel", "first"), campaign=("campaign", "first"),
        after_status=("after_status", "last"), after_budget=("after_budget", "last"),
        after_bid=("after_bid", "last"), budget_changed=("action", lambda a: bool(set(a) - {
            "pause", "pause_today", "resume", "raise_bid", "lower_bid"})),
        bid_changed=("action", lambda a: bool(set(a) & {"raise_bid", "lower_bid"})),
        fx=("fx", "last"),
    ).reset_index()


def _with_fx(actions: pd.DataFrame, fx: dict[str, float] | None) -> pd.DataFrame:
    out = actions.copy()
    out["fx"] = out["line"].map(fx or {}).astype(float).fillna(1.0) if len(out) else []
    return out


def _money(x: float) -> str:
    return "" if x is None or x != x else f"{x:.2f}"


def to_meta_csv(actions: pd.DataFrame, fx: dict[str, float] | None = None) -> str:
    """Meta Ads Manager bulk-edit CSV for the Meta lines among *actions*."""
    acts = _with_fx(actions[actions["channel"] == "meta"], fx)
    final = _final_per_line(acts)
    rows = []
    for r in final.itertuples(index=False):
        rows.append({
            "Campaign Name": r.campaign,
            "Campaign Status": "PAUSED" if r.after_status in ("paused", "paused_today") else "ACTIVE",
            "Campaign Daily Budget": _money(r.after_budget * r.fx) if r.budget_changed else "",
        })
    return _csv(pd.DataFrame(rows, columns=["Campaign Name", "Campaign Status", "Campaign Daily Budget"]))


def to_google_csv(actions: pd.DataFrame, fx: dict[str, float] | None = None) -> str:
    """Google Ads Editor import CSV for the Google Search and YouTube lines among *actions*."""
    acts = _with_fx(actions[actions["channel"].isin(_GOOGLE_CHANNELS)], fx)
    final = _final_per_line(acts)
    rows = []
    for r in final.itertuples(index=False):
        rows.append({
            "Campaign": r.campaign,
            "Campaign Status": "Paused" if r.after_status in ("paused", "paused_today") else "Enabled",
            "Budget": _money(r.after_budget * r.fx) if r.budget_changed else "",
            "Budget type": "Daily" if r.budget_changed else "",
            "Max CPC": _money(r.after_bid * r.fx) if r.bid_changed else "",
        })
    cols = ["Campaign", "Campaign Status", "Budget", "Budget type", "Max CPC"]
    return _csv(pd.DataFrame(rows, columns=cols))


GENERIC_COLUMNS = [
    "for_date", "rule", "line", "market", "channel", "campaign", "action", "before_status",
    "after_status", "before_budget", "after_budget", "before_bid", "after_bid", "message",
]


def to_generic_csv(actions: pd.DataFrame) -> str:
    """Every action, one row each, base currency; metrics as a JSON column."""
    out = actions.reindex(columns=[*GENERIC_COLUMNS, "metrics"]).copy()
    out["metrics"] = [json.dumps(m, ensure_ascii=False, default=str) if isinstance(m, dict) else ""
                      for m in out["metrics"]]
    return _csv(out)


def to_json(actions: pd.DataFrame) -> str:
    """Every action as a JSON list of objects (NaN as null)."""
    out = actions.reindex(columns=[*GENERIC_COLUMNS, "metrics"]).astype(object)
    out = out.where(pd.notna(out), None)
    records = []
    for rec in out.to_dict(orient="records"):
        records.append({k: (float(v) if isinstance(v, np.floating) else v) for k, v in rec.items()})
    return json.dumps(records, ensure_ascii=False, indent=2, default=str) + "\n"


def export_actions(actions: pd.DataFrame, fmt: str, fx: dict[str, float] | None = None) -> str:
    """Dispatch to one of :data:`EXPORT_FORMATS`."""
    if fmt == "meta":
        return to_meta_csv(actions, fx)
    if fmt == "google":
        return to_google_csv(actions, fx)
    if fmt == "csv":
        return to_generic_csv(actions)
    if fmt == "json":
        return to_json(actions)
    raise ValueError(f"unknown export format {fmt!r}; allowed: {', '.join(EXPORT_FORMATS)}")


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9][0-9,]*([.][0-9]+)?%?")


def spreadsheet_safe(value: object) -> object:
    """*value* with a leading apostrophe when it is text a spreadsheet would run as a formula
    (a signed plain number such as ``-12.5`` or ``+3%`` is left alone: it cannot be one)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(df: pd.DataFrame) -> str:
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_safe)
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()
