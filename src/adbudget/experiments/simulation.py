"""Simulated experiments with known truth, vectorized over thousands of them.

Used to calibrate the decision rule (how often "scale" happens under no true difference,
how often the better arm wins under a real lift) and to check the power calculation.
Order values are log-normal by default, a heavier tail than the Gamma the analysis assumes,
so the check is not the model against itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adbudget.experiments.decide import DecisionRules, Decisions, decide
from adbudget.experiments.posterior import metric_draws, summarize_draws


@dataclass(frozen=True)
class SimulatedData:
    """Daily arrays (E, A, D) of simulated experiments."""

    spend: np.ndarray
    clicks: np.ndarray
    conversions: np.ndarray
    revenue: np.ndarray


def order_values(n: int, mean: float, cv: float, rng: np.random.Generator,
                 model: str = "lognormal") -> np.ndarray:
    """*n* single order values with the given mean and coefficient of variation."""
    if model == "lognormal":
        s2 = np.log1p(cv**2)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size=n)
    if model == "gamma":
        k = 1 / cv**2
        return rng.gamma(k, mean / k, size=n)
    raise ValueError(f"unknown order value model {model!r}")


def simulate_experiments(
    n_experiments: int,
    days: int,
    clicks_per_day: np.ndarray | list[float],
    cvr: np.ndarray | list[float],
    order_value: np.ndarray | list[float],
    cpc: np.ndarray | list[float] | float = 1.0,
    order_value_cv: float = 1.0,
    order_model: str = "lognormal",
    seed: int = 0,
) -> SimulatedData:
    """Arms' daily clicks (Poisson), conversions (Binomial) and revenue (sum of orders)."""
    rng = np.random.default_rng(seed)
    lam = np.asarray(clicks_per_day, dtype=float)
    n_arms = lam.size
    shape = (n_experiments, n_arms, days)
    clicks = rng.poisson(np.broadcast_to(lam[None, :, None], shape)).astype(float)
    p = np.broadcast_to(np.asarray(cvr, dtype=float)[None, :, None], shape)
    conv = rng.binomial(clicks.astype(np.int64), p).astype(np.int64)
    means = np.broadcast_to(np.asarray(order_value, dtype=float)[None, :, None], shape).ravel()
    counts = conv.ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    unit = order_values(cell.size, 1.0, order_value_cv, rng, order_model)
    revenue = np.bincount(cell, weights=unit * means[cell], minlength=counts.size).reshape(shape)
    cost = np.broadcast_to(np.asarray(cpc, dtype=float).reshape(-1), (n_arms,))
    spend = clicks * cost[None, :, None]
    return SimulatedData(spend=spend, clicks=clicks, conversions=conv.astype(float), revenue=revenue)


def simulated_decisions(
    data: SimulatedData,
    rules: DecisionRules,
    control: int = 0,
    metric: str = "roas",
    revenue_model: str = "gamma",
    prior_cv: float = 1.0,
    n_draws: int = 2000,
    seed: int = 1,
    upto_day: int | None = None,
    chunk: int = 250,
) -> Decisions:
    """Run the decision rule on every simulated experiment (data up to ``upto_day``)."""
    rng = np.random.default_rng(seed)
    sl = slice(0, upto_day)
    parts = []
    n = data.spend.shape[0]
    for start in range(0, n, chunk):
        e = slice(start, min(start + chunk, n))
        arrays = [x[e, :, sl] for x in (data.spend, data.clicks, data.conversions, data.revenue)]
        draws = metric_draws(*arrays, metric=metric, revenue_model=revenue_model,
                             prior_cv=prior_cv, n_draws=n_draws, rng=rng)
        summary = summarize_draws(draws, np.full(draws.shape[0], control))
        parts.append(decide(summary, arrays[1].sum(-1), arrays[2].sum(-1),
                            (arrays[0] > 0).sum(-1), np.full(draws.shape[0], control), rules))
    return Decisions(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                       ("decision", "reason", "winner", "ready", "required_prob")))


@dataclass(frozen=True)
class BanditRun:
    """Cumulative regret (base currency) per simulated run, Thompson vs an equal split."""

    thompson: np.ndarray  # (runs,)
    equal: np.ndarray  # (runs,)
    best_share_last: np.ndarray  # (runs,) share of the last period's budget on the best arm


def bandit_regret(
    cvr: list[float] | np.ndarray,
    order_value: list[float] | np.ndarray,
    cpc: list[float] | np.ndarray,
    *,
    budget: float,
    periods: int,
    runs: int = 20,
    order_value_cv: float = 1.0,
    floor_share: float = 0.1,
    min_clicks: int = 200,
    n_draws: int = 1000,
    seed: int = 0,
) -> BanditRun:
    """Simulate *periods* of test-bucket allocation by :func:`allocate_test_budget`.

    Regret of a period = budget x best true ROAS - sum of spend x true ROAS. Every period's
    outcome (clicks Poisson, conversions Binomial, log-normal orders) is added to the arms'
    history, one "day" per period, before the next allocation.
    """
    from adbudget.experiments.allocate import LiveArm, allocate_test_budget

    rng = np.random.default_rng(seed)
    cvr, value, cost = (np.asarray(x, dtype=float) for x in (cvr, order_value, cpc))
    n_arms = cvr.size
    roas = cvr * value / cost
    hist = {k: np.zeros((runs, n_arms, 0)) for k in ("spend", "clicks", "conversions", "revenue")}
    regret = np.zeros(runs)
    last = np.zeros(runs)
    for _ in range(periods):
        if hist["spend"].shape[-1] == 0:
            spend = np.full((runs, n_arms), budget / n_arms)
        else:
            draws = metric_draws(hist["spend"], hist["clicks"], hist["conversions"], hist["revenue"],
                                 prior_cv=order_value_cv, n_draws=n_draws, rng=rng)
            spend = np.empty((runs, n_arms))
            clicks_so_far = hist["clicks"].sum(-1)
            for r in range(runs):
                arms = [LiveArm("sim", str(a), "XX", "other", float(clicks_so_far[r, a]), float(cost[a]))
                        for a in range(n_arms)]
                alloc = allocate_test_budget(budget, [(arms, draws[r])], floor_share=floor_share,
                                             min_clicks=min_clicks)
                spend[r] = alloc["amount"].to_numpy()
        regret += budget * roas.max() - spend @ roas
        last = spend[:, roas.argmax()] / budget
        clicks = rng.poisson(spend / cost).astype(float)
        conv = rng.binomial(clicks.astype(np.int64), np.broadcast_to(cvr, clicks.shape))
        flat = conv.ravel()
        cell = np.repeat(np.arange(flat.size), flat)
        orders = order_values(cell.size, 1.0, order_value_cv, rng) * np.broadcast_to(value, conv.shape).ravel()[cell]
        revenue = np.bincount(cell, weights=orders, minlength=flat.size).reshape(conv.shape)
        for key, new in (("spend", spend), ("clicks", clicks), ("conversions", conv.astype(float)),
                         ("revenue", revenue)):
            hist[key] = np.concatenate([hist[key], new[..., None]], axis=-1)
    equal = np.full(runs, periods * budget * (roas.max() - roas.mean()))
    return BanditRun(thompson=regret, equal=equal, best_share_last=last)


@dataclass(frozen=True)
class PolicyRun:
    """A test bucket run week by week: what was graduated, when, and what it cost."""

    graduated: np.ndarray  # (runs,) arm index scaled, -1: none by the end
    weeks: np.ndarray  # (runs,) weeks until the decision (periods if none)
    regret: np.ndarray  # (runs,) spend x (best true ROAS - arm's true ROAS), summed
    spend: np.ndarray  # (runs,) test spend used


def simulate_test_bucket(
    cvr: list[float] | np.ndarray,
    order_value: float,
    cpc: float,
    *,
    weekly_budget: float,
    weeks: int,
    runs: int = 100,
    rules: DecisionRules | None = None,
    adaptive: bool = True,
    order_value_cv: float = 1.0,
    floor_share: float = 0.1,
    n_draws: int = 1000,
    seed: int = 0,
) -> PolicyRun:
    """Run the whole loop on simulated arms (arm 0 is the control): every week the decision
    rule scales / stops arms and, if ``adaptive``, Thompson sampling splits the next week's
    budget over the live arms; otherwise the budget is split equally and stopped arms keep it.
    """
    from adbudget.experiments.allocate import LiveArm, allocate_test_budget

    rules = rules or DecisionRules()
    rng = np.random.default_rng(seed)
    cvr = np.asarray(cvr, dtype=float)
    n_arms = cvr.size
    roas = cvr * order_value / cpc
    days = 7 * weeks
    shape = (runs, n_arms, days)
    hist = {k: np.zeros(shape) for k in ("spend", "clicks", "conversions", "revenue")}
    graduated = np.full(runs, -1)
    decided_week = np.full(runs, weeks)
    live = np.ones((runs, n_arms), dtype=bool)
    regret = np.zeros(runs)
    active = np.ones(runs, dtype=bool)
    for week in range(weeks):
        sl = slice(0, 7 * week)
        daily = np.full((runs, n_arms), weekly_budget / 7 / n_arms)  # equal split
        if adaptive and week > 0:
            draws = metric_draws(hist["spend"][..., sl], hist["clicks"][..., sl], hist["conversions"][..., sl],
                                 hist["revenue"][..., sl], prior_cv=order_value_cv, n_draws=n_draws, rng=rng)
            daily[:] = 0.0
            for r in np.flatnonzero(active):
                idx = np.flatnonzero(live[r])
                arms = [LiveArm("sim", str(a), "XX", "other", float(hist["clicks"][r, a, sl].sum()), cpc) for a in idx]
                alloc = allocate_test_budget(weekly_budget, [(arms, draws[r, idx])], floor_share=floor_share,
                                             min_clicks=rules.min_clicks)
                daily[r, idx] = alloc["amount"].to_numpy() / 7
        daily[~active] = 0.0
        regret += 7 * (daily * (roas.max() - roas)).sum(-1)
        for d in range(7 * week, 7 * week + 7):
            clicks = rng.poisson(daily / cpc).astype(float)
            conv = rng.binomial(clicks.astype(np.int64), np.broadcast_to(cvr, clicks.shape))
            flat = conv.ravel()
            cell = np.repeat(np.arange(flat.size), flat)
            orders = order_values(cell.size, order_value, order_value_cv, rng)
            hist["spend"][..., d] = daily
            hist["clicks"][..., d] = clicks
            hist["conversions"][..., d] = conv
            hist["revenue"][..., d] = np.bincount(cell, weights=orders, minlength=flat.size).reshape(conv.shape)
        upto = slice(0, 7 * week + 7)
        arrays = [hist[k][..., upto] for k in ("spend", "clicks", "conversions", "revenue")]
        draws = metric_draws(*arrays, prior_cv=order_value_cv, n_draws=n_draws, rng=rng)
        summary = summarize_draws(draws, np.zeros(runs, dtype=int))
        dec = decide(summary, arrays[1].sum(-1), arrays[2].sum(-1), (arrays[0] > 0).sum(-1),
                     np.zeros(runs, dtype=int), rules)
        newly = active & (dec.winner >= 0)
        graduated[newly] = dec.winner[newly]
        decided_week[newly] = week + 1
        ended = active & ((dec.decision == 3).any(-1) | newly)  # KEEP: settled on the control
        decided_week[ended & ~newly] = week + 1
        active &= ~ended
        if adaptive:
            live &= dec.decision != 2  # STOP
        if not active.any():
            break
    return PolicyRun(graduated=graduated, weeks=decided_week, regret=regret, spend=hist["spend"].sum((-1, -2)))
