"""Turn staged string columns into typed ones in DuckDB, stopping at the first bad cell.

One SQL pass converts every column; a second, tiny aggregate finds the first line where any
conversion failed, so the error names file, line, column and the offending value. Doing this
in DuckDB rather than row by row in Python is what keeps big imports near DuckDB's own speed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import duckdb

from adbudget.config.catalog import CHANNELS, CURRENCIES
from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.ingest.spec import FUNNEL_STEPS, INTERACTIONS, TABLE_COLUMNS, Column

_MONEY = "DECIMAL(18,4)"
# an explicit UTC offset beyond ±14:00 or with minutes over 59 (DuckDB would shift by it)
BAD_OFFSET = ("[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\\s*[+-]"
              "((1[5-9]|[2-9][0-9])(:?[0-9]{2})?|[0-9]{2}:?[6-9][0-9]|[0-9]{3}|[0-9]{5,})$")
_SPACES = "[\\s\u00a0\u202f''`$€£¥₫₱฿%]"


@dataclass(frozen=True)
class Rules:
    """Allowed values that come from settings."""

    markets: tuple[str, ...]
    base_currency: str
    earliest: date = date(2000, 1, 1)  # plausible window for dates and timestamps
    latest: date = date(2100, 1, 1)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in_list(values) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")"


# Number forms after spaces, currency signs and '%' are removed. A group is 1-3 digits not
# starting with 0 followed by groups of exactly three, so "0.123" is a decimal, never 123.
_G = "[1-9][0-9]{0,2}"
_POINT_EVIDENCE = ("[-+]?[0-9]*[.][0-9]+", f"[-+]?{_G}(,[0-9]{{3}})+[.][0-9]+", f"[-+]?{_G}(,[0-9]{{3}}){{2,}}",
                   "[-+]?[0-9]*[.]?[0-9]+[eE][-+]?[0-9]+")
_COMMA_EVIDENCE = ("[-+]?[0-9]*,[0-9]+", f"[-+]?{_G}([.][0-9]{{3}})+,[0-9]+", f"[-+]?{_G}([.][0-9]{{3}}){{2,}}")
_AMBIGUOUS = f"[-+]?{_G}[.,][0-9]{{3}}"
_VALID = {
    "point": f"[-+]?([0-9]+|{_G}(,[0-9]{{3}})+)?([.][0-9]*)?([eE][-+]?[0-9]{{1,3}})?",
    "comma": f"[-+]?([0-9]+|{_G}([.][0-9]{{3}})+)?(,[0-9]*)?",
    # whole counts without any decimal evidence: 1,234 and 1.234 can only be grouped thousands
    "count": f"[-+]?([0-9]+|{_G}(,[0-9]{{3}})+|{_G}([.][0-9]{{3}})+)",
}
# ISO 4217 currencies with three minor units: only there can 1,234 be a money amount with decimals
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
NUMERIC_KINDS = ("money", "count", "number", "percent", "rate")


def _cleaned(column: str) -> str:
    return f"regexp_replace(trim(\"{column}\"), '{_SPACES}', '', 'g')"


_RE_POINT = [re.compile(p) for p in _POINT_EVIDENCE]
_RE_COMMA = [re.compile(p) for p in _COMMA_EVIDENCE]
_RE_AMBIGUOUS = re.compile(_AMBIGUOUS)


def classify(value: str) -> str | None:
    """'point', 'comma', 'ambiguous' or None (no evidence) for a cell without spaces or symbols."""
    if _RE_AMBIGUOUS.fullmatch(value):
        return "ambiguous"
    if any(p.fullmatch(value) for p in _RE_POINT):
        return "point"
    if any(p.fullmatch(value) for p in _RE_COMMA):
        return "comma"
    return None


def _evidence(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> tuple:
    """Per column: n point, first point line, n comma, first comma line, first ambiguous line,
    n ambiguous with ',', n ambiguous with '.'.

    Every cell with a '.' or ',' is reduced in DuckDB to its *shape* (spaces and symbols removed,
    digits 1-9 written as 9, 0 kept), which is all the patterns look at; the few distinct shapes
    are classified here. One grouped scan per column instead of seven regexes per cell.
    """
    out: list = []
    for c in columns:
        shape = f"regexp_replace({_cleaned(c)}, '[1-9]', '9', 'g')"
        groups = con.execute(
            f'SELECT {shape} AS shape, count(*), min(_line) FROM {relation} '
            f'WHERE strpos("{c}", \'.\') + strpos("{c}", \',\') > 0 GROUP BY shape'
        ).fetchall()
        n = {"point": 0, "comma": 0, "ambiguous": 0}
        first: dict[str, int | None] = {"point": None, "comma": None, "ambiguous": None}
        amb_comma = amb_point = 0
        for value, count, line in groups:
            kind = classify(value)
            if kind is None:
                continue
            n[kind] += count
            first[kind] = line if first[kind] is None else min(first[kind], line)
            if kind == "ambiguous":
                amb_comma += count if "," in value else 0
                amb_point += count if "." in value else 0
        out += [n["point"], first["point"], n["comma"], first["comma"], first["ambiguous"], amb_comma, amb_point]
    return tuple(out)


def number_styles(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str],
                  labels: dict[str, str], file: str, counts: frozenset[str] = frozenset(),
                  whole: frozenset[str] = frozenset()) -> dict[str, str]:
    """Decimal style ('point' or 'comma') of each numeric column, from the evidence in its cells.

    A column whose cells show both styles is refused at the first cell of the less used one;
    a column without evidence takes the style the other columns agree on; a column with only
    ambiguous cells (``1,234``) and no agreeing evidence elsewhere is refused at the first one,
    except in *counts* (impressions, clicks), where a fraction cannot be meant, and in *whole*
    columns (amounts in currencies without three minor units, where ``180,000`` cannot be
    180 with three decimals): there both separators group thousands ('count' style).
    Every row is looked at, so one odd cell among a million is still caught.
    """
    if not columns:
        return {}
    row = _evidence(con, relation, columns)
    stats = {c: row[i * 7:i * 7 + 5] for i, c in enumerate(columns)}
    # a count cannot be fractional, so 15,200 impressions shows that ',' groups thousands here
    grouping = {("point" if mark == "," else "comma")
                for i, c in enumerate(columns) if c in counts
                for mark, n in ((",", row[i * 7 + 5]), (".", row[i * 7 + 6])) if n}

    def cell(column: str, line: int) -> str:
        value = con.execute(f'SELECT "{column}" FROM {relation} WHERE _line = ? LIMIT 1', [line]).fetchall()
        return str(value[0][0]).strip() if value else ""

    styles: dict[str, str] = {}
    for c, (n_point, first_point, n_comma, first_comma, _) in stats.items():
        if n_point and n_comma:
            # the less used style is the odd one (on a tie, the one that appears later)
            odd_comma = n_comma < n_point or (n_comma == n_point and first_comma > first_point)
            line, other_line = (first_comma, first_point) if odd_comma else (first_point, first_comma)
            this, other = ("comma", "point") if odd_comma else ("point", "comma")
            raise InputError(
                f"{cell(c, line)!r}: " + t("ingest.number.mixed", this=t(f"ingest.number.{this}"),
                                          other=t(f"ingest.number.{other}"), example=cell(c, other_line),
                                          line=other_line),
                file=file, line=int(line), column=labels.get(c, c))
        if n_point or n_comma:
            styles[c] = "point" if n_point else "comma"
    agreed = set(styles.values()) | grouping
    for c, (_, _, _, _, first_ambiguous) in stats.items():
        if c in styles:
            continue
        if len(agreed) == 1:
            styles[c] = next(iter(agreed))
        elif c in counts or c in whole:
            styles[c] = "count"
        elif first_ambiguous is not None:
            value = cell(c, first_ambiguous)
            digits = value.replace(",", "").replace(".", "")
            sign = "-" if value.startswith("-") else ""
            grouped, decimal = digits, sign + value.lstrip("+-").replace(",", ".")
            raise InputError(f"{value!r}: " + t("ingest.number.ambiguous", grouped=grouped, decimal=decimal),
                             file=file, line=int(first_ambiguous), column=labels.get(c, c))
        else:
            styles[c] = "point"
    return styles


def _number_text(column: str, style: str) -> str:
    """SQL text of a number with grouping removed and '.' as decimal separator (NULL if malformed)."""
    raw = f"trim(\"{column}\")"
    cl = _cleaned(column)
    plain = {"point": f"replace({cl}, ',', '')", "comma": f"replace(replace({cl}, '.', ''), ',', '.')",
             "count": f"replace(replace({cl}, '.', ''), ',', '')"}[style]
    return (f"CASE WHEN {raw} IN ('', '--', '-', 'N/A', 'n/a', '—') THEN NULL "
            f"WHEN regexp_full_match({cl}, '{_VALID[style]}') AND regexp_matches({cl}, '[0-9]') "
            f"AND abs(TRY_CAST({plain} AS DOUBLE)) < 1e14 THEN {plain} END")


def _blank(column: str) -> str:
    return f"(\"{column}\" IS NULL OR trim(\"{column}\") IN ('', '--', '-', 'N/A', 'n/a', '—'))"


def _convert(col: Column, rules: Rules, style: str, date_formats: tuple[str, ...]) -> tuple[str, str, str]:
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
    elif col.kind in ("date", "timestamp"):
        if col.kind == "date":
            value = f"CAST(try_strptime(trim({raw}), {fmts}) AS DATE)"
            reason = "not a date (expected " + " or ".join(f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD").replace("%b", "Mon") for f in date_formats[:2]) + ")"
            unparsed = f"(NOT {blank} AND {value} IS NULL) OR {blank}" if default is None else f"(NOT {blank} AND {value} IS NULL)"
        else:
            value = (
                f"COALESCE(CAST(timezone('UTC', TRY_CAST(trim({raw}) AS TIMESTAMPTZ)) AS TIMESTAMP), "
                f"TRY_CAST(trim({raw}) AS TIMESTAMP))"
            )
            reason = "not a timestamp (expected ISO 8601, e.g. 2025-01-31T18:05:00Z)"
            unparsed = f"({value} IS NULL)"
        # BC years, five-digit years and the like parse, but no ad export holds them
        outside = (f"COALESCE(CAST({value} AS DATE) NOT BETWEEN DATE '{rules.earliest.isoformat()}' "
                   f"AND DATE '{rules.latest.isoformat()}', FALSE)")
        window = t("ingest.date.window", first=rules.earliest.isoformat(), last=rules.latest.isoformat())
        checks = [(outside, window)]
        if col.kind == "timestamp":
            checks.append((f"regexp_matches(trim({raw}), '{BAD_OFFSET}')", t("ingest.date.offset")))
        extra = " ".join(f"WHEN {cond} THEN {_quote(msg)}" for cond, msg in checks)
        bad = f"(({unparsed}) OR " + " OR ".join(cond for cond, _ in checks) + ")"
        return value, bad, f"CASE WHEN {unparsed} THEN {_quote(reason)} {extra} END"
    else:  # numbers
        text = _number_text(name, style)
        sql_type = {"money": _MONEY, "count": "DOUBLE", "number": "DOUBLE", "percent": "DOUBLE",
                    "rate": "DECIMAL(24,10)"}[col.kind]
        parsed = f"TRY_CAST({text} AS {sql_type})"
        if style == "point":  # plain numbers skip the regex clean-up
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
    numeric = [c.name for c in columns if c.kind in NUMERIC_KINDS and c.name in present]
    counts = frozenset(c.name for c in columns if c.kind == "count")
    whole: frozenset[str] = frozenset()
    if "currency" in present:
        codes = {r[0] for r in con.execute(
            f"SELECT DISTINCT upper(trim(currency)) FROM {staged_relation}").fetchall()}
        if not codes & THREE_DECIMAL_CURRENCIES:
            whole = frozenset(c.name for c in columns if c.kind == "money")
    styles = number_styles(con, staged_relation, numeric, labels, file, counts, whole)
    select, failures = ["_line"], []
    for col in columns:
        if col.name in present:
            value, bad, reason = _convert(col, rules, styles.get(col.name, "point"), date_formats)
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
