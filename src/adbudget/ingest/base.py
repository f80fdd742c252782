"""Importer base class and registry: each platform format maps its columns to ours."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from adbudget.config.catalog import country_to_code as _country_to_code
from adbudget.errors import InputError
from adbudget.ingest.reader import RawTable


@dataclass
class Context:
    """What an importer may know besides the file: the --market flag and settings."""

    market: str | None
    markets: dict[str, str]  # code -> currency
    market_patterns: dict[str, str]  # code -> regex on campaign names
    base_currency: str


@dataclass
class Staged:
    """Canonical columns as strings (plus ``_line``), ready for SQL validation."""

    kind: str  # target table (ad_daily, orders, …)
    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)  # canonical -> file's header name
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y")


class Importer:
    """A file format. Subclasses set ``name``, ``aliases`` and override what differs."""

    name: ClassVar[str] = ""
    kind: ClassVar[str] = "ad_daily"
    channel: ClassVar[str | None] = None
    # canonical -> header names this format uses for it (first found wins; English and Chinese)
    aliases: ClassVar[dict[str, tuple[str, ...]]] = {}
    # columns whose presence identifies the format (regexes over header cells; all must match)
    signature: ClassVar[tuple[str, ...]] = ()
    date_formats: ClassVar[tuple[str, ...]] = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")

    @classmethod
    def known_headers(cls) -> set[str]:
        return {name for names in cls.aliases.values() for name in names}

    @classmethod
    def detect(cls, header: list[str]) -> bool:
        return all(any(re.fullmatch(sig, h) for h in header) for sig in cls.signature)

    # -- the parts most formats share --------------------------------------------------------
    def find(self, raw: RawTable, canonical: str) -> str | None:
        """The header name used for *canonical* in this file, if any."""
        for alias in self.aliases.get(canonical, ()):
            for cell in raw.header:
                if cell == alias or cell.lower() == alias.lower():
                    return cell
        return None

    def require(self, raw: RawTable, canonical: str) -> str:
        column = self.find(raw, canonical)
        if column is None:
            wanted = " / ".join(self.aliases.get(canonical, (canonical,)))
            raise InputError(
                f"missing column ({wanted}); the file has: {', '.join(raw.header)}",
                file=raw.file, line=1 + len(raw.preamble), column=wanted.split(" / ")[0],
            )
        return column

    def keep_rows(self, raw: RawTable) -> pd.Series:
        """Rows that are data (not totals or notes)."""
        return pd.Series(True, index=raw.rows.index)

    def stage(self, raw: RawTable, ctx: Context) -> Staged:
        """Map the file's columns to canonical ones (values stay strings)."""
        keep = self.keep_rows(raw)
        rows = raw.rows[keep].reset_index(drop=True)
        lines = raw.lines[keep].reset_index(drop=True)
        out = pd.DataFrame({"_line": lines.to_numpy()})
        labels: dict[str, str] = {}
        for canonical in self.aliases:
            column = self.find(raw, canonical)
            if column is not None:
                out[canonical] = rows[column].to_numpy()
                labels[canonical] = column
        out, labels = self.finish(raw, rows, out, labels, ctx)
        return Staged(self.kind, out, labels, self.date_formats)

    def finish(self, raw: RawTable, rows: pd.DataFrame, out: pd.DataFrame,
               labels: dict[str, str], ctx: Context) -> tuple[pd.DataFrame, dict[str, str]]:
        """Hook: channel, market, currency and anything format-specific."""
        return out, labels


class PlatformImporter(Importer):
    """An ad platform's daily export: fills channel, market and currency when the file lacks them."""

    @property
    def slice_channels(self) -> tuple[str, ...] | None:
        """Channels whose stored rows an export of this format replaces in the slice it covers."""
        return (self.channel,) if self.channel else None

    def finish(self, raw, rows, out, labels, ctx):
        if self.channel and "channel" not in out:
            out["channel"] = self.channel
        if "market" not in out or (out["market"] == "").all():
            out["market"] = resolve_market(out, ctx, raw)
            labels.setdefault("market", "market")
        else:
            out["market"] = out["market"].map(country_to_code)
        if "currency" not in out or (out["currency"] == "").all():
            out["currency"] = self.currency_for(raw, out, ctx)
            labels.setdefault("currency", "currency")
        return out, labels

    def currency_for(self, raw: RawTable, out: pd.DataFrame, ctx: Context) -> pd.Series:
        """Default: the market's own currency."""
        return out["market"].map(lambda m: ctx.markets.get(m, ""))


def country_to_code(value: str) -> str:
    """ISO alpha-2 for a code or a country name as platforms print it (English or Chinese,
    any ISO 3166 country: see :func:`adbudget.config.catalog.country_to_code`)."""
    return _country_to_code(value)


def resolve_market(out: pd.DataFrame, ctx: Context, raw: RawTable) -> pd.Series:
    """Market per row from campaign-name patterns, else --market, else a clear error."""
    market = pd.Series("", index=out.index, dtype=object)
    if ctx.market_patterns and "campaign" in out:
        for code, pattern in ctx.market_patterns.items():
            hit = out["campaign"].str.contains(pattern, regex=True) & (market == "")
            market[hit] = code
    if ctx.market:
        market[market == ""] = ctx.market
    missing = market == ""
    if missing.any():
        first = int(out.loc[missing, "_line"].iloc[0])
        raise InputError(
            "cannot tell the market of this row: the file has no country column and no "
            "campaign pattern matched; pass --market XX or set ingest.market_patterns",
            file=raw.file, line=first,
        )
    return market


IMPORTERS: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: add an importer to the registry under its name."""
    IMPORTERS[cls.name] = cls
    return cls
