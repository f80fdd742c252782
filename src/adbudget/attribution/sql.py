"""Journeys and path aggregation as one SQL statement (DuckDB dialect, portable to Spark SQL).

The statement turns raw touches and orders into the aggregated path table the models read:

1. each touch finds the customer's next order (``ASOF JOIN``) and is credited to it when the
   order falls inside the touch's window (per touch type and per channel);
2. touches not credited to an order form non-converting journeys, split where the customer
   was inactive longer than ``inactivity_days`` or an order happened in between;
3. consecutive repeats of the same unit inside a journey collapse to the latest one (option);
4. journeys become ``a > b > c`` strings and one ``GROUP BY path`` counts conversions, value
   and non-converting journeys (plus exact time-decay weights per position when asked).

This module only builds the text; the workspace runs it. Names that go into the text are
validated (channels, markets) — no user string is pasted unchecked.
"""

from __future__ import annotations

import re

from adbudget.attribution.windows import Windows
from adbudget.errors import SettingsError

UNITS = {
    "channel": "channel",
    "campaign": "channel || '/' || replace(replace(campaign, '>', '›'), ',', ' ')",
}


def _name(value: str, pattern: str, what: str) -> str:
    if not re.fullmatch(pattern, value):
        raise SettingsError(f"{what} {value!r} is not allowed here")
    return value


def _window_case(windows: Windows) -> str:
    """Window length in seconds per touch, as a SQL CASE over interaction and channel."""
    def one(kind: int) -> str:
        branches = [
            f"WHEN '{_name(name, r'[a-z0-9_]+', 'channel')}' THEN {spec[kind] * 86400}"
            for name, *spec in windows.per_channel
        ]
        default = (windows.click_days, windows.view_days)[kind] * 86400
        if not branches:
            return str(default)
        return f"CASE channel {' '.join(branches)} ELSE {default} END"
    return f"CASE WHEN interaction = 'view' THEN {one(1)} ELSE {one(0)} END"


def path_sql(
    windows: Windows,
    *,
    unit: str = "channel",
    by_market: bool = False,
    collapse: bool = True,
    inactivity_days: int = 30,
    half_life_days: float | None = None,
    touch_table: str = "touchpoints",
    order_table: str = "orders",
    value_expr: str = "revenue_base",
    markets: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> str:
    """The path-aggregation statement.

    Output columns: ``[market,] path, total_conversions, total_conversion_value, total_null``
    and, with ``half_life_days``, ``decay``/``decay_value`` (per-position lists).
    ``start``/``end`` (ISO dates) bound the orders' market-local day; touches before ``start``
    still count when they fall inside an order's window.
    """
    if unit not in UNITS:
        raise SettingsError(f"unknown unit {unit!r}; allowed: {', '.join(UNITS)}")
    for table in (touch_table, order_table):
        _name(table, r"[A-Za-z_][A-Za-z0-9_]*", "table")
    if value_expr not in ("revenue_base", "revenue_base - refunded_base", "revenue", "1"):
        raise SettingsError(f"value expression {value_expr!r} is not allowed")
    journey_where = ["1 = 1"]
    if start:
        _name(start, r"\d{4}-\d{2}-\d{2}", "date")
        journey_where.append(f"(CASE WHEN converted THEN order_date >= DATE '{start}' "
                             f"ELSE first_ts >= TIMESTAMP '{start}' END)")
    if end:
        _name(end, r"\d{4}-\d{2}-\d{2}", "date")
        journey_where.append(f"(CASE WHEN converted THEN order_date <= DATE '{end}' "
                             f"ELSE first_ts < TIMESTAMP '{end}' + INTERVAL 1 DAY END)")
    if markets:
        codes = ", ".join(f"'{_name(m, r'[A-Z]{2}', 'market')}'" for m in markets)
        journey_where.append(f"market IN ({codes})")
    inactivity_s = int(inactivity_days) * 86400
    keys = "market, path" if by_market else "path"
    decay_col = ""
    if half_life_days is not None:
        if half_life_days <= 0:
            raise SettingsError("half-life must be positive")
        decay_col = (f", CASE WHEN hit THEN pow(0.5, (epoch(ots) - epoch(ts)) / 86400.0 / "
                     f"{float(half_life_days)!r}) ELSE 0 END AS dw")
    collapse_filter = "WHERE NOT repeat_next" if collapse else ""
    sql = f"""
WITH o AS (
    SELECT customer_id AS user_id, ordered_at AS ots, order_id, market AS o_market,
           order_date, CAST({value_expr} AS DOUBLE) AS value
    FROM {order_table}
),
t AS (
    SELECT user_id, ts, market AS t_market, {UNITS[unit]} AS unit,
           {_window_case(windows)} AS win_s
    FROM {touch_table}
),
j AS (
    SELECT t.*, o.order_id, o.ots, o.o_market, o.order_date, o.value,
           coalesce(epoch(o.ots) - epoch(t.ts) <= t.win_s, FALSE) AS hit
    FROM t ASOF LEFT JOIN o ON t.user_id = o.user_id AND t.ts <= o.ots
),
b AS (
    SELECT *, CASE WHEN hit THEN 0
                   WHEN lag(ts) OVER w IS NULL THEN 1
                   WHEN epoch(ts) - epoch(lag(ts) OVER w) > {inactivity_s} THEN 1
                   WHEN lag(ots) OVER w IS DISTINCT FROM ots THEN 1
                   ELSE 0 END AS brk,
              -- the next touch of this partition repeats the unit inside the same journey
              coalesce(lead(unit) OVER w = unit
                       AND lead(ots) OVER w IS NOT DISTINCT FROM ots
                       AND (hit OR epoch(lead(ts) OVER w) - epoch(ts) <= {inactivity_s}),
                       FALSE) AS repeat_next
    FROM j WINDOW w AS (PARTITION BY user_id, hit ORDER BY ts, unit)
),
k AS (
    SELECT *, CASE WHEN hit THEN 0
                   ELSE sum(brk) OVER (PARTITION BY user_id, hit ORDER BY ts, unit
                                       ROWS UNBOUNDED PRECEDING) END AS session
    FROM b
),
d AS (
    SELECT user_id, hit, order_id, session, ts, unit, value, t_market, o_market,
           order_date{decay_col}
    FROM k {collapse_filter}
),
jr AS (
    SELECT CASE WHEN bool_or(hit) THEN any_value(o_market) ELSE arg_min(t_market, ts) END AS market,
           min(ts) AS first_ts, any_value(order_date) FILTER (WHERE hit) AS order_date,
           string_agg(unit, ' > ' ORDER BY ts, unit) AS path,
           bool_or(hit) AS converted,
           max(value) AS value{", list(dw ORDER BY ts, unit) AS dw, sum(dw) AS dw_sum" if decay_col else ""}
    FROM d GROUP BY user_id, hit, order_id, session
),
p AS (
    SELECT {keys},
           sum(CASE WHEN converted THEN 1 ELSE 0 END)::DOUBLE AS total_conversions,
           sum(CASE WHEN converted THEN value ELSE 0 END)::DOUBLE AS total_conversion_value,
           sum(CASE WHEN converted THEN 0 ELSE 1 END)::DOUBLE AS total_null
    FROM jr WHERE {' AND '.join(journey_where)}
    GROUP BY {keys}
)"""
    if not decay_col:
        return sql + f"\nSELECT * FROM p ORDER BY {keys}\n"
    return sql + f""",
dd AS (
    SELECT {keys}, pos, sum(w / dw_sum) AS w, sum(w / dw_sum * value) AS wv
    FROM (SELECT {keys}, value, dw_sum, unnest(dw) AS w, generate_subscripts(dw, 1) AS pos
          FROM jr WHERE converted AND {' AND '.join(journey_where)})
    GROUP BY {keys}, pos
),
dl AS (
    SELECT {keys}, list(w ORDER BY pos) AS decay, list(wv ORDER BY pos) AS decay_value
    FROM dd GROUP BY {keys}
)
SELECT p.*, dl.decay, dl.decay_value FROM p LEFT JOIN dl USING ({keys}) ORDER BY {keys}
"""


def orders_sql(order_table: str = "orders", value_expr: str = "revenue_base",
               start: str | None = None, end: str | None = None,
               markets: list[str] | None = None, by_market: bool = False) -> str:
    """Orders and value in the period (to show how many orders no touch reached)."""
    where = ["1 = 1"]
    if start:
        where.append(f"order_date >= DATE '{_name(start, r'[0-9-]{10}', 'date')}'")
    if end:
        where.append(f"order_date <= DATE '{_name(end, r'[0-9-]{10}', 'date')}'")
    if markets:
        codes = ", ".join(f"'{_name(m, r'[A-Z]{2}', 'market')}'" for m in markets)
        where.append(f"market IN ({codes})")
    group = "market, " if by_market else ""
    return (f"SELECT {group}count(*)::DOUBLE AS orders, sum(CAST({value_expr} AS DOUBLE)) AS value, "
            f"min(order_date) AS first_day, max(order_date) AS last_day "
            f"FROM {_name(order_table, r'[A-Za-z_][A-Za-z0-9_]*', 'table')} "
            f"WHERE {' AND '.join(where)}" + (" GROUP BY market ORDER BY market" if by_market else ""))
