"""Workspace method for time-aware attribution: touch-level journeys from the store.

Kept apart from ``workspace/attribution.py`` (path tables): the ``hazard`` model (see
``adbudget.attribution.hazard``) reads one row per touch with the time to the journey's
order or censoring, built by one SQL statement (``adbudget.attribution.touch_sql``).
"""

from __future__ import annotations

from typing import Any


class AttributionTouchesMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""

    store: Any
    settings: Any

    def attribution_touches(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        markets: list[str] | None = None,
        channels: tuple[str, ...] | None = None,
        unit: str = "channel",
    ) -> Any:
        """The store's touches as a :class:`~adbudget.attribution.hazard.TouchTable`: each
        touch's next order within ``inactivity_days`` (settings) of its journey's last touch,
        else censoring at that horizon or the data's end; ``start``/``end``/``markets`` as for
        ``attribute``. ``channels`` lists channels to keep in the table even without touches; ``unit="campaign"``
        names each touch ``channel/campaign`` instead of its channel."""
        from adbudget.attribution import TouchTable, touch_sql

        s = self.settings.attribution
        value = "revenue_base - refunded_base" if s.value == "net" else "revenue_base"
        sql = touch_sql(inactivity_days=s.inactivity_days, value_expr=value,
                        start=start, end=end, markets=markets, unit=unit)
        return TouchTable.from_frame(self.store.query(sql), channels=channels)
