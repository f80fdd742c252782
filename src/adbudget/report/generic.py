"""Render any typed result (dataclass, pydantic model, DataFrame, dict) as KPIs and tables.

Areas return their own result types; the pages show them without knowing every field, and a
dedicated view can replace the generic one when it pays.
"""

from __future__ import annotations

from typing import Any

from adbudget.jsonable import jsonable as jsonable  # re-exported: the one helper
from adbudget.report.model import Column, Kpi, Table


def _fmt_of(values: list[Any]) -> str:
    vals = [v for v in values if v is not None]
    if vals and all(isinstance(v, bool) for v in vals):
        return "text"
    if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "int"
    if vals and all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return "num"
    return "text"


def records_table(title: str, records: list[dict[str, Any]], labels: dict[str, str] | None = None,
                  note: str = "") -> Table:
    """A table from JSON records; columns in first-seen order, formats from the values."""
    labels = labels or {}
    keys: list[str] = []
    for r in records:
        for k in r:
            if k not in keys:
                keys.append(k)
    rows = [{k: (v if not isinstance(v, dict | list) else _short(v)) for k, v in r.items()}
            for r in records]
    cols = [Column(k, labels.get(k, k), _fmt_of([r.get(k) for r in rows]))  # type: ignore[arg-type]
            for k in keys]
    return Table(title, cols, rows, note)


def _short(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={_short(x)}" for k, x in list(v.items())[:8])
    if isinstance(v, list):
        return ", ".join(_short(x) for x in v[:8]) + ("…" if len(v) > 8 else "")
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def describe(result: Any, title: str, labels: dict[str, str] | None = None
             ) -> tuple[list[Kpi], list[Table]]:
    """Scalars become KPIs; lists of records and DataFrames become tables; nested maps too."""
    labels = labels or {}
    data = jsonable(result)
    kpis: list[Kpi] = []
    tables: list[Table] = []
    if isinstance(data, list):
        if data and all(isinstance(r, dict) for r in data):
            tables.append(records_table(title, data, labels))
        elif data:
            tables.append(records_table(title, [{"value": v} for v in data], labels))
        return kpis, tables
    if not isinstance(data, dict):
        kpis.append(Kpi(title, data, "text"))
        return kpis, tables
    for key, value in data.items():
        label = labels.get(key, key.replace("_", " "))
        if value is None or isinstance(value, str | int | float | bool):
            fmt = "num" if isinstance(value, float) else ("int" if isinstance(value, int)
                                                          and not isinstance(value, bool) else "text")
            kpis.append(Kpi(label, value if not isinstance(value, bool) else str(value), fmt))  # type: ignore[arg-type]
        elif isinstance(value, list):
            if value and all(isinstance(r, dict) for r in value):
                tables.append(records_table(label, value, labels))
            elif value:
                kpis.append(Kpi(label, _short(value), "text"))
        elif isinstance(value, dict):
            if value and all(isinstance(v, dict) for v in value.values()):
                tables.append(records_table(label, [{"key": k, **v} for k, v in value.items()],
                                            labels))
            elif value:
                tables.append(records_table(label, [{"key": k, "value": v}
                                                    for k, v in value.items()], labels))
    return kpis, tables
