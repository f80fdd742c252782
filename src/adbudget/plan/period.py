"""Plan periods: the product's one :class:`~adbudget.period.Period` type (re-exported here,
where the planner has always imported it from)."""

from adbudget.period import Period, parse_period

__all__ = ["Period", "parse_period"]
