"""Workspace methods for imports and status (filled by the foundation work)."""

from __future__ import annotations


class IngestMixin:
    """import_file, status."""
