"""A view of some lines of a ResponseCurves (the planner optimizes markets separately)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from adbudget.curves import ResponseCurves


def _slice_dataclass(curves: Any, idx: np.ndarray) -> Any | None:
    """The same curves class over lines ``idx``: every per-line field sliced on its last axis.

    Works for dataclass curves whose per-line fields are lists of length n_lines or arrays
    whose last axis is n_lines (HillCurves, the fitted curves); None when that is not so.
    """
    if not dataclasses.is_dataclass(curves) or isinstance(curves, type):
        return None
    n = len(curves.lines)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(curves):
        value = getattr(curves, f.name)
        if isinstance(value, list | tuple) and len(value) == n:
            changes[f.name] = [value[i] for i in idx]
        elif isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[-1] == n:
            changes[f.name] = value[..., idx]
    try:
        out = dataclasses.replace(curves, **changes)
    except Exception:  # noqa: BLE001 - any failure: fall back to evaluating the full set
        return None
    want = [curves.lines[i] for i in idx]
    return out if list(out.lines) == want else None


class SubsetCurves:
    """The lines ``idx`` of ``curves``, itself a ResponseCurves.

    Slices dataclass curves directly (only the needed lines are evaluated); otherwise
    evaluates the full set with the other lines at zero spend.
    """

    def __init__(self, curves: ResponseCurves, idx: Sequence[int]) -> None:
        self.idx = np.asarray(list(idx), dtype=int)
        self.parent = curves
        self._n_all = len(curves.lines)
        self._fast: ResponseCurves | None = None
        if len(self.idx) == self._n_all and np.array_equal(self.idx, np.arange(self._n_all)):
            self._fast = curves
        else:
            self._fast = _slice_dataclass(curves, self.idx)

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
