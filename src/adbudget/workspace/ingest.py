"""Workspace methods for imports and status: files -> validated rows -> store, in one transaction."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from adbudget.errors import InputError, UsageError
from adbudget.i18n import t
from adbudget.ingest import IMPORTERS, Context, detect, known_headers, read_file
from adbudget.ingest.base import PlatformImporter
from adbudget.ingest.checks import check_amounts, check_fx, check_rebase
from adbudget.ingest.fastpath import fast_typed_read
from adbudget.ingest.generic import GENERIC_TYPES
from adbudget.ingest.spec import TABLE_COLUMNS
from adbudget.ingest.validate import Rules, validate
from adbudget.store.schema import NATURAL_KEYS

PHYSICAL_ORDER = {"touchpoints": "user_id, ts", "orders": "customer_id, ordered_at"}


@dataclass(frozen=True)
class ImportResult:
    """What one import did (or, in a dry run, would do)."""

    file: str
    source: str
    kind: str
    rows: int
    inserted: int
    replaced: int
    already_imported: bool = False
    removed: int = 0  # stored rows of the slice the export covers that it no longer holds
    dry_run: bool = False
    first_date: str | None = None
    last_date: str | None = None
    seconds: float = 0.0
    preview: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class StatusReport:
    """What is loaded: per market × channel spend/revenue, date range, gaps; other tables' sizes."""

    base_currency: str
    first_date: str | None
    last_date: str | None
    lines: pd.DataFrame  # market, channel, first_date, last_date, days, gap_days, spend_base, revenue_base
    tables: dict[str, int]
    orders_revenue_base: float
    imports: int


# Canonical CSVs bigger than this are read by DuckDB's parallel CSV reader (see benchmarks/ingest.py).
FAST_PATH_BYTES = 8_000_000

# tables where an import replaces the whole slice it covers: date range × these columns (× channels)
SLICED = {"ad_daily": ("market", "account"), "funnel_daily": ("market", "device")}

_DATE_COLUMN = {"ad_daily": "date", "orders": "order_date", "touchpoints": "ts",
                "funnel_daily": "date", "lift_tests": "start_date", "fx_rates": "date"}


class IngestMixin:
    """import_file, status."""

    def import_file(
        self,
        path: Path | str,
        source: str | None = None,
        market: str | None = None,
        dry_run: bool = False,
        data: bytes | None = None,
        name: str | None = None,
        replace: bool = False,
    ) -> ImportResult:
        """Import one export. All-or-nothing; the same file twice adds nothing.

        An export replaces the whole slice it covers (see :meth:`_slice`). A file imported before
        whose rows later imports have changed is refused unless ``replace`` (it would put the
        older values back). ``data`` lets the web app import an upload held in memory (``name``
        is shown in errors). Any database error while checking or storing becomes an InputError
        naming the file, so no input ends in a traceback.
        """
        try:
            return self._import_file(path, source, market, dry_run, data, name, replace)
        except duckdb.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise InputError(t("ingest.overlap.store_failed", reason=reason),
                             file=name or Path(path).name) from None

    def _import_file(self, path: Path | str, source: str | None, market: str | None, dry_run: bool,
                     data: bytes | None, name: str | None, replace: bool) -> ImportResult:
        started = time.perf_counter()
        path = Path(path)
        display = name or path.name
        try:
            payload = data if data is not None else path.read_bytes()
        except FileNotFoundError:
            raise InputError(t("core.import.not_found"), file=str(path)) from None
        except IsADirectoryError:
            raise InputError(t("core.import.is_dir"), file=str(path)) from None
        sha = hashlib.sha256(payload).hexdigest()
        if market is not None:
            market = market.upper()
            self.settings.market(market)  # clear error for an unknown code

        con = self.store.con
        done = con.execute("SELECT source, kind, rows, id FROM imports WHERE sha256 = ? ORDER BY id DESC LIMIT 1",
                           [sha]).fetchall()
        done = done[0] if done else None
        if done and not dry_run and not replace:
            later = con.execute("SELECT count(*) FROM imports WHERE id > ? AND kind = ?",
                                [done[3], done[1]]).fetchall()[0][0]
            if not later:  # nothing of its kind came after it: its rows are as it left them
                return ImportResult(display, done[0], done[1], int(done[2]), 0, 0, already_imported=True,
                                    seconds=time.perf_counter() - started)

        big = data is None and len(payload) > FAST_PATH_BYTES and path.suffix.lower() in (".csv", ".tsv", ".txt") \
            and not payload.startswith((b"\xff\xfe", b"\xfe\xff"))
        cut = payload.rfind(b"\n", 0, 65536)
        big = big and cut > 0  # no line break in the first 64 KiB: not a file for the fast path
        head = payload[: cut + 1] if big else payload
        raw = read_file(Path(display), known_headers(), data=head)
        if source is not None:
            if source not in IMPORTERS:
                raise UsageError(t("core.import.bad_source", source=source,
                                   allowed=", ".join(sorted(IMPORTERS))))
            importer = IMPORTERS[source]()
        else:
            importer = detect(raw.header)
            if importer is None:
                raise InputError(t("core.import.unknown_format", header=", ".join(raw.header[:12]),
                                   allowed=", ".join(sorted(IMPORTERS))), file=display, line=1)
        ctx = Context(
            market=market,
            markets={code: m.currency for code, m in self.settings.markets.items()},
            market_patterns=self.settings.ingest.market_patterns,
            base_currency=self.settings.base_currency,
        )
        rules = import_rules(self.settings)
        token = uuid.uuid4().hex[:10]
        staged_name, typed_name = f"_staged_{token}", f"_typed_{token}"
        canonical = {c.name for c in TABLE_COLUMNS.get(importer.kind, ())}
        fast = False
        if big and isinstance(importer, GENERIC_TYPES) and set(raw.header) <= canonical:
            # Large canonical CSV: DuckDB's typed parallel reader; falls back when anything is odd.
            delim = "\t" if "\t" in head.split(b"\n", 1)[0].decode("utf-8", "replace") else ","
            fast = fast_typed_read(con, str(path), importer.kind, raw.header, delim, rules, typed_name)
        if fast:
            staged_kind, rows = importer.kind, None
        else:
            raw = raw if head is payload else read_file(Path(display), known_headers(), data=payload)
            try:
                staged = importer.stage(raw, ctx)
            except InputError as exc:
                raise exc if exc.file else exc.located(display) from None
            staged_kind = staged.kind
            frame = staged.frame.astype({c: "string" for c in staged.frame.columns if c != "_line"})
            con.register(staged_name, frame)
        kind = staged_kind
        try:
            if not fast:
                present = {c for c in staged.frame.columns if c != "_line"}
                rows = validate(con, f'"{staged_name}"', kind, present, staged.labels, rules, display,
                                staged.date_formats, typed_name)
            else:
                rows = con.execute(f'SELECT count(*) FROM "{typed_name}"').fetchall()[0][0]
            if raw.unterminated and isinstance(importer, PlatformImporter) \
                    and raw.header[-1] in staged.labels.values():
                # the last cell of a platform export we store, with no line break after it: a
                # cut mid-write would store a wrong number (an unmapped last column is harmless)
                raise InputError(t("ingest.read.unterminated"), file=display, line=int(raw.lines.iloc[-1]))
            if kind == "margins":
                return self._apply_margins(typed_name, display, importer.name, rows, dry_run, started)
            if kind == "fx_rates":
                check_fx(con, typed_name, self.settings.ingest, display)
            final = self._finish_rows(kind, typed_name, display)
            channels = getattr(importer, "slice_channels", None)
            return self._write(kind, final, display, importer.name, sha, rows, dry_run, started,
                               channels=channels, again=done if (done and not replace) else None)
        finally:
            if not fast:
                con.unregister(staged_name)
            con.execute(f'DROP VIEW IF EXISTS "{typed_name}_final"')
            for leftover in ("_final", "_final_rates", "_agg", "_local", ""):
                con.execute(f'DROP TABLE IF EXISTS "{typed_name}{leftover}"')

    # -- per-table finishing ---------------------------------------------------------------
    def _finish_rows(self, kind: str, typed: str, file: str) -> str:
        """Build the rows to store (FX to base, market-local dates, duplicate keys)."""
        con = self.store.con
        final = f"{typed}_final"
        if kind == "ad_daily":
            keys = ", ".join(NATURAL_KEYS["ad_daily"])
            source = typed
            # Rows repeating a natural key inside one file are summed (exports split by breakdowns).
            # Checking a 64-bit hash of the key first keeps the common, duplicate-free case cheap.
            unique = con.execute(
                f'SELECT count(*) = count(DISTINCT hash({keys})) FROM "{typed}"'
            ).fetchall()[0][0]
            if not unique:
                source = f"{typed}_agg"
                con.execute(f"""
                    CREATE TEMP TABLE "{source}" AS
                    SELECT {keys}, min(currency) AS currency, min(_line) AS _line,
                           max(currency) <> min(currency) AS _mixed,
                           sum(spend) AS spend, sum(impressions) AS impressions,
                           sum(clicks) AS clicks, sum(conversions) AS conversions,
                           sum(revenue) AS revenue
                    FROM "{typed}" GROUP BY ALL
                """)
                mixed = con.execute(f'SELECT min(_line) FROM "{source}" WHERE _mixed').fetchall()[0][0]
                if mixed is not None:
                    raise InputError(t("core.import.mixed_currency"), file=file, line=int(mixed),
                                     column="currency")
            self._attach_rates(source, "date", file, final)
            return final
        if kind == "orders":
            zones = " UNION ALL ".join(
                f"SELECT '{code}' AS market, '{m.timezone}' AS tz" for code, m in self.settings.markets.items()
            )
            local = f"{typed}_local"
            con.execute(f"""
                CREATE TEMP TABLE "{local}" AS
                WITH z AS ({zones})
                SELECT t.*, CAST(timezone(z.tz, timezone('UTC', t.ordered_at)) AS DATE) AS order_date
                FROM "{typed}" t JOIN z USING (market)
            """)
            self._check_duplicates("orders", local, file)
            self._attach_rates(local, "order_date", file, final)
            return final
        con.execute(f'CREATE TEMP VIEW "{final}" AS SELECT * FROM "{typed}"')
        if kind == "lift_tests":
            bad = con.execute(f'SELECT min(_line) FROM "{final}" WHERE end_date < start_date').fetchall()[0][0]
            if bad is not None:
                raise InputError(t("core.import.end_before_start"), file=file, line=int(bad),
                                 column="end_date")
        self._check_duplicates(kind, final, file)
        return final

    def _check_duplicates(self, kind: str, final: str, file: str) -> None:
        keys = ", ".join(NATURAL_KEYS[kind])
        row = self.store.con.execute(
            f'SELECT min(_line), max(_line) FROM "{final}" GROUP BY {keys} HAVING count(*) > 1 '
            f"ORDER BY 1 LIMIT 1"
        ).fetchall()
        row = row[0] if row else None
        if row:
            raise InputError(t("core.import.duplicate", first=int(row[0]), keys=keys), file=file,
                             line=int(row[1]))

    def _attach_rates(self, source: str, date_column: str, file: str, final: str) -> None:
        """View *final* = *source* + the FX rate of each row's (currency, day) + base amounts.

        Rates are looked up once per distinct (currency, day) with an ASOF join (latest rate on or
        before the day), so big files pay one small join instead of a per-row ASOF search.
        A missing rate is an error naming the currency, the day and the first line using it.
        """
        con = self.store.con
        base = self.settings.base_currency
        rates = f"{final}_rates"
        con.execute(f"""
            CREATE TEMP TABLE "{rates}" AS
            WITH pairs AS (SELECT DISTINCT currency, {date_column} AS day FROM "{source}")
            SELECT p.currency, p.day,
                   CASE WHEN p.currency = '{base}' THEN 1 ELSE r.per_base END AS _per_base
            FROM pairs p ASOF LEFT JOIN fx_rates r ON p.currency = r.currency AND p.day >= r.date
        """)
        missing = con.execute(
            f'SELECT currency, day FROM "{rates}" WHERE _per_base IS NULL ORDER BY day, currency LIMIT 1'
        ).fetchall()
        if missing:
            currency, day = missing[0]
            line = con.execute(
                f'SELECT min(_line) FROM "{source}" WHERE currency = ? AND {date_column} = ?', [currency, day]
            ).fetchall()[0][0]
            raise InputError(
                t("core.import.no_fx", currency=currency, date=str(day), base=base),
                file=file, line=int(line), column="currency",
            )
        amounts = ("spend", "revenue") if date_column == "date" else ("revenue", "refunded")
        check_amounts(con, source, rates, date_column, amounts, base, file)
        extra = ", ".join(f"{_to_base(a)} AS {a}_base" for a in amounts)
        con.execute(f"""
            CREATE TEMP VIEW "{final}" AS
            SELECT s.*, x._per_base, {extra}
            FROM "{source}" s JOIN "{rates}" x ON s.currency = x.currency AND s.{date_column} = x.day
        """)

    # -- writing ---------------------------------------------------------------------------
    def _slice(self, kind: str, final: str, first: Any, last: Any,
               channels: tuple[str, ...] | None) -> tuple[str, list[Any]]:
        """SQL condition on stored rows ``t`` that the file replaces, and its parameters.

        Ad exports and funnel files replace the whole slice they cover: their date range ×
        (market, account) [× device] × the source's channels, so rows an export no longer holds
        (a campaign deleted or renamed since the last export) go. Other tables replace rows
        sharing a natural key (an orders file is not a complete picture of its days).
        """
        if kind in SLICED and first is not None:
            keys = SLICED[kind]
            match = " AND ".join(f"k.{c} = t.{c}" for c in keys)
            cond = (f"t.{_DATE_COLUMN[kind]} BETWEEN ? AND ? AND EXISTS (SELECT 1 FROM "
                    f"(SELECT DISTINCT {', '.join(keys)} FROM \"{final}\") k WHERE {match})")
            params: list[Any] = [first, last]
            if kind == "ad_daily":
                if channels:
                    cond += " AND t.channel IN (" + ", ".join("?" for _ in channels) + ")"
                    params += list(channels)
                else:
                    cond += f' AND t.channel IN (SELECT DISTINCT channel FROM "{final}")'
            return cond, params
        keys = NATURAL_KEYS[kind]
        join = " AND ".join(f"t.{k} IS NOT DISTINCT FROM f.{k}" for k in keys)
        date_col = "order_date" if kind == "orders" else _DATE_COLUMN.get(kind, "date")
        cond = f'EXISTS (SELECT 1 FROM "{final}" f WHERE {join})'
        # only rows inside the file's date span can share its natural keys: prefilter on it
        if kind in ("fx_rates", "orders") and first is not None:
            return cond + f" AND t.{date_col} BETWEEN ? AND ?", [first, last]
        return cond, []

    def _changes(self, kind: str, final: str, columns: list[str], cond: str,
                 params: list[Any]) -> tuple[int, str]:
        """How many rows writing *final* would change in the store, and the first one shown."""
        con = self.store.con
        cols = ", ".join(c for c in columns if c != "import_id" and not c.endswith("_base"))
        new = f'SELECT {cols} FROM "{final}" EXCEPT ALL SELECT {cols} FROM {kind} t WHERE {cond}'
        old = f'SELECT {cols} FROM {kind} t WHERE {cond} EXCEPT ALL SELECT {cols} FROM "{final}"'
        n_new = con.execute(f"SELECT count(*) FROM ({new})", params).fetchall()[0][0]
        n_old = con.execute(f"SELECT count(*) FROM ({old})", params).fetchall()[0][0]
        example = con.execute(f"SELECT * FROM ({new}) LIMIT 1", params).fetchall()
        shown = " ".join(str(v) for v in example[0][:6]) if example else ""
        return int(max(n_new, n_old)), shown

    def _write(self, kind: str, final: str, file: str, source: str, sha: str, rows: int,
               dry_run: bool, started: float, channels: tuple[str, ...] | None = None,
               again: tuple | None = None) -> ImportResult:
        con = self.store.con
        keys = NATURAL_KEYS[kind]
        join = " AND ".join(f"t.{k} IS NOT DISTINCT FROM f.{k}" for k in keys)
        date_col = "order_date" if kind == "orders" else _DATE_COLUMN.get(kind, "date")
        n_final, first, last = con.execute(
            f'SELECT count(*), min({date_col}), max({date_col}) FROM "{final}"'
        ).fetchall()[0]
        n_final = int(n_final)
        cond, params = self._slice(kind, final, first, last, channels)
        target_columns = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [kind]).fetchall()]
        if again is not None:
            # the same bytes were imported before and later imports of this kind followed
            changed, example = self._changes(kind, final, target_columns, cond, params)
            if not changed:
                return ImportResult(file, again[0], again[1], int(again[2]), 0, 0, already_imported=True,
                                    seconds=time.perf_counter() - started)
            raise InputError(t("ingest.overlap.reimport", id=again[3], changed=changed, example=example),
                             file=file)
        existing = int(con.execute(f"SELECT count(*) FROM {kind}").fetchall()[0][0])
        replaced = removed = 0
        if existing:
            in_slice = int(con.execute(f"SELECT count(*) FROM {kind} t WHERE {cond}", params).fetchall()[0][0])
            replaced = in_slice
            if kind in SLICED and in_slice:
                replaced = int(con.execute(
                    f'SELECT count(*) FROM {kind} t WHERE {cond} AND EXISTS (SELECT 1 FROM "{final}" f WHERE {join})',
                    params).fetchall()[0][0])
            removed = in_slice - replaced
        select = ", ".join(c if c != "import_id" else "? AS import_id" for c in target_columns)
        preview: list[dict[str, Any]] = []
        if dry_run:
            cols = [c for c in target_columns if c != "import_id"]
            preview_df = con.execute(f'SELECT {", ".join(cols)} FROM "{final}" ORDER BY _line LIMIT 20').df()
            preview = preview_df.astype(object).where(preview_df.notna(), None).to_dict("records")
            return ImportResult(file, source, kind, rows, n_final, replaced, dry_run=True,
                                first_date=_iso(first), last_date=_iso(last),
                                seconds=time.perf_counter() - started, preview=preview, removed=removed)
        with self.store.transaction():
            import_id = con.execute("SELECT nextval('import_ids')").fetchall()[0][0]
            if replaced or removed:
                con.execute(f"DELETE FROM {kind} t WHERE {cond}", params)
            # journeys are read per customer in time order: storing them that way makes the path
            # statement 1.4-1.8x faster (benchmarks/attribution.py --import-order, 50 M / 5 M rows)
            order = PHYSICAL_ORDER.get(kind)
            con.execute(f'INSERT INTO {kind} SELECT {select} FROM "{final}"'
                        + (f" ORDER BY {order}" if order else ""), [import_id])
            if kind == "ad_daily" and "campaign_id" in target_columns:
                self._follow_renames(final)
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, source, kind, file, sha, rows, replaced + removed,
                 datetime.now(UTC).replace(tzinfo=None)],
            )
            if kind == "fx_rates":
                self._rebase(final, file)
        return ImportResult(file, source, kind, rows, n_final, replaced, first_date=_iso(first),
                            last_date=_iso(last), seconds=time.perf_counter() - started, removed=removed)

    def _follow_renames(self, final: str) -> None:
        """A campaign renamed between exports stays one campaign: where the platform gives a
        campaign id, every stored row of that id takes the name of its latest day."""
        self.store.con.execute(f"""
            UPDATE ad_daily t SET campaign = n.campaign
            FROM (
                SELECT channel, account, campaign_id, arg_max(campaign, date) AS campaign
                FROM ad_daily
                WHERE campaign_id <> '' AND (channel, account, campaign_id) IN (
                    SELECT DISTINCT channel, account, campaign_id FROM "{final}" WHERE campaign_id <> '')
                GROUP BY ALL
            ) n
            WHERE t.channel = n.channel AND t.account = n.account AND t.campaign_id = n.campaign_id
              AND t.campaign <> n.campaign
        """)

    def _rebase(self, final: str, file: str) -> None:
        """After new FX rates, recompute base amounts of rows in the currencies they cover."""
        con = self.store.con
        for table, date_col, amounts in (("ad_daily", "date", ("spend", "revenue")),
                                         ("orders", "order_date", ("revenue", "refunded"))):
            check_rebase(con, table, date_col, amounts, final, self.settings.base_currency, file)
            sets = ", ".join(
                f"{a}_base = CAST(round(CAST(t.{a} AS DOUBLE) / CAST(x.per_base AS DOUBLE), 4) AS DECIMAL(18,4))"
                for a in amounts
            )
            con.execute(f"""
                UPDATE {table} t SET {sets}
                FROM (
                    SELECT s.rowid AS rid, r.per_base
                    FROM {table} s ASOF JOIN fx_rates r
                      ON s.currency = r.currency AND s.{date_col} >= r.date
                    WHERE s.currency IN (SELECT DISTINCT currency FROM "{final}")
                ) x
                WHERE t.rowid = x.rid
            """)

    def _apply_margins(self, typed: str, file: str, source: str, rows: int, dry_run: bool,
                       started: float) -> ImportResult:
        df = self.store.con.execute(f'SELECT * FROM "{typed}" ORDER BY _line').df()
        if not dry_run:
            markets = dict(self.settings.markets)
            for rec in df.to_dict("records"):
                current = markets[rec["market"]]
                markets[rec["market"]] = current.model_copy(update={
                    "gross_margin_pct": float(rec["gross_margin_pct"]),
                    "shipping_cost_per_order": float(rec["shipping_cost_per_order"]),
                    "return_rate_pct": float(rec["return_rate_pct"]),
                    "payment_fee_pct": float(rec["payment_fee_pct"]),
                })
            self.save_settings(self.settings.model_copy(update={"markets": markets}))
        return ImportResult(file, source, "margins", rows, rows, 0, dry_run=dry_run,
                            seconds=time.perf_counter() - started)

    # -- status ----------------------------------------------------------------------------
    def status(self) -> StatusReport:
        """What is loaded, per market × channel, with gaps (days without rows inside the range)."""
        con = self.store.con
        lines = con.execute("""
            SELECT market, channel, min(date) AS first_date, max(date) AS last_date,
                   count(DISTINCT date) AS days,
                   date_diff('day', min(date), max(date)) + 1 - count(DISTINCT date) AS gap_days,
                   CAST(sum(spend_base) AS DOUBLE) AS spend_base,
                   CAST(sum(revenue_base) AS DOUBLE) AS revenue_base
            FROM ad_daily GROUP BY ALL ORDER BY market, channel
        """).df()
        first, last = con.execute("SELECT min(date), max(date) FROM ad_daily").fetchall()[0]
        tables = {
            name: int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])
            for name in ("ad_daily", "orders", "touchpoints", "funnel_daily", "lift_tests", "fx_rates")
        }
        orders_rev = con.execute(
            "SELECT CAST(coalesce(sum(revenue_base - refunded_base), 0) AS DOUBLE) FROM orders"
        ).fetchall()[0][0]
        imports = int(con.execute("SELECT count(*) FROM imports").fetchall()[0][0])
        return StatusReport(self.settings.base_currency, _iso(first), _iso(last), lines, tables,
                            float(orders_rev), imports)


def import_rules(settings: Any) -> Rules:
    """The allowed values of an import from the settings (markets, base currency, date window)."""
    ingest = settings.ingest
    return Rules(markets=tuple(settings.markets), base_currency=settings.base_currency,
                 earliest=ingest.earliest_date,
                 latest=date.today() + timedelta(days=ingest.latest_days_ahead))


def _to_base(column: str) -> str:
    """SQL: an amount in its currency divided by the rate, rounded to 4 places (DECIMAL)."""
    return (f"CAST(round(CAST({column} AS DOUBLE) / CAST(_per_base AS DOUBLE), 4) AS DECIMAL(18,4))")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


__all__ = ["IngestMixin", "ImportResult", "StatusReport", "TABLE_COLUMNS"]
