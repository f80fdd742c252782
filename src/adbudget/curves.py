"""The curve contract between the response model and the planner (and the simulator's truth).

A *line* is one market × channel. Curves map a steady daily spend per line (base currency)
to the expected daily incremental revenue it brings (base currency), once carryover has
settled, for every posterior draw. The planner accepts anything that satisfies
:class:`ResponseCurves`, so it can be tested with hand-made curves as well as fitted ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class ResponseCurves(Protocol):
    """Expected response and marginal response per draw at any spend."""

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(market, channel) of each line, in column order."""
        ...

    @property
    def current_spend(self) -> np.ndarray:
        """Recent average daily spend per line, shape (n_lines,)."""
        ...

    def response(self, spend: np.ndarray) -> np.ndarray:
        """Daily incremental revenue; spend (n_lines,) or (k, n_lines) -> (n_draws, [k,] n_lines)."""
        ...

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        """d response / d spend, same shapes as :meth:`response`."""
        ...


@dataclass(frozen=True)
class HillCurves:
    """Curves of the form ``beta * s^k / (s^k + half^k)`` per draw and line.

    ``beta`` is the daily revenue at saturation, ``half`` the daily spend at half of it,
    ``shape`` the Hill exponent (k > 1 gives an S-curve). Arrays are (n_draws, n_lines);
    a 1-D array is taken as one draw.
    """

    line_names: list[tuple[str, str]]
    beta: np.ndarray
    half: np.ndarray
    shape: np.ndarray
    spend_now: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        for name in ("beta", "half", "shape"):
            value = np.atleast_2d(np.asarray(getattr(self, name), dtype=float))
            object.__setattr__(self, name, value)
        n = len(self.line_names)
        if self.beta.shape[-1] != n or self.half.shape[-1] != n or self.shape.shape[-1] != n:
            raise ValueError("beta, half and shape need one column per line")
        if self.spend_now.size == 0:
            object.__setattr__(self, "spend_now", np.zeros(n))

    @property
    def lines(self) -> list[tuple[str, str]]:
        return list(self.line_names)

    @property
    def current_spend(self) -> np.ndarray:
        return np.asarray(self.spend_now, dtype=float)

    def _params(self, spend: np.ndarray):
        spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
        if spend.ndim == 1:
            return spend[None, :], self.beta, self.half, self.shape
        return spend[None, :, :], self.beta[:, None, :], self.half[:, None, :], self.shape[:, None, :]

    def response(self, spend: np.ndarray) -> np.ndarray:
        s, beta, half, k = self._params(spend)
        sk = s**k
        return beta * sk / (sk + half**k)

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        s, beta, half, k = self._params(spend)
        s = np.maximum(s, 1e-12)
        hk = half**k
        sk = s**k
        return beta * k * hk * sk / (s * (sk + hk) ** 2)
