"""Workspace methods of the `experiments` area: read from the store, call the pure package, save."""

from __future__ import annotations


class ExperimentsMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
