"""Benchmark: BG/NBD + Gamma-Gamma fit on 1 M customers' summaries, ours vs lifetimes.

Draws 1,000,000 customers from a BG/NBD world with known parameters (ages and last purchase
in whole days, as summaries from daily orders are) and Gamma-Gamma spend, fits both models
with adbudget.ltv and, in a child process of the same run, with lifetimes (installed in a
separate virtualenv, default /work/benchenv-ltv), and prints times, parameters and the ratio.

    .venv/bin/python benchmarks/ltv.py [--n 1000000] [--peer-python /work/benchenv-ltv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TRUE_BG = {"r": 0.6, "alpha": 9.0, "a": 0.7, "b": 3.0}
TRUE_GG = {"p": 5.0, "q": 4.0, "v": 30.0}

PEER = r"""
import json, sys, time
import numpy as np
from lifetimes import BetaGeoFitter, GammaGammaFitter
d = np.load(sys.argv[1])
x, t_x, T, m = d["x"], d["t_x"], d["T"], d["m"]
out = {}
t0 = time.perf_counter()
c0 = time.process_time()
bg = BetaGeoFitter(penalizer_coef=0.0)
bg.fit(x, t_x, T)
out["bgnbd_s"] = time.perf_counter() - t0
out["bgnbd"] = {k: float(v) for k, v in bg.params_.items()}
keep = x > 0
t0 = time.perf_counter()
gg = GammaGammaFitter(penalizer_coef=0.0)
gg.fit(x[keep], m[keep])
out["gg_s"] = time.perf_counter() - t0
out["cpu_s"] = time.process_time() - c0
out["gg"] = {k: float(v) for k, v in gg.params_.items()}
import lifetimes
out["version"] = lifetimes.__version__
print(json.dumps(out))
"""


def make_data(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Summaries of n customers from the known world (weeks; days as the time grain)."""
    from adbudget.ltv import simulate_bgnbd, simulate_gamma_gamma

    rng = np.random.default_rng(seed)
    T = rng.integers(7, 730, n) / 7.0
    x, t_x, T = simulate_bgnbd(n, *TRUE_BG.values(), T=T, seed=seed + 1)
    t_x = np.where(x > 0, np.maximum(np.floor(t_x * 7.0), 1.0) / 7.0, 0.0)
    t_x = np.minimum(t_x, T)
    m = simulate_gamma_gamma(x.astype(np.int64), *TRUE_GG.values(), seed=seed + 2)
    m = np.round(m, 2)
    return {"x": x, "t_x": t_x, "T": T, "m": m}


def ours(d: dict[str, np.ndarray]) -> dict:
    from adbudget.ltv import fit_bgnbd, fit_gamma_gamma

    t0, c0 = time.perf_counter(), time.process_time()
    bg = fit_bgnbd(d["x"], d["t_x"], d["T"])
    t_bg, c_bg = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    gg = fit_gamma_gamma(d["x"], d["m"])
    t_gg, c_gg = time.perf_counter() - t0, time.process_time() - c0
    return {"bgnbd_s": t_bg, "gg_s": t_gg, "cpu_s": c_bg + c_gg,
            "bgnbd": {k: getattr(bg, k) for k in TRUE_BG},
            "gg": {k: getattr(gg, k) for k in TRUE_GG}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-peer", action="store_true", help="Measure ours only.")
    ap.add_argument("--peer-python", default=os.environ.get("LTV_PEER_PYTHON", "/work/benchenv-ltv/bin/python"))
    args = ap.parse_args()
    print(f"cores available: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; "
          f"customers: {args.n:,}")
    t0 = time.perf_counter()
    d = make_data(args.n, args.seed)
    print(f"simulated in {time.perf_counter() - t0:.1f} s; repeaters: {(d['x'] > 0).sum():,}")
    res = {"adbudget": ours(d)}
    peer_ok = Path(args.peer_python).exists() and not args.no_peer
    if peer_ok:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "summaries.npz"
            np.savez(path, **d)
            proc = subprocess.run([args.peer_python, "-c", PEER, str(path)], capture_output=True, text=True)
        if proc.returncode == 0:
            res["lifetimes"] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            print("lifetimes failed:", proc.stderr.strip().splitlines()[-1:])
            peer_ok = False
    elif not args.no_peer:
        print(f"peer interpreter {args.peer_python} not found: measuring ours only")
    print()
    print(f"wall seconds per model and CPU seconds in all (load average now {os.getloadavg()[0]:.1f})")
    print(f"{'':12}{'BG/NBD s':>10}{'GG s':>8}{'CPU s':>8}  " + " ".join(f"{k:>7}" for k in [*TRUE_BG, *TRUE_GG]))
    print(f"{'truth':12}{'':>10}{'':>8}{'':>8}  " + " ".join(f"{v:7.3f}" for v in [*TRUE_BG.values(), *TRUE_GG.values()]))
    for name, r in res.items():
        vals = [*r["bgnbd"].values(), *r["gg"].values()]
        print(f"{name:12}{r['bgnbd_s']:10.2f}{r['gg_s']:8.2f}{r['cpu_s']:8.2f}  "
              + " ".join(f"{v:7.3f}" for v in vals))
    if peer_ok:
        a, b = res["adbudget"], res["lifetimes"]
        ratio = (b["bgnbd_s"] + b["gg_s"]) / (a["bgnbd_s"] + a["gg_s"])
        print(f"\nlifetimes {b.get('version', '?')} / adbudget total fit time: {ratio:.1f}x")
        diff = max(abs(a["bgnbd"][k] / b["bgnbd"][k] - 1) for k in TRUE_BG)
        print(f"largest relative BG/NBD parameter difference between the two: {diff:.2e}")
    total = res["adbudget"]["bgnbd_s"] + res["adbudget"]["gg_s"]
    cpu = res["adbudget"]["cpu_s"]
    print(f"adbudget total: {total:.2f} s wall, {cpu:.2f} s CPU "
          f"({'under' if total < 10 else 'OVER'} the 10 s target on wall time)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
