"""Benchmark: what identifies the long-term brand effect? P(effect) vs months and designs.

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/brand_identify.py \\
        [--seeds 7,1] [--size small] [--modes modest,none] [--designs plain,dark4,dark8,dark13,step,pulse] \\
        [--market US] [--json]

Each world's year of history is continued 12 months (``World.forward``) at last period's
daily split, and the brand estimate (``response.brand``) is fitted on the last 6, 12, 18
and 24 months of ads and daily net revenue. Designs, in the continuation's first months and
in one market (``--market``, default the one with the most video/KOL spend):

* ``plain``: nothing (ordinary spend);
* ``dark4`` / ``dark8``: a go-dark of 4 / 8 weeks on the market's video and KOL lines (their
  money is not spent), then back to last period's split;
* ``dark13``: a go-dark of 13 weeks (about one half-life of the stock);
* ``step``: those lines at twice their spend for a quarter (90 days), then back;
* ``pulse``: all year, 8 weeks at twice the spend and 8 weeks dark in turn (same money).

Reported per design and window: the design market's P(effect), its long-term revenue per
unit of brand spend (mean, P10-P90) against the truth at the end, and the other markets'
P(effect) (the control: ordinary spend, the same months). A design identifies the effect
when P(effect) separates the worlds with a brand effect from those without.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

BRAND_LINES = ("youtube", "kol")  # every campaign builds the brand (simulate.brand)
WINDOWS = (6, 12, 18, 24)


def design_market(world) -> str:
    """The market with the most video and KOL spend (where a go-dark moves the stock most)."""
    now = world.current_spend(28)
    by = {}
    for (m, ch), s in zip(world.lines, now, strict=True):
        if ch in BRAND_LINES:
            by[m] = by.get(m, 0.0) + float(s)
    return max(by, key=by.get)


def continued(world, market: str, design: str, months: int = 12):
    """The world continued ``months`` months at last period's split, with the design."""
    now = world.current_spend(28)
    start = pd.Timestamp(world.spec.end) + pd.Timedelta(days=1)
    days = pd.date_range(start, periods=months * 31)
    days = days[days < start + pd.DateOffset(months=months)]
    dark = {"dark4": 28, "dark8": 56, "dark13": 91}.get(design, 0)
    rows = []
    for k, d in enumerate(days):
        for (m, ch), s in zip(world.lines, now, strict=True):
            v = float(s)
            if m == market and ch in BRAND_LINES:
                if k < dark:
                    v = 0.0
                elif design == "step" and k < 90:
                    v *= 2.0
                elif design == "pulse":  # 8 weeks at twice the spend, 8 weeks dark, all year
                    v *= 2.0 if (k // 56) % 2 == 0 else 0.0
            rows.append((d, m, ch, v))
    sched = pd.DataFrame(rows, columns=["date", "market", "channel", "spend"])
    for _, part in sched.groupby(sched["date"].dt.to_period("M")):
        world = world.forward(part.reset_index(drop=True))
    return world


def estimates(world, last_months: int) -> dict:
    from adbudget.response.brand import brand_daily_frame, estimate_brand

    ads = world.ad_daily()
    rev = world.daily_markets()[["date", "market", "net_revenue"]].rename(columns={"net_revenue": "revenue"})
    since = pd.Timestamp(world.spec.end) - pd.DateOffset(months=last_months) + pd.Timedelta(days=1)
    ads = ads[pd.to_datetime(ads["date"]) >= since]
    rev = rev[pd.to_datetime(rev["date"]) >= since]
    return estimate_brand(brand_daily_frame(ads, rev))


def run(seed: int, size: str, mode: str, design: str, market: str | None) -> dict:
    from adbudget.simulate import World

    t0 = time.time()
    world = World.build(seed, size, brand=mode)
    market = market or design_market(world)
    world = continued(world, market, design)
    truth = world.brand_truth().set_index("market")
    out = {"seed": seed, "size": size, "mode": mode, "design": design, "market": market,
           "true_lt_roas": round(float(truth.loc[market, "lt_roas"]), 3), "windows": {}}
    for w in WINDOWS:
        est = estimates(world, w)
        e = est[market]
        others = [float(x.p_effect) for m, x in est.items() if m != market]
        out["windows"][w] = {
            "p_effect": round(e.p_effect, 2), "lt_roas": round(e.lt_roas, 2),
            "lt_lo": round(e.lt_roas_lo, 2), "lt_hi": round(e.lt_roas_hi, 2),
            "others_p_effect": [round(p, 2) for p in others],
            "others_p_mean": round(float(np.mean(others)), 2) if others else None,
        }
    out["seconds"] = round(time.time() - t0, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="7,1")
    ap.add_argument("--size", default="small")
    ap.add_argument("--modes", default="modest,none")
    ap.add_argument("--designs", default="plain,dark4,dark8,step")
    ap.add_argument("--market", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    for seed in args.seeds.split(","):
        for mode in args.modes.split(","):
            for design in args.designs.split(","):
                r = run(int(seed), args.size, mode, design, args.market)
                results.append(r)
                if not args.json:
                    cells = "  ".join(
                        f"{w}m P={v['p_effect']:.2f} lt {v['lt_roas']:.2f} [{v['lt_lo']:.2f}, {v['lt_hi']:.2f}]"
                        f" (others P {v['others_p_mean']})" for w, v in r["windows"].items())
                    print(f"{r['size']} {r['seed']} {r['mode']:6s} {r['design']:5s} {r['market']} "
                          f"true lt {r['true_lt_roas']:.2f}: {cells}  ({r['seconds']} s)", flush=True)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
