"""Export draws to ArviZ when it is installed (it is not a dependency)."""

from __future__ import annotations

from typing import Any

from adbudget.errors import NotFittedError
from adbudget.response.results import FitResult


def to_arviz(result: FitResult) -> Any:
    """An ``arviz.InferenceData`` with one posterior variable per line quantity (dims: line)."""
    try:
        import arviz as az
    except ImportError:
        raise NotFittedError("arviz is not installed; pip install arviz to export draws") from None
    names = [f"{m}/{c}" for m, c in result.lines]
    posterior = {k: v[None, ...] for k, v in result.draws.items()}
    return az.from_dict(posterior=posterior, coords={"line": names},
                        dims={k: ["line"] for k in posterior})


__all__ = ["to_arviz"]
