"""The building blocks pages and the report file share: KPIs, tables, figures, sections.

A :class:`Section` is what one page (and one chapter of the report) shows. It says plainly
when the part behind it is not built yet or has no fitted model, instead of breaking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "not_built", "not_fitted", "empty", "error"]
Format = Literal["text", "money", "int", "ratio", "pct", "date", "num"]


@dataclass(frozen=True)
class Column:
    """One table column: the record key, its translated label and how to format values."""

    key: str
    label: str
    fmt: Format = "text"


@dataclass(frozen=True)
class Table:
    """A titled table of records (plain JSON values)."""

    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label, "fmt": c.fmt} for c in self.columns],
            "rows": self.rows,
            "note": self.note,
        }


@dataclass(frozen=True)
class Figure:
    """A Plotly figure as a plain dict (``{"data": [...], "layout": {...}}``)."""

    id: str
    title: str
    spec: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "spec": self.spec}


@dataclass(frozen=True)
class Kpi:
    """A headline number with its label and format."""

    label: str
    value: float | int | str | None
    fmt: Format = "money"
    hint: str = ""


@dataclass
class Section:
    """What one page shows: a status, a message when not ok, and its KPIs, tables, figures."""

    key: str
    title: str
    status: Status = "ok"
    message: str = ""
    kpis: list[Kpi] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        """JSON form for the API (figures included, so a client can draw them)."""
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status,
            "message": self.message,
            "kpis": [{"label": k.label, "value": k.value, "fmt": k.fmt, "hint": k.hint}
                     for k in self.kpis],
            "tables": [tb.to_json() for tb in self.tables],
            "figures": [f.to_json() for f in self.figures],
            "notes": list(self.notes),
            "data": self.data,
        }
