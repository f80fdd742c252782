"""Benchmark: does the brand bucket earn its keep? Long-term brand value on simulated sellers.

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/brand.py \\
        [--sizes small] [--seeds 0,1,2,7] [--months 12] [--json]

Per world (with its default 'modest' brand effect, and the same world with ``brand='none'``):

* **recovery**: the long-term brand estimate (``response.brand``) from the world's ad rows
  and daily net revenue, against the truth (``World.brand_truth``): is each brand line's
  long-term revenue per unit of brand spend (its market's ``lt_roas``) inside the P10-P90
  interval? How informative is it (``p_effect``)?
* **plans on the true curves**: the planner (``make_plan``) with the world's true curves, the
  last 28 days' spend and CPM per line and next month's budget (last 30 days' spend): the
  default policy with the brand evidence (``[plan] horizon_months``: share moved, brand bucket
  split by value), the method's shares (brand=25,performance=55,test=12.5,reserve=7.5) and
  brand at its floor (brand=20,performance=60) with the brand bucket split by value, each of
  these three also without the estimates (``*_by_reach``: brand money to the cheapest reach,
  the split before value), and performance only (performance=100).
  Each is scored by the truth over 30 days (``score_allocation``) and held over the horizon
  (``score_horizon``: the brand stock evolving, 10 % a year discount), against last period's
  split of the same money.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd

FOUR = {"brand": 25.0, "performance": 55.0, "test": 12.5, "reserve": 7.5}
FLOOR = {"brand": 20.0, "performance": 60.0, "test": 12.5, "reserve": 7.5}
PERFORMANCE_ONLY = {"brand": 0.0, "performance": 100.0, "test": 0.0, "reserve": 0.0}
MODES = ["modest", "none"]


def recovery(world) -> list[dict]:
    from adbudget.response.brand import brand_daily_frame, estimate_brand
    from adbudget.simulate.horizon import line_brand_share

    truth = world.brand_truth().set_index("market")
    rev = world.daily_markets()[["date", "market", "net_revenue"]].rename(
        columns={"net_revenue": "revenue"})
    est = estimate_brand(brand_daily_frame(world.ad_daily(), rev))
    share = line_brand_share(world)
    rows = []
    for (m, ch), sh in zip(world.lines, share, strict=True):
        if sh <= 0 or m not in est:
            continue
        e, tr = est[m], truth.loc[m]
        true = float(tr["lt_roas"]) * sh
        lo, mid, hi = e.lt_roas_lo * sh, e.lt_roas * sh, e.lt_roas_hi * sh
        rows.append({"market": m, "channel": ch, "brand_share": round(float(sh), 2),
                     "true": round(true, 3), "estimate": round(mid, 3), "lo": round(lo, 3),
                     "hi": round(hi, 3), "inside": bool(lo - 1e-9 <= true <= hi + 1e-9),
                     "p_effect": round(e.p_effect, 2)})
    return rows


def plans(world, months: int, brand_estimates: dict | None) -> dict:
    from dataclasses import replace

    from adbudget.plan.planner import PlanInputs, make_plan
    from adbudget.simulate.scoring import score_allocation, score_horizon
    from adbudget.workspace.simulate import world_settings

    budget = float(world.current_spend(30).sum() * 30)
    ads = world.ad_daily()
    recent = ads[ads["date"] > ads["date"].max() - pd.Timedelta(days=28)]
    history = recent.groupby(["market", "channel"], as_index=False).agg(
        spend=("spend_base", "sum"), impressions=("impressions", "sum"))
    history["daily_spend"] = history["spend"] / 28
    history["cpm"] = history["spend"] / history["impressions"].where(history["impressions"] > 0) * 1000
    base = PlanInputs(budget=budget, period=world.next_month, days=30,
                      settings=world_settings(world), curves=world.true_curves(world.next_month),
                      history=history[["market", "channel", "daily_spend", "cpm"]])
    variants = {
        "default_evidence": replace(base, brand=brand_estimates),
        "default_by_reach": base,
        "four_bucket_25": replace(base, buckets=FOUR, brand=brand_estimates),
        "four_bucket_25_by_reach": replace(base, buckets=FOUR),
        "brand_floor_20": replace(base, buckets=FLOOR, brand=brand_estimates),
        "brand_floor_20_by_reach": replace(base, buckets=FLOOR),
        "performance_only": replace(base, buckets=PERFORMANCE_ONLY),
    }
    out = {}
    for name, inp in variants.items():
        result = make_plan(inp)
        daily: dict[tuple[str, str], float] = {}
        for ln in result.lines:
            key = (ln.market, "reserve" if ln.bucket == "reserve" else ln.channel)
            daily[key] = daily.get(key, 0.0) + ln.amount_base / 30
        month = score_allocation(world, daily, world.next_month, max_change=None, budget=budget)
        horizon = score_horizon(world, daily, budget, months=months, oracle=False)
        out[name] = {
            "brand_pct": round(100 * sum(ln.amount_base for ln in result.lines
                                         if ln.bucket == "brand") / budget, 1),
            "profit_30d": round(month.plan_profit), "last_split_30d": round(month.last_period_profit),
            "profit_horizon": round(horizon.plan_profit),
            "last_split_horizon": round(horizon.last_period_profit),
            "shifts": [s for p in result.policies.values() for s in p.explain()
                       if "brand" in s and ("%" in s)][-len(result.policies):],
        }
    return out


def run(size: str, seed: int, months: int) -> dict:
    from adbudget.response.brand import brand_daily_frame, estimate_brand, with_channels
    from adbudget.simulate import World

    t0 = time.time()
    res = {"size": size, "seed": seed}
    for mode in MODES:
        world = World.build(seed, size, brand=mode)
        rows = recovery(world)
        rev = world.daily_markets()[["date", "market", "net_revenue"]].rename(
            columns={"net_revenue": "revenue"})
        ads = world.ad_daily()
        est = with_channels(estimate_brand(brand_daily_frame(ads, rev), horizon_months=months), ads)
        res[mode] = {"recovery": rows,
                     "covered": f"{sum(r['inside'] for r in rows)}/{len(rows)}",
                     "plans": plans(world, months, est)}
    res["seconds"] = round(time.time() - t0, 1)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="small")
    ap.add_argument("--seeds", default="0,1,2,7")
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--modes", default="modest,none", help="brand modes of the worlds: modest, none, strong")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    MODES[:] = args.modes.split(",")
    results = [run(size, int(seed), args.months) for size in args.sizes.split(",")
               for seed in args.seeds.split(",")]
    if args.json:
        print(json.dumps(results, indent=1, default=str))
        return
    for r in results:
        print(f"== {r['size']} {r['seed']} ({r['seconds']} s)")
        for mode in MODES:
            print(f"  brand={mode}: long-term value of brand lines inside P10-P90: {r[mode]['covered']}")
            for name, p in r[mode]["plans"].items():
                print(f"    {name:22s} brand {p['brand_pct']:5.1f} %  30 d {p['profit_30d']:>9,} "
                      f"(last split {p['last_split_30d']:>9,})  {args.months} mo {p['profit_horizon']:>10,} "
                      f"(last split {p['last_split_horizon']:>10,})")


if __name__ == "__main__":
    main()
