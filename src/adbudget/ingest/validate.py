"""Turn staged string columns into typed ones in DuckDB, stopping at the first bad cell.

One SQL pass converts every column; a second, tiny aggregate finds the first line where any
conversion failed, so the error names file, line, column and the offending value. Doing this
in DuckDB rather than row by row in Python is what keeps big imports near DuckDB's own speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from adbudget.config.catalog import CHANNELS, CURRENCIES
from adbudget.errors import InputError
from adbudget.ingest.spec import FUNNEL_STEPS, INTERACTIONS, TABLE_COLUMNS, Column

_MONEY = "DECIMAL(18,4)"
_SPACES = "[\\s\u00a0\u202f''`$€£¥₫₱฿%]"


@dataclass(frozen=True)
class Rules:
    """Allowed values that come from settings."""

    markets: tuple[str, ...]
    base_currency: str


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")"


def decimal_comma(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> bool:
    """True when the file writes numbers as 1.234,56 or 1 234,56 (decided once per file)."""
    if not columns:
        return False
    comma = " + ".join(
        f"count(*) FILTER (WHERE regexp_matches(\"{c}\", '\\d,\\d{{1,2}}$|\\d\\.\\d{{3}},\\d|^-?\\d+,\\d+$') "
        f"AND NOT regexp_matches(\"{c}\", '^-?\\d{{1,3}}(,\\d{{3}})+$'))"
        for c in columns
    )
    point = " + ".join(
        f"count(*) FILTER (WHERE regexp_matches(\"{c}\", '\\d\\.\\d{{1,2}}$|\\d,\\d{{3}}\\.\\d|\\d\\.\\d{{4,}}$'))"
        for c in columns
    )
    # a sample is enough to tell the convention; it is one per file
    row = con.execute(f"SELECT {comma}, {point} FROM (SELECT * FROM {relation} LIMIT 50000)").fetchall()[0]
    return bool(row[0] > row[1])


def _number_text(column: str, comma: bool) -> str:
    """SQL text of a number with grouping removed and '.' as decimal separator."""
    raw = f"trim(\"{column}\")"
    if comma:
        cleaned = f"replace(regexp_replace({raw}, '{_SPACES}|\\.', '', 'g'), ',', '.')"
    else:
        cleaned = f"regexp_replace({raw}, '{_SPACES}|,', '', 'g')"
    number = "'^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$'"
    return (f"CASE WHEN {raw} IN ('', '--', '-', 'N/A', 'n/a', '—') THEN NULL "
            f"WHEN regexp_matches({cleaned}, {number}) "
            f"AND abs(TRY_CAST({cleaned} AS DOUBLE)) < 1e14 THEN {cleaned} END")


def _blank(column: str) -> str:
    return f"(\"{column}\" IS NULL OR trim(\"{column}\") IN ('', '--', '-', 'N/A', 'n/a', '—'))"


def _convert(col: Column, rules: Rules, comma: bool, date_formats: tuple[str, ...]) -> tuple[str, str, str]:
    """(SQL value, SQL failure predicate, reason) for one column."""
    name = col.name
    raw = f"\"{name}\""
    default = col.default
    blank = _blank(name)
    fmts = "[" + ", ".join(_quote(f) for f in date_formats) + "]"
    reason = ""
    if col.kind == "text":
        value = f"trim({raw})"
        bad = f"{blank}" if default is None else "FALSE"
        value = value if default is None else f"CASE WHEN {blank} THEN {default} ELSE trim({raw}) END"
        reason = "missing value"
    elif col.kind in ("market", "channel", "currency", "interaction", "step"):
        allowed = {
            "market": rules.markets,
            "channel": tuple(CHANNELS),
            "currency": tuple(sorted(CURRENCIES)),
            "interaction": INTERACTIONS,
            "step": FUNNEL_STEPS,
        }[col.kind]
        norm = f"upper(trim({raw}))" if col.kind in ("market", "currency") else f"lower(trim({raw}))"
        value = f"CASE WHEN {blank} THEN {default or 'NULL'} ELSE {norm} END"
        bad = f"(NOT {blank} AND {norm} NOT IN {_in_list(allowed)})"
        if default is None:
            bad = f"({bad} OR {blank})"
        shown = ", ".join(allowed) if len(allowed) <= 25 else "an ISO 4217 code"
        reason = {
            "market": f"unknown market; configured markets: {shown}",
            "channel": f"unknown channel; allowed: {shown}",
            "currency": "unknown currency; use an ISO 4217 code such as USD, EUR",
            "interaction": f"must be one of: {shown}",
            "step": f"must be one of: {shown}",
        }[col.kind]
    elif col.kind == "date":
        value = f"CAST(try_strptime(trim({raw}), {fmts}) AS DATE)"
        bad = f"(NOT {blank} AND {value} IS NULL) OR {blank}" if default is None else f"(NOT {blank} AND {value} IS NULL)"
        reason = "not a date (expected " + " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%b", "Mon") for f in date_formats[:2]) + ")"
    elif col.kind == "timestamp":
        value = (
            f"COALESCE(CAST(timezone('UTC', TRY_CAST(trim({raw}) AS TIMESTAMPTZ)) AS TIMESTAMP), "
            f"TRY_CAST(trim({raw}) AS TIMESTAMP))"
        )
        bad = f"({value} IS NULL)"
        reason = "not a timestamp (expected ISO 8601, e.g. 2025-01-31T18:05:00Z)"
    else:  # numbers
        text = _number_text(name, comma)
        sql_type = {"money": _MONEY, "count": "DOUBLE", "number": "DOUBLE", "percent": "DOUBLE",
                    "rate": "DECIMAL(24,10)"}[col.kind]
        parsed = f"TRY_CAST({text} AS {sql_type})"
        if not comma:  # plain numbers skip the regex clean-up
            direct = f"TRY_CAST(\"{name}\" AS {sql_type})"
            finite = f"CASE WHEN abs(CAST({direct} AS DOUBLE)) < 1e14 THEN {direct} END"
            parsed = f"COALESCE({finite}, {parsed})"
        fill = default if default is not None else "NULL"
        value = f"COALESCE({parsed}, CAST({fill} AS {sql_type}))" if default not in (None, "NULL") else parsed
        not_number = f"(NOT {blank} AND {parsed} IS NULL)"
        bad = not_number if default is not None else f"({not_number} OR {blank})"
        reason = "not a number"
        if col.kind == "count":
            value = f"CAST(round({value}) AS BIGINT)"
        checks = []
        if not col.signed:
            checks.append((f"{parsed} < 0", "must not be negative"))
        if col.kind == "percent":
            checks.append((f"{parsed} > 100", "must be a percentage between 0 and 100"))
        if col.kind == "rate":
            checks.append((f"{parsed} <= 0", "must be a positive rate"))
        if checks:
            extra = " ".join(f"WHEN {cond} THEN {_quote(msg)}" for cond, msg in checks)
            bad_reason = f"CASE WHEN {not_number} OR {blank} THEN {_quote(reason)} {extra} END"
            bad = f"({bad} OR " + " OR ".join(f"COALESCE({c}, FALSE)" for c, _ in checks) + ")"
            return value, bad, bad_reason
    return value, bad, _quote(reason)


def validate(
    con: duckdb.DuckDBPyConnection,
    staged_relation: str,
    kind: str,
    present: set[str],
    labels: dict[str, str],
    rules: Rules,
    file: str,
    date_formats: tuple[str, ...],
    typed_name: str,
) -> int:
    """Create temp table *typed_name* with typed columns; raise InputError at the first bad cell.

    Returns the number of rows.
    """
    columns = TABLE_COLUMNS[kind]
    for col in columns:
        if col.name not in present and col.default is None:
            label = labels.get(col.name, col.name)
            raise InputError("missing column", file=file, line=1, column=label)
    numeric = [c.name for c in columns if c.kind in ("money", "count", "number", "percent", "rate")
               and c.name in present]
    comma = decimal_comma(con, staged_relation, numeric)
    select, failures = ["_line"], []
    for col in columns:
        if col.name in present:
            value, bad, reason = _convert(col, rules, comma, date_formats)
            select.append(f"{value} AS \"{col.name}\"")
            failures.append((col, bad, reason))
        else:
            select.append(f"{col.default} AS \"{col.name}\"")
    flags = [f"({bad}) AS \"_bad_{col.name}\"" for col, bad, _ in failures]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE \"{typed_name}\" AS SELECT {', '.join(select + flags)} "
        f"FROM {staged_relation}"
    )
    if failures:
        firsts = ", ".join(
            f"min(_line) FILTER (WHERE \"_bad_{c.name}\")" for c, _, _ in failures
        )
        row = con.execute(f"SELECT {firsts} FROM \"{typed_name}\"").fetchall()[0]
        hits = [(line, i) for i, line in enumerate(row) if line is not None]
        if hits:
            line, index = min(hits)
            col, _, reason = failures[index]
            raw_value, why = con.execute(
                f"SELECT CAST(\"{col.name}\" AS VARCHAR), {reason} FROM {staged_relation} "
                f"WHERE _line = ? LIMIT 1", [line]
            ).fetchall()[0]
            shown = "" if raw_value is None or raw_value.strip() == "" else f"{raw_value.strip()!r}: "
            raise InputError(f"{shown}{why or 'invalid value'}", file=file, line=int(line),
                             column=labels.get(col.name, col.name))
        for c, _, _ in failures:
            con.execute(f"ALTER TABLE \"{typed_name}\" DROP COLUMN \"_bad_{c.name}\"")
    return int(con.execute(f"SELECT count(*) FROM \"{typed_name}\"").fetchall()[0][0])
