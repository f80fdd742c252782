"""Attribution windows: how long before an order a click or a view may still earn credit.

A window spec is a comma-separated list of items ``[channel:]<days>d-(click|view)``, e.g.
``7d-click,1d-view`` (the default) or ``7d-click,1d-view,google_search:30d-click``. A bare
``<days>d`` sets the click window and caps the view window at the same length. ``platform``
starts from the windows each platform documents as its default (``PLATFORM_WINDOWS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from adbudget.errors import SettingsError

ALLOWED_DAYS = (1, 7, 14, 28, 30)

# Defaults the platforms document for their own reporting (click days, view days):
# - Meta Ads: 7-day click, 1-day view (default attribution setting since 2021).
# - Google Ads: 30-day click-through conversion window; 1-day view-through for display,
#   YouTube: 3-day engaged-view window.
# - TikTok Ads: 7-day click, 1-day view (default attribution window).
# - Amazon Sponsored Products (sellers): 7-day click ("7 Day Total Sales"); no views.
# - Shopee / Lazada ads: 7-day click; no views.
PLATFORM_WINDOWS: dict[str, tuple[int, int]] = {
    "meta": (7, 1),
    "google_search": (30, 1),
    "youtube": (30, 3),
    "tiktok": (7, 1),
    "amazon": (7, 0),
    "shopee": (7, 0),
    "lazada": (7, 0),
}

_ITEM = re.compile(r"^(?:(?P<channel>[a-z0-9_]+):)?(?P<days>\d+)d(?:-(?P<kind>click|view))?$")


@dataclass(frozen=True)
class Windows:
    """Click and view windows in days, with per-channel overrides."""

    click_days: int = 7
    view_days: int = 1
    per_channel: tuple[tuple[str, int, int], ...] = field(default=())  # (channel, click, view)

    def for_channel(self, channel: str) -> tuple[int, int]:
        for name, click, view in self.per_channel:
            if name == channel:
                return click, view
        return self.click_days, self.view_days

    @property
    def label(self) -> str:
        parts = [f"{self.click_days}d-click", f"{self.view_days}d-view"]
        for name, click, view in self.per_channel:
            parts.append(f"{name}:{click}d-click")
            parts.append(f"{name}:{view}d-view")
        return ",".join(parts)

    @property
    def max_days(self) -> int:
        return max([self.click_days, self.view_days] + [max(c, v) for _, c, v in self.per_channel])


def parse_windows(spec: str | None, click_days: int = 7, view_days: int = 1) -> Windows:
    """Parse a window spec; unknown forms raise a SettingsError naming the allowed ones."""
    if spec is None or not spec.strip():
        return Windows(click_days, view_days)
    click, view = click_days, view_days
    channels: dict[str, list[int]] = {}
    for raw in spec.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if item == "platform":
            for name, (c, v) in PLATFORM_WINDOWS.items():
                channels[name] = [c, v]
            continue
        m = _ITEM.match(item)
        if not m:
            raise SettingsError(
                f"window {raw.strip()!r} is not understood; use e.g. 7d-click,1d-view, "
                f"google_search:30d-click, 30d or platform"
            )
        days = int(m["days"])
        if days not in ALLOWED_DAYS and not (days == 0 and m["kind"] == "view"):
            raise SettingsError(
                f"window {raw.strip()!r}: days must be one of {', '.join(map(str, ALLOWED_DAYS))}"
            )
        name = m["channel"]
        if name is None:
            if m["kind"] == "click":
                click = days
            elif m["kind"] == "view":
                view = days
            else:
                click, view = days, min(view, days)
        else:
            current = channels.setdefault(name, [click, view])
            if m["kind"] in ("click", None):
                current[0] = days
            if m["kind"] == "view":
                current[1] = days
    per = tuple(sorted((n, c, v) for n, (c, v) in channels.items()))
    return Windows(click, view, per)
