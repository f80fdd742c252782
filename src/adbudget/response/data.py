"""Turn shop revenue and ad spend tables into the arrays the model samples on.

A *line* is a market × channel with spend in the training period. Revenue is scaled per
market by its training mean and spend per line by its average non-zero period, so priors are
unit-free; the ROAS priors (business terms) are carried as log medians per line.

The model's time step (a *period*) is a day or a week (``[response] granularity``; ``auto``
picks weekly when the revenue or the spend table is dated on a 7-day grid). Weekly fits sum
revenue and spend per week (dropping a market's incomplete first/last week), average
holidays and controls over the week and leave out the day-of-week seasonality. Settings
stay in days (half-lives, ``max_lag``, ``holdout_days``) and are converted to periods here;
current / highest spend are reported per day whatever the period, so the fitted curves stay
"daily spend -> daily revenue" for the planner.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from adbudget.config.response import ResponseSettings
from adbudget.errors import InputError
from adbudget.response.claims import claims_arrays, organic_campaign_share, window_periods
from adbudget.response.holidays import holiday_features
from adbudget.response.transforms import lag_tensor

MIN_TRAIN_DAYS = 90
RECENT_DAYS = 28
PERIOD_DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class Notice:
    """A plain-language finding about the data or the fit: an i18n key and its values."""

    key: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelData:
    """Everything the sampler needs, as arrays; built by :func:`prepare_data`."""

    dates: pd.DatetimeIndex
    markets: list[str]
    regions: list[str]  # region of each market
    channels: list[str]
    lines: list[tuple[str, str]]
    target: str
    y: np.ndarray  # (T, M) target in base currency (or orders)
    active: np.ndarray  # (T, M) bool: market has data that day
    obs_mask: np.ndarray  # (T, M) bool: market active and day in training
    train: np.ndarray  # (T,) bool
    y_scale: np.ndarray  # (M,)
    spend: np.ndarray  # (T, N) base currency
    x_scale: np.ndarray  # (N,) spend unit per line
    lagged: np.ndarray  # (L, T, N) spend / x_scale, float32
    line_market: np.ndarray  # (N,) int
    line_channel: np.ndarray  # (N,) int
    line_rc: np.ndarray  # (N,) int index of (region, channel)
    n_rc: int
    onehot: np.ndarray  # (N, M)
    spend_total: np.ndarray  # (N,) training spend
    log_roas_prior: np.ndarray  # (N,) log prior median ROAS in target units
    log_hl_prior: np.ndarray  # (C,)
    fourier: np.ndarray  # (T, F)
    time: np.ndarray  # (T,) 0..1 over training
    holidays: np.ndarray  # (T, M, H)
    holiday_names: list[str]
    controls: np.ndarray  # (T, M, K) standardised
    control_names: list[str]
    value_per_unit: np.ndarray  # (M,) base currency per target unit (1 for revenue, AOV for orders)
    current_spend: np.ndarray  # (N,) mean daily spend over the last 28 days
    max_spend: np.ndarray  # (N,) largest daily spend seen
    lift_line: np.ndarray  # (K,) int
    lift_window: np.ndarray  # (K, T) float 0/1
    lift_obs: np.ndarray  # (K,) incremental target / y_scale of its market
    lift_se: np.ndarray  # (K,)
    lift_ids: list[str]
    # a test compares spending ``spend`` with ``baseline_spend`` (0: a holdout). The cell at
    # business as usual spends ``lift_bau`` (the baseline when there is one, else ``spend``);
    # the two arms run at ``lift_hi`` and ``lift_lo`` times that intensity (spend = hi * bau)
    lift_bau: np.ndarray  # (K,) base currency
    lift_hi: np.ndarray  # (K,)
    lift_lo: np.ndarray  # (K,)
    notices: list[Notice]
    period_days: int = 1  # days per model period: 1 (daily) or 7 (weekly); dates are period starts
    # platform-reported conversions per line (see response.claims): scaled like y, the
    # periods they are observed on, each line's mean claimed level, the attribution window
    # as a mask over the carryover lags, and the prior median of the organic share it claims
    claims: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (T, N)
    claims_mask: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    claims_level: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,)
    claims_unit: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) one conversion, scaled
    claims_window: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (L, N)
    logit_organic_prior: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,)
    has_claims: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # (N,)
    claimed_revenue: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) base, training
    claimed_conversions: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) training
    organic_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) spend share

    @property
    def n_lines(self) -> int:
        return len(self.lines)

    @property
    def granularity(self) -> str:
        """``"daily"`` or ``"weekly"``."""
        return "weekly" if self.period_days == 7 else "daily"


def _on_week_grid(dates: pd.Series) -> bool:
    """True when the distinct dates (at least two) all lie on one 7-day grid."""
    unique = pd.DatetimeIndex(pd.to_datetime(dates).unique())
    if len(unique) < 2:
        return False
    offsets = (unique - unique.min()).days.to_numpy()
    return bool((offsets % 7 == 0).all())


def resolve_granularity(revenue: pd.DataFrame, spend: pd.DataFrame | None,
                        setting: str = "auto") -> tuple[str, pd.Timestamp | None]:
    """The period (``"daily"``/``"weekly"``) and, for weekly, the first day of one week.

    ``auto``: weekly when the revenue or the spend dates all lie on a 7-day grid (weekly
    exports are dated on their week start; orders-derived revenue is daily but the spend may
    be weekly), else daily. Forced ``weekly`` on daily data uses weeks starting on Monday.
    """
    rev_dates = pd.to_datetime(revenue["date"])
    sp_dates = pd.to_datetime(spend["date"]) if spend is not None and not spend.empty else None
    if setting == "daily":
        return "daily", None
    for dates in (rev_dates, sp_dates):
        if dates is not None and _on_week_grid(dates):
            return "weekly", pd.Timestamp(dates.min())
    if setting == "weekly":
        first = pd.Timestamp(rev_dates.min())
        return "weekly", first - pd.Timedelta(days=first.weekday())
    return "daily", None


def _week_start(dates: pd.Series, anchor: pd.Timestamp) -> pd.Series:
    days = (pd.to_datetime(dates) - anchor).dt.days
    return anchor + pd.to_timedelta((days // 7) * 7, unit="D")


def to_weekly(revenue: pd.DataFrame, spend: pd.DataFrame | None,
              anchor: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sum revenue, orders and spend per week (weeks start on ``anchor``'s weekday).

    Daily revenue only counts a market's complete weeks: a week cut by the market's first or
    last day of data would look like a revenue drop. Tables already dated on the grid pass
    through unchanged (one row per week).
    """
    rev = revenue.copy()
    rev["date"] = pd.to_datetime(rev["date"])
    daily_source = not _on_week_grid(rev["date"])
    rev["week"] = _week_start(rev["date"], anchor)
    values = [c for c in ("revenue", "orders") if c in rev.columns]
    out = rev.groupby(["week", "market"], as_index=False)[values].sum()
    if daily_source:
        span = rev.groupby("market")["date"].agg(["min", "max"])
        first = out["market"].map(span["min"])
        last = out["market"].map(span["max"])
        out = out[(out["week"] >= first) & (out["week"] + pd.Timedelta(days=6) <= last)]
    out = out.rename(columns={"week": "date"}).reset_index(drop=True)
    if spend is None or spend.empty:
        return out, spend
    sp = spend.copy()
    sp["date"] = _week_start(sp["date"], anchor)
    sp = sp.groupby(["date", "market", "channel"], as_index=False)["spend"].sum()
    return out, sp


def fourier_features(dates: pd.DatetimeIndex, weekly: int, yearly: int) -> np.ndarray:
    """sin/cos pairs of the day of week and the day of year, (T, 2 * (weekly + yearly))."""
    days = (dates - pd.Timestamp("2000-01-03")).days.to_numpy().astype(float)  # a Monday
    cols = []
    for k in range(1, weekly + 1):
        cols += [np.sin(2 * math.pi * k * days / 7.0), np.cos(2 * math.pi * k * days / 7.0)]
    for k in range(1, yearly + 1):
        cols += [np.sin(2 * math.pi * k * days / 365.25), np.cos(2 * math.pi * k * days / 365.25)]
    return np.stack(cols, axis=1) if cols else np.zeros((len(dates), 0))


def prepare_data(
    revenue: pd.DataFrame,
    spend: pd.DataFrame,
    market_regions: dict[str, str],
    settings: ResponseSettings,
    lift_tests: pd.DataFrame | None = None,
    controls: pd.DataFrame | None = None,
    markets: list[str] | None = None,
    claims: pd.DataFrame | None = None,
    campaign_spend: pd.DataFrame | None = None,
) -> ModelData:
    """Build :class:`ModelData`.

    revenue: ``date, market, revenue, orders``; spend: ``date, market, channel, spend`` (base
    currency); lift_tests: ``test_id, market, channel, start_date, end_date, spend,
    incremental_revenue, incremental_revenue_se`` and optionally ``baseline_spend`` (the spend
    the result is compared with; 0 or missing: a holdout) in base currency; controls: ``date, market``
    plus one numeric column per control; claims: ``date, market, channel, claimed_revenue,
    claimed_conversions`` (platform-reported, base currency; ``settings.platform_claims``
    False or ``None``: shop revenue alone); campaign_spend: ``market, channel, campaign,
    spend`` (campaign names set the prior of the organic share each line claims).
    """
    notices: list[Notice] = []
    if revenue is None or revenue.empty:
        raise InputError("no shop revenue to fit: import orders first")
    rev = revenue.copy()
    rev["date"] = pd.to_datetime(rev["date"])
    sp = spend.copy() if spend is not None else pd.DataFrame(columns=["date", "market", "channel", "spend"])
    sp["date"] = pd.to_datetime(sp["date"])
    granularity, anchor = resolve_granularity(rev, sp, settings.granularity)
    period = PERIOD_DAYS[granularity]
    cl = claims.copy() if claims is not None and not claims.empty else None
    if cl is not None:
        cl["date"] = pd.to_datetime(cl["date"])
    if granularity == "weekly":
        if cl is not None:
            cl["date"] = _week_start(cl["date"], anchor)
            cl = cl.groupby(["date", "market", "channel"], as_index=False)[
                ["claimed_revenue", "claimed_conversions"]].sum()
        rev, sp = to_weekly(rev, sp, anchor)
        if rev.empty:
            raise InputError("no complete week of shop revenue to fit")
    if markets:
        unknown = sorted(set(markets) - set(rev["market"]))
        if unknown:
            raise InputError(f"no shop revenue for market(s) {', '.join(unknown)}")
        rev = rev[rev["market"].isin(markets)]
        sp = sp[sp["market"].isin(markets)]
    market_list = sorted(rev["market"].unique())
    for m in sorted(set(sp["market"]) - set(market_list)):
        notices.append(Notice("response.notice.spend_without_revenue", {"market": m}))
    sp = sp[sp["market"].isin(market_list)]
    missing_region = [m for m in market_list if m not in market_regions]
    if missing_region:
        raise InputError(f"market(s) {', '.join(missing_region)} are not configured in adbudget.toml")

    dates = pd.date_range(rev["date"].min(), rev["date"].max(), freq=f"{period}D")
    n_t, n_m = len(dates), len(market_list)
    if n_t * period < 28:
        raise InputError(f"only {n_t * period} days of revenue; the response model needs at least 28")
    m_index = {m: i for i, m in enumerate(market_list)}
    column = "orders" if settings.target == "orders" else "revenue"
    y_frame = rev.pivot_table(index="date", columns="market", values=column, aggfunc="sum")
    y_frame = y_frame.reindex(index=dates, columns=market_list)
    active = np.zeros((n_t, n_m), dtype=bool)
    for j, m in enumerate(market_list):
        present = y_frame[m].notna().to_numpy()
        # a market is live from its first sale: leading zero days (a store not yet open) would
        # hand its opening jump to media
        selling = (y_frame[m].fillna(0.0) > 0).to_numpy()
        first = np.argmax(selling) if selling.any() else np.argmax(present)
        last = n_t - 1 - np.argmax(present[::-1])
        active[first : last + 1, j] = True
    y = y_frame.fillna(0.0).to_numpy(dtype=float)

    holdout = math.ceil(settings.holdout_days / period)  # the hold-out tail, in periods
    holdout = holdout if (n_t - holdout) * period >= MIN_TRAIN_DAYS else 0
    if settings.holdout_days and not holdout:
        notices.append(Notice("response.notice.no_holdout", {"days": n_t * period}))
    train = np.arange(n_t) < n_t - holdout
    obs_mask = active & train[:, None]
    y_scale = np.array([max(y[obs_mask[:, j], j].mean(), 1e-9) if obs_mask[:, j].any() else 1.0
                        for j in range(n_m)])

    # value per target unit (orders -> revenue via average order value)
    if settings.target == "orders":
        rev_sum = rev.groupby("market")["revenue"].sum().reindex(market_list).to_numpy(float)
        ord_sum = rev.groupby("market")["orders"].sum().reindex(market_list).to_numpy(float)
        value_per_unit = np.where(ord_sum > 0, rev_sum / np.maximum(ord_sum, 1e-9), 1.0)
    else:
        value_per_unit = np.ones(n_m)

    # lines: market x channel with spend in training
    sp = sp[(sp["date"] >= dates[0]) & (sp["date"] <= dates[-1])]
    s_frame = sp.pivot_table(index="date", columns=["market", "channel"], values="spend", aggfunc="sum")
    s_frame = s_frame.reindex(index=dates).fillna(0.0).clip(lower=0.0)
    lines = [(m, c) for (m, c) in s_frame.columns if s_frame.loc[train, (m, c)].sum() > 0]
    lines.sort(key=lambda mc: (m_index[mc[0]], mc[1]))
    channels = sorted({c for _, c in lines})
    c_index = {c: i for i, c in enumerate(channels)}
    spend_arr = (s_frame[lines].to_numpy(dtype=float) if lines else np.zeros((n_t, 0)))
    n_lines = len(lines)
    x_scale = np.array([spend_arr[train & (spend_arr[:, n] > 0), n].mean() for n in range(n_lines)])
    max_lag = max(1, math.ceil(settings.max_lag / period))  # kernel length in periods
    lagged = lag_tensor((spend_arr / np.maximum(x_scale, 1e-9)).astype(np.float32), max_lag)
    line_market = np.array([m_index[m] for m, _ in lines], dtype=int)
    line_channel = np.array([c_index[c] for _, c in lines], dtype=int)
    regions = [market_regions[m] for m in market_list]
    rc_pairs = sorted({(regions[m_index[m]], c) for m, c in lines})
    rc_index = {p: i for i, p in enumerate(rc_pairs)}
    line_rc = np.array([rc_index[(regions[m_index[m]], c)] for m, c in lines], dtype=int)
    onehot = np.zeros((n_lines, n_m))
    onehot[np.arange(n_lines), line_market] = 1.0
    spend_total = spend_arr[train].sum(axis=0)
    log_roas_prior = np.array(
        [math.log(settings.roas_median(c) / value_per_unit[m_index[m]]) for m, c in lines]
    )
    log_hl_prior = np.array([math.log(settings.half_life_median(c)) for c in channels])
    recent = spend_arr[-max(1, RECENT_DAYS // period):]
    current_spend = recent.mean(axis=0) / period if n_lines else np.zeros(0)  # per day
    max_spend = spend_arr.max(axis=0) / period if n_lines else np.zeros(0)  # per day

    for n, (m, c) in enumerate(lines):
        days = spend_arr[train, n]
        used = days[days > 0]
        cv = used.std() / used.mean() if used.size > 1 else 0.0
        if cv < 0.1 and (days > 0).mean() > 0.9:
            notices.append(Notice("response.notice.flat_spend", {"market": m, "channel": c}))
        if (days > 0).sum() * period < 14:
            notices.append(Notice("response.notice.few_days", {"market": m, "channel": c,
                                                                 "days": int((days > 0).sum()) * period}))

    t_train = max(int(train.sum()) - 1, 1)
    time = np.arange(n_t, dtype=float) / t_train
    train_days = int(train.sum()) * period
    weekly = settings.weekly_harmonics if period == 1 else 0  # no day-of-week on weekly data
    yearly = settings.yearly_harmonics if train_days >= 300 else min(settings.yearly_harmonics, 1)
    if train_days < 180:
        yearly = 0
    fourier = fourier_features(dates + pd.Timedelta(days=(period - 1) / 2), weekly, yearly)  # mid-period
    if settings.holidays:
        days_all = pd.date_range(dates[0], periods=n_t * period, freq="D")
        # each market's own public holidays and events (PH Christmas, VN Tết), not its region's
        hol, hol_names = holiday_features(days_all, regions, settings.holiday_lead_days,
                                          settings.extra_holidays, markets=market_list)
        hol = hol.reshape((n_t, period) + hol.shape[1:]).mean(axis=1)  # share of the period's days
        keep = [h for h in range(hol.shape[2]) if (hol[train, :, h] > 0).any()]
        hol, hol_names = hol[:, :, keep], [hol_names[h] for h in keep]
    else:
        hol, hol_names = np.zeros((n_t, n_m, 0)), []

    claim_parts = _claims(cl, dates, lines, train, obs_mask, line_market, y_scale,
                          settings.target, max_lag, period, campaign_spend)
    if not settings.platform_claims:  # shown next to the estimates, but not in the likelihood
        claim_parts["claims_mask"] = np.zeros_like(claim_parts["claims_mask"])
    elif settings.claims_check and claim_parts["claims_mask"].any():
        _drop_uninformative_claims(claim_parts, spend_arr, line_market, line_channel, channels,
                                   dates.day_of_week.to_numpy(), notices)
    ctrl, ctrl_names = _controls(controls, dates, market_list, train, period)
    lift = _lift(lift_tests, dates, lines, y_scale, value_per_unit, m_index, notices, period)
    return ModelData(
        dates=dates, markets=market_list, regions=regions, channels=channels, lines=lines,
        target=settings.target, y=y, active=active, obs_mask=obs_mask, train=train, y_scale=y_scale,
        spend=spend_arr, x_scale=x_scale, lagged=lagged, line_market=line_market,
        line_channel=line_channel, line_rc=line_rc, n_rc=len(rc_pairs), onehot=onehot,
        spend_total=spend_total, log_roas_prior=log_roas_prior, log_hl_prior=log_hl_prior,
        fourier=fourier, time=time, holidays=hol, holiday_names=hol_names, controls=ctrl,
        control_names=ctrl_names, value_per_unit=value_per_unit, current_spend=current_spend,
        max_spend=max_spend, notices=notices, period_days=period, **lift, **claim_parts,
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _claims(claims: pd.DataFrame | None, dates: pd.DatetimeIndex, lines: list[tuple[str, str]],
            train: np.ndarray, obs_mask: np.ndarray, line_market: np.ndarray, y_scale: np.ndarray,
            target: str, max_lag: int, period: int,
            campaign_spend: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The claims arrays of :class:`ModelData` (all zero / False without claims)."""
    from adbudget.response import claims as cm

    n_n = len(lines)
    revenue, has_revenue = claims_arrays(claims, dates, lines, "claimed_revenue")
    conversions, has_conversions = claims_arrays(claims, dates, lines, "claimed_conversions")
    values, has = ((conversions, has_conversions) if target == "orders"
                   else (revenue, has_revenue))
    # the target's units: revenue (value per unit 1) or orders (claimed conversions)
    scaled = values / np.maximum(y_scale[line_market], 1e-9)[None, :] if n_n else values
    mask = (obs_mask[:, line_market] & has[None, :]) if n_n else np.zeros((len(dates), 0), bool)
    level = np.array([scaled[mask[:, n], n].mean() if mask[:, n].any() else 0.0
                      for n in range(n_n)])
    # what one claimed conversion weighs on the model's scale: the Poisson-like noise unit
    total_rev, total_conv = revenue.sum(axis=0), conversions.sum(axis=0)
    per_conversion = np.where(total_conv > 0, total_rev / np.maximum(total_conv, 1e-9), 0.0)
    if target == "orders":
        per_conversion = np.ones(n_n)
    unit = per_conversion / np.maximum(y_scale[line_market], 1e-9) if n_n else np.zeros(0)
    unit = np.where(unit > 0, unit, np.maximum(level, 1e-6))
    lags = np.arange(max_lag)[:, None]
    window = (lags < np.array([window_periods(c, period) for _, c in lines])[None, :]).astype(float) \
        if n_n else np.zeros((max_lag, 0))
    organic = organic_campaign_share(campaign_spend, lines)
    return {
        "claims": scaled, "claims_mask": mask, "claims_level": np.maximum(level, 1e-6),
        "claims_unit": np.maximum(unit, 1e-6),
        "claims_window": window,
        "logit_organic_prior": _logit(cm.ORGANIC_FLOOR + cm.ORGANIC_SLOPE * organic),
        "has_claims": has, "claimed_revenue": revenue[train].sum(axis=0),
        "claimed_conversions": conversions[train].sum(axis=0), "organic_share": organic,
    }


def _drop_uninformative_claims(parts: dict[str, np.ndarray], spend: np.ndarray,
                               line_market: np.ndarray, line_channel: np.ndarray,
                               channels: list[str], weekday: np.ndarray,
                               notices: list[Notice]) -> None:
    """Leave out of the likelihood the claims of each platform whose claims do not move with
    its own spend (``claims.claims_response``); its lines are fitted from shop revenue."""
    from adbudget.response import claims as cm

    response = cm.claims_response(parts["claims"], spend, parts["claims_mask"],
                                  cm.peer_claims(parts["claims"], parts["claims_mask"], line_market),
                                  parts["claims_unit"], weekday)
    for channel, (elasticity, se) in cm.uninformative_channels(response, line_channel,
                                                               channels).items():
        lines = np.asarray(line_channel) == channels.index(channel)
        parts["claims_mask"][:, lines] = False
        notices.append(Notice("response.notice.claims_not_used", {
            "channel": channel, "elasticity": round(elasticity, 2), "se": round(se, 2)}))


def _controls(controls: pd.DataFrame | None, dates: pd.DatetimeIndex, markets: list[str],
              train: np.ndarray, period: int = 1) -> tuple[np.ndarray, list[str]]:
    if controls is None or controls.empty:
        return np.zeros((len(dates), len(markets), 0)), []
    frame = controls.copy()
    frame["date"] = pd.to_datetime(frame["date"])
    if period > 1:  # average over the period each date falls in
        frame["date"] = _week_start(frame["date"], dates[0])
    names = [c for c in frame.columns if c not in ("date", "market")]
    out = np.zeros((len(dates), len(markets), len(names)))
    for k, name in enumerate(names):
        wide = frame.pivot_table(index="date", columns="market", values=name, aggfunc="mean")
        wide = wide.reindex(index=dates, columns=markets).ffill().fillna(0.0).to_numpy(float)
        sd = wide[train].std() or 1.0
        out[:, :, k] = (wide - wide[train].mean()) / sd
    return out, names


def _lift(tests: pd.DataFrame | None, dates: pd.DatetimeIndex, lines: list[tuple[str, str]],
          y_scale: np.ndarray, value_per_unit: np.ndarray, m_index: dict[str, int],
          notices: list[Notice], period: int = 1) -> dict[str, object]:
    """Lift tests as arrays: line, window share per period, spends and the scaled result.

    A holdout (``baseline_spend`` 0) measures what the line's spend in the window earned; a
    scale test (``baseline_spend`` > 0, e.g. a geo cell at 2x its budget against cells at
    business as usual) measures what the spend *beyond* the baseline earned: a point on the
    curve's slope, which is what pins its curvature.
    """
    empty = {"lift_line": np.zeros(0, dtype=int), "lift_window": np.zeros((0, len(dates))),
             "lift_obs": np.zeros(0), "lift_se": np.zeros(0),
             "lift_ids": [], "lift_bau": np.zeros(0), "lift_hi": np.zeros(0), "lift_lo": np.zeros(0)}
    if tests is None or tests.empty:
        return empty
    l_index = {mc: i for i, mc in enumerate(lines)}
    rows, windows = [], []
    for rec in tests.to_dict(orient="records"):
        key = (rec["market"], rec["channel"])
        if key not in l_index:
            notices.append(Notice("response.notice.lift_unused", {"test": rec["test_id"],
                                                                   "market": key[0], "channel": key[1]}))
            continue
        spend = float(rec["spend"])
        baseline = rec.get("baseline_spend")
        baseline = 0.0 if baseline is None or pd.isna(baseline) else float(baseline)
        bau = baseline if baseline > 0 else spend
        if bau <= 0 or spend == baseline:
            notices.append(Notice("response.notice.lift_no_contrast", {"test": rec["test_id"]}))
            continue
        start, end = pd.Timestamp(rec["start_date"]), pd.Timestamp(rec["end_date"])
        # share of each period's days inside the test window (0/1 on daily data)
        first = np.maximum(dates, start)
        last = np.minimum(dates + pd.Timedelta(days=period - 1), end)
        window = np.clip((last - first).days.to_numpy() + 1, 0, period) / period
        m = m_index[key[0]]
        scale = y_scale[m] * value_per_unit[m]
        se = max(float(rec["incremental_revenue_se"]), 1e-6 * max(abs(float(rec["incremental_revenue"])), 1.0))
        rows.append((l_index[key], float(rec["incremental_revenue"]) / scale, se / scale,
                     str(rec["test_id"]), bau, spend / bau, baseline / bau))
        windows.append(window)
    if not rows:
        return empty
    return {
        "lift_line": np.array([r[0] for r in rows], dtype=int),
        "lift_window": np.stack(windows),
        "lift_obs": np.array([r[1] for r in rows]),
        "lift_se": np.array([r[2] for r in rows]),
        "lift_ids": [r[3] for r in rows],
        "lift_bau": np.array([r[4] for r in rows]),
        "lift_hi": np.array([r[5] for r in rows]),
        "lift_lo": np.array([r[6] for r in rows]),
    }


__all__ = ["PERIOD_DAYS", "ModelData", "Notice", "fourier_features", "prepare_data",
           "resolve_granularity", "to_weekly"]
