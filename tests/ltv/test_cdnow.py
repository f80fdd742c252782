"""BG/NBD and Gamma-Gamma on the CDNOW sample reproduce the published estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.ltv import (
    conditional_expected_purchases,
    customer_summary,
    fit_bgnbd,
    fit_gamma_gamma,
)

CAL_END = "1997-09-30"
HOLD_END = "1998-06-30"


@pytest.fixture(scope="module")
def summary(cdnow) -> pd.DataFrame:
    values = cdnow.rename(columns={"cust": "customer_id", "date": "order_date"})
    values = values.assign(market="US", net_revenue=values["dollars"], profit=values["dollars"])
    return customer_summary(values, CAL_END, holdout_end=HOLD_END)


def sig3(x: float) -> float:
    return float(f"{x:.3g}")


def test_summary_matches_the_paper(summary):
    # 2,357 customers; 39-week calibration; T of a 1 January buyer is 272/7 = 38.86 weeks
    assert len(summary) == 2357
    assert summary["T"].max() == pytest.approx(272 / 7)
    assert summary["T"].min() == pytest.approx(27.0)  # the last first purchase: 1997-03-25
    assert summary.attrs["holdout_weeks"] == pytest.approx(39.0)


def test_bgnbd_reproduces_published_estimates(summary):
    p = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426
    assert (sig3(p.r), sig3(p.alpha), sig3(p.a), sig3(p.b)) == (0.243, 4.41, 0.793, 2.43)
    assert p.r == pytest.approx(0.243, abs=5e-4)
    assert p.alpha == pytest.approx(4.414, abs=5e-3)
    assert p.a == pytest.approx(0.793, abs=5e-4)
    assert p.b == pytest.approx(2.426, abs=5e-3)
    assert p.loglik == pytest.approx(-9582.4, abs=0.1)  # the paper's LL
    assert p.converged


def test_holdout_prediction_is_reported_and_close(summary):
    p = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    pred = conditional_expected_purchases(p, 39.0, summary["x"], summary["t_x"], summary["T"]).sum()
    actual = summary["hold_x"].sum()
    print(f"CDNOW weeks 40-78: predicted {pred:.0f} repeat purchases, actual {actual:.0f}")
    assert actual == 1882  # repeat purchase days in the holdout
    assert 0.8 < pred / actual < 1.05


def test_gamma_gamma_matches_lifetimes_published_fit(summary):
    # lifetimes documentation on the same data: p = 6.25, q = 3.74, v = 15.44 (946 customers)
    gg = fit_gamma_gamma(summary["x"], summary["m"])
    assert gg.n_customers == 946
    assert (round(gg.p, 2), round(gg.q, 2), round(gg.v, 1)) == (6.25, 3.74, 15.4)


def test_laplace_standard_errors_are_sane(summary):
    p = fit_bgnbd(summary["x"], summary["t_x"], summary["T"])
    d = p.as_dict()
    assert 0.005 < d["r_se"] < 0.03 and 0.2 < d["alpha_se"] < 0.6
    assert np.all(np.linalg.eigvalsh(p.cov) > 0)
