"""The cross-seller summary: one row per seller, totals per currency, kept on disk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from adbudget.agency.jobs import SellerResult

SUMMARY_FILE = "agency-summary.json"
COLUMNS = ["seller", "ok", "currency", "spend_30d", "revenue_30d", "plan_budget",
           "estimated_profit", "estimated_profit_lo", "estimated_profit_hi", "plan_change_pct",
           "n_warnings", "seconds", "error"]


def summary_frame(results: list[SellerResult]) -> pd.DataFrame:
    """One row per seller (the ``COLUMNS``), in the order given."""
    rows = []
    for r in results:
        d = r.to_dict()
        d["n_warnings"] = len(r.warnings)
        rows.append({k: d.get(k) for k in COLUMNS})
    return pd.DataFrame(rows, columns=COLUMNS)


def totals(results: list[SellerResult]) -> dict[str, dict[str, float]]:
    """Spend and estimated profit summed per currency (sellers may report in different ones)."""
    out: dict[str, dict[str, float]] = {}
    for r in results:
        if not r.ok or r.currency is None:
            continue
        cur = out.setdefault(r.currency, {"sellers": 0, "spend_30d": 0.0, "estimated_profit": 0.0})
        cur["sellers"] += 1
        cur["spend_30d"] += r.spend_30d or 0.0
        cur["estimated_profit"] += r.estimated_profit or 0.0
    return out


def save_summary(root: Path | str, action: str, results: list[SellerResult],
                 seconds: float, backend: str) -> Path:
    """Write ``<root>/agency-summary.json`` (what the report and the dashboard show). A run
    over a selection updates only the selected sellers' rows."""
    path = Path(root) / SUMMARY_FILE
    old = load_summary(root) or {}
    by_name = {r["seller"]: r for r in old.get("sellers", [])}
    for r in results:
        by_name[r.seller] = r.to_dict()
    doc = {"updated_at": datetime.now(UTC).isoformat(timespec="seconds"), "action": action,
           "backend": backend, "seconds": seconds,
           "sellers": [by_name[k] for k in sorted(by_name)]}
    path.write_text(json.dumps(doc, indent=1, default=str), encoding="utf-8")
    return path


def load_summary(root: Path | str) -> dict[str, Any] | None:
    """The last saved summary of the agency folder, or None."""
    path = Path(root) / SUMMARY_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def results_from(doc: dict[str, Any]) -> list[SellerResult]:
    """The saved rows as ``SellerResult`` objects (unknown keys are dropped)."""
    fields = set(SellerResult.__dataclass_fields__)
    return [SellerResult(**{k: v for k, v in r.items() if k in fields}) for r in doc.get("sellers", [])]
