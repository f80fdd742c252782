"""Fixtures of the rules tests: small hand-made daily data and a helper to evaluate rule text."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from adbudget.rules.loader import parse_rules
from adbudget.rules.metrics import compute_metrics
from adbudget.rules.resolve import evaluate

AS_OF = date(2026, 11, 20)  # a Friday


def rows(campaign: str, days: int, spend: float, conv: float, rev: float, *, market: str = "US",
         channel: str = "meta", imp: float = 10_000, clicks: float = 200, end: date = AS_OF,
         reach: float | None = None) -> list[dict]:
    """*days* identical daily rows ending the day before *end*."""
    out = []
    for k in range(1, days + 1):
        r = dict(date=end - timedelta(days=k), market=market, channel=channel, campaign=campaign,
                 spend=spend, impressions=imp, clicks=clicks, conversions=conv, revenue=rev)
        if reach is not None:
            r["reach"] = reach
        out.append(r)
    return out


@pytest.fixture
def daily() -> pd.DataFrame:
    """Four US meta campaigns over 30 days: a winner, a loser test arm, a flat one, a silent one."""
    data = (
        rows("US_perf_win", 30, 100.0, 5.0, 400.0)  # ROAS 4
        + rows("US_test_lose", 30, 100.0, 0.5, 30.0)  # ROAS 0.3, test arm
        + rows("US_perf_flat", 30, 50.0, 1.0, 100.0, channel="tiktok")  # ROAS 2
        + rows("US_perf_zero", 30, 0.0, 0.0, 0.0, imp=0, clicks=0)  # no spend at all
    )
    return pd.DataFrame(data)


TARGETS = pd.DataFrame([{"market": "US", "channel": "*", "breakeven_roas": 2.5, "target_roas": 3.0}])


def run(text: str, daily: pd.DataFrame, *, as_of: date = AS_OF, fmt: str = "yaml", state=None,
        history=None, reserve: float = 0.0, targets=TARGETS):
    """Parse rule text, compute metrics and evaluate: the Evaluation."""
    rs = parse_rules(text, f"t.{fmt}")
    m = compute_metrics(daily, as_of, rs.windows(), state=state, targets=targets)
    return evaluate(rs, m, history=history, reserve_daily=reserve)


def fired(ev) -> set[tuple[str, str]]:
    """(rule, campaign) pairs that produced an action."""
    return {(str(r), str(c)) for r, c in zip(ev.actions["rule"], ev.actions["campaign"], strict=True)}
