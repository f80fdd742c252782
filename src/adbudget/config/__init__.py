"""Workspace settings and the default market/channel catalog."""

from adbudget.config.catalog import (
    CHANNELS,
    CURRENCIES,
    MARKETS,
    REGIONS,
    STAGES,
    ChannelInfo,
    MarketInfo,
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
    "CHANNELS", "CURRENCIES", "MARKETS", "REGIONS", "SETTINGS_FILE", "STAGES",
    "ChannelInfo", "MarketInfo", "MarketSettings", "Settings",
    "default_settings", "dump_settings", "load_settings", "validate_settings",
]
