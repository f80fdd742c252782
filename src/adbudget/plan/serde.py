"""Saved plans: a versioned record format, one writer shape and one reader.

A plan is stored as one row of the ``plans`` table: ``id, created_at, period, budget,
objective`` plus two JSON documents, ``inputs`` (what it was made from, and under the key
``result`` everything a reader needs besides the lines) and ``lines`` (the plan table).
``inputs["format"]`` is the format version (:data:`FORMAT_VERSION`); rows without it were
written before versions existed (format 0) and are migrated on read:

* format 0 -> 1: a line whose value counted customer lifetime value stored that
  LTV-adjusted break-even under ``breakeven_roas``; it moves to ``breakeven_roas_ltv`` and
  ``breakeven_roas`` becomes the first-order one (``adbudget.economics``).

A row that cannot be read (a newer format, broken JSON, missing fields) raises
:class:`PlanFormatError` with a one-line reason; the caller decides whether to skip it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.jsonable import jsonable
from adbudget.plan.buckets import BucketPolicy, Shift
from adbudget.plan.optimizer import OptimalityCheck
from adbudget.plan.result import PlanLine, PlanResult, StageAdvice

FORMAT_VERSION = 1
_LINE_FIELDS = frozenset(f.name for f in fields(PlanLine))
_REQUIRED = ("bucket", "market", "channel", "amount_base")


class PlanFormatError(InputError):
    """A saved plan that this version cannot read (the message says why, in one line)."""


def to_record(result: PlanResult) -> dict[str, Any]:
    """The JSON-ready row of a plan (without ``id`` and ``created_at``, which the store sets)."""
    inputs = dict(result.inputs)
    inputs["format"] = FORMAT_VERSION
    inputs["result"] = {
        "days": result.days,
        "base_currency": result.base_currency,
        "totals": result.totals,
        "notes": result.notes,
        "check": asdict(result.check) if result.check else None,
        "policies": {m: {"shares": p.shares, "source": p.source,
                         "shifts": [asdict(s) for s in p.shifts]} for m, p in result.policies.items()},
        "advice": [asdict(a) for a in result.advice],
    }
    return {
        "period": result.period, "budget": round(float(result.budget), 4),
        "objective": result.objective, "inputs": jsonable(inputs, key=str),
        "lines": jsonable(result.records(), key=str),
    }


def from_record(row: Mapping[str, Any]) -> PlanResult:
    """A saved row (JSON columns as text or parsed) back to a :class:`PlanResult`."""
    plan_id = row.get("id")
    try:
        inputs = _parsed(row.get("inputs"), dict, "inputs")
        lines_raw = _parsed(row.get("lines"), list, "lines")
        version = int(inputs.get("format", 0))
        if version > FORMAT_VERSION:
            raise PlanFormatError(t("plan.saved.newer", id=plan_id, found=version,
                                    expected=FORMAT_VERSION))
        if version < 1:
            lines_raw = _migrate_0_to_1(inputs, lines_raw)
        meta = dict(inputs.pop("result", None) or {})
        inputs.pop("format", None)
        lines = [_line(r) for r in lines_raw]
        policies = {
            m: BucketPolicy(m, p["shares"], tuple(
                Shift(s["bucket"], s["points"], s["cause"], s["key"], tuple(tuple(v) for v in s["values"]))
                for s in p.get("shifts", ())), p.get("source", "method"))
            for m, p in (meta.get("policies") or {}).items()
        }
        chk = meta.get("check")
        check = None
        if chk:
            chk = dict(chk, violations=tuple(chk.get("violations", ())))
            check = OptimalityCheck(**chk)
        created = row.get("created_at")
        return PlanResult(
            period=str(row["period"]), days=int(meta.get("days", inputs.get("days", 0)) or 0),
            budget=float(row["budget"]), base_currency=str(meta.get("base_currency", "")),
            objective=str(row["objective"]), lines=lines, policies=policies, check=check,
            totals=dict(meta.get("totals") or {}), notes=list(meta.get("notes") or []),
            advice=[StageAdvice(**a) for a in meta.get("advice") or []], inputs=inputs,
            plan_id=None if plan_id is None else int(plan_id),
            created_at=(created.isoformat() if hasattr(created, "isoformat")
                        else None if created is None else str(created)),
        )
    except PlanFormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanFormatError(t("plan.saved.unreadable", id=plan_id,
                                reason=f"{type(exc).__name__}: {exc}")) from None


def _parsed(value: Any, kind: type, what: str) -> Any:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    if value is None:
        value = kind()
    if not isinstance(value, kind):
        raise TypeError(f"{what} is {type(value).__name__}, not {kind.__name__}")
    return kind(value)


def _line(rec: Mapping[str, Any]) -> PlanLine:
    if not isinstance(rec, Mapping):
        raise TypeError(f"a plan line is {type(rec).__name__}, not an object")
    missing = [k for k in _REQUIRED if k not in rec]
    if missing:
        raise KeyError(", ".join(missing))
    kw = {k: v for k, v in rec.items() if k in _LINE_FIELDS}
    kw.setdefault("amount_local", None)
    kw.setdefault("currency", "")
    kw.setdefault("daily_budget_base", 0.0)
    return PlanLine(**kw)


def _migrate_0_to_1(inputs: Mapping[str, Any], lines: list[Any]) -> list[Any]:
    """Format 0 stored the LTV-adjusted break-even as ``breakeven_roas``: split the two."""
    ltv = inputs.get("ltv") or {}
    out = []
    for rec in lines:
        if isinstance(rec, Mapping) and "breakeven_roas_ltv" not in rec:
            rec = dict(rec)
            mult = ltv.get(f"{rec.get('market')}.{rec.get('channel')}")
            be = rec.get("breakeven_roas")
            rec["breakeven_roas_ltv"] = None
            if mult is not None and float(mult) != 1.0 and be is not None:
                rec["breakeven_roas_ltv"] = float(be)
                rec["breakeven_roas"] = float(be) * float(mult)
        out.append(rec)
    return out


__all__ = ["FORMAT_VERSION", "PlanFormatError", "from_record", "to_record"]
