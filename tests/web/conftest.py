"""Fixtures for the web and report tests: a small workspace, a planning stand-in, clients."""

from __future__ import annotations

import warnings

import pytest

from tests.web.data import PLAN_LINES, make_workspace, store_plan

warnings.filterwarnings("ignore", message=".*httpx2.*")


def planning_class():
    """A Workspace whose ``plan`` scales the stored plan to the budget (the contract's shape),
    so re-planning can be tested before (and independently of) the real planner."""
    from adbudget.workspace import Workspace

    class PlanningWorkspace(Workspace):
        def plan(self, budget, period, objective="profit", max_change=0.3, buckets=None, **kw):
            scale = float(budget) / sum(line["amount_base"] for line in PLAN_LINES)
            lines = []
            for line in PLAN_LINES:
                new = dict(line)
                for key in ("amount_base", "amount_local", "daily_budget_base",
                            "expected_revenue", "expected_revenue_lo", "expected_revenue_hi",
                            "expected_profit"):
                    new[key] = line[key] * scale
                lines.append(new)
            store_plan(self, lines, float(budget), period)
            return self.saved_plan()

        def latest_plan(self):
            return self.saved_plan()

    return PlanningWorkspace


@pytest.fixture
def web_ws(tmp_path):
    """Workspace with 8 weeks of ads and orders and one stored plan (budget 18,000)."""
    ws = make_workspace(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def planning_ws(tmp_path):
    """Like ``web_ws`` but re-plannable."""
    ws = make_workspace(tmp_path / "ws")
    ws.close()
    cls = planning_class()
    ws = cls.open(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def client(planning_ws):
    from fastapi.testclient import TestClient

    from adbudget.web import create_app

    with TestClient(create_app(planning_ws), raise_server_exceptions=False) as c:
        yield c
