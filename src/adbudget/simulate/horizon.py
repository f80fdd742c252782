"""True profit of a daily spend held over a horizon of months, brand stock included.

A 30-day score sees only the short-term response, so brand money looks like a loss. Here a
daily spend per line is held for ``months`` months from the day after the history; each
month is valued with its own true curves (season, holidays, cost) and the brand stock of
every market evolves from its last value under the plan's brand spend
(``simulate.brand``): it raises organic demand and ad effectiveness as it grows, and lowers
them as it decays. Future months are discounted at ``annual_discount``.

``brand`` (the long-term part) is measured against keeping today's stock, so a plan that
holds the stock where it is gets 0, one that lets it decay a loss. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from adbudget.simulate.brand import line_weights, market_brand, steady_path
from adbudget.simulate.calendar import weekly_factor
from adbudget.simulate.panel import anticipated_demand

DEFAULT_MONTHS = 12
DEFAULT_DISCOUNT = 0.10  # a year


@dataclass(frozen=True)
class HorizonValue:
    """Discounted true profit (base currency) of a daily spend held over the horizon."""

    months: int
    annual_discount: float
    profit: float  # short_term + brand
    short_term: float  # contribution of the short-term response at today's stock, minus spend
    brand: float  # what the brand stock's change adds (or takes) vs keeping today's stock
    monthly: tuple[float, ...]  # discounted profit per month

    def as_dict(self) -> dict[str, float | int | list[float]]:
        return {"months": self.months, "annual_discount": self.annual_discount,
                "profit": self.profit, "short_term": self.short_term, "brand": self.brand,
                "monthly": list(self.monthly)}


def horizon_months(world, months: int) -> list[str]:
    """The ``months`` months after the history, 'YYYY-MM'."""
    first = (pd.Timestamp(world.spec.end) + pd.Timedelta(days=1)).to_period("M")
    return [str(first + j) for j in range(months)]


def line_brand_share(world) -> np.ndarray:
    """Share of each line's spend (``world.lines`` order) that builds the brand, in the
    campaign shares of its last day with spend (what a continued period keeps)."""
    out = []
    for ln in world.spec.lines:
        p = world.panels[ln.market]
        i = p.lines.index(ln)
        minor = p.campaign_minor[i]
        w = line_weights(ln.channel, ln.campaigns)
        totals = minor.sum(axis=0)
        spent = np.flatnonzero(totals > 0)
        shares = (minor[:, spent[-1]] / totals[spent[-1]] if len(spent)
                  else np.full(len(w), 1.0 / max(len(w), 1)))
        out.append(float((w * shares).sum()))
    return np.asarray(out)


def _organic_level(world, code: str, dates: np.ndarray) -> np.ndarray:
    """Expected organic gross revenue per day without the brand multiplier (no noise)."""
    m = world.spec.market(code)
    origin = int(getattr(world, "origin_days", world.spec.days))  # the trend's anchor
    hist = world.panels[code]
    t = (dates - hist.dates[0]).astype(int)
    trend = np.exp(m.growth * (t - (origin - 1)) / 365.0)
    ramp = (np.ones(len(t)) if m.entry_day == 0
            else np.where(t >= m.entry_day, 1 - np.exp(-(t - m.entry_day + 1) / 30.0), 0.0))
    return m.level * trend * weekly_factor(dates, m.region) * anticipated_demand(m, dates) * ramp


def _month_dates(month: str) -> np.ndarray:
    p = pd.Period(month, freq="M")
    return np.arange(np.datetime64(p.start_time.date()), np.datetime64(p.end_time.date()) + 1)


class _Horizon:
    """What every valuation of one world over one horizon shares (curves, levels, stocks)."""

    def __init__(self, world, months: int, annual_discount: float) -> None:
        self.world, self.months, self.r = world, months, annual_discount
        self.month_ids = horizon_months(world, months)
        self.dates = [_month_dates(mm) for mm in self.month_ids]
        self.disc = np.asarray([(1 + annual_discount) ** (-j / 12) for j in range(months)])
        self.curves = [world.true_curves(mm) for mm in self.month_ids]
        self.w = world.profit_weights()
        self.share = line_brand_share(world)
        self.codes = [m.code for m in world.spec.markets]
        self.line_market = np.asarray([self.codes.index(ln.market) for ln in world.spec.lines])
        all_dates = np.concatenate(self.dates)
        self.n_days = len(all_dates)
        self.brand = {c: market_brand(world.spec, c) for c in self.codes}
        self.level = {c: _organic_level(world, c, all_dates) for c in self.codes}
        self.s_end = {c: float(world.brand_stock(c)[-1]) if self.brand[c] is not None else 0.0
                      for c in self.codes}
        self.day_disc = np.concatenate([np.full(len(d), f) for d, f in zip(self.dates, self.disc, strict=True)])
        self.month_of = np.concatenate([np.full(len(d), j) for j, d in enumerate(self.dates)])

    def value(self, spend: np.ndarray) -> HorizonValue:
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        monthly = np.zeros(self.months)
        short = 0.0
        # per market: the stock path under this plan's brand spend and its multipliers
        perf_ratio = np.ones((len(self.codes), self.months))
        base_gain = np.zeros(self.months)
        for k, c in enumerate(self.codes):
            mb = self.brand[c]
            if mb is None or not mb.active:
                continue
            b = float((s * self.share)[self.line_market == k].sum())
            path = steady_path(self.s_end[c], b, mb.half_life, self.n_days)
            m = self.world.spec.market(c)
            net = 1 - m.return_rate_pct / 100
            gain = self.level[c] * (mb.m_base(path) - mb.m_base(self.s_end[c])) * net * m.profit_margin()
            base_gain += np.bincount(self.month_of, weights=gain, minlength=self.months)
            ratio = mb.m_perf(path) / mb.m_perf(self.s_end[c])
            perf_ratio[k] = np.bincount(self.month_of, weights=ratio, minlength=self.months) / \
                np.bincount(self.month_of, minlength=self.months)
        brand = 0.0
        for j, curves in enumerate(self.curves):
            days = len(self.dates[j])
            rev = curves.response(s)[0]
            st = float((self.w * rev).sum() - s.sum()) * days
            extra = float((self.w * rev * (perf_ratio[self.line_market, j] - 1)).sum()) * days
            short += self.disc[j] * st
            brand += self.disc[j] * (extra + base_gain[j])
            monthly[j] = self.disc[j] * (st + extra + base_gain[j])
        return HorizonValue(self.months, self.r, short + brand, short, brand,
                            tuple(float(x) for x in monthly))

    def brand_revenue(self, spend: np.ndarray) -> np.ndarray:
        """Per market: discounted net revenue the brand stock's change adds over the horizon
        (organic demand and ad effectiveness) vs keeping today's stock."""
        s = np.maximum(np.asarray(spend, dtype=float), 0.0)
        rev = np.stack([c.response(s)[0] * len(d) for c, d in zip(self.curves, self.dates, strict=True)])
        out = np.zeros(len(self.codes))
        for k, c in enumerate(self.codes):
            mb = self.brand[c]
            if mb is None or not mb.active:
                continue
            b = float((s * self.share)[self.line_market == k].sum())
            path = steady_path(self.s_end[c], b, mb.half_life, self.n_days)
            net = 1 - self.world.spec.market(c).return_rate_pct / 100
            base = self.level[c] * (mb.m_base(path) - mb.m_base(self.s_end[c])) * net
            ratio = mb.m_perf(path) / mb.m_perf(self.s_end[c]) - 1
            days = np.bincount(self.month_of, minlength=self.months)
            r_month = np.bincount(self.month_of, weights=ratio, minlength=self.months) / days
            ads = (rev[:, self.line_market == k].sum(axis=1) * r_month * self.disc).sum()
            out[k] = float((base * self.day_disc).sum() + ads)
        return out

    def brand_revenue_per_unit(self, spend: np.ndarray, eps: float = 1.0) -> np.ndarray:
        """Per line: discounted long-term profit of one more unit of steady daily spend
        through the brand stock, per discounted day (finite difference of the brand part)."""
        s = np.asarray(spend, dtype=float)
        base = self.value(s).brand
        per_day = float((self.day_disc).sum())
        out = np.zeros(len(s))
        for k in range(len(self.codes)):
            idx = np.flatnonzero((self.line_market == k) & (self.share > 0))
            if not len(idx):
                continue
            bump = s.copy()
            bump[idx[0]] += eps / self.share[idx[0]]
            g = (self.value(bump).brand - base) / eps / per_day
            # short-term part of the bump is not in .brand; g is profit per unit of brand spend
            out[self.line_market == k] = g
        return out * self.share


class BrandLinearCurves:
    """Short-term true curves plus each line's long-term brand revenue per unit of spend
    (linearized at a spend): what an oracle needs to weigh brand money over a horizon."""

    def __init__(self, curves, extra_revenue: np.ndarray) -> None:
        self.curves, self.extra = curves, np.asarray(extra_revenue, dtype=float)
        self.lines, self.current_spend = curves.lines, curves.current_spend

    def response(self, spend: np.ndarray) -> np.ndarray:
        return self.curves.response(spend) + np.asarray(spend, dtype=float) * self.extra

    def marginal(self, spend: np.ndarray) -> np.ndarray:
        return self.curves.marginal(spend) + self.extra + 0.0 * np.asarray(spend, dtype=float)


def horizon_oracle(world, daily_budget: float, months: int = DEFAULT_MONTHS,
                   annual_discount: float = DEFAULT_DISCOUNT, lower: np.ndarray | None = None,
                   upper: np.ndarray | None = None, start: np.ndarray | None = None,
                   horizon: _Horizon | None = None) -> np.ndarray:
    """A near-best daily split over the horizon: the oracle optimizer on the first month's
    true curves plus each line's brand value linearized at ``start`` (default: last period's
    split), relinearized twice; the best of those splits and the short-term oracle by true
    horizon profit."""
    from adbudget.simulate.oracle import optimize

    h = horizon or _Horizon(world, months, annual_discount)
    w = h.w
    curves = h.curves[0]
    short = optimize(curves, daily_budget, w, lower, upper, days=30).spend
    best, best_v = short, h.value(short).profit
    at = short if start is None else np.asarray(start, dtype=float)
    for _ in range(3):
        g = h.brand_revenue_per_unit(at)  # profit per unit of spend per discounted day
        cand = optimize(BrandLinearCurves(curves, g / np.where(w > 0, w, 1.0)), daily_budget, w,
                        lower, upper, days=30).spend
        v = h.value(cand).profit
        if v > best_v:
            best, best_v = cand, v
        at = cand
    return best


def horizon_profit(world, spend, months: int = DEFAULT_MONTHS,
                   annual_discount: float = DEFAULT_DISCOUNT) -> HorizonValue:
    """True discounted profit of a daily spend per line (array in ``world.lines`` order or a
    mapping (market, channel) -> daily spend) held for ``months`` months."""
    if isinstance(spend, dict):
        spend = np.asarray([float(spend.get(k, 0.0)) for k in world.lines])
    if months < 1:
        raise ValueError("months must be at least 1")
    return _Horizon(world, months, annual_discount).value(np.asarray(spend, float))


def brand_truth(world, months: int = 12, annual_discount: float = 0.10) -> pd.DataFrame:
    """Per market, the true long-term brand effect at last period's split: parameters,
    stock, the share of the last 28 days' net revenue the stock builds (vs no stock),
    and ``lt_roas``: discounted net revenue over ``months`` per unit of steady
    brand-building spend (``simulate.horizon``); per line multiply by its brand share."""
    h = _Horizon(world, months, annual_discount)
    now = world.current_spend(28)
    base_rev = h.brand_revenue(now)
    rows = []
    for k, m in enumerate(world.spec.markets):
        mb = market_brand(world.spec, m.code)
        p = world.panels[m.code]
        s = world.brand_stock(m.code)
        lt = 0.0
        if mb is not None and mb.active:
            idx = np.flatnonzero((h.line_market == k) & (h.share > 0))
            if len(idx):
                bump = now.copy()
                bump[idx[0]] += 1.0 / h.share[idx[0]]
                lt = (h.brand_revenue(bump)[k] - base_rev[k]) / float(h.day_disc.sum())
        net = 1 - m.return_rate_pct / 100
        organic = p.base_gross[-28:] * net
        ads = p.incr_gross[:, -28:].sum(axis=0) * net if len(p.lines) else np.zeros(28)
        share = 0.0
        if mb is not None and mb.active:
            zero_b = organic * mb.m_base(0.0) / mb.m_base(s[-28:])
            zero_a = ads * mb.m_perf(0.0) / mb.m_perf(s[-28:])
            share = float(1 - (zero_b + zero_a).sum() / (organic + ads).sum())
        rows.append({
            "market": m.code, "half_life": mb.half_life if mb else 0.0,
            "base_lift": mb.base_lift if mb else 0.0, "perf_lift": mb.perf_lift if mb else 0.0,
            "stock_end": float(s[-1]), "stock_mean": float(s.mean()),
            "brand_daily": float(np.sum(now * h.share * (h.line_market == k))),
            "share": share, "lt_roas": float(lt),
        })
    return pd.DataFrame(rows)


def brand_lines(world, months: int = 12, annual_discount: float = 0.10) -> pd.DataFrame:
    """Per line, its true long-term value through the brand stock at last period's split:
    ``brand_share`` (of its spend that builds the brand), ``lt_roas`` (discounted net
    revenue over ``months`` per unit of steady spend on the line, via the stock; 0 for
    lines that build no brand) and ``lt_revenue`` (what its current spend adds over the
    horizon vs the line's brand spend stopping today)."""
    h = _Horizon(world, months, annual_discount)
    now = world.current_spend(28)
    per_market = brand_truth(world, months, annual_discount).set_index("market")["lt_roas"]
    base = h.brand_revenue(now)
    rows = []
    for i, (m, c) in enumerate(world.lines):
        k = h.codes.index(m)
        lost = 0.0
        if h.share[i] > 0:
            off = now.copy()
            off[i] = 0.0
            lost = float(base[k] - h.brand_revenue(off)[k])
        rows.append({"market": m, "channel": c, "brand_share": float(h.share[i]),
                     "lt_roas": float(per_market[m] * h.share[i]), "lt_revenue": lost})
    return pd.DataFrame(rows)


__all__ = ["DEFAULT_DISCOUNT", "DEFAULT_MONTHS", "BrandLinearCurves", "HorizonValue", "brand_lines",
           "brand_truth", "horizon_months", "horizon_oracle", "horizon_profit", "line_brand_share"]
