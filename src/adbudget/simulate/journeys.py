"""User journeys (touchpoints) with a known causal channel for every converting journey.

The journeys follow the generative story of the studies that test attribution against a
known truth (Shao & Li 2011; Dalessandro et al. 2012, "Causally motivated attribution for
online advertising"; Sapp & Vander Heide's DASS simulator at Google; Zhao et al. 2018,
arXiv:1804.05327): ad exposures come from the delivery process, independently of whether
the user will buy, and the purchase depends on the exposures. The orders and their causes
are fixed by the world (``OrdersBlock``); this module draws, for a sample of them and for a
sample of non-buyers, the touches a tracking system would record. Every choice, and why:

1. **Tracked converters** are a random sample of new customers (``CONVERTING_SHARE`` of the
   journeys; a case-control sample — real converting shares are lower, but sampling each
   class at its own rate leaves rate *ratios* and the causal credit unchanged). The sample
   is the first draw of the stream, so the true credit does not depend on anything below.
2. **Ad delivery is one process for everyone.** A user sees tracked touches at a rate drawn
   from a gamma distribution (shape ``EXPOSURE_SHAPE`` = 1, mean ``MEAN_TOUCHES`` per 30
   days): the negative-binomial (Poisson–gamma) exposure model of reach-and-frequency
   planning — a few users see most of the ads. Each touch falls uniformly in the user's
   ``SPAN_DAYS`` observation span and its line follows that day's exposure mix of the
   market (impressions ∝ spend / CPM). The span of a converter is the 30 days before the
   order, so touches also fall *after* the persuading one (users keep seeing ads while they
   consider). The rate is that of *tracked* touches (clicks and the views a platform
   reports per user), far below the 2–3 impressions a week per platform a user sees; it is
   bounded by the demo's size (about 3.5 touches per journey, as before).
3. **The persuading touch.** A converter whose order was caused by a line has one touch of
   that line on top of the delivery process (for a Poisson process, conditioning on a point
   adds that point: Slivnyak–Mecke). It is timed by the line's carryover kernel × its
   exposure on each past day — the consideration delay: search and marketplaces mostly the
   same day (within 6 h of the order), Meta a day or two, TikTok/KOL 3–4 days, YouTube about
   a week. The kernel is the world's aggregate truth (orders caused on day *d* by spend on day
   *d − lag*), so it is kept as it is. Because a user's chance to be persuaded grows with the
   ads they see, a persuaded converter's exposure rate is size-biased: gamma with shape
   ``EXPOSURE_SHAPE + 1`` (what Bayes' rule gives for the Poisson–gamma model).
4. **Organic converters** (order not caused by an ad) and **non-converters** get only the
   delivery process at the unbiased rate. A non-converter exists in the data only through a
   touch, so its count is drawn given at least one; its span ends at a time drawn by the
   market's total exposure.
5. **Navigational touches** cause nothing but cluster before purchases: a user about to buy
   searches the brand, clicks the brand-search ad or the marketplace's sponsored listing
   (Blake, Nosko & Tadelis 2015, "Consumer heterogeneity and paid search effectiveness",
   *Econometrica* 83(1): eBay's brand-keyword clicks were almost all non-incremental). A
   converter (caused or organic) gets one with probability ``NAV_CONVERTER`` in the
   ``NAV_HOURS`` before the order and after its persuading touch; a non-converter with
   ``NAV_NON`` anywhere in its span (people who research and do not buy). The ratio of the
   two (≈ 8.6) is what a brand-search visitor's conversion rate (≈ 8 %) against an exposed
   user's (≈ 1 %) implies. The line is one of the market's search/marketplace lines
   (``NAV_CHANNELS``) in proportion to that day's spend (capture budgets follow demand); a
   market without one gets none. These touches are why last touch over-credits search and
   marketplaces in real data; no observational model sees that they are not causal.

The true credit of each channel is the number of tracked conversions it caused (what would
be lost without it); ``touches`` counts all its touches.
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
SPAN_DAYS = 30  # observation span of every journey (converters: the days before the order)
MEAN_TOUCHES = 2.5  # delivery-process touches per user and SPAN_DAYS, on average
EXPOSURE_SHAPE = 1.0  # gamma shape of the users' exposure rates (negative-binomial exposure)
NAV_CHANNELS = ("google_search", "amazon", "shopee", "lazada")  # demand-capture lines
NAV_CONVERTER = 0.3  # chance that a converter clicks a navigational ad before buying
NAV_NON = 0.035  # chance that a non-converting journey has one
NAV_HOURS = 24  # navigational touches of converters fall this close before the order


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
    """Sample a line per touch in proportion to that day's weight (-1 where none)."""
    total = cum[-1, day]
    u = rng.random(len(day)) * total
    idx = (cum[:, day] <= u[None, :]).sum(axis=0)
    return np.where(total > 0, np.minimum(idx, cum.shape[0] - 1), -1)


def _delivery(rng: np.random.Generator, cum: np.ndarray, end_ts: np.ndarray, end_day: np.ndarray,
              end_sec: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, ...]:
    """``counts[u]`` touches uniform over the SPAN_DAYS before each user's end (day index
    ``end_day``, local second ``end_sec``), lines by that day's exposure; touches before
    the history's first day or on a day without exposure are dropped."""
    owner = np.repeat(np.arange(len(counts)), counts)
    back = np.maximum(300, (rng.random(len(owner)) * SPAN_DAYS * DAY).astype(np.int64))
    tday = end_day[owner] + np.floor((end_sec[owner] - back) / DAY).astype(np.int64)
    ok = tday >= 0
    owner, back, tday = owner[ok], back[ok], tday[ok]
    line = _pick_lines(rng, cum, tday) if cum.shape[0] else np.full(len(tday), -1)
    keep = line >= 0
    return owner[keep], end_ts[owner[keep]] - back[keep], line[keep]


def _rates(rng: np.random.Generator, n: int, shape: float | np.ndarray) -> np.ndarray:
    """Expected delivery touches per SPAN_DAYS of ``n`` users: gamma with the given shape and
    the scale that gives MEAN_TOUCHES at shape EXPOSURE_SHAPE."""
    return rng.gamma(shape, MEAN_TOUCHES / EXPOSURE_SHAPE, n)


def sample_journeys(seed: int, panel: MarketPanel, block: OrdersBlock, users: int) -> JourneyBlock:
    """Touchpoints of ``users`` journeys in one market (converters + non-converters)."""
    m = panel.market
    rng = np.random.default_rng([seed, 6, zlib.crc32(m.code.encode())])
    n_lines, n_days = panel.spend.shape
    expo = _exposure(panel)
    cum = np.cumsum(expo, axis=0)
    nav_line = np.asarray([ln.channel in NAV_CHANNELS for ln in panel.lines], dtype=bool)
    nav_cum = np.cumsum(panel.spend * nav_line[:, None], axis=0) if n_lines else cum
    offsets = utc_offsets(panel.dates, m.timezone).astype(np.int64)
    day0 = panel.dates.astype("datetime64[s]").astype(np.int64)  # local midnight as epoch s
    new_idx = np.flatnonzero(block.is_new)
    n_conv = int(min(len(new_idx), round(users * CONVERTING_SHARE)))
    conv = np.sort(rng.choice(new_idx, size=n_conv, replace=False)) if n_conv else new_idx[:0]
    n_non = max(0, users - n_conv)
    t_conv = block.ts[conv].astype(np.int64)
    d_conv = block.day[conv]
    sec_conv = block.local_seconds[conv].astype(np.int64)
    cause = block.cause[conv]
    user_conv = customer_ids(block)[conv]  # converters' user ids (= customer ids)
    parts_user, parts_ts, parts_line, parts_click = [], [], [], []
    click_share = np.asarray([ln.click_share for ln in panel.lines])
    # 1. persuading touches: lag drawn from kernel weight x the line's exposure on that day
    caused = np.flatnonzero(cause >= 0)
    t_cause = np.full(n_conv, np.iinfo(np.int64).min)
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
        t_cause[caused] = t_conv[caused] - back
        parts_user.append(caused)
        parts_ts.append(t_cause[caused])
        parts_line.append(li)
        parts_click.append(rng.random(len(li)) < np.minimum(1.0, click_share[li] + 0.3))
    # 2. the delivery process over each converter's 30 days; persuaded ones size-biased
    shape = np.where(cause >= 0, EXPOSURE_SHAPE + 1.0, EXPOSURE_SHAPE)
    k = rng.poisson(_rates(rng, n_conv, shape))
    owner, ts, line = _delivery(rng, cum, t_conv, d_conv, sec_conv, k)
    parts_user.append(owner)
    parts_ts.append(ts)
    parts_line.append(line)
    parts_click.append(rng.random(len(line)) < click_share[line] if n_lines else np.zeros(0, bool))
    # 3. navigational touches of converters: after the persuading touch, before the order
    nav = np.flatnonzero(rng.random(n_conv) < NAV_CONVERTER) if n_lines and nav_line.any() else caused[:0]
    lo = np.maximum(t_conv[nav] - NAV_HOURS * 3600, t_cause[nav] + 60)
    hi = t_conv[nav] - 60
    ts_nav = lo + (rng.random(len(nav)) * np.maximum(hi - lo, 0)).astype(np.int64)
    day_nav = d_conv[nav] + np.floor((sec_conv[nav] - (t_conv[nav] - ts_nav)) / DAY).astype(np.int64)
    ok = (hi > lo) & (day_nav >= 0)
    nav, ts_nav, day_nav = nav[ok], ts_nav[ok], day_nav[ok]
    line = _pick_lines(rng, nav_cum, day_nav) if len(nav) else nav
    keep = line >= 0
    parts_user.append(nav[keep])
    parts_ts.append(ts_nav[keep])
    parts_line.append(line[keep])
    parts_click.append(np.ones(int(keep.sum()), bool))
    # 4. non-converting journeys: span ends at a time drawn by total exposure; >= 1 touch
    daily = cum[-1] if n_lines else np.zeros(n_days)
    if n_non and daily.sum() > 0:
        anchor = rng.choice(n_days, size=n_non, p=daily / daily.sum())
        end_sec = rng.integers(0, DAY, n_non)
        end_ts = day0[anchor] - offsets[anchor] + end_sec
        k = rng.poisson(_rates(rng, n_non, EXPOSURE_SHAPE))
        for _ in range(64):  # seen only through a touch: redraw rate and count where zero
            zero = np.flatnonzero(k == 0)
            if not len(zero):
                break
            k[zero] = rng.poisson(_rates(rng, len(zero), EXPOSURE_SHAPE))
        k = np.maximum(k, 1)
        owner, ts, line = _delivery(rng, cum, end_ts, anchor, end_sec, k)
        parts_user.append(n_conv + owner)
        parts_ts.append(ts)
        parts_line.append(line)
        parts_click.append(rng.random(len(line)) < click_share[line])
        # navigational touches of people who research and do not buy
        who = np.flatnonzero(rng.random(n_non) < NAV_NON) if nav_line.any() else anchor[:0]
        back = (rng.random(len(who)) * SPAN_DAYS * DAY).astype(np.int64)
        tday = anchor[who] + np.floor((end_sec[who] - back) / DAY).astype(np.int64)
        ok = tday >= 0
        who, back, tday = who[ok], back[ok], tday[ok]
        line = _pick_lines(rng, nav_cum, tday) if len(who) else who
        keep = line >= 0
        parts_user.append(n_conv + who[keep])
        parts_ts.append(end_ts[who[keep]] - back[keep])
        parts_line.append(line[keep])
        parts_click.append(np.ones(int(keep.sum()), bool))
    user = np.concatenate(parts_user).astype(np.int64) if parts_user else np.zeros(0, np.int64)
    ts = np.concatenate(parts_ts).astype(np.int64) if parts_ts else np.zeros(0, np.int64)
    line = np.concatenate(parts_line).astype(np.int64) if parts_line else np.zeros(0, np.int64)
    click = np.concatenate(parts_click).astype(bool) if parts_click else np.zeros(0, bool)
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


__all__ = ["CONVERTING_SHARE", "NAV_CHANNELS", "JourneyBlock", "sample_journeys"]
