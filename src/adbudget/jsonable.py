"""The one conversion of results to plain JSON values (CLI ``--json``, saved plans, the report
and the dashboard's API all call :func:`jsonable`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def joined_key(key: Any) -> str:
    """A mapping key as text; tuple keys (market, channel) read ``US · meta``."""
    if isinstance(key, tuple):
        return " · ".join(str(x) for x in key)
    return str(key)


def jsonable(value: Any, key: Callable[[Any], str] = joined_key) -> Any:
    """Dataclasses, pydantic models, DataFrames, numpy, Decimal, dates and paths to plain JSON
    values; NaN and ±inf become None (JSON has neither), unknown objects their text."""
    def again(v: Any) -> Any:
        return jsonable(v, key)

    if isinstance(value, pd.DataFrame):
        return [again(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return again(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        try:
            return again(asdict(value))
        except TypeError:  # a field that cannot be deep-copied: read the fields as they are
            return again({k: getattr(value, k) for k in value.__dataclass_fields__})
    if hasattr(value, "model_dump"):
        return again(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {key(k): again(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [again(v) for v in value]
    if isinstance(value, Decimal):
        return again(float(value))
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return again(value.tolist())
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, str | int):
        return value
    return str(value)


__all__ = ["joined_key", "jsonable"]
