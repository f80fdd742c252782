"""Fitted response curves: the :class:`adbudget.curves.ResponseCurves` contract for a posterior.

A steady daily spend ``s`` on a line is carried over to exactly ``s`` (kernels sum to one), so
its expected daily incremental revenue is ``beta * S(s; scale, shape)`` per draw, in the base
currency: ``beta`` is the revenue at saturation, ``scale`` the saturation scale in base spend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.response.transforms import SATURATIONS


@dataclass(frozen=True)
class FittedCurves:
    """Per-draw curves of every line; arrays are (n_draws, n_lines)."""

    line_names: list[tuple[str, str]]
    saturation: str
    beta: np.ndarray
    scale: np.ndarray
    shape: np.ndarray
    spend_now: np.ndarray

    def __post_init__(self) -> None:
        for name in ("beta", "scale", "shape"):
            object.__setattr__(self, name, np.atleast_2d(np.asarray(getattr(self, name), float)))
        if self.beta.shape[-1] != len(self.line_names):
            raise ValueError("beta needs one column per line")

    @property
    def lines(self) -> list[tuple[str, str]]:
        return list(self.line_names)

    @property
    def current_spend(self) -> np.ndarray:
        return np.asarray(self.spend_now, dtype=float)

    @property
    def n_draws(self) -> int:
        return self.beta.shape[0]

    def _args(self, spend: np.ndarray):
        spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
        if spend.ndim == 1:
            return spend[None, :], self.beta, self.scale, self.shape
        return (spend[None, :, :], self.beta[:, None, :], self.scale[:, None, :],
                self.shape[:, None, :])

    def response(self, spend: np.ndarray) -> np.ndarray:
        """Daily incremental revenue; spend (n_lines,) or (k, n_lines) -> (n_draws, [k,] n_lines)."""
        s, beta, scale, shape = self._args(spend)
        return beta * SATURATIONS[self.saturation].value(np, s, scale, shape)

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        """d response / d spend (marginal ROAS), same shapes as :meth:`response`."""
        s, beta, scale, shape = self._args(spend)
        return beta * SATURATIONS[self.saturation].slope(np, s, scale, shape)

    def saturation_point(self, level: float = 0.8) -> np.ndarray:
        """Daily spend where the curve reaches ``level`` of its maximum, (n_draws, n_lines)."""
        return SATURATIONS[self.saturation].inverse(level, self.scale, self.shape)

    def subset(self, markets: list[str] | None = None, channels: list[str] | None = None) -> FittedCurves:
        """Only the lines of the given markets / channels."""
        keep = [i for i, (m, c) in enumerate(self.line_names)
                if (not markets or m in markets) and (not channels or c in channels)]
        return FittedCurves(
            line_names=[self.line_names[i] for i in keep], saturation=self.saturation,
            beta=self.beta[:, keep], scale=self.scale[:, keep], shape=self.shape[:, keep],
            spend_now=np.asarray(self.spend_now)[keep],
        )


__all__ = ["FittedCurves"]
