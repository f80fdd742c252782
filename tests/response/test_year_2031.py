"""A seller planning November 2031: the calendar, the fit and the planner work for any year.

Issue "Every market and every file": holidays and shopping events are computed for any year
per market (PH has Christmas, VN its own Tết), and a plan for 2031-11 adds up.
"""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.config import default_settings
from adbudget.config.response import ResponseSettings
from adbudget.plan import PlanInputs, make_plan
from adbudget.plan.rounding import to_minor_units
from adbudget.response import fit_model
from adbudget.response.data import prepare_data
from adbudget.response.synthetic import make_world

MARKETS = ["PH", "VN", "US"]
QUICK = ResponseSettings(holdout_days=0, yearly_harmonics=2)


@pytest.fixture(scope="module")
def world():
    return make_world(MARKETS, ["meta", "google_search"], days=400, seed=5, start="2030-09-27")


def test_the_fit_sees_each_markets_own_holidays_in_2031(world):
    data = prepare_data(world.revenue, world.spend, world.regions, QUICK)
    assert data.dates[-1].year == 2031
    names = data.holiday_names
    on = {name: data.holidays[:, :, names.index(name)].max(axis=0) for name in names}
    col = {m: data.markets.index(m) for m in MARKETS}
    assert on["christmas"][col["PH"]] > 0  # a public holiday in the Philippines
    assert "lunar_new_year" in on and on["lunar_new_year"][col["VN"]] > 0  # Tết 2031
    assert on["lunar_new_year"][col["US"]] == 0
    tet = data.holidays[:, col["VN"], names.index("lunar_new_year")] >= 1
    days = {d.strftime("%Y-%m-%d") for d in data.dates[tet]}
    assert "2031-01-23" in days  # Tết Nguyên Đán 2031


def test_a_plan_for_november_2031_adds_up(world):
    fit = fit_model(world.revenue, world.spend, world.regions, QUICK, method="laplace", draws=60)
    settings = default_settings(MARKETS)
    plan = make_plan(PlanInputs(budget=30_000.0, period="2031-11", days=30, settings=settings,
                                curves=fit.curves(), fx={"PHP": 56.0, "VND": 25_000.0}))
    assert plan.period == "2031-11" and plan.days == 30
    assert sum(to_minor_units(x.amount_base) for x in plan.lines) == 3_000_000
    assert np.isfinite([x.amount_base for x in plan.lines]).all()
    assert {x.market for x in plan.lines} == set(MARKETS)
