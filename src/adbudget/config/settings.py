"""Workspace settings: the pydantic model of ``adbudget.toml``, validated on load."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from adbudget.config.attribution import AttributionSettings
from adbudget.config.catalog import (
    CHANNELS,
    CURRENCIES,
    DEFAULT_MARKETS,
    MARKETS,
    REGIONS,
    country_to_code,
)
from adbudget.config.engine import EngineSettings
from adbudget.config.experiments import ExperimentsSettings
from adbudget.config.ltv import LtvSettings
from adbudget.config.plan import PlanSettings
from adbudget.config.response import ResponseSettings
from adbudget.config.rules import RulesSettings
from adbudget.errors import SettingsError

SETTINGS_FILE = "adbudget.toml"

Stage = Literal["entry", "growth", "maturity"]
# NA, EU (Europe & Central Asia), SEA, ME (Middle East & North Africa), LATAM, EA (East Asia),
# SAS (South Asia), OCE (Oceania), AF (Sub-Saharan Africa): see config/catalog.py
Region = Literal[REGIONS]  # type: ignore[valid-type]


class MarketSettings(BaseModel):
    """One market: where it is, what it pays in, how far along it is and what a sale earns."""

    model_config = ConfigDict(extra="forbid")

    region: Region = Field(description="NA, EU, SEA, ME, LATAM, EA, SAS, OCE or AF: drives the region profile of the buckets.")
    currency: str = Field(description="ISO 4217 code the market's exports and orders are in.")
    timezone: str = Field(description="IANA timezone; orders' UTC timestamps become market-local days.")
    stage: Stage = Field("growth", description="entry, growth or maturity: shifts the bucket split.")
    gross_margin_pct: float = Field(50.0, ge=0, le=100, description="Gross margin on revenue, %.")
    shipping_cost_per_order: float = Field(5.0, ge=0, description="Shipping cost per order, base currency.")
    return_rate_pct: float = Field(5.0, ge=0, le=100, description="Share of revenue refunded, %.")
    payment_fee_pct: float = Field(3.0, ge=0, le=100, description="Payment fees on revenue, %.")
    buckets: dict[Literal["brand", "performance", "test", "reserve"], float] | None = Field(
        None, description="Override of the bucket shares in %, e.g. { brand = 25, performance = 55, test = 12, reserve = 8 }."
    )

    @field_validator("currency")
    @classmethod
    def _currency_is_iso(cls, value: str) -> str:
        value = value.upper()
        if value not in CURRENCIES:
            raise ValueError(f"unknown currency {value!r}; use an ISO 4217 code such as USD, EUR")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone_is_iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}; use an IANA name such as Europe/Berlin") from exc
        return value


class IngestSettings(BaseModel):
    """How importers find the market of a row when the file does not say it."""

    model_config = ConfigDict(extra="forbid")

    # market code -> regular expression matched against campaign names
    market_patterns: dict[str, str] = Field(
        default_factory=dict,
        description="Market code -> regular expression on campaign names, for exports without a country column.",
    )
    # plausibility checks at import (issue 20): values outside are refused with their line
    earliest_date: date = Field(date(2000, 1, 1), description="Dates and timestamps before this are refused.")
    latest_days_ahead: int = Field(
        730, ge=0, le=36500, description="Dates more than this many days after today are refused.")
    fx_min_rate: float = Field(1e-6, gt=0, description="Smallest FX rate (units per base currency) accepted.")
    fx_max_rate: float = Field(1e8, gt=0, description="Largest FX rate (units per base currency) accepted.")
    fx_max_jump: float = Field(
        3.0, gt=1, description="A rate more than this factor away from the same currency's neighbouring "
                               "day is refused as a typo.")

    @field_validator("market_patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        for market, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern for {market} is not a valid regular expression: {exc}") from exc
        return value


class Settings(BaseModel):
    """Everything in adbudget.toml."""

    model_config = ConfigDict(extra="forbid")

    base_currency: str = Field("USD", description="ISO 4217 code every amount is converted to.")
    language: Literal["en", "zh"] = Field("en", description="Default language of reports (en or zh).")
    markets: dict[str, MarketSettings] = Field(description="One table per ISO 3166 alpha-2 market.")
    channels: list[str] = Field(
        default_factory=lambda: list(CHANNELS), description="Channels the seller uses (from the catalog)."
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    attribution: AttributionSettings = Field(default_factory=AttributionSettings)
    response: ResponseSettings = Field(default_factory=ResponseSettings)
    plan: PlanSettings = Field(default_factory=PlanSettings)
    experiments: ExperimentsSettings = Field(default_factory=ExperimentsSettings)
    rules: RulesSettings = Field(default_factory=RulesSettings)
    ltv: LtvSettings = Field(default_factory=LtvSettings)
    engine: EngineSettings = Field(default_factory=EngineSettings)

    @field_validator("base_currency")
    @classmethod
    def _base_is_iso(cls, value: str) -> str:
        value = value.upper()
        if value not in CURRENCIES:
            raise ValueError(f"unknown currency {value!r}; use an ISO 4217 code such as USD, EUR")
        return value

    @field_validator("markets")
    @classmethod
    def _market_codes(cls, value: dict[str, MarketSettings]) -> dict[str, MarketSettings]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError(f"market {code!r} is not an ISO 3166 alpha-2 code (two capital letters)")
        if not value:
            raise ValueError("at least one market is required")
        return value

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        for channel in value:
            if channel not in CHANNELS:
                raise ValueError(f"unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}")
        return value

    @model_validator(mode="after")
    def _patterns_name_markets(self) -> Settings:
        for market in self.ingest.market_patterns:
            if market not in self.markets:
                raise ValueError(f"ingest.market_patterns names market {market!r}, which is not configured")
        return self

    def market(self, code: str) -> MarketSettings:
        """Settings of one market, with a clear error for an unknown code."""
        try:
            return self.markets[code]
        except KeyError:
            raise SettingsError(
                f"market {code!r} is not in adbudget.toml; configured: {', '.join(self.markets)}"
            ) from None


def default_settings(
    markets: list[str] | None = None, base_currency: str = "USD", stages: dict[str, str] | None = None
) -> Settings:
    """Settings for the default markets (or the given ones: any ISO 3166-1 alpha-2 code, or a
    country's name in English or Chinese), each with its catalog region, currency and zone."""
    codes = [country_to_code(m) for m in markets] if markets else list(DEFAULT_MARKETS)
    unknown = [m for m, c in zip(markets or codes, codes, strict=True) if c not in MARKETS]
    if unknown:
        raise SettingsError(
            f"unknown market(s) {', '.join(unknown)}; use ISO 3166-1 alpha-2 codes such as "
            "US, JP, AU, KR, IN, TR, PL, NG, ZA, NZ, CA (see `adbudget markets`)"
        )
    codes = list(dict.fromkeys(codes))
    stages = stages or {}
    return Settings(
        base_currency=base_currency,
        markets={
            c: MarketSettings(
                region=MARKETS[c].region,  # type: ignore[arg-type]
                currency=MARKETS[c].currency,
                timezone=MARKETS[c].timezone,
                stage=stages.get(c, "growth"),  # type: ignore[arg-type]
            )
            for c in codes
        },
    )


def format_validation_error(exc: ValidationError, source: str = SETTINGS_FILE) -> str:
    """One line per problem: the dotted key, what is wrong and what is allowed."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown setting"
        lines.append(f"{source}: {key}: {msg}")
    return "\n".join(lines)


def validate_settings(data: dict[str, Any], source: str = SETTINGS_FILE) -> Settings:
    """Validate a settings mapping, turning pydantic's errors into a SettingsError."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(format_validation_error(exc, source)) from None


def load_settings(path: Path) -> Settings:
    """Read and validate adbudget.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: not found; run 'adbudget init' first") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    return validate_settings(data, str(path))


def dump_settings(settings: Settings) -> str:
    """Write settings as TOML (markets as tables), readable and editable by hand."""
    data = settings.model_dump(mode="json", exclude_none=True)
    return _to_toml(data)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _to_toml(data: dict[str, Any], prefix: str = "") -> str:
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, dict) or _inline(k, v, prefix)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict) and not _inline(k, v, prefix)]
    out = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars]
    for key, table in tables:
        name = f"{prefix}.{_toml_key(key)}" if prefix else _toml_key(key)
        body = _to_toml(table, name)
        has_scalars = any(not isinstance(v, dict) or _inline(k, v, name) for k, v in table.items())
        if has_scalars or not table:
            out.append(f"\n[{name}]")
        out.append(body)
    return "\n".join(x for x in out if x) + "\n"


def _inline(key: str, value: dict, prefix: str) -> bool:
    """Small leaf mappings (bucket shares, patterns) are written inline."""
    return all(not isinstance(v, dict) for v in value.values()) and key in {
        "buckets", "market_patterns"
    } | set()
