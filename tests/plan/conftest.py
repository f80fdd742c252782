"""Hand-made curves for planner tests (no fitted model needed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from adbudget.curves import HillCurves


@dataclass(frozen=True)
class LogCurves:
    """R = a * log(1 + s / b): concave, with the closed-form optimum s = a / lambda - b."""

    line_names: list[tuple[str, str]]
    a: np.ndarray
    b: np.ndarray
    spend_now: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def lines(self):
        return list(self.line_names)

    @property
    def current_spend(self):
        return self.spend_now if self.spend_now.size else np.zeros(len(self.line_names))

    def response(self, spend):
        s = np.maximum(np.asarray(spend, float), 0)
        return (self.a * np.log1p(s / self.b))[None, ...]

    def marginal(self, spend):
        s = np.maximum(np.asarray(spend, float), 0)
        return (self.a / (self.b + s))[None, ...]


def hill(n: int, seed: int = 0, draws: int = 1, k_range=(1.0, 1.0), scale: float = 1.0,
         markets=("US",)) -> HillCurves:
    """Random Hill curves; lines spread over ``markets``; k drawn per line."""
    rng = np.random.default_rng(seed)
    lines = [(markets[i % len(markets)], f"c{i}") for i in range(n)]
    beta = rng.uniform(50, 200, n) * scale
    half = rng.uniform(10, 100, n) * scale
    k = rng.uniform(*k_range, n)
    noise_b = rng.lognormal(0, 0.15, (draws, n)) if draws > 1 else np.ones((1, n))
    noise_h = rng.lognormal(0, 0.15, (draws, n)) if draws > 1 else np.ones((1, n))
    return HillCurves(lines, beta * noise_b, half * noise_h, np.broadcast_to(k, (draws, n)).copy(),
                      spend_now=rng.uniform(5, 60, n) * scale)


def brute_force(curves, budget: float, weights=None, points: int = 2001) -> float:
    """Exact optimum (to grid precision) of sum_i w_i E[R_i(x_i)], sum x = budget, by DP."""
    n = len(curves.lines)
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    grid = np.linspace(0, budget, points)
    vals = curves.response(np.tile(grid[:, None], (1, n))).mean(axis=0) * w
    best = vals[:, 0].copy()
    for i in range(1, n):
        # best_new[g] = max_{j<=g} best[g-j] + vals[j, i]
        new = np.full(points, -np.inf)
        for j in range(points):
            cand = best[: points - j] + vals[j, i]
            np.maximum(new[j:], cand, out=new[j:])
        best = new
    return float(best[-1])


@pytest.fixture
def log_curves() -> LogCurves:
    rng = np.random.default_rng(3)
    n = 6
    return LogCurves([("US", f"c{i}") for i in range(n)], rng.uniform(50, 300, n), rng.uniform(5, 40, n))
