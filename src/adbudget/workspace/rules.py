"""Workspace methods of the `rules` area: read from the store, call the pure package, save."""

from __future__ import annotations


class RulesMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""
