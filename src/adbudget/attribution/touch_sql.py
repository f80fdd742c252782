"""Touch-level journeys as one SQL statement (for time-aware models such as ``hazard``).

The path statement (``sql.py``) throws away when each touch happened; the additive-hazard
model needs it. This statement keeps one row per touch and says how long after the touch the
touch's journey ended, and whether it ended in an order:

1. **Next order.** Touches and orders of a customer form one time-ordered event stream; a
   running count of the orders before each touch (a touch at the order's instant counts for
   that order, as in the path statement) numbers the touch's next order.
2. **Journeys.** The touches before one order (or after the last one) split into journeys
   where the customer was inactive for longer than ``inactivity_days`` — the same rule as
   the path statement's non-converting journeys.
3. **End.** A journey converts when its next order falls within ``inactivity_days`` of its
   last touch; its end is the order. Otherwise it is censored at ``min(last touch +
   inactivity_days, end of the data)``, the end of the data being the latest touch or order
   in the tables. ``seconds`` = end − touch (≥ 0).

Output, ordered by ``user_id, journey, ts``: ``user_id, journey`` (number of the journey
within the customer), ``channel, market, ts, seconds, converted, order_id, value``
(``order_id``/``value`` null when not converted), ``order_date``.

``start``/``end`` (ISO dates) keep the journeys whose order's market-local day (converting)
or first touch (not converting) falls in the period, as the path statement does; ``markets``
filters on the order's market (converting) or the first touch's market.

Only standard window functions (``ROW_NUMBER``, ``LAG``, running ``SUM``, ``MIN``/``MAX``
over partitions) and joins: no ``ASOF JOIN``, no list functions. The time arithmetic uses
DuckDB's ``epoch()`` (Spark: ``unix_timestamp``) and ``GREATEST``/``LEAST``. Names pasted into
the text are validated (tables, markets, dates, the value expression).
"""

from __future__ import annotations

from adbudget.attribution.sql import check_sources, journey_filter
from adbudget.errors import SettingsError


def touch_sql(
    *,
    inactivity_days: int = 30,
    touch_table: str = "touchpoints",
    order_table: str = "orders",
    value_expr: str = "revenue_base",
    markets: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    unit: str = "channel",
) -> str:
    """The touch-level journey statement (see the module doc for columns and rules).

    ``unit="campaign"`` puts ``channel/campaign`` in the ``channel`` column, so a model fitted
    on the table credits campaigns (as the path statement's campaign unit does)."""
    check_sources(touch_table, order_table, value_expr)
    if unit not in ("channel", "campaign"):
        raise SettingsError(f"unit must be channel or campaign, not {unit!r}")
    unit_expr = "channel" if unit == "channel" else "channel || '/' || coalesce(campaign, '')"
    if int(inactivity_days) <= 0:
        raise SettingsError("inactivity_days must be positive")
    horizon = int(inactivity_days) * 86400
    where = journey_filter(start, end, markets,
                           "(CASE WHEN converted THEN o_market ELSE first_market END)")
    return f"""
WITH o AS (
    SELECT CAST(customer_id AS VARCHAR) AS user_id, ordered_at, order_id, market AS o_market,
           order_date, CAST({value_expr} AS DOUBLE) AS value,
           ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) AS seq
    FROM {order_table}
),
ev AS (
    SELECT CAST(user_id AS VARCHAR) AS user_id, ts, 0 AS is_order, {unit_expr} AS channel, market
    FROM {touch_table}
    UNION ALL
    SELECT user_id, ordered_at AS ts, 1 AS is_order, NULL AS channel, NULL AS market FROM o
),
s AS (
    SELECT *, SUM(is_order) OVER (PARTITION BY user_id ORDER BY ts, is_order
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seg
    FROM ev
),
t AS (
    SELECT user_id, ts, channel, market, seg,
           CASE WHEN epoch(ts) - epoch(LAG(ts) OVER (PARTITION BY user_id, seg ORDER BY ts, channel))
                     <= {horizon} THEN 0 ELSE 1 END AS fresh
    FROM s WHERE is_order = 0
),
j AS (
    SELECT *, SUM(fresh) OVER (PARTITION BY user_id, seg ORDER BY ts, channel
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS part
    FROM t
),
k AS (
    SELECT *, MAX(ts) OVER (PARTITION BY user_id, seg, part) AS last_ts,
           MIN(ts) OVER (PARTITION BY user_id, seg, part) AS first_ts,
           MIN(CASE WHEN fresh = 1 THEN market END) OVER (PARTITION BY user_id, seg, part) AS first_market,
           DENSE_RANK() OVER (PARTITION BY user_id ORDER BY seg, part) AS journey
    FROM j
),
lim AS (
    SELECT GREATEST((SELECT MAX(epoch(ts)) FROM {touch_table}),
                    coalesce((SELECT MAX(epoch(ordered_at)) FROM {order_table}), 0)) AS data_end
),
r AS (
    SELECT k.user_id, k.journey, k.channel, k.market, k.ts, k.first_ts, k.first_market,
           o.order_id, o.o_market, o.order_date, o.value,
           (o.ordered_at IS NOT NULL AND epoch(o.ordered_at) - epoch(k.last_ts) <= {horizon}) AS converted,
           epoch(o.ordered_at) AS o_epoch, epoch(k.last_ts) AS last_epoch, epoch(k.ts) AS t_epoch
    FROM k LEFT JOIN o ON o.user_id = k.user_id AND o.seq = k.seg + 1
)
SELECT user_id, journey, channel, market, ts,
       CASE WHEN converted THEN o_epoch - t_epoch
            ELSE GREATEST(LEAST(last_epoch + {horizon}, data_end), t_epoch) - t_epoch END AS seconds,
       converted,
       CASE WHEN converted THEN order_id END AS order_id,
       CASE WHEN converted THEN value END AS value,
       CASE WHEN converted THEN order_date END AS order_date
FROM r, lim
WHERE {" AND ".join(where)}
ORDER BY user_id, journey, ts, channel
"""


__all__ = ["touch_sql"]
