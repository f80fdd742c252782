"""Does the monthly refit learn from the plan's own moves? (issue 24: the plan's moves as evidence)

    .venv/bin/python benchmarks/loop_moves.py LOOP.json [LOOP.json ...]

Reads loop records (``benchmarks/loop.py --json`` or a workspace's ``loop.json``) and, per line
and month, sets the change the plan made to the line's money in month k (|log| of month k's
daily spend over month k-1's, all buckets: the fit sees all spend) against the change of the
fit's marginal-ROAS error from month k to month k+1 (|log(fitted / true)| at the planned
spend, each month's fit being on data through the month before). If month-over-month moves
were evidence the refit ignores, moved lines would learn no faster than lines held still.
"""

from __future__ import annotations

import argparse
import json
import math
from statistics import median


def rows(record: dict) -> list[tuple[float, float]]:
    periods = record["periods"]
    out = []
    for k in range(1, len(periods) - 1):
        prev = {(x["market"], x["channel"]): x for x in periods[k - 1].get("lines", [])}
        nxt = {(x["market"], x["channel"]): x for x in periods[k + 1].get("lines", [])}
        for x in periods[k].get("lines", []):
            key = (x["market"], x["channel"])
            p, n = prev.get(key), nxt.get(key)
            if not p or not n or min(p["daily"], x["daily"], n["daily"]) < 1.0:
                continue
            err = [abs(math.log(max(y["mroas_fit"], 1e-6) / max(y["mroas_true"], 1e-6)))
                   for y in (x, n)]
            if not all(math.isfinite(e) for e in err):
                continue
            out.append((abs(math.log(x["daily"] / p["daily"])), err[1] - err[0]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    data: list[tuple[float, float]] = []
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            rec = json.load(f)
        for run in rec.get("runs", [rec]):
            data += rows(run)
    print(f"{'moved in month k':28} {'lines x months':>14} {'median change of |log err|':>27}"
          f" {'share whose error fell':>23}")
    for name, lo, hi in (("held (< 10 %)", 0.0, math.log(1.1)),
                         ("moved 10-30 %", math.log(1.1), math.log(1.3)),
                         ("moved > 30 %", math.log(1.3), math.inf)):
        d = [e for m, e in data if lo <= m < hi]
        if d:
            print(f"{name:28} {len(d):14} {median(d):+27.3f} {100 * sum(e < 0 for e in d) / len(d):22.0f}%")


if __name__ == "__main__":
    main()
