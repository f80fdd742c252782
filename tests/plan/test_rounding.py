"""Cent rounding: totals exact, each amount within one minor unit of its exact share."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from adbudget.plan.rounding import round_to_total, to_minor_units, units_to_amounts


@given(
    st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=40),
    st.decimals(min_value="0.01", max_value="10000000", places=2),
    st.sampled_from([0, 2, 3]),
)
def test_units_add_up_exactly(amounts, total, decimals):
    total = float(total)
    units = round_to_total(np.array(amounts), total, decimals)
    assert int(units.sum()) == to_minor_units(total, decimals)
    a = np.array(amounts)
    if a.sum() > 0:
        exact = a / a.sum() * to_minor_units(total, decimals)
        assert np.all(np.abs(units - exact) < 1 + 1e-9)


def test_largest_remainder_example():
    # thirds of 100.00: 33.34 + 33.33 + 33.33, the first tie wins
    units = round_to_total(np.array([1.0, 1.0, 1.0]), 100.0)
    assert units.tolist() == [3334, 3333, 3333]
    assert units_to_amounts(units) == [33.34, 33.33, 33.33]
