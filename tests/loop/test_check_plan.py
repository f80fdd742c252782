"""Accountability for a real seller: the last plan's forecast against the refit's reading."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from adbudget.workspace.loop_knowledge import KnowledgePlanMixin


class _Ws(KnowledgePlanMixin):
    def __init__(self, plan, dec):
        self._plan, self._dec = plan, dec

    def latest_plan(self):
        return self._plan

    def response_fit(self, check: bool = True):
        return SimpleNamespace(decomposition=self._dec)


def _line(market, channel, rev, lo, hi, bucket="performance"):
    return SimpleNamespace(market=market, channel=channel, bucket=bucket, expected_revenue=rev,
                           expected_revenue_lo=lo, expected_revenue_hi=hi)


def _dec(days: int) -> pd.DataFrame:
    dates = pd.date_range("2026-11-01", periods=days)
    rows = []
    for d in dates:
        rows += [{"date": d, "market": "US", "component": "meta", "value": 100.0},  # on forecast
                 {"date": d, "market": "US", "component": "google_search", "value": 20.0},  # far below
                 {"date": d, "market": "US", "component": "base", "value": 5000.0}]
    return pd.DataFrame(rows)


def test_misses_come_first_and_forecasts_are_pro_rata_for_the_days_with_data() -> None:
    plan = SimpleNamespace(period="2026-11", days=30, lines=[
        _line("US", "meta", 3000.0, 2400.0, 3600.0), _line("US", "google_search", 2400.0, 1800.0, 3000.0),
        _line("US", "meta", 300.0, 200.0, 400.0, bucket="test")])
    out = _Ws(plan, _dec(15)).check_plan()
    assert out["days"] == 15 and out["plan_days"] == 30
    lines = out["lines"]
    assert list(lines["channel"]) == ["google_search", "meta"]  # the miss first
    gs = lines.iloc[0]
    assert gs["missed"] and gs["forecast"] == pytest.approx(1200.0) and gs["actual"] == pytest.approx(300.0)
    meta = lines.iloc[1]  # both buckets' forecasts, half the month: (3000 + 300) / 2
    assert not meta["missed"] and meta["forecast"] == pytest.approx(1650.0)
    assert meta["actual"] == pytest.approx(1500.0)
    market = out["markets"].iloc[0]  # the baseline is not the ads' doing
    assert market["actual"] == pytest.approx(1800.0) and market["forecast"] == pytest.approx(2850.0)


def test_a_fit_without_the_plans_days_says_to_import_and_refit() -> None:
    from adbudget.errors import InputError

    plan = SimpleNamespace(period="2026-12", days=31, lines=[_line("US", "meta", 1.0, 0.5, 2.0)])
    with pytest.raises(InputError, match="adbudget fit"):
        _Ws(plan, _dec(10)).check_plan()


def test_the_command_says_what_to_do_without_a_plan(workspace) -> None:
    from typer.testing import CliRunner

    from adbudget.cli.app import app

    workspace.close()
    res = CliRunner().invoke(app, ["tests", "check", "-w", str(workspace.root)])
    assert res.exit_code == 1 and "adbudget plan" in res.output
