"""Workspace settings and the default market/channel catalog."""

from adbudget.config.catalog import (
    CHANNELS,
    CURRENCIES,
    DEFAULT_MARKETS,
    MARKETS,
    REGION_PROFILES,
    REGIONS,
    STAGES,
    ChannelInfo,
    MarketInfo,
    RegionProfile,
    country_name,
    market_label,
)
from adbudget.config.settings import (
    SETTINGS_FILE,
    MarketSettings,
    Settings,
    default_settings,
    dump_settings,
    load_settings,
    validate_settings,
)

__all__ = [
    "CHANNELS", "CURRENCIES", "DEFAULT_MARKETS", "MARKETS", "REGIONS", "REGION_PROFILES", "SETTINGS_FILE", "STAGES",
    "ChannelInfo", "MarketInfo", "RegionProfile", "country_name", "market_label", "MarketSettings", "Settings",
    "default_settings", "dump_settings", "load_settings", "validate_settings",
]
