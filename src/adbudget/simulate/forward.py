"""The simulator runs forward: a world's next period generated from a per-day spend schedule.

``continue_world(world, schedule)`` returns a new ``World`` whose history is the old one's
plus the schedule's days. The new days are generated exactly as history is (the same panel,
orders, journeys and platform functions), with three things carried over instead of drawn
afresh: carryover (each line's adstock runs on from the real history's spend), organic
demand (trend, season and the AR(1) noise continue from the last day) and FX (the random
walk continues from the last written rate). Returning customers of the history buy again.

What changes is who decides the spend: the schedule (a plan's per-day budget per line,
designed tests included) instead of the simulated human team. Each continued period draws
from its own random streams (seed, period number), so the history is untouched byte for
byte, and continuing the same world with the same schedules gives the same data.

Schedule: a DataFrame with ``date, market, channel, spend`` (base currency per day);
optional ``test_id`` and ``arm`` (``hi``/``lo``) mark the days of a designed test. Lines the
schedule does not name spend nothing; money on lines the world does not have is recorded
in ``unknown_spend`` (spent for nothing).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.simulate.brand import continue_brand
from adbudget.simulate.calendar import weekly_factor
from adbudget.simulate.forms import SATURATIONS, carryover
from adbudget.simulate.journeys import JourneyBlock, sample_journeys
from adbudget.simulate.orders import OrdersBlock, funnel_frame, ids, sample_orders
from adbudget.simulate.panel import (
    MarketPanel,
    anticipated_demand,
    kernel,
    line_conditions,
)
from adbudget.simulate.platforms import ad_rows, creative_tests
from adbudget.simulate.spec import PEGGED, WorldSpec
from adbudget.simulate.world import World
from adbudget.simulate.writer import Manifest, _json_default

SCHEDULE_COLUMNS = ("date", "market", "channel", "spend")
PERIOD_SEED_BASE = 1 << 40  # forward streams: far from any seed a user would pick


class ScheduleError(InputError, ValueError):
    """A schedule that cannot continue this world (says which row and column, and why)."""


def period_seed(seed: int, period: int) -> int:
    """The integer seed of a continued period's random streams (never a history seed)."""
    return PERIOD_SEED_BASE + int(seed) * 4096 + int(period)


def check_schedule(world: World, schedule: pd.DataFrame) -> pd.DataFrame:
    """Validate and normalize a schedule: consecutive days from the day after the history,
    finite non-negative spend; returns it with ``date`` as datetime and ``spend`` float."""
    for col in SCHEDULE_COLUMNS:
        if col not in schedule.columns:
            raise ScheduleError(t("loop.error.missing_column"), file="schedule", column=col)
    df = schedule.copy()
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["spend"] = pd.to_numeric(df["spend"], errors="coerce")
    for col, bad, key in (("date", df["date"].isna(), "not_a_date"),
                          ("spend", df["spend"].isna() | (df["spend"] < 0), "not_money")):
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ScheduleError(t(f"loop.error.{key}"), file="schedule", line=row + 2, column=col)
    first = pd.Timestamp(world.spec.end) + pd.Timedelta(days=1)
    if df.empty:
        raise ScheduleError(t("loop.error.schedule_empty"), file="schedule")
    if df["date"].min() != first:
        raise ScheduleError(t("loop.error.schedule_start", first=str(first.date()),
                              found=str(df["date"].min().date())), file="schedule", column="date")
    days = pd.date_range(first, df["date"].max())
    if set(df["date"].unique()) != set(days):
        raise ScheduleError(t("loop.error.schedule_days"), file="schedule", column="date")
    return df


@dataclass
class PeriodBlock:
    """Everything generated for one continued period (local day indices)."""

    index: int
    schedule: pd.DataFrame
    panels: dict[str, MarketPanel]
    orders: dict[str, OrdersBlock]
    journeys: dict[str, JourneyBlock]
    ad_rows: pd.DataFrame
    funnel: pd.DataFrame
    creative: pd.DataFrame
    unknown_spend: float


def _fx_forward(spec: WorldSpec, currency: str, last: float, n: int, rng: np.random.Generator) -> np.ndarray:
    if currency == spec.base_currency:
        return np.ones(n)
    if currency in PEGGED:
        return np.full(n, last)
    vol = np.random.default_rng([spec.seed, 2, zlib.crc32(currency.encode())]).uniform(0.002, 0.006)
    return np.round(last * np.exp(np.cumsum(rng.normal(0, vol, n))), 6)


def _organic(spec: WorldSpec, hist: MarketPanel, dates: np.ndarray, t: np.ndarray,
             origin_days: int, rng: np.random.Generator) -> np.ndarray:
    """Organic gross demand of the new days: trend, week, season, holidays, AR(1) carried on."""
    m = hist.market

    def level(tt: np.ndarray, dd: np.ndarray) -> np.ndarray:
        trend = np.exp(m.growth * (tt - (origin_days - 1)) / 365.0)
        ramp = (np.ones(len(tt)) if m.entry_day == 0
                else np.where(tt >= m.entry_day, 1 - np.exp(-(tt - m.entry_day + 1) / 30.0), 0.0))
        return m.level * trend * weekly_factor(dd, m.region) * anticipated_demand(m, dd) * ramp

    last_t = np.asarray([t[0] - 1])
    last_level = level(last_t, hist.dates[-1:])[0]
    ar = float(np.log(hist.base_gross[-1] / last_level)) if last_level > 0 and hist.base_gross[-1] > 0 else 0.0
    eps = rng.normal(0, m.noise, len(t))
    out = np.empty(len(t))
    for j in range(len(t)):
        ar = 0.6 * ar + eps[j]
        out[j] = ar
    return level(t, dates) * np.exp(out)


def _shares(minor: np.ndarray) -> np.ndarray:
    """Campaign shares of a line's last day with spend (equal when it never spent)."""
    totals = minor.sum(axis=0)
    spent = np.flatnonzero(totals > 0)
    if not len(spent):
        return np.full(minor.shape[0], 1.0 / minor.shape[0])
    col = minor[:, spent[-1]].astype(float)
    return col / col.sum()


def forward_panel(world: World, hist: MarketPanel, plan: np.ndarray, dates: np.ndarray,
                  origin_days: int, rng: np.random.Generator) -> MarketPanel:
    """One market's panel for the new days: ``plan`` (n_lines, days) base currency per day."""
    spec, m = world.spec, hist.market
    n_hist, n = len(hist.dates), len(dates)
    t = np.arange(n_hist, n_hist + n)
    fx = _fx_forward(spec, m.currency, float(hist.fx[-1]), n, rng)
    base = _organic(spec, hist, dates, t, origin_days, rng)
    scale = 10 ** m.minor_units
    campaign_minor, spend, cost, effect, incr = [], [], [], [], []
    for i, line in enumerate(hist.lines):
        shares = _shares(hist.campaign_minor[i])
        minor = np.round(plan[i][None, :] * shares[:, None] * fx[None, :] * scale).astype(np.int64)
        realized = minor.sum(axis=0) / scale / fx
        c, e = line_conditions(m, line, dates)
        x_all = np.r_[hist.spend[i] / hist.cost[i], realized / c] / line.half
        x = carryover(x_all, kernel(line))[n_hist:]
        campaign_minor.append(minor)
        spend.append(realized)
        cost.append(c)
        effect.append(e)
        incr.append(line.beta * SATURATIONS[line.saturation].value(x, np.asarray(line.k)) * e)
    empty = np.zeros((0, n))
    return MarketPanel(
        market=m, dates=dates, fx=fx, base_gross=base, lines=hist.lines,
        campaign_minor=campaign_minor,
        spend=np.asarray(spend) if spend else empty, cost=np.asarray(cost) if cost else empty,
        effect=np.asarray(effect) if effect else empty, incr_gross=np.asarray(incr) if incr else empty,
    )


def _returning(block: OrdersBlock, hist: OrdersBlock, repeat_prob: float,
               rng: np.random.Generator) -> None:
    """New customers of the period who are in fact customers of the history buying again
    (recent customers likelier), as the history's own repeat process draws them."""
    n_hist = len(hist.day)
    new = np.flatnonzero(block.is_new)
    if not n_hist or not len(new):
        return
    again = new[rng.random(len(new)) < repeat_prob]
    back = np.floor(rng.random(len(again)) ** 2 * n_hist).astype(np.int64)
    who = hist.customer[n_hist - 1 - back]
    # every order of those customers in the period now belongs to the history's customer
    mapping = np.arange(len(block.customer), dtype=np.int64)
    mapping[again] = -1 - who  # negative: a history customer
    block.customer = mapping[block.customer]
    first = np.where(block.customer < 0, hist.first_touch[np.maximum(-1 - block.customer, 0)],
                     block.first_touch)
    block.first_touch = np.asarray(first, dtype=object)


def _offset_orders(block: OrdersBlock, n_hist: int, day0: int, tag: str) -> OrdersBlock:
    """The period's orders with global customer indices, day indices and unique ids."""
    customer = np.where(block.customer < 0, -1 - block.customer, block.customer + n_hist)
    return replace(block, order_id=ids(f"{block.market}-{tag}-", np.arange(1, len(block.day) + 1), 7),
                   customer=customer.astype(np.int64), day=block.day + day0)


def _rename_users(tp: pd.DataFrame, market: str, n_hist: int, tag: str) -> pd.DataFrame:
    """Touchpoints' user ids made unique next to the history's: converters are customers
    (global index), other journeys get the period's tag."""
    if tp.empty:
        return tp
    uid = tp["user_id"].astype(str)
    conv = uid.str.startswith(f"{market}-C")
    out = tp.copy()
    nums = uid[conv].str[len(market) + 2:].astype(np.int64) + n_hist
    out.loc[conv, "user_id"] = [f"{market}-C{v:07d}" for v in nums.tolist()]
    out.loc[~conv, "user_id"] = uid[~conv].str.replace(f"{market}-U", f"{market}-U{tag}-", n=1,
                                                       regex=False)
    return out


def generate_period(world: World, schedule: pd.DataFrame, index: int, origin_days: int) -> PeriodBlock:
    """Generate one period after ``world``'s history from a checked schedule."""
    spec = world.spec
    dates = np.arange(np.datetime64(pd.Timestamp(schedule["date"].min()).date()),
                      np.datetime64(pd.Timestamp(schedule["date"].max()).date()) + 1)
    n = len(dates)
    day_of = {d: j for j, d in enumerate(pd.DatetimeIndex(dates))}
    known = set(world.lines)
    keys = list(zip(schedule["market"].astype(str), schedule["channel"].astype(str), strict=True))
    mask = np.asarray([k in known for k in keys], dtype=bool)
    unknown = float(schedule.loc[~mask, "spend"].sum())
    agg = schedule[mask].groupby(["market", "channel", "date"])["spend"].sum()
    seed = period_seed(spec.seed, index)
    tag = f"P{index:02d}"
    panels, orders, journeys, rows, funnels, creative = {}, {}, {}, [], [], []
    world._journeys  # noqa: B018 - the history's first touches are set by its journeys
    hist_orders = world._orders
    total_orders = sum(len(b.day) for b in hist_orders.values()) or 1
    for m in spec.markets:
        hist = world.panels[m.code]
        plan = np.zeros((len(hist.lines), n))
        for i, ln in enumerate(hist.lines):
            if (m.code, ln.channel) in agg.index.droplevel(2):
                part = agg.loc[(m.code, ln.channel)]
                plan[i, [day_of[pd.Timestamp(d)] for d in part.index]] = part.to_numpy()
        rng = np.random.default_rng([seed, 3, zlib.crc32(m.code.encode())])
        p = continue_brand(spec, hist, forward_panel(world, hist, plan, dates, origin_days, rng))
        panels[m.code] = p
        block = sample_orders(seed, p)
        _returning(block, hist_orders[m.code], m.repeat_prob,
                   np.random.default_rng([seed, 14, zlib.crc32(m.code.encode())]))
        users = int(round(spec.users * n / origin_days * len(hist_orders[m.code].day) / total_orders))
        # journeys follow the period's own new customers (returning ones buy without a new journey)
        jb = sample_journeys(seed, p, _as_local(block), max(users, 0))
        cust, ch = jb.first_channel
        root = np.full(len(block.customer), None, dtype=object)
        root[cust] = ch
        own = block.customer >= 0
        mine = np.full(len(block.customer), None, dtype=object)
        mine[own] = root[block.customer[own]]
        tracked = mine != None  # noqa: E711 - elementwise on an object array
        block.first_touch[tracked] = mine[tracked]
        n_hist_orders = len(hist_orders[m.code].day)
        orders[m.code] = _offset_orders(block, n_hist_orders, len(hist.dates), tag)
        journeys[m.code] = JourneyBlock(
            touchpoints=_rename_users(jb.touchpoints, m.code, n_hist_orders, tag),
            credit=jb.credit, first_channel=(cust + n_hist_orders, ch))
        rows.append(ad_rows(seed, p, getattr(spec, "claims", "informative")))
        # the funnel starts at the market's entry day (a global index; the period is all live
        # unless the market enters inside it)
        fun = funnel_frame(seed, replace(p, market=replace(m, entry_day=0)), block, spec.weak_step)
        entry = np.datetime64(spec.start) + m.entry_day
        funnels.append(fun[pd.to_datetime(fun["date"]) >= pd.Timestamp(entry)])
        creative.append(creative_tests(seed, p))
    # a period with no spend still has the rows' columns (zero rows)
    ads = pd.concat([r for r in rows if len(r.columns)], ignore_index=True)
    funnel = pd.concat(funnels, ignore_index=True)
    funnel = funnel[funnel["count"].notna()]
    return PeriodBlock(index=index, schedule=schedule, panels=panels, orders=orders,
                       journeys=journeys, ad_rows=ads, funnel=funnel,
                       creative=pd.concat(creative, ignore_index=True), unknown_spend=unknown)


def _as_local(block: OrdersBlock) -> OrdersBlock:
    """The block as the journeys sampler sees it: a returning history customer's orders are
    not new (they point at another index); every other customer index is local."""
    cust = block.customer.copy()
    ret = cust < 0
    pos = np.arange(len(cust))
    cust[ret] = np.where(pos[ret] > 0, pos[ret] - 1, min(1, len(cust) - 1))
    return replace(block, customer=cust)


def _concat_panel(a: MarketPanel, b: MarketPanel) -> MarketPanel:
    def cat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.concatenate([x, y], axis=-1)

    return MarketPanel(
        market=a.market, dates=cat(a.dates, b.dates), fx=cat(a.fx, b.fx),
        base_gross=cat(a.base_gross, b.base_gross), lines=a.lines,
        campaign_minor=[cat(x, y) for x, y in zip(a.campaign_minor, b.campaign_minor, strict=True)],
        spend=cat(a.spend, b.spend), cost=cat(a.cost, b.cost), effect=cat(a.effect, b.effect),
        incr_gross=cat(a.incr_gross, b.incr_gross),
    )


def _concat_orders(a: OrdersBlock, b: OrdersBlock) -> OrdersBlock:
    return OrdersBlock(**{f: np.concatenate([getattr(a, f), getattr(b, f)])
                          for f in ("order_id", "customer", "ts", "local_seconds", "day", "cause",
                                    "revenue_minor", "refunded", "value_base", "first_touch")},
                       market=a.market)


class ContinuedWorld(World):
    """A world whose history is its parent's plus one generated period (see the module)."""

    def __init__(self, parent: World, block: PeriodBlock) -> None:
        n = len(next(iter(block.panels.values())).dates)
        end = str(pd.Timestamp(parent.spec.end) + pd.Timedelta(days=n))[:10]
        super().__init__(replace(parent.spec, end=end, days=parent.spec.days + n))
        self.parent = parent
        self.block = block

    @property
    def origin_days(self) -> int:
        """Days of the original (human-made) history."""
        return getattr(self.parent, "origin_days", self.parent.spec.days)

    @property
    def schedules(self) -> list[pd.DataFrame]:
        """Every continued period's schedule, oldest first."""
        return [*getattr(self.parent, "schedules", []), self.block.schedule]

    @property
    def period_start(self) -> str:
        """First day of the newest period, ISO."""
        return str(pd.Timestamp(self.parent.spec.end) + pd.Timedelta(days=1))[:10]

    @property
    def unknown_spend(self) -> float:
        """Money the newest schedule put on lines this world does not have."""
        return self.block.unknown_spend

    @cached_property
    def panels(self) -> dict[str, MarketPanel]:  # type: ignore[override]
        return {c: _concat_panel(p, self.block.panels[c]) for c, p in self.parent.panels.items()}

    @cached_property
    def _orders(self) -> dict[str, OrdersBlock]:  # type: ignore[override]
        hist = self.parent._orders
        self.parent._journeys  # noqa: B018 - the history's first touches are set by its journeys
        return {c: _concat_orders(b, self.block.orders[c]) for c, b in hist.items()}

    @cached_property
    def _journeys(self) -> dict[str, JourneyBlock]:  # type: ignore[override]
        hist = self.parent._journeys
        out = {}
        for c, j in hist.items():
            nb = self.block.journeys[c]
            credit = pd.concat([j.credit, nb.credit]).groupby(["market", "channel"], as_index=False,
                                                              sort=False)[
                ["conversions", "revenue", "touches"]].sum()
            credit["effect_per_touch"] = credit["conversions"] / credit["touches"].where(
                credit["touches"] > 0)
            out[c] = JourneyBlock(
                touchpoints=pd.concat([j.touchpoints, nb.touchpoints], ignore_index=True),
                credit=credit,
                first_channel=(np.r_[j.first_channel[0], nb.first_channel[0]],
                               np.r_[j.first_channel[1], nb.first_channel[1]]))
        return out

    @cached_property
    def _ad_rows(self) -> pd.DataFrame:  # type: ignore[override]
        return pd.concat([self.parent._ad_rows, self.block.ad_rows], ignore_index=True)

    def funnel_daily(self) -> pd.DataFrame:
        return pd.concat([self.parent.funnel_daily(), self.block.funnel], ignore_index=True)

    def frames(self, since: str | None = None) -> dict[str, pd.DataFrame]:
        """As ``World.frames``; ``since`` = the newest period's first day is fast (only that
        period's rows are built)."""
        if since is None or pd.Timestamp(since) < pd.Timestamp(self.period_start):
            return super().frames(since)
        view = World(self.spec)
        view.__dict__.update(panels=self.panels, _orders=self.block.orders,
                             _journeys=self.block.journeys, _ad_rows=self.block.ad_rows)
        view.funnel_daily = lambda: self.block.funnel  # type: ignore[method-assign]
        view.lift_tests = lambda: pd.DataFrame()  # type: ignore[method-assign]
        return view.frames(since)

    def creative_tests(self) -> pd.DataFrame:
        parts = [p for p in (self.parent.creative_tests(), self.block.creative) if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else self.block.creative

    def lift_tests(self) -> pd.DataFrame:
        # the history's geo tests; a continued period's designed tests are read from the data
        return self.parent.lift_tests()


def _slice_panel(p: MarketPanel, n: int) -> MarketPanel:
    return MarketPanel(
        market=p.market, dates=p.dates[:n], fx=p.fx[:n], base_gross=p.base_gross[:n], lines=p.lines,
        campaign_minor=[c[:, :n] for c in p.campaign_minor], spend=p.spend[:, :n],
        cost=p.cost[:, :n], effect=p.effect[:, :n], incr_gross=p.incr_gross[:, :n])


class TruncatedWorld(World):
    """A world as it stood after its first ``days`` days: the same rows up to that day, so
    continuing it with the spend the world really had must reproduce the truth that followed
    (a check of the forward simulator, and a backtest start)."""

    def __init__(self, parent: World, days: int) -> None:
        if not 0 < days < parent.spec.days:
            raise ValueError(f"days must be between 1 and {parent.spec.days - 1}")
        end = str(pd.Timestamp(parent.spec.start) + pd.Timedelta(days=days - 1))[:10]
        super().__init__(replace(parent.spec, end=end, days=days))
        self.parent = parent

    @property
    def origin_days(self) -> int:
        return getattr(self.parent, "origin_days", self.parent.spec.days)

    @cached_property
    def panels(self) -> dict[str, MarketPanel]:  # type: ignore[override]
        return {c: _slice_panel(p, self.spec.days) for c, p in self.parent.panels.items()}

    @cached_property
    def _orders(self) -> dict[str, OrdersBlock]:  # type: ignore[override]
        self.parent._journeys  # noqa: B018 - first touches come from the journeys
        out = {}
        for c, b in self.parent._orders.items():
            keep = np.flatnonzero(b.day < self.spec.days)
            keep = keep[b.customer[keep] <= keep]  # roots always come first
            out[c] = OrdersBlock(market=b.market, **{
                f: getattr(b, f)[keep] for f in ("order_id", "customer", "ts", "local_seconds", "day",
                                                 "cause", "revenue_minor", "refunded", "value_base",
                                                 "first_touch")})
        return out

    @cached_property
    def _journeys(self) -> dict[str, JourneyBlock]:  # type: ignore[override]
        cut = np.datetime64(self.spec.end) + 1
        out = {}
        for c, j in self.parent._journeys.items():
            ts = pd.to_datetime(j.touchpoints["ts"].str.rstrip("Z")).to_numpy()
            n = len(self._orders[c].day)
            keep = j.first_channel[0] < n
            out[c] = JourneyBlock(touchpoints=j.touchpoints[ts < cut].reset_index(drop=True),
                                  credit=j.credit,
                                  first_channel=(j.first_channel[0][keep], j.first_channel[1][keep]))
        return out

    @cached_property
    def _ad_rows(self) -> pd.DataFrame:  # type: ignore[override]
        rows = self.parent._ad_rows
        return rows[pd.to_datetime(rows["date"]) <= pd.Timestamp(self.spec.end)].reset_index(drop=True)

    def funnel_daily(self) -> pd.DataFrame:
        f = self.parent.funnel_daily()
        return f[pd.to_datetime(f["date"]) <= pd.Timestamp(self.spec.end)].reset_index(drop=True)

    def lift_tests(self) -> pd.DataFrame:
        lt = self.parent.lift_tests()
        return lt[pd.to_datetime(lt["end_date"]) <= pd.Timestamp(self.spec.end)].reset_index(drop=True) \
            if len(lt) else lt


def truncate(world: World, days: int) -> TruncatedWorld:
    """``world`` as it stood after its first ``days`` days (see ``TruncatedWorld``)."""
    return TruncatedWorld(world, days)


def own_spend_schedule(world: World, start: int, days: int) -> pd.DataFrame:
    """The spend ``world`` really had on days ``start`` .. ``start + days - 1`` as a schedule."""
    rows = []
    for c, p in world.panels.items():
        for i, ln in enumerate(p.lines):
            rows.append(pd.DataFrame({"date": pd.to_datetime(p.dates[start:start + days]),
                                      "market": c, "channel": ln.channel,
                                      "spend": p.spend[i, start:start + days]}))
    return pd.concat(rows, ignore_index=True)


def continue_folder(folder: str | Path, plan: str | Path, days: int | None = None,
                    progress: Callable[[str], None] | None = None) -> tuple[World, Manifest, Path]:
    """Continue the world a folder holds (``adbudget simulate --out``) by one period.

    ``plan``: a per-day schedule (CSV/JSON) or a plan export (``adbudget plan --out``; its
    daily budgets, reserve left out, over the calendar month after the history, or ``days``).
    Writes the period's exports, schedule and truth to ``folder/periods/PNN/`` (import that
    folder) and refreshes ``folder/truth.json`` so the world can be rebuilt. Returns the
    continued world, the period's manifest and its folder.
    """
    from adbudget.experiments.schedule_io import read_schedule, write_schedule
    from adbudget.simulate.writer import truth_dict, write_world

    root = Path(folder)
    if not (root / "truth.json").exists():
        raise ScheduleError(t("loop.error.no_truth"), file=str(root))
    world = World.from_truth(root / "truth.json")
    first = pd.Timestamp(world.spec.end) + pd.Timedelta(days=1)
    n = int(days or first.days_in_month)
    schedule = read_schedule(plan, str(first.date()), n)
    new = continue_world(world, schedule)
    out = root / "periods" / f"P{len(new.schedules):02d}"
    write_schedule(new.block.schedule, out / "schedule.csv")
    manifest = write_world(new, out, progress=progress, since=new.period_start)
    (root / "truth.json").write_text(
        json.dumps(truth_dict(new), indent=2, ensure_ascii=False, default=_json_default) + "\n",
        encoding="utf-8")
    return new, manifest, out


def continue_world(world: World, schedule: pd.DataFrame) -> ContinuedWorld:
    """The world continued by one period of ``schedule`` (see the module docstring)."""
    checked = check_schedule(world, schedule)
    index = len(getattr(world, "schedules", [])) + 1
    origin = getattr(world, "origin_days", world.spec.days)
    return ContinuedWorld(world, generate_period(world, checked, index, origin))


def designed_tests(schedule: pd.DataFrame) -> pd.DataFrame:
    """The designed tests a schedule carries: per ``test_id`` its line, window and the
    average daily spend of its ``hi`` and ``lo`` days."""
    if "test_id" not in schedule.columns:
        return pd.DataFrame(columns=["test_id", "market", "channel", "start_date", "end_date",
                                     "hi_spend", "lo_spend", "hi_days", "lo_days"])
    df = schedule[schedule["test_id"].notna() & (schedule["test_id"].astype(str) != "")].copy()
    df["date"] = pd.to_datetime(df["date"])
    rows = []
    for tid, g in df.groupby("test_id", sort=True):
        hi, lo = g[g["arm"] == "hi"], g[g["arm"] == "lo"]
        rows.append({"test_id": str(tid), "market": str(g["market"].iloc[0]),
                     "channel": str(g["channel"].iloc[0]),
                     "start_date": g["date"].min(), "end_date": g["date"].max(),
                     "hi_spend": float(hi["spend"].mean()) if len(hi) else 0.0,
                     "lo_spend": float(lo["spend"].mean()) if len(lo) else 0.0,
                     "hi_days": len(hi), "lo_days": len(lo)})
    return pd.DataFrame(rows)


def designed_test_truth(world: World, schedule: pd.DataFrame) -> pd.DataFrame:
    """Truth of each designed test: the true steady-state difference in net incremental
    revenue per day between the ``hi`` and ``lo`` spend levels over the test's window, and the
    true marginal ROAS between them (what a switchback or geo scale test estimates)."""
    tests = designed_tests(schedule)
    if tests.empty:
        return tests.assign(true_daily_difference=[], true_slope=[])
    diff, slope = [], []
    for r in tests.itertuples():
        window = (str(r.start_date)[:10], str(r.end_date)[:10])
        hi = world.true_response(r.market, r.channel, r.hi_spend, window)
        lo = world.true_response(r.market, r.channel, r.lo_spend, window)
        diff.append(float(hi - lo))
        slope.append(float((hi - lo) / (r.hi_spend - r.lo_spend)) if r.hi_spend != r.lo_spend
                     else float("nan"))
    return tests.assign(true_daily_difference=diff, true_slope=slope)


__all__ = ["ContinuedWorld", "PeriodBlock", "ScheduleError", "TruncatedWorld", "check_schedule",
           "continue_folder", "continue_world", "designed_tests", "forward_panel", "generate_period",
           "own_spend_schedule", "period_seed", "designed_test_truth", "truncate"]
