"""Benchmark: the budgeting loop over several simulated sellers (issue 24).

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/loop.py \\
        [--sizes small] [--seeds 0,1,7] [--months 6] [--method laplace|svi|nuts] [--no-tests]
        [--plain-limits] [--move-steps pinned=0.6:0.3] [--buckets performance=90,test=10]
        [--json out.json]

For each world: ``adbudget loop`` (``adbudget.workspace.loop.run_loop``) from the same
history, the same monthly budget; per month the plan's true profit, the oracle's (best split
of the budget with full knowledge), the status quo's (the split before the loop, kept),
cumulative regret, the fit's marginal-ROAS error at the planned spend, and the scale tests
(switchbacks) with their 90 % coverage. The issue's bars: cumulative profit >= 90 % of the
oracle's; the plan beats the status quo in every month from the second; the gap to the
oracle shrinks month over month; each 90 % test interval covers its truth in >= 85 % of
tests; a 6-month loop on the small world in < 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import time


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _progress(k: int, p) -> None:
    """One line per finished month, flushed (a long run's partial result survives a kill;
    the workspace's loop.json holds the months too)."""
    if p is not None:
        print(f"  month {k} {p.period}: plan {p.plan_profit:,.0f} oracle {p.oracle_profit:,.0f} status quo"
              f" {p.status_quo_profit:,.0f} cum {100 * p.share_of_oracle:.0f}% perf"
              f" {p.plan_performance:,.0f}/{p.oracle_performance:,.0f} ({p.seconds:.0f} s)", flush=True)


def _print_lines(lines: list[dict]) -> None:
    """Per line: rule (cut/raise), performance reference -> planned, oracle, all money, fitted
    mROAS ± sd vs true, break-even; '!' where the fit is on the wrong side of break-even."""
    for x in lines:
        if not (x["performance"] or x["oracle"] or x["reference"]):
            continue
        wrong = (x["mroas_fit"] - x["break_even"]) * (x["mroas_true"] - x["break_even"]) < 0
        rule = f"{x['rule']} -{100 * x['cut']:.0f}/+{100 * x['raise']:.0f}" if x["rule"] else "-"
        ref = "-" if x["reference"] is None else f"{x['reference']:.0f}"
        print(f"    {x['market']}/{x['channel']:14} {rule:18} ref {ref:>6} -> {x['performance']:6.0f}"
              f" oracle {x['oracle']:6.0f} all {x['daily']:6.0f}  mROAS fit {x['mroas_fit']:5.2f}"
              f"±{x['mroas_sd']:4.2f} true {x['mroas_true']:5.2f} b/e {x['break_even']:4.2f}"
              f"{' !' if wrong else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="small")
    ap.add_argument("--seeds", default="0,1,7")
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--method", default="laplace")
    ap.add_argument("--no-tests", action="store_true")
    ap.add_argument("--move-limits", action="store_true",
                    help="plan with the knowledge move limit (the default since 2026-12-07)")
    ap.add_argument("--plain-limits", action="store_true",
                    help="plan with +-30 %% for every line instead of the knowledge move limit")
    ap.add_argument("--buckets", default=None, help="bucket shares, e.g. performance=90,test=10")
    ap.add_argument("--move-steps", default=None,
                    help="override (cut, raise) per rule, e.g. pinned=0.6:0.3,tested=1:0.6")
    ap.add_argument("--lines", action="store_true",
                    help="print each month's per-line diagnosis (rule, money, fitted vs true mROAS)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--from", dest="from_", default=None,
                    help="print the summary of earlier runs' --json files or workspaces' loop.json "
                         "(comma-separated) instead of running: loops run side by side, one table")
    args = ap.parse_args()
    if args.from_:
        runs = []
        for path in args.from_.split(","):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            runs += data.get("runs", [data])  # a --json file, or a workspace's loop.json
        _summary([r["summary"] for r in runs], runs)
        return

    from adbudget.plan.buckets import parse_buckets
    from adbudget.workspace.loop import run_loop

    buckets = parse_buckets(args.buckets) if args.buckets else None
    steps = None
    if args.move_steps:
        steps = {k: tuple(float(x) for x in v.split(":")) for k, v in
                 (item.split("=") for item in args.move_steps.split(","))}

    rows, runs = [], []
    for size in args.sizes.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            started = time.perf_counter()
            result = run_loop(seed, size, args.months, fit={"method": args.method},
                              tests=not args.no_tests, move_limits=not args.plain_limits,
                              buckets=buckets, move_steps=steps, on_period=_progress)
            runs.append(result.record())
            print(f"\n{size} seed {seed} ({time.perf_counter() - started:.0f} s)")
            print(f"{'month':8} {'plan':>10} {'oracle':>10} {'status quo':>10} {'cum regret':>11}"
                  f" {'cum %orc':>8} {'mROAS err':>9} {'perf plan':>10} {'perf orc':>10}"
                  f" {'perf sq':>10} move rules, tests")
            for p in result.periods:
                tests = "; ".join(f"{x['market']}/{x['channel']} {x['slope']:+.2f}±{x['slope_se']:.2f}"
                                  f" (true {x['true_slope']:.2f}){'' if x['covered'] else ' MISS'}"
                                  for x in p.tests)
                print(f"{p.period:8} {p.plan_profit:10,.0f} {p.oracle_profit:10,.0f}"
                      f" {p.status_quo_profit:10,.0f} {p.cumulative_regret:11,.0f}"
                      f" {100 * p.share_of_oracle:7.0f}% {p.mroas_error:9.2f}"
                      f" {p.plan_performance:10,.0f} {p.oracle_performance:10,.0f}"
                      f" {p.status_quo_performance:10,.0f} {p.limits} {tests}")
                if args.lines:
                    _print_lines(p.lines)
            s = result.summary()
            rows.append(s)
            print(f"cumulative: plan {s['plan_profit']:,.0f} = {100 * s['share_of_oracle']:.0f} % of the"
                  f" oracle; status quo {100 * s['status_quo_share_of_oracle']:.0f} %; beats the status"
                  f" quo every month from the second: {s['beats_status_quo_from_second']}; tests"
                  f" {s['tests']} (covered {s['tests_covered']}); test spend {s['test_spend']:,.0f} of"
                  f" buckets {s['test_bucket']:,.0f}; profit given up {s['given_up']:,.0f}"
                  f" (estimated {s['given_up_estimate']:,.0f}); performance bucket alone, like with"
                  f" like: plan {_pct(s['performance_share_of_oracle'])} of its oracle, status quo"
                  f" {_pct(s['performance_status_quo_share'])}")
    _summary(rows, runs)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"runs": runs}, f, indent=1, default=float)


def _summary(rows: list[dict], runs: list[dict]) -> None:
    """The table over worlds, and every designed test's 90 % interval against its truth."""
    # the same test read the same way in two runs (runs that agree up to a month) counts once
    seen: dict[tuple, dict] = {}
    for r in runs:
        for p in r["periods"]:
            for t in p["tests"]:
                key = (r["summary"]["size"], r["summary"]["seed"], t["test_id"], round(t["estimate"], 2))
                seen.setdefault(key, t)
    tests = list(seen.values())
    covered = [t["covered"] for t in tests]
    print("\nworld            plan/oracle  sq/oracle  perf: plan/oracle  sq/oracle  beats sq (m2+)"
          "  tests  covered  seconds")
    for s in rows:
        print(f"{s['size']:6} seed {s['seed']:<3} {100 * s['share_of_oracle']:10.0f}% "
              f"{100 * s['status_quo_share_of_oracle']:9.0f}% {_pct(s['performance_share_of_oracle']):>18}"
              f" {_pct(s['performance_status_quo_share']):>10}"
              f" {str(s['beats_status_quo_from_second']):>14}"
              f" {s['tests']:6} {_pct(s['tests_covered']):>8}"
              f" {s['seconds']:8.0f}")
    if covered:
        z = [(t["estimate"] - t["true"]) / t["se"] for t in tests if t.get("se")]
        mean = sum(z) / len(z)
        sd = (sum((x - mean) ** 2 for x in z) / max(len(z) - 1, 1)) ** 0.5
        print(f"all tests (distinct): {len(covered)}, 90 % intervals covering the truth: {sum(covered)}"
              f" ({100 * sum(covered) / len(covered):.0f} %); z = (estimate - truth) / SE: mean"
              f" {mean:+.2f}, sd {sd:.2f}")
    for s in rows:
        months = [p for r in runs if r["summary"] is s for p in r["periods"]]
        if months:
            cum = ", ".join(f"{100 * p['share_of_oracle']:.0f}" for p in months)
            perf = ", ".join(f"{100 * p['plan_performance'] / p['oracle_performance']:.0f}"
                             if p["oracle_performance"] else "-" for p in months)
            beats = sum(p["plan_profit"] > p["status_quo_profit"] for p in months[1:])
            pbeats = sum(p["plan_performance"] > p["status_quo_performance"] for p in months[1:])
            print(f"{s['size']} {s['seed']}: cumulative % of the oracle by month {cum}; performance"
                  f" bucket % of its oracle by month {perf}; beats the status quo in {beats} of"
                  f" {len(months) - 1} months from the second (performance bucket {pbeats})")


if __name__ == "__main__":
    main()
