"""Workspace methods of the `ltv` area: read from the store, call the pure package, save."""

from __future__ import annotations


class LtvMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
