"""User journeys (touchpoints) with a known causal channel for every converting journey.

Tracked converters are a random sample of new customers. A converter whose first order was
caused by a line has one causal touch of that line, timed by the line's carryover kernel
weighted by its past exposure; every journey also has incidental touches drawn from the
market's ad exposure mix (what a user happens to see), which do not cause anything. So the
true credit of each channel is the number of tracked conversions it caused, and channels
that are merely seen a lot are the ones naive attribution over-credits.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.simulate.orders import OrdersBlock, customer_ids, ids, utc_offsets
from adbudget.simulate.panel import KERNEL_LENGTH, MarketPanel, kernel

DAY = 86400
CONVERTING_SHARE = 0.15  # share of journeys that end in a purchase (when orders allow)
WINDOW_DAYS = 30  # incidental touches of converters happen within this many days before


@dataclass
class JourneyBlock:
    """One market's touchpoints and the true credit of its tracked conversions."""

    touchpoints: pd.DataFrame  # user_id, ts (ISO UTC), market, channel, campaign, interaction
    credit: pd.DataFrame  # market, channel, conversions, revenue, touches, effect_per_touch
    first_channel: tuple[np.ndarray, np.ndarray]  # (customer index, first-touch channel)


def _exposure(panel: MarketPanel) -> np.ndarray:
    """Ad exposure (impressions proxy) per line and day."""
    cpm = np.asarray([ln.cpm for ln in panel.lines])[:, None]
    return panel.spend / np.maximum(panel.cost, 1e-9) / cpm


def _pick_lines(rng: np.random.Generator, cum: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Sample a line per touch in proportion to that day's exposure (-1 where none)."""
    total = cum[-1, day]
    u = rng.random(len(day)) * total
    idx = (cum[:, day] <= u[None, :]).sum(axis=0)
    return np.where(total > 0, np.minimum(idx, cum.shape[0] - 1), -1)


def sample_journeys(seed: int, panel: MarketPanel, block: OrdersBlock, users: int) -> JourneyBlock:
    """Touchpoints of ``users`` journeys in one market (converters + non-converters)."""
    m = panel.market
    rng = np.random.default_rng([seed, 6, zlib.crc32(m.code.encode())])
    n_lines, n_days = panel.spend.shape
    expo = _exposure(panel)
    cum = np.cumsum(expo, axis=0)
    offsets = utc_offsets(panel.dates, m.timezone).astype(np.int64)
    day0 = panel.dates.astype("datetime64[s]").astype(np.int64)  # local midnight as epoch s
    new_idx = np.flatnonzero(block.is_new)
    n_conv = int(min(len(new_idx), round(users * CONVERTING_SHARE)))
    conv = np.sort(rng.choice(new_idx, size=n_conv, replace=False)) if n_conv else new_idx[:0]
    n_non = max(0, users - n_conv)
    t_conv = block.ts[conv].astype(np.int64)
    d_conv = block.day[conv]
    sec_conv = block.local_seconds[conv]
    cause = block.cause[conv]
    user_conv = customer_ids(block)[conv]  # converters' user ids (= customer ids)
    parts_user, parts_ts, parts_line, parts_click = [], [], [], []
    click_share = np.asarray([ln.click_share for ln in panel.lines])
    # 1. causal touches: lag drawn from kernel weight x the line's exposure on that day
    caused = np.flatnonzero(cause >= 0)
    if len(caused) and n_lines:
        w = np.asarray([kernel(ln) for ln in panel.lines])  # (n_lines, L)
        lags = np.arange(KERNEL_LENGTH)
        li = cause[caused]
        dd = d_conv[caused][:, None] - lags[None, :]
        ok = dd >= 0
        e = np.where(ok, expo[li[:, None], np.maximum(dd, 0)], 0.0) * w[li]
        e_sum = e.sum(axis=1)
        e = np.where(e_sum[:, None] > 0, e / np.where(e_sum > 0, e_sum, 1)[:, None], 0.0)
        e[:, 0] += e_sum == 0
        lag = (np.cumsum(e, axis=1) < rng.random(len(li))[:, None]).sum(axis=1)
        lag = np.minimum(lag, KERNEL_LENGTH - 1)
        within = rng.random(len(li))
        back = np.where(
            lag == 0,
            np.maximum(60, (within * np.minimum(sec_conv[caused], 6 * 3600)).astype(np.int64)),
            sec_conv[caused] + (lag - 1) * DAY + (within * DAY).astype(np.int64),
        )
        parts_user.append(caused)
        parts_ts.append(t_conv[caused] - back)
        parts_line.append(li)
        parts_click.append(rng.random(len(li)) < np.minimum(1.0, click_share[li] + 0.3))
    # 2. incidental touches of converters within the window before the order
    k = rng.poisson(2.0, n_conv)
    owner = np.repeat(np.arange(n_conv), k)
    back = np.maximum(300, (rng.random(len(owner)) * WINDOW_DAYS * DAY).astype(np.int64))
    tday = d_conv[owner] + np.floor((sec_conv[owner] - back) / DAY).astype(np.int64)
    valid = tday >= 0
    owner, back, tday = owner[valid], back[valid], tday[valid]
    line = _pick_lines(rng, cum, tday) if n_lines else np.full(len(tday), -1)
    keep = line >= 0
    parts_user.append(owner[keep])
    parts_ts.append(t_conv[owner[keep]] - back[keep])
    parts_line.append(line[keep])
    parts_click.append(rng.random(int(keep.sum())) < click_share[line[keep]] if n_lines else np.zeros(0, bool))
    # 3. non-converting journeys: anchored on a day drawn by total exposure
    daily = cum[-1] if n_lines else np.zeros(n_days)
    if n_non and daily.sum() > 0:
        anchor = rng.choice(n_days, size=n_non, p=daily / daily.sum())
        k = 1 + rng.poisson(2.5, n_non)
        owner = np.repeat(np.arange(n_non), k)
        tday = np.minimum(anchor[owner] + rng.integers(0, 11, len(owner)), n_days - 1)
        line = _pick_lines(rng, cum, tday)
        keep = line >= 0
        owner, tday, line = owner[keep], tday[keep], line[keep]
        ts = day0[tday] - offsets[tday] + rng.integers(0, DAY, len(tday))
        parts_user.append(n_conv + owner)
        parts_ts.append(ts)
        parts_line.append(line)
        parts_click.append(rng.random(len(line)) < click_share[line])
    user = np.concatenate(parts_user).astype(np.int64) if parts_user else np.zeros(0, np.int64)
    ts = np.concatenate(parts_ts).astype(np.int64) if parts_ts else np.zeros(0, np.int64)
    line = np.concatenate(parts_line).astype(np.int64) if parts_line else np.zeros(0, np.int64)
    click = np.concatenate(parts_click) if parts_click else np.zeros(0, bool)
    # campaign: one of the line's campaigns, uniformly
    n_camp = np.asarray([len(ln.campaigns) for ln in panel.lines] or [1])
    width = int(n_camp.max())
    names = np.asarray([list(ln.campaigns) + [""] * (width - len(ln.campaigns))
                        for ln in panel.lines] or [[""]], dtype=object)
    camp = names[line, rng.integers(0, 1 << 30, len(line)) % n_camp[line]] if len(line) else line
    channels = np.asarray([ln.channel for ln in panel.lines] or [""], dtype=object)
    order = np.lexsort((line, ts, user))
    user, ts, line, click = user[order], ts[order], line[order], click[order]
    camp = camp[order] if len(line) else camp
    names_u = np.empty(len(user), dtype=object)
    is_conv = user < n_conv
    names_u[is_conv] = user_conv[user[is_conv]]
    non = ~is_conv
    names_u[non] = ids(f"{m.code}-U", user[non] - n_conv, 7)
    tp = pd.DataFrame({
        "user_id": names_u,
        "ts": np.datetime_as_string(ts.astype("datetime64[s]"), unit="s").astype(object) + "Z",
        "market": m.code,
        "channel": channels[line],
        "campaign": camp,
        "interaction": np.where(click, "click", "view"),
    })
    # true credit of tracked conversions, and first-touch channel of tracked customers
    touches = np.bincount(line, minlength=n_lines) if n_lines else np.zeros(0, np.int64)
    conv_by_line = np.bincount(cause[caused], minlength=n_lines) if n_lines else touches
    rev_by_line = (np.bincount(cause[caused], weights=block.value_base[conv][caused], minlength=n_lines)
                   if n_lines else np.zeros(0))
    credit = pd.DataFrame({
        "market": m.code,
        "channel": [ln.channel for ln in panel.lines],
        "conversions": conv_by_line.astype(np.int64),
        "revenue": rev_by_line,
        "touches": touches.astype(np.int64),
    })
    credit["effect_per_touch"] = credit["conversions"] / credit["touches"].where(credit["touches"] > 0)
    # first touch of each tracked converter (rows are sorted by user, then time)
    starts = np.flatnonzero(np.r_[True, user[1:] != user[:-1]]) if len(user) else np.zeros(0, int)
    firsts = starts[user[starts] < n_conv]
    first = (conv[user[firsts]], channels[line[firsts]])
    return JourneyBlock(touchpoints=tp, credit=credit, first_channel=first)


__all__ = ["CONVERTING_SHARE", "JourneyBlock", "sample_journeys"]
