"""A view of some lines of a ResponseCurves (the planner optimizes markets separately)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adbudget.curves import HillCurves, ResponseCurves


class SubsetCurves:
    """The lines ``idx`` of ``curves``, itself a ResponseCurves.

    Uses ``curves.subset(idx)`` when the curves offer it, slices ``HillCurves`` directly,
    and otherwise evaluates the full set with the other lines at zero spend.
    """

    def __init__(self, curves: ResponseCurves, idx: Sequence[int]) -> None:
        self.idx = np.asarray(list(idx), dtype=int)
        self.parent = curves
        self._n_all = len(curves.lines)
        self._fast: ResponseCurves | None = None
        if len(self.idx) == self._n_all and np.array_equal(self.idx, np.arange(self._n_all)):
            self._fast = curves
        elif hasattr(curves, "subset"):
            self._fast = curves.subset(list(self.idx))  # type: ignore[attr-defined]
        elif isinstance(curves, HillCurves):
            self._fast = HillCurves(
                [curves.lines[i] for i in self.idx], curves.beta[:, self.idx],
                curves.half[:, self.idx], curves.shape[:, self.idx],
                np.asarray(curves.current_spend, dtype=float)[self.idx],
            )

    @property
    def lines(self) -> list[tuple[str, str]]:
        all_lines = self.parent.lines
        return [all_lines[i] for i in self.idx]

    @property
    def current_spend(self) -> np.ndarray:
        return np.asarray(self.parent.current_spend, dtype=float)[self.idx]

    def _embed(self, spend: np.ndarray) -> np.ndarray:
        spend = np.asarray(spend, dtype=float)
        full = np.zeros(spend.shape[:-1] + (self._n_all,))
        full[..., self.idx] = spend
        return full

    def response(self, spend: np.ndarray) -> np.ndarray:
        if self._fast is not None:
            return self._fast.response(spend)
        return self.parent.response(self._embed(spend))[..., self.idx]

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        if self._fast is not None:
            return self._fast.marginal(spend)
        return self.parent.marginal(self._embed(spend))[..., self.idx]


__all__ = ["SubsetCurves"]
