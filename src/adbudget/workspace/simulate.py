"""Workspace methods of the `simulate` area: read from the store, call the pure package, save."""

from __future__ import annotations


class SimulateMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
