"""Fixtures for the web and report tests: a small workspace, a planning stand-in, clients."""

from __future__ import annotations

import warnings

import pytest

from tests.web.data import PLAN_LINES, make_workspace, store_plan

warnings.filterwarnings("ignore", message=".*httpx2.*")


def hill_curves():
    """Known curves for the six plan lines (50 draws), today's spend at half-saturation."""
    import numpy as np

    from adbudget.curves import HillCurves

    lines = [(line["market"], line["channel"]) for line in PLAN_LINES]
    rng = np.random.default_rng(3)
    half = np.array([200.0, 150.0, 120.0, 60.0, 100.0, 80.0])
    beta = rng.uniform(0.8, 1.2, (50, len(lines))) * half * 4
    return HillCurves(lines, beta=beta, half=np.tile(half, (50, 1)),
                      shape=np.full((50, len(lines)), 1.3), spend_now=half)


def curves_frame(curves, points: int = 25):
    """The response area's curves_table shape: spend grid, mean, lo, hi, marginal ROAS."""
    import numpy as np
    import pandas as pd

    top = curves.current_spend * 3
    grid = np.linspace(0, 1, points)[:, None] * top[None, :]
    resp, marg = curves.response(grid), curves.marginal(np.maximum(grid, 1e-3))
    rows = []
    for n, (m, c) in enumerate(curves.lines):
        for k in range(points):
            r = resp[:, k, n]
            rows.append({"market": m, "channel": c, "spend": grid[k, n], "mean": r.mean(),
                         "lo": np.quantile(r, 0.05), "hi": np.quantile(r, 0.95),
                         "marginal_roas": marg[:, k, n].mean()})
    return pd.DataFrame(rows)


def planning_class():
    """A Workspace whose ``plan`` scales the stored plan to the budget and whose curves are
    known Hill curves (the contracts' shapes), so the pages are tested independently of the
    real planner and response model."""
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

        def plan_frontier(self, budget, period, budgets=None, **kw):
            """Frontier of concave known shape (the real one re-optimizes several times)."""
            import pandas as pd

            budgets = budgets or [budget * f for f in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)]
            rev = [3.0 * b ** 0.9 for b in budgets]
            return pd.DataFrame({"budget": budgets, "revenue": rev,
                                 "revenue_lo": [r * 0.8 for r in rev],
                                 "revenue_hi": [r * 1.2 for r in rev],
                                 "profit": [r * 0.45 - b for r, b in zip(rev, budgets, strict=True)]})

        def response_curves(self, markets=None):
            return hill_curves()

        def curves_table(self, market=None, channel=None, points=25):
            return curves_frame(hill_curves(), points)

        def response_fit(self, check=True):
            from adbudget.errors import NotFittedError

            raise NotFittedError("stand-in: no saved fit")

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
