"""Workspace methods of the `response` area: read from the store, call the pure package, save."""

from __future__ import annotations


class ResponseMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
