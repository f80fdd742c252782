"""Workspace methods of the `plan` area: read from the store, call the pure package, save."""

from __future__ import annotations


class PlanMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
