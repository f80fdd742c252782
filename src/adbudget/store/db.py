"""The one module that owns the DuckDB connection: open, lock, migrate, query, transact."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from adbudget.errors import SchemaVersionError, WorkspaceError, WorkspaceLockedError
from adbudget.i18n import t
from adbudget.store.schema import MIGRATIONS, SCHEMA_VERSION

DB_FILE = "adbudget.duckdb"


class Store:
    """A DuckDB file with the adbudget schema. One writer at a time (DuckDB's file lock)."""

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.read_only = read_only
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise WorkspaceLockedError(t("core.store.locked", path=str(path))) from None
            raise WorkspaceError(f"{path}: {text.splitlines()[0]}") from None
        except duckdb.Error as exc:
            raise WorkspaceError(f"{path}: {str(exc).splitlines()[0]}") from None
        self._check_and_migrate()

    # -- schema ---------------------------------------------------------------------------
    def schema_version(self) -> int:
        has_meta = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall()[0][0]
        if not has_meta:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        return int(row[0][0]) if row else 0

    def _check_and_migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                t("core.store.too_new", path=str(self.path), found=version, supported=SCHEMA_VERSION)
            )
        if version == SCHEMA_VERSION:
            return
        if self.read_only:
            raise WorkspaceError(t("core.store.needs_migration", path=str(self.path)))
        with self.transaction():
            for number in range(version, SCHEMA_VERSION):
                self.con.execute(MIGRATIONS[number])
                self.con.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(number + 1)]
                )

    # -- queries --------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run a SELECT and return a DataFrame."""
        return self.con.execute(sql, params or []).df()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        return self.con.execute(sql, params or [])

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing: any exception rolls back everything done inside."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()
