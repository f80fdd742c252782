"""Plausibility checks that need more than one cell: FX rates against their neighbours in time,
and amounts that would overflow the store once converted to the base currency.

Each check runs one small SQL aggregate over a temp table and raises a located
:class:`InputError` at the first offending row, before anything is written. Why they exist: a
rate of 1e-10 or a typo'd ``71`` for ``7.1`` passes a cell-level check but multiplies that
day's base amounts, and an amount that fits DECIMAL(18,4) in its own currency can overflow it
once divided by a small rate (a DuckDB ConversionException in the middle of a write).
"""

from __future__ import annotations

from typing import Any

import duckdb

from adbudget.errors import InputError
from adbudget.i18n import t

STORE_LIMIT = 1e14  # DECIMAL(18,4) holds |x| < 10^14


def check_fx(con: duckdb.DuckDBPyConnection, typed: str, settings: Any, file: str) -> None:
    """Refuse rates outside [fx_min_rate, fx_max_rate] and jumps beyond ``fx_max_jump`` between a
    rate and the same currency's previous day on record (the file's rows and the stored ones it
    does not replace, together)."""
    low, high, limit = settings.fx_min_rate, settings.fx_max_rate, settings.fx_max_jump
    bad = con.execute(
        f'SELECT min(_line) FROM "{typed}" WHERE CAST(per_base AS DOUBLE) NOT BETWEEN ? AND ?', [low, high]
    ).fetchall()[0][0]
    if bad is not None:
        value = con.execute(f'SELECT CAST(per_base AS VARCHAR) FROM "{typed}" WHERE _line = ?', [bad]).fetchall()
        raise InputError(f"{value[0][0]!r}: " + t("ingest.fx.bounds", low=f"{low:g}", high=f"{high:g}"),
                         file=file, line=int(bad), column="per_base")
    jump = con.execute(f"""
        WITH f AS (SELECT date, currency, CAST(per_base AS DOUBLE) AS r, _line FROM "{typed}"),
        s AS (SELECT x.date, x.currency, CAST(x.per_base AS DOUBLE) AS r, CAST(NULL AS BIGINT) AS _line
              FROM fx_rates x
              WHERE x.currency IN (SELECT currency FROM f)
                AND NOT EXISTS (SELECT 1 FROM f WHERE f.date = x.date AND f.currency = x.currency)),
        u AS (SELECT * FROM f UNION ALL SELECT * FROM s),
        w AS (SELECT *, lag(r) OVER k AS pr, lag(date) OVER k AS pd, lag(_line) OVER k AS pl
              FROM u WINDOW k AS (PARTITION BY currency ORDER BY date, _line))
        SELECT currency, date, r, pd, pr, coalesce(_line, pl) AS line
        FROM w
        WHERE pr IS NOT NULL AND (_line IS NOT NULL OR pl IS NOT NULL) AND greatest(r / pr, pr / r) > ?
        ORDER BY line LIMIT 1
    """, [limit]).fetchall()
    if jump:
        currency, day, rate, prev_day, prev_rate, line = jump[0]
        raise InputError(
            t("ingest.fx.jump", currency=currency, rate=f"{rate:g}", date=str(day), other=f"{prev_rate:g}",
              other_date=str(prev_day), factor=max(rate / prev_rate, prev_rate / rate), limit=limit),
            file=file, line=int(line), column="per_base")


def check_amounts(con: duckdb.DuckDBPyConnection, source: str, rates: str, date_column: str,
                  amounts: tuple[str, ...], base: str, file: str) -> None:
    """Refuse rows whose amounts (summed duplicates included) or base amounts reach 10^14."""
    for amount in amounts:
        row = con.execute(f"""
            SELECT s._line, CAST(s.{amount} AS DOUBLE), CAST(x._per_base AS DOUBLE)
            FROM "{source}" s JOIN "{rates}" x ON s.currency = x.currency AND s.{date_column} = x.day
            WHERE abs(CAST(s.{amount} AS DOUBLE)) >= {STORE_LIMIT}
               OR abs(CAST(s.{amount} AS DOUBLE) / CAST(x._per_base AS DOUBLE)) >= {STORE_LIMIT}
            ORDER BY s._line LIMIT 1
        """).fetchall()
        if row:
            line, value, rate = row[0]
            raise InputError(t("ingest.number.too_big", base=base, rate=f"{rate:g}", value=f"{value / rate:.6g}"),
                             file=file, line=int(line), column=amount)


def check_rebase(con: duckdb.DuckDBPyConnection, table: str, date_column: str, amounts: tuple[str, ...],
                 final: str, base: str, file: str) -> None:
    """Before new rates re-convert stored rows: refuse the rates if a base amount would reach 10^14."""
    worst = " OR ".join(
        f"abs(CAST(s.{a} AS DOUBLE) / CAST(r.per_base AS DOUBLE)) >= {STORE_LIMIT}" for a in amounts)
    row = con.execute(f"""
        SELECT r.currency, r.date, CAST(r.per_base AS DOUBLE), CAST(s.{amounts[0]} AS DOUBLE)
        FROM {table} s ASOF JOIN fx_rates r ON s.currency = r.currency AND s.{date_column} >= r.date
        WHERE s.currency IN (SELECT DISTINCT currency FROM "{final}") AND ({worst})
        LIMIT 1
    """).fetchall()
    if row:
        currency, day, rate, value = row[0]
        line = con.execute(f'SELECT min(_line) FROM "{final}" WHERE currency = ? AND date = ?',
                           [currency, day]).fetchall()[0][0]
        raise InputError(t("ingest.number.too_big", base=base, rate=f"{rate:g}", value=f"{value / rate:.6g}"),
                         file=file, line=int(line) if line is not None else None, column="per_base")


__all__ = ["STORE_LIMIT", "check_amounts", "check_fx", "check_rebase"]
