"""Benchmark of the experiments area against peers, in one process tree.

1. Decisions over 1,000 simulated A/B tests (log-normal order values): ours from DAILY
   totals (all ad platforms report) vs `bayesian-testing` (DeltaLognormalDataTest), which
   needs ORDER-level sums of log values. Same decision rule for both (scale B when
   P(B beats A) >= 0.975 and relative expected loss <= 1 %): scale rate under no true
   difference, power under a 20 % conversion-rate lift, and wall time.
3. The whole weekly loop (ours only): decisions + Thompson allocation vs decisions + equal
   split, 4 arms (one 20 % better), and under no true difference.
2. Creative fatigue: changepoint error on CTR series with an injected decay start, ours
   (Poisson changepoint-decay fit) vs `ruptures` (Dynp, continuous piecewise-linear cost on
   log CTR), and time.

Ours runs here (.venv); the peers run in a separate venv given by --peer-python
(default /work/benchenv-exp/bin/python: `python3.11 -m venv /work/benchenv-exp &&
/work/benchenv-exp/bin/pip install bayesian-testing ruptures`).

    .venv/bin/python benchmarks/experiments.py [--experiments 1000] [--peer-python PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from adbudget.experiments.decide import SCALE, DecisionRules
from adbudget.experiments.design import clicks_per_arm
from adbudget.experiments.fatigue import fit_decay
from adbudget.experiments.simulation import (
    SimulatedData,
    order_values,
    simulate_test_bucket,
    simulated_decisions,
)

DAYS, CVR, VALUE, CV = 14, 0.03, 40.0, 1.0

PEER_AB = textwrap.dedent('''
    import json, sys, time
    import numpy as np
    from bayesian_testing.experiments import DeltaLognormalDataTest
    d = np.load(sys.argv[1])
    out = {}
    for case in ("null", "lift"):
        tot, pos, s, sl, sl2 = (d[f"{case}_{k}"] for k in ("clicks", "conv", "rev", "logs", "logs2"))
        t0 = time.perf_counter()
        scaled = 0
        for e in range(tot.shape[0]):
            test = DeltaLognormalDataTest()
            for a, name in enumerate("AB"):
                test.add_variant_data_agg(name, int(tot[e, a]), int(pos[e, a]), float(s[e, a]),
                                          float(sl[e, a]), float(sl2[e, a]))
            res = {r["variant"]: r for r in test.evaluate(sim_count=2000, seed=e)}
            best = max(r["posterior_mean"] for r in res.values())
            if res["B"]["prob_being_best"] >= 0.975 and res["B"]["expected_loss"] / best <= 0.01:
                scaled += 1
        out[case] = dict(scale_rate=scaled / tot.shape[0], seconds=time.perf_counter() - t0)
    print(json.dumps(out))
''')

PEER_FATIGUE = textwrap.dedent('''
    import json, sys, time
    import numpy as np
    import ruptures as rpt
    d = np.load(sys.argv[1])
    clicks, imp = d["clicks"], d["imp"]
    t0 = time.perf_counter()
    found = []
    for c, i in zip(clicks, imp):
        signal = np.log(np.maximum(c, 0.5) / i).reshape(-1, 1)
        bkps = rpt.Dynp(model="clinear", min_size=4, jump=1).fit(signal).predict(n_bkps=1)
        found.append(bkps[0])
    print(json.dumps(dict(tau=found, seconds=time.perf_counter() - t0)))
''')


def simulate(n, cvr_b, clicks_per_day, seed):
    """Daily arrays for ours plus order-level log sums per arm for the peer."""
    rng = np.random.default_rng(seed)
    shape = (n, 2, DAYS)
    clicks = rng.poisson(clicks_per_day, size=shape).astype(float)
    p = np.broadcast_to(np.array([CVR, cvr_b])[None, :, None], shape)
    conv = rng.binomial(clicks.astype(np.int64), p)
    flat = conv.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    v = order_values(cell.size, VALUE, CV, rng)
    rev = np.bincount(cell, weights=v, minlength=flat.size).reshape(shape)
    logs = np.bincount(cell, weights=np.log(v), minlength=flat.size).reshape(shape)
    logs2 = np.bincount(cell, weights=np.log(v) ** 2, minlength=flat.size).reshape(shape)
    data = SimulatedData(spend=clicks.copy(), clicks=clicks, conversions=conv.astype(float), revenue=rev)
    peer = dict(clicks=clicks.sum(-1), conv=conv.sum(-1), rev=rev.sum(-1), logs=logs.sum(-1),
                logs2=logs2.sum(-1))
    return data, peer


def run_peer(python, script, npz):
    proc = subprocess.run([python, "-c", script, npz], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"
    return json.loads(proc.stdout), None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--experiments", type=int, default=1000)
    ap.add_argument("--peer-python", default="/work/benchenv-exp/bin/python")
    ap.add_argument("--creatives", type=int, default=200)
    args = ap.parse_args()
    n = args.experiments
    n_clicks = clicks_per_arm(CVR, VALUE, CV, 0.2, power=0.8)
    print(f"A/B: {n} experiments x 2 arms x {DAYS} days, {n_clicks:,.0f} clicks per arm (power 80 % "
          f"planned for a 20 % lift), log-normal order values CV {CV}")
    tmp = Path(tempfile.mkdtemp())
    peer_arrays, ours = {}, {}
    for case, cvr_b, seed in (("null", CVR, 1), ("lift", CVR * 1.2, 2)):
        data, peer = simulate(n, cvr_b, n_clicks / DAYS, seed)
        peer_arrays.update({f"{case}_{k}": v for k, v in peer.items()})
        t0 = time.perf_counter()
        dec = simulated_decisions(data, DecisionRules(), n_draws=2000)
        ours[case] = dict(scale_rate=float((dec.decision[:, 1] == SCALE).mean()),
                          seconds=time.perf_counter() - t0)
    np.savez(tmp / "ab.npz", **peer_arrays)
    peer, err = run_peer(args.peer_python, PEER_AB, str(tmp / "ab.npz"))
    for case, label in (("null", "scale rate, no true difference"), ("lift", "scale rate, 20 % lift (power)")):
        line = f"  {label:34s} ours {ours[case]['scale_rate']:6.1%}"
        if peer:
            line += f"   bayesian-testing {peer[case]['scale_rate']:6.1%}"
        print(line)
    t_ours = ours["null"]["seconds"] + ours["lift"]["seconds"]
    if peer:
        t_peer = peer["null"]["seconds"] + peer["lift"]["seconds"]
        print(f"  wall time for {2 * n} analyses: ours {t_ours:.2f} s, bayesian-testing {t_peer:.2f} s "
              f"(ratio {t_peer / t_ours:.1f}x)")
    else:
        print(f"  wall time for {2 * n} analyses: ours {t_ours:.2f} s; peer not run: {err}")

    # -- fatigue ---------------------------------------------------------------------------
    rng = np.random.default_rng(7)
    m, T = args.creatives, 60
    taus = rng.integers(12, 45, size=m)
    age = np.arange(T)
    imp = rng.poisson(30_000, size=(m, T)).astype(float)
    rate = 0.02 * np.exp(-0.04 * np.maximum(age[None, :] - taus[:, None], 0)) * rng.lognormal(0, 0.05, (m, T))
    clicks = rng.poisson(imp * rate).astype(float)
    t0 = time.perf_counter()
    fits = [fit_decay(age, c, i) for c, i in zip(clicks, imp, strict=True)]
    t_fat = time.perf_counter() - t0
    err_ours = np.abs(np.array([f.tau if f.tau is not None else -100 for f in fits]) - taus)
    np.savez(tmp / "fat.npz", clicks=clicks, imp=imp)
    peer_f, err = run_peer(args.peer_python, PEER_FATIGUE, str(tmp / "fat.npz"))
    print(f"Fatigue: {m} creatives x {T} days, decay 4 %/day from an age in 12-44")
    print(f"  ours: mean |error| {err_ours.mean():.2f} days, within 3 days {np.mean(err_ours <= 3):.0%}, "
          f"{t_fat:.2f} s")
    if peer_f:
        err_peer = np.abs(np.array(peer_f["tau"]) - taus)
        print(f"  ruptures (Dynp, clinear on log CTR): mean |error| {err_peer.mean():.2f} days, within 3 days "
              f"{np.mean(err_peer <= 3):.0%}, {peer_f['seconds']:.2f} s (ratio {peer_f['seconds'] / t_fat:.1f}x)")
    else:
        print(f"  ruptures not run: {err}")

    # -- the weekly loop -------------------------------------------------------------------
    print("Weekly test bucket, 4 arms (control 3.0 %, 2.7 %, 3.6 %, 3.0 % conversion), 20,000/week, "
          "up to 8 weeks, 100 runs")
    for adaptive, label in ((True, "decisions + Thompson"), (False, "decisions + equal split")):
        t0 = time.perf_counter()
        r = simulate_test_bucket([0.03, 0.027, 0.036, 0.03], 40.0, 1.0, weekly_budget=20_000, weeks=8,
                               runs=100, adaptive=adaptive)
        print(f"  {label:24s} best arm graduated {np.mean(r.graduated == 2):4.0%}, wrong arm "
              f"{np.mean((r.graduated >= 0) & (r.graduated != 2)):3.0%}, none {np.mean(r.graduated < 0):3.0%}; "
              f"weeks to decide {r.weeks.mean():.1f}; regret {r.regret.mean():,.0f} "
              f"({time.perf_counter() - t0:.1f} s)")
    r = simulate_test_bucket([0.03] * 4, 40.0, 1.0, weekly_budget=20_000, weeks=8, runs=200, seed=5)
    print(f"  no true difference, weekly looks: an arm graduated in {np.mean(r.graduated >= 0):.1%} of 200 runs")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
