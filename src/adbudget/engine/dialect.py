"""DuckDB SQL -> Spark SQL: SQLGlot's transpiler plus the few rewrites it does not make.

The heavy statements (``attribution.sql.path_sql``, ``attribution.touch_sql.touch_sql``) are
written once, in DuckDB's dialect. SQLGlot parses them and writes Spark SQL; before that this
module rewrites, on the syntax tree, what SQLGlot leaves DuckDB-shaped or gets wrong for
these statements (checked by tests/engine against DuckDB's answer on the same rows):

- list indexing ``l[i]`` is 1-based in DuckDB (negative from the end, 0 or out of range is
  NULL): it becomes ``try_element_at(l, i)`` guarded against 0, which Spark refuses;
- list slices ``l[a:b]`` (1-based, inclusive) become ``slice(l, a, b - a + 1)``;
- a lambda's index parameter (``lambda x, i:``) counts from 1 in DuckDB and from 0 in Spark:
  ``i`` becomes ``(i + 1)`` in the body;
- ``list_select(names, codes)`` becomes ``transform(codes, c -> names[c])``;
- ``list_sum(l)`` becomes ``aggregate(l, 0D, (a, x) -> a + x)``;
- ``epoch_us(ts)`` becomes ``unix_micros(CAST(ts AS TIMESTAMP))`` and ``epoch(ts)``
  ``unix_micros(...) / 1e6`` (the session runs in UTC, so a timestamp without time zone reads
  the same clock time DuckDB reads).

Why SQLGlot and not Ibis: the statements are list-and-lambda SQL tuned for DuckDB's hash
aggregate (see attribution/sql.py); Ibis would mean re-writing them in its expression API,
and DuckDB's plan would then be Ibis's, not the tuned one. With SQLGlot DuckDB runs exactly
the text it always ran, and Spark gets a translation whose result the tests compare.
"""

from __future__ import annotations

from typing import Any

_ZERO_SAFE = "IF({i} = 0, NULL, TRY_ELEMENT_AT({a}, {i}))"
_SPARK = {
    "LIST_EXTRACT": lambda a: _ZERO_SAFE.format(a=a[0], i=a[1]),
    "LIST_SLICE": lambda a: f"SLICE({a[0]}, {a[1]}, ({a[2]}) - ({a[1]}) + 1)",
    "LIST_SELECT": lambda a: f"TRANSFORM({a[1]}, _c -> {_ZERO_SAFE.format(a=a[0], i='_c')})",
    "LIST_SUM": lambda a: f"AGGREGATE({a[0]}, CAST(0 AS DOUBLE), (_a, _x) -> _a + _x)",
    "EPOCH_US": lambda a: f"UNIX_MICROS(CAST({a[0]} AS TIMESTAMP))",
    "EPOCH": lambda a: f"(UNIX_MICROS(CAST({a[0]} AS TIMESTAMP)) / 1000000.0)",
}


class DialectError(ValueError):
    """The statement uses DuckDB syntax this translation does not cover."""


def _lambda_index(node: Any) -> None:
    """DuckDB's lambda index counts from 1, Spark's from 0: use ``(i + 1)`` in the body."""
    from sqlglot import exp

    index = node.expressions[1].name
    for ident in list(node.this.find_all(exp.Identifier)):
        parent = ident.parent
        target = parent if isinstance(parent, exp.Column) and not parent.table else ident
        if ident.name == index and not isinstance(parent, (exp.Dot, exp.Lambda)):
            target.replace(exp.paren(exp.Add(this=exp.to_identifier(index),
                                             expression=exp.Literal.number(1))))


def to_spark(sql: str) -> str:
    """The Spark SQL text of a DuckDB statement of this project (see the module doc).

    Needs SQLGlot (the ``spark`` extra: ``pip install 'adbudget[spark]'``)."""
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DialectError("SQLGlot is not installed: pip install 'adbudget[spark]'") from exc
    tree = sqlglot.parse_one(sql, read="duckdb")
    if tree.find(exp.Bracket):
        raise DialectError("write list access as list_extract/list_slice, not brackets: "
                           "SQLGlot shifts only some bracket indices to 0-based")
    for lam in tree.find_all(exp.Lambda):
        if len(lam.expressions) == 2:
            _lambda_index(lam)
    # innermost calls first, so a rewritten call's arguments are already Spark SQL
    for node in reversed(list(tree.dfs())):
        if isinstance(node, exp.Anonymous) and node.name.upper() in _SPARK:
            args = [a.sql(dialect="spark") for a in node.expressions]
            node.replace(sqlglot.parse_one(_SPARK[node.name.upper()](args), read="spark"))
    return tree.sql(dialect="spark", pretty=True)


__all__ = ["DialectError", "to_spark"]
