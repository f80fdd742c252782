"""Empirical-Bayes pooling: the between-market spread is estimated, big markets keep their own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adbudget.ltv import fit_hierarchy, simulate_bgnbd


def _summary(params: dict[str, tuple[float, float, float, float, int]], seed: int = 0) -> pd.DataFrame:
    frames = []
    for i, (market, (r, alpha, a, b, n)) in enumerate(params.items()):
        rng = np.random.default_rng(seed + i)
        T = rng.integers(14, 365, n) / 7.0
        x, t_x, T = simulate_bgnbd(n, r, alpha, a, b, T=T, seed=seed + 10 + i)
        frames.append(pd.DataFrame({"market": market, "channel": "meta", "x": x,
                                    "t_x": np.floor(t_x * 7) / 7, "T": T,
                                    "m": np.where(x > 0, rng.gamma(5.0, 4.0, n), 0.0)}))
    return pd.concat(frames, ignore_index=True)


def test_big_markets_keep_their_parameters_and_small_ones_borrow():
    s = _summary({"US": (0.8, 8.0, 0.7, 3.0, 6000), "DE": (0.4, 8.0, 0.7, 3.0, 6000),
                  "GB": (0.6, 8.0, 0.7, 3.0, 6000), "SG": (0.8, 8.0, 0.7, 3.0, 60)})
    fits = fit_hierarchy(s, by_channel=False, min_customers=1000)
    us, de, sg = fits[("US",)], fits[("DE",)], fits[("SG",)]
    # large markets: close to their own truth (r differs by 2x between US and DE)
    assert us.bgnbd.r == pytest.approx(0.8, rel=0.15) and de.bgnbd.r == pytest.approx(0.4, rel=0.15)
    # (a and b do not vary across these markets, so the estimated spread pools them strongly:
    # the average share is not small even for big markets; r keeps its own value)
    # the small market is pulled toward the pool much more than the big ones
    assert sg.bgnbd_pooling > max(us.bgnbd_pooling, de.bgnbd_pooling) + 0.15
    pool_r = fits[()].bgnbd.r
    assert min(pool_r, 0.8) - 0.05 < sg.bgnbd.r < max(pool_r, 0.8) + 0.25
