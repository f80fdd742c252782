"""The ground of the Workspace facade: one folder with adbudget.toml and a DuckDB store.

:class:`WorkspaceData` is the typed data accessor (settings, store, read methods, and
:meth:`~WorkspaceData.market_economics`, the one per-market source of unit economics);
:class:`WorkspaceBase` adds the life cycle; :class:`Service` is what each area's service
(``workspace/<area>.py``) is built on. See ``adbudget.workspace`` for how they are wired.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from adbudget.config.settings import (
    SETTINGS_FILE,
    Settings,
    default_settings,
    dump_settings,
    load_settings,
)
from adbudget.economics import UnitEconomics
from adbudget.errors import WorkspaceError
from adbudget.i18n import t
from adbudget.store import DB_FILE, Store


def filter_clauses(markets: Sequence[str] | None = None, channels: Sequence[str] | None = None,
                   date_column: str | None = "date", start: str | None = None,
                   end: str | None = None) -> tuple[list[str], list[Any]]:
    """WHERE conditions and their parameters for the usual market / channel / period filters
    (dates inclusive, ISO strings); names are parameters, never pasted into the SQL."""
    where: list[str] = []
    params: list[Any] = []
    if markets:
        where.append(f"market IN ({', '.join('?' for _ in markets)})")
        params += list(markets)
    if channels:
        where.append(f"channel IN ({', '.join('?' for _ in channels)})")
        params += list(channels)
    if start and date_column:
        where.append(f"{date_column} >= CAST(? AS DATE)")
        params.append(start)
    if end and date_column:
        where.append(f"{date_column} <= CAST(? AS DATE)")
        params.append(end)
    return where, params


class WorkspaceData:
    """The typed data accessor every service is built from: the folder, its settings, the
    store, and the read methods (DataFrames; money as float in the base currency)."""

    root: Path
    settings: Settings
    store: Store

    def __init__(self, root: Path, settings: Settings, store: Store) -> None:
        self.root = root
        self.settings = settings
        self.store = store

    # -- data accessors (DataFrames; money as float in the base currency where *_base) --------
    def _select(
        self,
        table: str,
        *,
        date_column: str | None = None,
        markets: list[str] | None = None,
        channels: list[str] | None = None,
        start: str | None = None,
        end: str | None = None,
        order_by: str = "",
    ) -> pd.DataFrame:
        where, params = filter_clauses(markets, channels, date_column, start, end)
        sql = f"SELECT * EXCLUDE (import_id) FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        if order_by:
            sql += f" ORDER BY {order_by}"
        df = self.store.query(sql, params)
        return _decimals_to_float(df)

    def ad_daily(
        self,
        markets: list[str] | None = None,
        channels: list[str] | None = None,
        start: str | None = None,
        end: str | None = None,
    ) -> pd.DataFrame:
        """Platform-reported daily rows: spend and revenue in their currency and in base."""
        return self._select(
            "ad_daily", date_column="date", markets=markets, channels=channels, start=start,
            end=end, order_by="date, market, channel, campaign, ad_group, creative",
        )

    def orders(self, markets: list[str] | None = None, start: str | None = None,
               end: str | None = None) -> pd.DataFrame:
        """The shop's own orders (the truth the response model learns from)."""
        return self._select("orders", date_column="order_date", markets=markets, start=start,
                            end=end, order_by="ordered_at, order_id")

    def touchpoints(self, markets: list[str] | None = None) -> pd.DataFrame:
        """User journeys' touches (click/view), timestamps UTC."""
        return self._select("touchpoints", markets=markets, order_by="user_id, ts")

    def funnel_daily(self, markets: list[str] | None = None) -> pd.DataFrame:
        return self._select("funnel_daily", date_column="date", markets=markets,
                            order_by="date, market, device, step")

    def lift_tests(self) -> pd.DataFrame:
        return self._select("lift_tests", order_by="start_date, test_id")

    def fx_rates(self) -> pd.DataFrame:
        return self._select("fx_rates", order_by="date, currency")

    def daily_revenue(self, markets: list[str] | None = None) -> pd.DataFrame:
        """Shop revenue and orders per market per market-local day, base currency, net of refunds."""
        where = ""
        params: list[Any] = []
        if markets:
            where = f"WHERE market IN ({', '.join('?' for _ in markets)})"
            params = list(markets)
        df = self.store.query(
            f"""SELECT order_date AS date, market,
                       SUM(revenue_base - refunded_base) AS revenue, COUNT(*) AS orders
                FROM orders {where} GROUP BY ALL ORDER BY date, market""",
            params,
        )
        return _decimals_to_float(df)

    def order_values(self) -> dict[str, float]:
        """Average gross order value per market (base currency) from the shop's own orders."""
        df = self.store.query(
            """SELECT market, CAST(AVG(revenue_base) AS DOUBLE) AS aov FROM orders
               WHERE revenue_base IS NOT NULL AND revenue_base > 0 GROUP BY market"""
        )
        return {str(r.market): float(r.aov) for r in df.itertuples() if r.aov and r.aov > 0}

    def market_economics(self) -> dict[str, UnitEconomics]:
        """Each configured market's unit economics: its margins from settings and its order
        value from the orders (``plan.fallback_aov`` when it has none). Every break-even the
        product shows (plan, tests, rules, report, dashboard) comes from here."""
        aov = self.order_values()
        fallback = self.settings.plan.fallback_aov
        return {m: UnitEconomics.of(ms, aov.get(m) or fallback)
                for m, ms in self.settings.markets.items()}

    def daily_spend(self, markets: list[str] | None = None) -> pd.DataFrame:
        """Spend per market × channel per day in the base currency."""
        where = ""
        params: list[Any] = []
        if markets:
            where = f"WHERE market IN ({', '.join('?' for _ in markets)})"
            params = list(markets)
        df = self.store.query(
            f"""SELECT date, market, channel, SUM(spend_base) AS spend,
                       SUM(impressions) AS impressions, SUM(clicks) AS clicks,
                       SUM(conversions) AS conversions, SUM(revenue_base) AS platform_revenue
                FROM ad_daily {where} GROUP BY ALL ORDER BY date, market, channel""",
            params,
        )
        return _decimals_to_float(df)


def _decimals_to_float(df: pd.DataFrame) -> pd.DataFrame:
    """DECIMAL columns arrive as object dtype of Decimal; models want float64."""
    for column in df.columns:
        if df[column].dtype == object and len(df) and type(df[column].iloc[0]).__name__ == "Decimal":
            df[column] = df[column].astype("float64")
    return df


class WorkspaceBase(WorkspaceData):
    """The data accessor plus the workspace's life cycle (create, open, save, close)."""

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def init(cls, root: Path | str, settings: Settings | None = None, overwrite: bool = False):
        """Create a workspace folder: adbudget.toml with the default catalog, and the store."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        settings_path = root / SETTINGS_FILE
        if settings_path.exists() and not overwrite:
            raise WorkspaceError(t("core.init.exists", path=str(settings_path)))
        settings = settings or default_settings()
        settings_path.write_text(dump_settings(settings), encoding="utf-8")
        store = Store(root / DB_FILE)
        return cls(root, settings, store)

    @classmethod
    def open(cls, root: Path | str = ".", read_only: bool = False, lock_wait_s: float = 0.0):
        """Open an existing workspace (refuses a folder without adbudget.toml); wait up to
        ``lock_wait_s`` seconds while another process holds the DuckDB file."""
        root = Path(root)
        settings_path = root / SETTINGS_FILE
        if not settings_path.exists():
            raise WorkspaceError(t("core.open.missing", path=str(root)))
        settings = load_settings(settings_path)
        store = Store(root / DB_FILE, read_only=read_only, lock_wait_s=lock_wait_s)
        return cls(root, settings, store)

    def save_settings(self, settings: Settings | None = None) -> None:
        """Write settings back to adbudget.toml (after an import of margins, for instance)."""
        if settings is not None:
            self.settings = settings
        (self.root / SETTINGS_FILE).write_text(dump_settings(self.settings), encoding="utf-8")

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Service:
    """A workspace area built from the data accessor (and, declared in its own ``__init__``,
    the other services it needs). ``settings``, ``store`` and ``root`` are the accessor's, so
    an update of the settings is seen at once."""

    def __init__(self, data: WorkspaceData) -> None:
        self.data = data

    @property
    def settings(self) -> Settings:
        return self.data.settings

    @property
    def store(self) -> Store:
        return self.data.store

    @property
    def root(self) -> Path:
        return self.data.root

