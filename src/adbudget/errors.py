"""Error types: every failure a user can cause is one of these, with a one-line reason."""

from __future__ import annotations


class AdbudgetError(Exception):
    """Base of all errors we raise on purpose; the CLI prints its message and exits 1."""

    exit_code = 1


class InputError(AdbudgetError):
    """Bad input data: names the file, line and column so the user can fix it."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        col = f"column '{self.column}': " if self.column else ""
        return f"{where}{col}{self.reason}"

    def located(self, file: str) -> InputError:
        """Return a copy of this error that names *file* (used when a parser did not know it)."""
        return InputError(self.reason, file=file, line=self.line, column=self.column)


class SettingsError(AdbudgetError):
    """A wrong value in adbudget.toml or on the command line: names the key and allowed values."""

    exit_code = 2


class UsageError(AdbudgetError):
    """Wrong command-line usage (exit code 2)."""

    exit_code = 2


class WorkspaceError(AdbudgetError):
    """The workspace cannot be opened or is in a state we refuse to touch."""


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the DuckDB file for writing."""


class SchemaVersionError(WorkspaceError):
    """The store was written by a newer adbudget than this one."""


class NotFittedError(AdbudgetError):
    """An analysis needs a fitted model or data that is not there yet."""
