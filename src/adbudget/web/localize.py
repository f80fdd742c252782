"""Codes in a report Section shown by name: the pure module is
:mod:`adbudget.report.localize` (the offline report's chapters use it too); re-exported here."""

from adbudget.report.localize import c_fmt, display, section  # noqa: F401
