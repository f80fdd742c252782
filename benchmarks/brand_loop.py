"""Benchmark: 12 months of planning with the brand stock carried on, on the true curves.

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/brand_loop.py \\
        [--seeds 7] [--size small] [--months 12] [--brand modest|strong|none]
        [--variants default,policy_floor] [--by-reach] [--tail 12] [--json]

Each month the planner (``make_plan``) plans the month after the world's history on the
world's true curves (no fitting: this isolates the bucket policy), with the last 28 days'
spend and each line's true CPM; the plan's daily budget per line becomes the schedule the
simulator runs forward (``World.forward``: carryover, organic demand and the brand stock
continue). Reserve money is kept back; money on channels the world lacks is spent for
nothing. Scored by what the simulator generated: expected contribution of *all* net revenue
(organic, raised or lowered by the brand stock, plus what the ads caused) minus spend, summed
over the months, against last period's split held all along. ``adbudget loop`` scores each
month by the ads' incremental profit only, which cannot see what brand does to organic
demand; this benchmark can.

Every variant gets the brand estimates (``response.brand``, refitted each month on the data so
far), so its brand bucket is split by value over the horizon (``plan.brand``); fixed shares
stay fixed (the estimates only move the default policy's shares). Variants:

* ``default``: the four-bucket default policy (method shares, stage and region shifts), its
  brand share moved by the evidence (the issue's "four-bucket default");
* ``policy_floor``: the same policy with each market's brand share fixed at its floor
  (policy share - 5 points, the difference to performance): the issue's comparison;
* ``four_bucket_25`` / ``brand_floor_20``: the method's shares for every market
  (brand=25,performance=55,test=12.5,reserve=7.5) and the same with brand=20,performance=60;
* ``performance_only``; and ``--by-reach`` adds ``default_by_reach``: the default policy with
  the brand bucket split by reach cost (no estimates: the split before value).

``--tail N`` then runs every variant's world N more months at the same split (last period's,
before the loop) and reports that profit separately: what the brand stock each variant left
behind earns after the loop's window, which the window cannot see.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

VARIANTS: dict[str, object] = {
    "default": None,
    "policy_floor": "floor",
    "four_bucket_25": {"brand": 25.0, "performance": 55.0, "test": 12.5, "reserve": 7.5},
    "brand_floor_20": {"brand": 20.0, "performance": 60.0, "test": 12.5, "reserve": 7.5},
    "performance_only": {"brand": 0.0, "performance": 100.0, "test": 0.0, "reserve": 0.0},
}


def floor_settings(settings):
    """The settings with each market's buckets fixed at its policy with brand at the floor
    (policy share - ``plan.brand.HALF_RANGE`` points, within the bucket limits)."""
    from adbudget.plan.brand import HALF_RANGE
    from adbudget.plan.buckets import bucket_policy

    limits = settings.plan.bucket_limits
    markets = {}
    for code, ms in settings.markets.items():
        shares = dict(bucket_policy(code, ms.stage, ms.region, limits=limits).shares)
        floor = max(shares["brand"] - HALF_RANGE, limits.get("brand", (0.0, 100.0))[0], 0.0)
        shares["performance"] += shares["brand"] - floor
        shares["brand"] = floor
        markets[code] = ms.model_copy(update={"buckets": shares})
    return settings.model_copy(update={"markets": markets})


def realized_profit(world, first_day: int) -> float:
    """Expected contribution of all net revenue minus spend from day ``first_day`` on."""
    total = 0.0
    for code, p in world.panels.items():
        m = world.spec.market(code)
        net = 1 - m.return_rate_pct / 100
        rev = p.base_gross[first_day:] + (p.incr_gross[:, first_day:].sum(axis=0) if len(p.lines) else 0.0)
        spend = p.spend[:, first_day:].sum() if len(p.lines) else 0.0
        total += float((rev * net).sum()) * m.profit_margin() - float(spend)
    return total - float(getattr(world, "unknown_spend", 0.0) or 0.0)


def _history(world) -> pd.DataFrame:
    rows = []
    for ln, s in zip(world.spec.lines, world.current_spend(28), strict=True):
        rows.append({"market": ln.market, "channel": ln.channel, "daily_spend": float(s),
                     "cpm": float(ln.cpm)})
    return pd.DataFrame(rows)


def _schedule(world, result) -> pd.DataFrame:
    start = pd.Timestamp(str(next(iter(world.panels.values())).dates[-1])) + pd.Timedelta(days=1)
    days = pd.date_range(start, periods=result.days)
    daily: dict[tuple[str, str], float] = {}
    for ln in result.lines:
        if ln.bucket == "reserve" or not ln.channel:
            continue
        daily[(ln.market, ln.channel)] = daily.get((ln.market, ln.channel), 0.0) + ln.amount_base / result.days
    return pd.DataFrame([{"date": d, "market": m, "channel": c, "spend": v}
                         for d in days for (m, c), v in daily.items()])


def _estimates(world) -> dict:
    from adbudget.response.brand import brand_daily_frame, estimate_brand, with_channels

    rev = world.daily_markets()[["date", "market", "net_revenue"]].rename(columns={"net_revenue": "revenue"})
    ads = world.ad_daily()
    return with_channels(estimate_brand(brand_daily_frame(ads, rev)), ads)


def run_variant(seed: int, size: str, months: int, buckets, brand: str = "modest",
                by_reach: bool = False, tail: int = 0) -> dict:
    from adbudget.plan.planner import PlanInputs, make_plan
    from adbudget.simulate import World
    from adbudget.workspace.simulate import world_settings

    world = World.build(seed, size, brand=brand)
    origin = world.spec.days
    settings = world_settings(world)
    if buckets == "floor":
        settings, buckets = floor_settings(settings), None
    budget = float(world.current_spend(30).sum())  # per day, held
    first = world.current_spend(28)
    tail_daily = first / first.sum() * budget  # the tail's split: the same for every variant
    shares = []
    for _ in range(months):
        last_day = next(iter(world.panels.values())).dates[-1]
        month = pd.Period(str(pd.Timestamp(str(last_day)) + pd.Timedelta(days=1)), freq="M")
        days = month.days_in_month
        if buckets == "status_quo":
            now = world.current_spend(28)
            daily = now / now.sum() * budget
            start = pd.Timestamp(str(last_day)) + pd.Timedelta(days=1)
            sched = pd.DataFrame([{"date": d, "market": m, "channel": c, "spend": v}
                                  for d in pd.date_range(start, periods=days)
                                  for (m, c), v in zip(world.lines, daily, strict=True)])
        else:
            inp = PlanInputs(budget=budget * days, period=str(month), days=days, settings=settings,
                             curves=world.true_curves(str(month)), history=_history(world),
                             buckets=buckets, brand=None if by_reach else _estimates(world))
            result = make_plan(inp)
            shares.append(round(100 * sum(ln.amount_base for ln in result.lines
                                          if ln.bucket == "brand") / (budget * days), 1))
            sched = _schedule(world, result)
        world = world.forward(sched)
    out = {"profit": realized_profit(world, origin), "brand_pct": shares}
    if tail:  # what the stock left behind is worth: the same split for every variant after
        end = world.spec.days
        for _ in range(tail):
            last_day = next(iter(world.panels.values())).dates[-1]
            start = pd.Timestamp(str(last_day)) + pd.Timedelta(days=1)
            days = pd.Period(start, freq="M").days_in_month
            world = world.forward(pd.DataFrame([
                {"date": d, "market": m, "channel": c, "spend": v}
                for d in pd.date_range(start, periods=days)
                for (m, c), v in zip(world.lines, tail_daily, strict=True)]))
        out["tail_profit"] = realized_profit(world, end)
    return out


def run(seed: int, size: str, months: int, brand: str = "modest", only: list[str] | None = None,
        by_reach: bool = False, tail: int = 0) -> dict:
    t0 = time.time()
    out = {"seed": seed, "size": size, "months": months, "brand": brand}
    names = only or ["status_quo", *VARIANTS]
    if "status_quo" in names:
        out["status_quo"] = run_variant(seed, size, months, "status_quo", brand, tail=tail)
    for name, buckets in VARIANTS.items():
        if name in names:
            out[name] = run_variant(seed, size, months, buckets, brand, tail=tail)
    if by_reach:
        out["default_by_reach"] = run_variant(seed, size, months, None, brand, by_reach=True, tail=tail)
    out["seconds"] = round(time.time() - t0, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="7")
    ap.add_argument("--size", default="small")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--brand", default="modest", help="the worlds' brand effect: modest, strong or none")
    ap.add_argument("--variants", default="", help="comma-separated subset (default: all)")
    ap.add_argument("--by-reach", action="store_true", help="add the default policy with brand split by reach")
    ap.add_argument("--tail", type=int, default=0,
                    help="months after the loop at last period's split, the same for every variant: "
                         "what the brand stock left behind earns")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    only = [v for v in args.variants.split(",") if v] or None
    results = [run(int(s), args.size, args.months, args.brand, only, args.by_reach, args.tail)
               for s in args.seeds.split(",")]
    if args.json:
        print(json.dumps(results, indent=1, default=float))
        return
    for r in results:
        print(f"== {r['size']} {r['seed']} (brand {r['brand']}), {r['months']} months ({r['seconds']} s): realized profit "
              "(contribution of all net revenue minus spend)")
        for name in ("status_quo", *VARIANTS, "default_by_reach"):
            if name not in r:
                continue
            v = r[name]
            brand = f"brand {np.mean(v['brand_pct']):.1f} %" if v["brand_pct"] else ""
            after = f"  then {v['tail_profit']:>12,.0f} over the tail" if "tail_profit" in v else ""
            print(f"  {name:22s} {v['profit']:>12,.0f}  {brand}{after}")


if __name__ == "__main__":
    main()
