"""`World`: a simulated seller with known truth, its data as DataFrames, and the Truth API.

>>> world = World.build(seed=7, size="small")
>>> world.true_response("US", "meta", 500.0)            # net revenue per day at 500/day
>>> world.oracle_allocation(budget=300_000, period="2026-11")
>>> world.write("out/")                                  # platform files + truth.json
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adbudget.simulate.calendar import holiday_factors
from adbudget.simulate.forms import SATURATIONS, carryover
from adbudget.simulate.journeys import JourneyBlock, sample_journeys
from adbudget.simulate.oracle import OracleAllocation, optimize
from adbudget.simulate.orders import OrdersBlock, funnel_frame, orders_frame, sample_orders
from adbudget.simulate.panel import (
    MarketPanel,
    anticipated_demand,
    daily_lines_frame,
    kernel,
    market_panel,
    steady_marginal,
    steady_response,
)
from adbudget.simulate.platforms import ad_rows
from adbudget.simulate.spec import SIZES, LineSpec, MarketSpec, WorldSpec, build_spec

Period = str | tuple[str, str] | None


def period_dates(period: Period, end: str, start: str | None = None) -> np.ndarray | None:
    """Dates of a period: None (neutral conditions), 'YYYY-MM', 'next' (month after the
    history), 'history' (every simulated day; needs ``start``) or (start, end) ISO dates."""
    if period is None:
        return None
    if period == "history":
        if start is None:
            raise ValueError("period 'history' needs the start of the history")
        return np.arange(np.datetime64(start), np.datetime64(end) + 1)
    if isinstance(period, tuple):
        start, stop = (pd.Timestamp(p) for p in period)
    else:
        if period == "next":
            first = (pd.Timestamp(end) + pd.Timedelta(days=1)).to_period("M")
        else:
            try:
                first = pd.Period(period, freq="M")
            except ValueError as exc:
                raise ValueError(f"period {period!r}: use YYYY-MM, 'next' or (start, end)") from exc
        start, stop = first.start_time, first.end_time.normalize()
    if stop < start:
        raise ValueError("period ends before it starts")
    return np.arange(np.datetime64(start.date()), np.datetime64(stop.date()) + 1)


@dataclass(frozen=True)
class TrueCurves:
    """The world's true response curves (one 'draw'), satisfying ``adbudget.curves.ResponseCurves``.

    Net (after refunds) incremental revenue per day at a steady daily spend, averaged over the
    period's days (cost inflation and seasonal ad effectiveness included). Vectorized over
    lines: one numpy pass per saturation form.
    """

    line_specs: tuple[LineSpec, ...]
    cost: np.ndarray  # (n_days, n_lines)
    effect: np.ndarray  # (n_days, n_lines)
    net_factor: np.ndarray  # 1 - return rate per line
    spend_now: np.ndarray

    @property
    def lines(self) -> list[tuple[str, str]]:
        return [ln.key for ln in self.line_specs]

    @property
    def current_spend(self) -> np.ndarray:
        return self.spend_now

    @cached_property
    def _groups(self) -> list[tuple[Any, np.ndarray]]:
        forms: dict[str, list[int]] = {}
        for i, ln in enumerate(self.line_specs):
            forms.setdefault(ln.saturation, []).append(i)
        return [(SATURATIONS[name], np.asarray(idx)) for name, idx in sorted(forms.items())]

    @cached_property
    def _params(self) -> list[tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per saturation form: (form, columns, k, denominator, effect, beta * net / n_days)."""
        half = np.asarray([ln.half for ln in self.line_specs])
        k = np.asarray([ln.k for ln in self.line_specs])
        beta = np.asarray([ln.beta for ln in self.line_specs]) * self.net_factor
        denom = self.cost * half  # (n_days, n_lines)
        n_days = self.cost.shape[0]
        return [(form, idx, k[idx], denom[:, idx], self.effect[:, idx], beta[idx] / n_days)
                for form, idx in self._groups]

    def _eval(self, spend: np.ndarray, slope: bool) -> np.ndarray:
        spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
        out = np.empty(spend.shape)
        for form, idx, k, denom, effect, scale in self._params:
            xs = spend[..., None, idx] / denom
            if slope:
                v = form.slope(xs, k) * (effect / denom)
            else:
                v = form.value(xs, k) * effect
            out[..., idx] = v.sum(axis=-2) * scale
        return out[None, ...]

    def response(self, spend: np.ndarray) -> np.ndarray:
        return self._eval(spend, slope=False)

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        return self._eval(spend, slope=True)


class World:
    """A seeded synthetic cross-border seller; data is generated lazily and cached."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec

    @classmethod
    def build(cls, seed: int = 0, size: str = "small", scale_test_share: float = 0.25,
              brand: str = "modest") -> World:
        """The world of a seed and size (``small``, ``medium``, ``large``); ``scale_test_share``:
        share of the lines without a holdout that get a geo scale test (changes nothing else);
        ``brand``: 'modest' (a slow brand stock per market, ``simulate.brand``), 'strong' or 'none'."""
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; allowed: {', '.join(SIZES)}")
        return cls(build_spec(int(seed), size, scale_test_share, brand=brand))

    @classmethod
    def from_truth(cls, path: str | Path) -> World:
        """Rebuild the world that wrote ``truth.json`` (from its seed and size, then the
        schedules of any periods it was continued by)."""
        import json

        data = json.loads(Path(path).read_text(encoding="utf-8"))
        world = cls.build(int(data["seed"]), str(data["size"]),
                          brand=str(data.get("brand_mode", "modest")))
        for period in data.get("periods", []):  # a continued world: replay its schedules
            schedule = pd.read_csv(Path(path).parent / period["schedule"], parse_dates=["date"])
            world = world.forward(schedule)
        return world

    # -- structure -----------------------------------------------------------------------------
    @property
    def next_month(self) -> str:
        """The month after the history, 'YYYY-MM' (the natural planning period)."""
        return str((pd.Timestamp(self.spec.end) + pd.Timedelta(days=1)).to_period("M"))

    @property
    def markets(self) -> list[MarketSpec]:
        return list(self.spec.markets)

    @property
    def lines(self) -> list[tuple[str, str]]:
        return [ln.key for ln in self.spec.lines]

    def line(self, market: str, channel: str) -> LineSpec:
        for ln in self.spec.lines:
            if ln.key == (market, channel):
                return ln
        raise KeyError(f"no line {market} x {channel} in this world")

    # -- generated data (cached) -----------------------------------------------------------
    @cached_property
    def panels(self) -> dict[str, MarketPanel]:
        return {m.code: market_panel(self.spec, m) for m in self.spec.markets}

    @cached_property
    def _orders(self) -> dict[str, OrdersBlock]:
        return {c: sample_orders(self.spec.seed, p) for c, p in self.panels.items()}

    @cached_property
    def _journeys(self) -> dict[str, JourneyBlock]:
        n_orders = {c: len(b.day) for c, b in self._orders.items()}
        total = sum(n_orders.values()) or 1
        out = {}
        for c, p in self.panels.items():
            users = int(round(self.spec.users * n_orders[c] / total))
            out[c] = sample_journeys(self.spec.seed, p, self._orders[c], users)
            block = self._orders[c]
            cust, ch = out[c].first_channel
            root = np.full(len(block.customer), None, dtype=object)
            root[cust] = ch
            mine = root[block.customer]
            tracked = mine != None  # noqa: E711 - elementwise on an object array
            block.first_touch[tracked] = mine[tracked]
        return out

    @cached_property
    def _ad_rows(self) -> pd.DataFrame:
        return pd.concat([ad_rows(self.spec.seed, p, self.spec.claims) for p in self.panels.values()], ignore_index=True)

    def ad_daily(self) -> pd.DataFrame:
        """Platform rows in the canonical ad_daily shape (local money as written, plus *_base)."""
        cols = ["date", "market", "channel", "account", "campaign", "ad_group", "creative",
                "currency", "spend", "impressions", "clicks", "conversions", "revenue",
                "spend_base", "revenue_base"]
        df = self._ad_rows[cols].copy()
        df["spend"] = df["spend"].astype(float)
        df["revenue"] = df["revenue"].astype(float)
        df["date"] = pd.to_datetime(df["date"])
        return df

    def orders(self, text: bool = False) -> pd.DataFrame:
        """Orders with their true cause ('organic' or the channel); ``text`` keeps money as written."""
        self._journeys  # noqa: B018 - first-touch channels come from the journeys
        df = pd.concat([orders_frame(self._orders[c], p) for c, p in self.panels.items()],
                       ignore_index=True)
        if not text:
            for col in ("revenue", "cogs", "shipping", "refunded"):
                df[col] = df[col].astype(float)
            df["ordered_at"] = pd.to_datetime(df["ordered_at"].str.rstrip("Z"))
            df["order_date"] = pd.to_datetime(df["order_date"])
        return df

    def touchpoints(self) -> pd.DataFrame:
        """User journeys' touches (ts as ISO-8601 UTC text, as written)."""
        return pd.concat([j.touchpoints for j in self._journeys.values()], ignore_index=True)

    def funnel_daily(self) -> pd.DataFrame:
        return pd.concat([funnel_frame(self.spec.seed, p, self._orders[c], self.spec.weak_step)
                          for c, p in self.panels.items()], ignore_index=True)

    def fx_rates(self) -> pd.DataFrame:
        """Daily FX as written: units of each currency per 1 base unit."""
        seen: dict[str, np.ndarray] = {}
        for p in self.panels.values():
            seen.setdefault(p.market.currency, p.fx)
        base = self.spec.base_currency
        dates = next(iter(self.panels.values())).dates
        seen.setdefault(base, np.ones(len(dates)))
        return pd.concat([pd.DataFrame({"date": dates, "currency": c, "per_base": r})
                          for c, r in sorted(seen.items())], ignore_index=True)

    def margins(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "market": m.code, "gross_margin_pct": m.gross_margin_pct,
            "shipping_cost_per_order": m.shipping_cost_per_order,
            "return_rate_pct": m.return_rate_pct, "payment_fee_pct": m.payment_fee_pct,
        } for m in self.spec.markets])

    def creative_tests(self) -> pd.DataFrame:
        """The creative A/B tests in the ad files (tagged ``[T:experiment/arm]``) and each arm's
        true conversion multiplier vs the control."""
        from adbudget.simulate.platforms import creative_tests

        return pd.concat([creative_tests(self.spec.seed, p) for p in self.panels.values()],
                         ignore_index=True)

    def lift_tests(self) -> pd.DataFrame:
        """Geo experiments: measured incremental revenue (net, local) with its SE, and the truth.

        Holdouts (``geo_holdout``, ``baseline_spend`` 0) measure what the line's spend in the
        window earned. Scale tests (``geo_scale``) measure what ``spend`` earned beyond
        ``baseline_spend`` (business as usual): the truth is the line rerun with the window's
        spend multiplied, carryover from before the window unchanged. Both have the noise of a
        test on the same cells: 18 % of the window's contribution + 2 % of its spend.
        """
        rows = []
        for m in self.spec.markets:
            p = self.panels[m.code]
            rng = np.random.default_rng([self.spec.seed, 8, len(m.code), ord(m.code[0]), ord(m.code[1])])
            rng_scale = np.random.default_rng([self.spec.seed, 13, ord(m.code[0]), ord(m.code[1])])
            net = 1 - m.return_rate_pct / 100
            for i, ln in enumerate(p.lines):
                for kind in ("holdout", "scale"):
                    test = ln.lift_test if kind == "holdout" else ln.scale_test
                    if test is None:
                        continue
                    start, length = test[0], test[1]
                    factor = test[2] if kind == "scale" else 1.0
                    sl = slice(start, start + length)
                    minor = int(p.campaign_minor[i][:, sl].sum())
                    contribution = float(p.incr_gross[i, sl].sum() * net)
                    se = 0.18 * contribution + 0.02 * float(p.spend[i, sl].sum()) + 1.0
                    if kind == "holdout":
                        true = contribution
                        measured = true + float(rng.normal(0, se))
                    else:
                        true = float(self._scaled_response(p, i, sl, factor)[sl].sum() * net) - contribution
                        measured = true + float(rng_scale.normal(0, se))
                    fx = float(p.fx[sl].mean())
                    d = m.minor_units
                    rows.append({
                        "test_id": f"{m.code}-{ln.channel}-{str(p.dates[start])}",
                        "market": m.code, "channel": ln.channel,
                        "start_date": p.dates[start], "end_date": p.dates[start + length - 1],
                        "spend": round(minor * factor) / 10**d,
                        "baseline_spend": minor / 10**d if kind == "scale" else 0.0,
                        "incremental_revenue": round(measured * fx, d),
                        "incremental_revenue_se": round(se * fx, d),
                        "currency": m.currency, "method": f"geo_{kind}",
                        "true_incremental_revenue_base": true,
                        "spend_base": float(p.spend[i, sl].sum()) * factor,
                    })
        return pd.DataFrame(rows)

    @staticmethod
    def _scaled_response(p: MarketPanel, i: int, window: slice, factor: float) -> np.ndarray:
        """Gross incremental revenue per day of line ``i`` had its spend in ``window`` been
        ``factor`` times what it was."""
        ln = p.lines[i]
        spend = p.spend[i].copy()
        spend[window] *= factor
        x = carryover(spend / p.cost[i] / ln.half, kernel(ln))
        out = ln.beta * SATURATIONS[ln.saturation].value(x, np.asarray(ln.k)) * p.effect[i]
        # the brand stock's effect on ad effectiveness as the panel has it (the test's own
        # change to the stock is left out: weeks against a half-life of months)
        base = ln.beta * SATURATIONS[ln.saturation].value(
            carryover(p.spend[i] / p.cost[i] / ln.half, kernel(ln)), np.asarray(ln.k)) * p.effect[i]
        return out * np.divide(p.incr_gross[i], base, out=np.ones_like(base), where=base > 0)

    def frames(self, since: str | None = None) -> dict[str, pd.DataFrame]:
        """Every store table's rows as the importers would store them (base amounts rounded to
        4 places), for loading a workspace without files (``ws.load_world``). ``since`` (ISO
        date) keeps only rows from that day on: a continued period's new data."""
        if since is not None:
            return _since(self.frames(), since)
        ads = self.ad_daily()
        ads["spend_base"] = ads["spend_base"].round(4)
        ads["revenue_base"] = ads["revenue_base"].round(4)
        orders = self.orders().drop(columns=["cause"])
        orders["revenue_base"] = orders["revenue_base"].round(4)
        orders["refunded_base"] = orders["refunded_base"].round(4)
        tp = self.touchpoints()
        tp["ts"] = pd.to_datetime(tp["ts"].str.rstrip("Z"))
        funnel = self.funnel_daily()
        funnel["date"] = pd.to_datetime(funnel["date"])
        lift = self.lift_tests()
        if len(lift):
            lift = lift.drop(columns=["true_incremental_revenue_base", "spend_base"])
        fx = self.fx_rates()
        fx["date"] = pd.to_datetime(fx["date"])
        return {"ad_daily": ads, "orders": orders, "touchpoints": tp, "funnel_daily": funnel,
                "lift_tests": lift, "fx_rates": fx}

    # -- truth ---------------------------------------------------------------------------------
    def daily_lines(self) -> pd.DataFrame:
        """Truth per market x channel x day: spend (base, as written) and expected incremental
        revenue (net and gross), plus platform-claimed revenue and the orders each line caused."""
        df = daily_lines_frame(list(self.panels.values()))
        ads = self._ad_rows.groupby(["date", "market", "channel"], as_index=False).agg(
            platform_revenue=("revenue_base", "sum"), platform_conversions=("conversions", "sum"))
        df = df.merge(ads, on=["date", "market", "channel"], how="left")
        df[["platform_revenue", "platform_conversions"]] = df[
            ["platform_revenue", "platform_conversions"]].fillna(0)
        caused = []
        for c, b in self._orders.items():
            p = self.panels[c]
            sel = b.cause >= 0
            if sel.any():
                caused.append(pd.DataFrame({
                    "date": p.dates[b.day[sel]], "market": c,
                    "channel": np.asarray([ln.channel for ln in p.lines])[b.cause[sel]],
                    "caused_orders": 1,
                }))
        if caused:
            cz = pd.concat(caused).groupby(["date", "market", "channel"], as_index=False).sum()
            df = df.merge(cz, on=["date", "market", "channel"], how="left")
        df["caused_orders"] = df.get("caused_orders", pd.Series(0, index=df.index)).fillna(0).astype(int)
        df["date"] = pd.to_datetime(df["date"])
        return df

    def daily_markets(self) -> pd.DataFrame:
        """Truth per market x day: expected organic and ad-driven revenue, realized orders."""
        frames = []
        for c, p in self.panels.items():
            b = self._orders[c]
            n = len(p.dates)
            net = 1 - p.market.return_rate_pct / 100
            scale = 10**p.market.minor_units
            refunded = np.where(b.refunded, b.revenue_minor, 0) / scale / p.fx[b.day]
            frames.append(pd.DataFrame({
                "date": pd.to_datetime(p.dates), "market": c,
                "organic_revenue": p.base_gross * net,
                "incremental_revenue": p.incr_gross.sum(axis=0) * net if len(p.lines) else 0.0,
                "spend": p.spend.sum(axis=0) if len(p.lines) else 0.0,
                "orders": np.bincount(b.day, minlength=n),
                "revenue": np.bincount(b.day, weights=b.value_base, minlength=n),
                "net_revenue": np.bincount(b.day, weights=b.value_base - refunded, minlength=n),
            }))
        return pd.concat(frames, ignore_index=True)

    def true_channel_credit(self, market: str | None = None) -> pd.DataFrame:
        """True credit of the tracked journeys' conversions: how many each channel caused.

        Columns: market, channel, conversions, revenue (base), touches, effect_per_touch
        (caused conversions per touch), share (of all ad-caused tracked conversions).
        Pass ``market`` for one market; without it channels are summed over markets.
        """
        df = pd.concat([j.credit for j in self._journeys.values()], ignore_index=True)
        if market is not None:
            df = df[df["market"] == market].copy()
        else:
            df = df.groupby("channel", as_index=False)[["conversions", "revenue", "touches"]].sum()
            df.insert(0, "market", "ALL")
            df["effect_per_touch"] = df["conversions"] / df["touches"].where(df["touches"] > 0)
        total = df["conversions"].sum()
        df["share"] = df["conversions"] / total if total else 0.0
        return df.reset_index(drop=True)

    def _conditions(self, line: LineSpec, period: Period) -> tuple[np.ndarray, np.ndarray]:
        dates = period_dates(period, self.spec.end, self.spec.start)
        if dates is None:
            return np.ones(1), np.ones(1)
        key = (line.market, str(dates[0]), len(dates))
        cache = self.__dict__.setdefault("_market_conditions", {})
        if key not in cache:
            market = self.spec.market(line.market)
            _, cost = holiday_factors(dates, market.code, market.region)
            cache[key] = (cost, anticipated_demand(market, dates))
        cost, demand = cache[key]
        return cost, demand**line.rho * self.brand_perf_now(line.market)

    def brand_stock(self, market: str) -> np.ndarray:
        """The true brand stock of a market on every day of the history (base currency/day)."""
        from adbudget.simulate.brand import panel_stock

        cache = self.__dict__.setdefault("_brand_stock", {})
        if market not in cache:
            cache[market] = panel_stock(self.spec, self.panels[market])
        return cache[market]

    def brand_truth(self, months: int = 12, annual_discount: float = 0.10) -> pd.DataFrame:
        """Per market, the true long-term brand effect (``simulate.horizon.brand_truth``)."""
        from adbudget.simulate.horizon import brand_truth

        return brand_truth(self, months, annual_discount)

    def brand_lines(self, months: int = 12, annual_discount: float = 0.10) -> pd.DataFrame:
        """Per line, its true long-term value through the brand stock
        (``simulate.horizon.brand_lines``)."""
        from adbudget.simulate.horizon import brand_lines

        return brand_lines(self, months, annual_discount)

    def brand_perf_now(self, market: str) -> float:
        """Ad-effectiveness multiplier of the market's brand stock on the last day (1 without
        a brand effect): the true curves of the next period start from it."""
        from adbudget.simulate.brand import market_brand

        mb = market_brand(self.spec, market)
        if mb is None or not mb.active:
            return 1.0
        return float(mb.m_perf(self.brand_stock(market)[-1]))

    def _net(self, line: LineSpec) -> float:
        return 1 - self.spec.market(line.market).return_rate_pct / 100

    def true_response(self, market: str, channel: str, spend: Any, period: Period = None,
                      gross: bool = False) -> np.ndarray | float:
        """Expected incremental revenue per day (base currency, net of refunds unless ``gross``)
        at a steady daily ``spend``, averaged over ``period`` (None: neutral cost/season)."""
        ln = self.line(market, channel)
        c, e = self._conditions(ln, period)
        out = steady_response(ln, np.asarray(spend, float), c, e) * (1.0 if gross else self._net(ln))
        return float(out) if np.ndim(out) == 0 else out

    def true_marginal(self, market: str, channel: str, spend: Any, period: Period = None,
                      gross: bool = False) -> np.ndarray | float:
        """d true_response / d spend: the true marginal ROAS at ``spend``."""
        ln = self.line(market, channel)
        c, e = self._conditions(ln, period)
        out = steady_marginal(ln, np.asarray(spend, float), c, e) * (1.0 if gross else self._net(ln))
        return float(out) if np.ndim(out) == 0 else out

    def true_roas(self, market: str, channel: str, spend: Any, period: Period = None,
                  gross: bool = False) -> np.ndarray | float:
        """True incremental ROAS (response / spend) at a steady daily spend."""
        s = np.asarray(spend, float)
        return self.true_response(market, channel, s, period, gross) / np.where(s > 0, s, np.nan)

    def true_marginal_roas(self, market: str, channel: str, spend: Any, period: Period = None,
                           gross: bool = False) -> np.ndarray | float:
        return self.true_marginal(market, channel, spend, period, gross)

    def current_spend(self, days: int = 28) -> np.ndarray:
        """Average daily spend per line over the last ``days`` of history (base currency)."""
        return np.asarray([self.panels[ln.market].spend[
            self.spec.lines_of(ln.market).index(ln), -days:].mean() for ln in self.spec.lines])

    def true_curves(self, period: Period = None) -> TrueCurves:
        """All lines' true curves as a ``ResponseCurves`` (for planners and tests)."""
        conditions = [self._conditions(ln, period) for ln in self.spec.lines]
        return TrueCurves(
            line_specs=tuple(self.spec.lines),
            cost=np.stack([c for c, _ in conditions], axis=1),
            effect=np.stack([e for _, e in conditions], axis=1),
            net_factor=np.asarray([self._net(ln) for ln in self.spec.lines]),
            spend_now=self.current_spend(),
        )

    def profit_weights(self) -> np.ndarray:
        """Contribution profit per unit of net revenue, per line (its market's margins)."""
        return np.asarray([self.spec.market(ln.market).profit_margin() for ln in self.spec.lines])

    def oracle_allocation(self, budget: float, period: Period = "next", objective: str = "profit",
                          max_change: float | None = None, spend_all: bool = True) -> OracleAllocation:
        """The allocation of ``budget`` (total over the period, base currency) that maximizes
        true expected profit (or revenue). ``max_change`` bounds each line to current spend
        x (1 +- max_change), like a cautious planner; ``spend_all`` spends the whole budget."""
        if objective not in ("profit", "revenue"):
            raise ValueError("objective must be 'profit' or 'revenue'")
        dates = period_dates(period, self.spec.end, self.spec.start)
        days = 30 if dates is None else len(dates)
        curves = self.true_curves(period)
        lower = upper = None
        if max_change is not None:
            now = curves.current_spend
            lower, upper = now * (1 - max_change), now * (1 + max_change)
        return optimize(curves, budget / days, self.profit_weights(), lower, upper, objective,
                        spend_all, days)

    def true_profit(self, spend: Any, period: Period = "next", objective: str = "profit") -> float:
        """True expected profit (or revenue) over the period of a daily spend per line:
        an array in ``world.lines`` order or a mapping (market, channel) -> daily spend."""
        if isinstance(spend, dict):
            spend = np.asarray([float(spend.get(k, 0.0)) for k in self.lines])
        s = np.asarray(spend, float)
        dates = period_dates(period, self.spec.end, self.spec.start)
        days = 30 if dates is None else len(dates)
        rev = self.true_curves(period).response(s)[0]
        if objective == "revenue":
            return float(rev.sum() * days)
        return float(((self.profit_weights() * rev).sum() - s.sum()) * days)

    def forward(self, schedule: pd.DataFrame) -> World:
        """This world continued by one period: ``schedule`` (date, market, channel, spend in
        base currency per day; optional test_id/arm) decides the spend, everything else is
        generated as history is, carryover continuing (see ``simulate.forward``)."""
        from adbudget.simulate.forward import continue_world

        return continue_world(self, schedule)

    def truth(self) -> dict[str, Any]:
        """Everything a test needs to score an analysis (what truth.json holds)."""
        from adbudget.simulate.writer import truth_dict

        return truth_dict(self)

    def write(self, out: str | Path, progress: Any = None) -> Any:
        """Write every file a seller would have, plus truth.json (see ``writer.write_world``)."""
        from adbudget.simulate.writer import write_world

        return write_world(self, Path(out), progress=progress)


def _since(frames: dict[str, pd.DataFrame], since: str) -> dict[str, pd.DataFrame]:
    """Rows of each table dated ``since`` or later (orders by order date, touches by time)."""
    day = pd.Timestamp(since)
    col = {"ad_daily": "date", "orders": "order_date", "touchpoints": "ts", "funnel_daily": "date",
           "lift_tests": "start_date", "fx_rates": "date"}
    return {name: df[pd.to_datetime(df[col[name]]) >= day].reset_index(drop=True)
            if len(df) and col.get(name) in df.columns else df for name, df in frames.items()}


__all__ = ["Period", "TrueCurves", "World", "period_dates"]
