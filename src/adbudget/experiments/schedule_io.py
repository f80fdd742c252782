"""Per-day schedules as files: read a schedule (or a plan export) and write one.

A schedule is what a team or the rules engine paces day by day: ``date, market, channel,
spend`` (base currency) and, for the days of a designed test, ``test_id`` and ``arm``
(``hi``/``lo``). ``read_schedule`` also accepts a plan exported by ``adbudget plan --out``
(CSV or JSON): its daily budgets, reserve left out, spread evenly over ``start`` and ``days``.
Errors name the file, the row and the column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from adbudget.errors import InputError
from adbudget.i18n import t

SCHEDULE_COLUMNS = ["date", "market", "channel", "spend", "test_id", "arm"]


def _located(path: Path, row: int | None, column: str, reason: str) -> InputError:
    return InputError(t(f"loop.error.{reason}"), file=str(path), line=row, column=column)


def _frame(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(t("loop.error.no_file"), file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"market": str, "channel": str, "test_id": str, "arm": str})
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("schedule") or data.get("lines") or []
        return pd.DataFrame(data)
    raise InputError(t("loop.error.file_kind"), file=str(path))


def read_schedule(path: str | Path, start: str | None = None, days: int | None = None) -> pd.DataFrame:
    """A schedule from a file: a per-day schedule as written by ``write_schedule``, or a plan
    export spread over ``days`` days from ``start`` (both needed for a plan)."""
    path = Path(path)
    df = _frame(path)
    if "date" not in df.columns and "daily_budget_base" in df.columns:
        if start is None or days is None:
            raise InputError(t("loop.error.plan_needs_period"), file=str(path))
        return plan_to_schedule(df, start, days, path)
    for col in ("date", "market", "channel", "spend"):
        if col not in df.columns:
            raise _located(path, None, col, "missing_column")
    dates = pd.to_datetime(df["date"], errors="coerce")
    spend = pd.to_numeric(df["spend"], errors="coerce")
    for col, bad in (("date", dates.isna()), ("spend", spend.isna() | (spend < 0))):
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise _located(path, i + 2, col, "not_a_date" if col == "date" else "not_money")
    out = df.assign(date=dates, spend=spend.astype(float))
    for col in ("test_id", "arm"):
        if col not in out.columns:
            out[col] = None
    bad_arm = out["arm"].notna() & ~out["arm"].isin(["hi", "lo"])
    if bad_arm.any():
        i = int(bad_arm.to_numpy().nonzero()[0][0])
        raise _located(path, i + 2, "arm", "bad_arm")
    return out[SCHEDULE_COLUMNS].reset_index(drop=True)


def plan_to_schedule(lines: pd.DataFrame, start: str, days: int, path: Path | None = None) -> pd.DataFrame:
    """A plan's lines (bucket, market, channel, daily_budget_base) as a flat per-day schedule;
    the reserve is not spent."""
    df = lines
    if "bucket" in df.columns:
        df = df[df["bucket"].astype(str) != "reserve"]
    daily = pd.to_numeric(df["daily_budget_base"], errors="coerce")
    if daily.isna().any():
        i = int(daily.isna().to_numpy().nonzero()[0][0])
        raise _located(path or Path("plan"), i + 2, "daily_budget_base", "not_money")
    per = (df.assign(daily=daily).groupby(["market", "channel"], as_index=False)["daily"].sum())
    dates = pd.date_range(start, periods=days)
    rows = [{"date": d, "market": r.market, "channel": r.channel, "spend": float(r.daily),
             "test_id": None, "arm": None} for d in dates for r in per.itertuples()]
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)


def write_schedule(schedule: pd.DataFrame, path: str | Path) -> Path:
    """Write a schedule as CSV or JSON (records with ISO dates)."""
    path = Path(path)
    out = schedule.copy()
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    out["spend"] = out["spend"].round(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps({"schedule": out.where(out.notna(), None).to_dict(orient="records")},
                                   ensure_ascii=False, indent=1), encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        out.to_csv(path, index=False)
    else:
        raise InputError(t("loop.error.file_kind"), file=str(path))
    return path


__all__ = ["SCHEDULE_COLUMNS", "plan_to_schedule", "read_schedule", "write_schedule"]
