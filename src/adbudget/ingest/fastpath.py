"""Fast path for big canonical CSV files: DuckDB's typed parallel reader with a reject table.

Clean files (plain numbers, ISO dates, codes as we write them) are typed in one pass by
``read_csv`` and checked with one aggregate. Anything unusual — a rejected cell, a negative
amount, an unknown code — makes the caller fall back to the exact path, which finds the same
problem and names its line and column. So the fast path never decides an error message.
Measured in ``benchmarks/ingest.py``.
"""

from __future__ import annotations

import duckdb

from adbudget.config.catalog import CHANNELS, CURRENCIES
from adbudget.ingest.spec import FUNNEL_STEPS, INTERACTIONS, TABLE_COLUMNS
from adbudget.ingest.validate import BAD_OFFSET, Rules, _in_list

_READ_TYPES = {
    "text": "VARCHAR", "market": "VARCHAR", "channel": "VARCHAR", "currency": "VARCHAR",
    "interaction": "VARCHAR", "step": "VARCHAR", "date": "DATE", "timestamp": "VARCHAR",
    "money": "DECIMAL(18,4)", "count": "DOUBLE", "number": "DOUBLE", "percent": "DOUBLE",
    "rate": "DECIMAL(24,10)",
}


def fast_typed_read(
    con: duckdb.DuckDBPyConnection,
    path: str,
    kind: str,
    header: list[str],
    delim: str,
    rules: Rules,
    typed_name: str,
) -> bool:
    """Create *typed_name* like ``validate`` would; False (and nothing created) if not clean."""
    columns = TABLE_COLUMNS[kind]
    by_name = {c.name: c for c in columns}
    if any(c.default is None and c.name not in header for c in columns):
        return False
    spec = ", ".join(f"'{h}': '{_READ_TYPES[by_name[h].kind]}'" if h in by_name else f"'{h}': 'VARCHAR'"
                     for h in header)
    reject_scan, reject_errors = f"{typed_name}_scan", f"{typed_name}_errors"
    select, checks = ["CAST(row_number() OVER () AS BIGINT) + 1 AS _line"], []
    offsets: list[str] = []
    allowed = {"market": rules.markets, "channel": tuple(CHANNELS), "currency": tuple(sorted(CURRENCIES)),
               "interaction": INTERACTIONS, "step": FUNNEL_STEPS}
    for col in columns:
        name = f'"{col.name}"'
        if col.name not in header:
            select.append(f"{col.default} AS {name}")
            continue
        if col.kind == "count":
            select.append(f"CAST(round({name}) AS BIGINT) AS {name}")
            checks.append(f"NOT (abs({name}) < 1e14)")
        elif col.kind == "timestamp":
            # read as text: an offset beyond ±14:00 must send the file to the exact path
            select.append(f"CAST(timezone('UTC', CAST({name} AS TIMESTAMPTZ)) AS TIMESTAMP) AS {name}")
            offsets.append(f"(strlen({name}) > 19 AND regexp_matches({name}, '{BAD_OFFSET}'))")
        elif col.kind in ("number", "percent"):
            select.append(name)
            checks.append(f"NOT (abs({name}) < 1e14)")
        elif col.kind == "text" and col.default is not None:
            select.append(f"coalesce({name}, {col.default}) AS {name}")
        else:
            select.append(name)
        if col.default is None or col.kind in allowed:
            if col.default is None:
                checks.append(f"{name} IS NULL")
        if col.kind in allowed:
            checks.append(f"({name} IS NOT NULL AND {name} NOT IN {_in_list(allowed[col.kind])})")
        if col.kind in ("money", "count", "number", "percent", "rate") and not col.signed:
            checks.append(f"{name} < 0")
        if col.kind == "percent":
            checks.append(f"{name} > 100")
        if col.kind in ("date", "timestamp"):
            checks.append(f"CAST({name} AS DATE) NOT BETWEEN DATE '{rules.earliest.isoformat()}' "
                          f"AND DATE '{rules.latest.isoformat()}'")
        if col.kind == "rate":
            checks.append(f"{name} <= 0")
        if col.kind in ("money", "count", "number") and col.default not in (None, "NULL"):
            select[-1] = select[-1].replace(f"AS {name}", "") if " AS " in select[-1] else select[-1]
            select[-1] = f"coalesce({select[-1]}, {col.default}) AS {name}"
    source = (f"read_csv(?, header = true, delim = ?, quote = '\"', columns = {{{spec}}}, "
              f"dateformat = '%Y-%m-%d', store_rejects = true, "
              f"rejects_scan = '{reject_scan}', rejects_table = '{reject_errors}')")
    flags = [f'{expr} AS "_offset_{i}"' for i, expr in enumerate(offsets)]
    try:
        con.execute(f'CREATE TEMP TABLE "{typed_name}" AS SELECT {", ".join(select + flags)} FROM {source}',
                    [path, delim])
        rejected = con.execute(f'SELECT count(*) FROM "{reject_errors}"').fetchall()[0][0]
        checks += [f'"_offset_{i}"' for i in range(len(offsets))]
    except duckdb.Error:
        con.execute(f'DROP TABLE IF EXISTS "{typed_name}"')
        return False
    finally:
        for table in (reject_scan, reject_errors):
            try:
                con.execute(f'DROP TABLE IF EXISTS "{table}"')
            except duckdb.Error:
                pass
    bad = rejected
    if not bad and checks:
        bad = con.execute(
            f'SELECT count(*) FROM "{typed_name}" WHERE ' + " OR ".join(f"coalesce({c}, FALSE)" for c in checks)
        ).fetchall()[0][0]
    if bad:
        con.execute(f'DROP TABLE IF EXISTS "{typed_name}"')
        return False
    for i in range(len(offsets)):
        con.execute(f'ALTER TABLE "{typed_name}" DROP COLUMN "_offset_{i}"')
    return True
