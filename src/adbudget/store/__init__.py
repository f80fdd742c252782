"""DuckDB store: schema with versioned migrations, one connection, transactions."""

from adbudget.store.db import DB_FILE, Store
from adbudget.store.schema import MONEY, NATURAL_KEYS, SCHEMA_VERSION

__all__ = ["DB_FILE", "MONEY", "NATURAL_KEYS", "SCHEMA_VERSION", "Store"]
