"""Workspace methods of the `report` area: read from the store, call the pure package, save."""

from __future__ import annotations


class ReportMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
