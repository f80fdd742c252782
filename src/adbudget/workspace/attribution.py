"""Workspace methods of the `attribution` area: read from the store, call the pure package, save."""

from __future__ import annotations


class AttributionMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
