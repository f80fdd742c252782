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
    """A DuckDB file with the adbudget schema. One writer at a time (DuckDB's file lock).

    A long-lived holder (the dashboard) can :meth:`release` the file while idle so that CLI
    commands can write; the next use reconnects, waiting up to ``lock_wait_s`` seconds for
    another process to let go.
    """

    def __init__(self, path: Path | str, read_only: bool = False, lock_wait_s: float = 0.0) -> None:
        self.path = Path(path) if str(path) != ":memory:" else Path(":memory:")
        self.read_only = read_only
        self.lock_wait_s = lock_wait_s
        self._con: duckdb.DuckDBPyConnection | None = None
        self._in_transaction = False
        self._connect()
        self._check_and_migrate()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        import time

        deadline = time.monotonic() + max(0.0, self.lock_wait_s)
        delay = 0.05
        while True:
            try:
                self._con = duckdb.connect(str(self.path), read_only=self.read_only)
                return self._con
            except duckdb.IOException as exc:
                text = str(exc)
                if "lock" not in text.lower():
                    raise WorkspaceError(f"{self.path}: {text.splitlines()[0]}") from None
                if time.monotonic() + delay > deadline:
                    raise WorkspaceLockedError(t("core.store.locked", path=str(self.path))) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
            except duckdb.Error as exc:
                raise WorkspaceError(f"{self.path}: {str(exc).splitlines()[0]}") from None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The open connection (reopened after :meth:`release`)."""
        return self._con if self._con is not None else self._connect()

    def release(self) -> bool:
        """Close the file so other processes can open it; False when a transaction is open
        or it is an in-memory store (nothing to share)."""
        if self._con is None or self._in_transaction or str(self.path) == ":memory:":
            return False
        self._con.close()
        self._con = None
        return True

    @property
    def is_open(self) -> bool:
        return self._con is not None

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
        con = self.con
        con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")
        finally:
            self._in_transaction = False

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
