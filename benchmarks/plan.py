"""Benchmark of the planner's optimizer vs PyMC-Marketing's BudgetOptimizer, same curves.

Curves: Hill ``beta * s^k / (s^k + half^k)`` per line and posterior draw, k in [0.8, 2.5]
(a third of the lines S-shaped), posterior spread ~15 %. Both optimizers maximize the mean
over draws of total response for a fixed total budget; both answers are scored with the same
numpy evaluation. PyMC-Marketing runs in its own venv (/work/benchenv-plan) as a subprocess,
through its documented ``CustomModelWrapper`` for custom PyMC models (SLSQP on a compiled
pytensor objective and gradient).

    .venv/bin/python benchmarks/plan.py                      # 1,000 lines x 500 draws + peer
    .venv/bin/python benchmarks/plan.py --lines 50 --draws 200
    .venv/bin/python benchmarks/plan.py --no-peer
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from adbudget.curves import HillCurves  # noqa: E402
from adbudget.plan.optimizer import MeanValue, solve  # noqa: E402

PEER_PYTHON = os.environ.get("PLAN_PEER_PYTHON", "/work/benchenv-plan/bin/python")

PEER_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, arviz as az, pymc as pm, xarray as xr
import pymc.dims as pmd
import pytensor.xtensor.math as ptxm
from pymc_marketing.mmm.budget_optimizer import BudgetOptimizer, CustomModelWrapper

d = np.load(sys.argv[1])
beta, half, k, budget = d["beta"], d["half"], d["k"], float(d["budget"])
draws, n = beta.shape
channels = [f"l{i}" for i in range(n)]
t0 = time.perf_counter()
with pm.Model(coords={"date": [0], "channel": channels}) as model:
    x = pmd.Data("channel_data", xr.DataArray(np.ones((1, n)), dims=("date", "channel")))
    b = pmd.HalfNormal("beta", 1.0, dims="channel")
    h = pmd.HalfNormal("half", 1.0, dims="channel")
    kk = pmd.HalfNormal("k", 1.0, dims="channel")
    xs = ptxm.maximum(x, 1e-9)
    contrib = b * xs ** kk / (xs ** kk + h ** kk)
    pmd.Deterministic("channel_contribution", contrib)
    pmd.Deterministic("total_contribution", contrib.sum())
post = {"beta": beta[None], "half": half[None], "k": k[None]}
idata = az.from_dict(posterior=post, coords={"channel": channels}, dims={v: ["channel"] for v in post})
wrapper = CustomModelWrapper(base_model=model, idata=idata, channels=channels)
mask = xr.DataArray(np.ones(n, dtype=bool), dims=["channel"], coords={"channel": channels})
opt = BudgetOptimizer(model=wrapper, num_periods=1, budgets_to_optimize=mask)
t1 = time.perf_counter()
alloc, res = opt.allocate_budget(total_budget=budget,
                                 budget_bounds={c: (0.0, budget) for c in channels})
t2 = time.perf_counter()
print(json.dumps({"setup_s": t1 - t0, "solve_s": t2 - t1, "success": bool(res.success),
                  "message": str(res.message), "nit": int(getattr(res, "nit", -1)),
                  "spend": [float(v) for v in np.asarray(alloc).ravel()]}))
"""


def make_curves(lines: int, draws: int, seed: int) -> HillCurves:
    rng = np.random.default_rng(seed)
    beta = rng.uniform(50, 200, lines) * rng.lognormal(0, 0.15, (draws, lines))
    half = rng.uniform(10, 100, lines) * rng.lognormal(0, 0.15, (draws, lines))
    k = np.broadcast_to(rng.uniform(0.8, 2.5, lines), (draws, lines)).copy()
    names = [("XX", f"l{i}") for i in range(lines)]
    return HillCurves(names, beta, half, k, spend_now=rng.uniform(5, 60, lines))


def run_ours(curves: HillCurves, budget: float, repeats: int) -> tuple[float, np.ndarray, object, int]:
    best_t, sol, evals = np.inf, None, 0
    for _ in range(repeats):
        fn = MeanValue(curves)
        t0 = time.perf_counter()
        sol = solve(curves, budget, value_fn=fn)
        best_t = min(best_t, time.perf_counter() - t0)
        evals = fn.evaluations
    return best_t, sol.spend, sol, evals


def run_peer(curves: HillCurves, budget: float, timeout: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "curves.npz"
        np.savez(data, beta=curves.beta, half=curves.half, k=curves.shape, budget=budget)
        script = Path(tmp) / "peer.py"
        script.write_text(PEER_SCRIPT)
        t0 = time.perf_counter()
        try:
            out = subprocess.run([PEER_PYTHON, str(script), str(data)], capture_output=True,
                                 text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"no answer within {timeout} s (killed)"}
        wall = time.perf_counter() - t0
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--budget-per-line", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--peer-timeout", type=int, default=1800)
    args = ap.parse_args()

    curves = make_curves(args.lines, args.draws, args.seed)
    budget = args.budget_per_line * args.lines
    score = MeanValue(curves)
    t_ours, x_ours, sol, evals = run_ours(curves, budget, args.repeats)
    v_ours = float(score.value(x_ours).sum())
    print(f"lines={args.lines} draws={args.draws} budget={budget:,.0f} (daily)")
    print(f"ours:  {t_ours:.3f} s (best of {args.repeats})  objective={v_ours:,.4f}  "
          f"check passed={sol.check.passed} max gap={sol.check.max_gap_pct:.2e}% "
          f"free={sol.check.n_free} off={sol.check.n_off} curve evaluations={evals}")
    if args.no_peer:
        return
    if not Path(PEER_PYTHON).exists():
        print(f"peer: not installed ({PEER_PYTHON}); see docs/benchmarks/plan.md")
        return
    peer = run_peer(curves, budget, args.peer_timeout)
    if "error" in peer:
        print(f"peer: failed: {peer['error']}")
        return
    x_peer = np.asarray(peer["spend"])
    v_peer = float(score.value(x_peer).sum())
    print(f"pymc-marketing: solve {peer['solve_s']:.3f} s, setup {peer['setup_s']:.3f} s, "
          f"process {peer['wall_s']:.1f} s  objective={v_peer:,.4f}  success={peer['success']} "
          f"nit={peer['nit']}  budget used={x_peer.sum():,.2f}")
    print(f"ratio: time peer solve / ours = {peer['solve_s'] / t_ours:.1f}x; "
          f"objective ours / peer = {v_ours / v_peer:.5f} "
          f"({(v_ours - v_peer) / abs(v_peer) * 100:+.3f} %)")


if __name__ == "__main__":
    main()
