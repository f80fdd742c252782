"""Benchmark: our response model vs PyMC-Marketing's MMM on the same simulated data.

Run with the project's venv; the peer runs in its own venv (``--peer-python``) as a child
process reading the same CSV, so both live in one process tree:

    nice .venv/bin/python benchmarks/mmm.py --peer-python /work/benchenv-response/bin/python

Prints wall time, ROAS error against the truth and worst R-hat for each, and the ratios.
``--big`` also times a 13-market x 8-channel x 2-year daily fit of ours.
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

MARKETS_13 = ["US", "CA", "GB", "DE", "FR", "IT", "ES", "ID", "TH", "MY", "SA", "BR", "MX"]
CHANNELS_8 = ["meta", "tiktok", "google_search", "youtube", "amazon", "kol", "email", "other"]


def peer(args: argparse.Namespace) -> None:
    """Child mode (peer venv): fit PyMC-Marketing, print one JSON line."""
    import arviz as az
    import pandas as pd
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    data = pd.read_csv(args.data, parse_dates=["date"])
    channels = [c for c in data.columns if c not in ("date", "revenue")]
    mmm = MMM(date_column="date", channel_columns=channels, adstock=GeometricAdstock(l_max=21),
              saturation=LogisticSaturation(), yearly_seasonality=4)
    start = time.perf_counter()
    mmm.fit(data[["date"] + channels], data["revenue"], draws=args.draws, tune=args.draws,
            chains=args.chains, cores=1, random_seed=1, progressbar=False,
            nuts_sampler=args.sampler)
    seconds = time.perf_counter() - start
    contrib = mmm.compute_channel_contribution_original_scale()  # chain, draw, date, channel
    total = contrib.sum("date").stack(sample=("chain", "draw")).transpose("sample", "channel")
    spend = data[channels].sum().to_numpy()
    roas = total.to_numpy() / spend[None, :]
    rhat = az.rhat(mmm.idata, var_names=["saturation_beta", "adstock_alpha", "saturation_lam"])
    worst = max(float(rhat[v].max()) for v in rhat.data_vars)
    print(json.dumps({"seconds": seconds, "roas": dict(zip(channels, roas.mean(0).tolist(), strict=True)),
                      "r_hat": worst}))


def ours(world, draws: int, chains: int, markets: list[str] | None = None,
         chain_method: str = "sequential") -> dict:
    """Fit ours with NUTS; return wall seconds, ROAS means and worst R-hat."""
    from adbudget.config.response import ResponseSettings
    from adbudget.response import fit_model

    settings = ResponseSettings(holdout_days=0, chain_method=chain_method)
    start = time.perf_counter()
    cpu = time.process_time()
    result = fit_model(world.revenue, world.spend, world.regions, settings, method="nuts",
                       draws=draws, warmup=draws, chains=chains, markets=markets)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "sampler_seconds": result.seconds,
            "roas": {f"{m}/{c}": r for m, c, r in result.summary[["market", "channel", "roas"]].itertuples(index=False)},
            "r_hat": result.diagnostics["r_hat_max"], "divergences": result.diagnostics["divergences"]}


def _error(estimate: dict, truth: dict) -> float:
    """Mean absolute percentage error of ROAS against the truth."""
    keys = [k for k in truth if k in estimate]
    return sum(abs(estimate[k] - truth[k]) / truth[k] for k in keys) / len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--sampler", default="pymc", help=argparse.SUPPRESS)
    parser.add_argument("--peer-python", default="/work/benchenv-response/bin/python")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--draws", type=int, default=500, help="draws and tuning steps per chain")
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--samplers", default="pymc,nutpie", help="peer samplers to run")
    parser.add_argument("--big", action="store_true", help="also time the 13 x 8 x 730 fit")
    args = parser.parse_args()
    if args.peer:
        peer(args)
        return
    if args.big:  # one CPU device per chain for the big fit (before JAX starts)
        import numpyro

        numpyro.set_host_device_count(args.chains)

    from adbudget.response.synthetic import make_world

    channels = CHANNELS_8[: args.channels]
    world = make_world(["US"], channels, days=args.days, seed=11)
    truth = {c: r for c, r in world.truth[["channel", "roas"]].itertuples(index=False)}
    rows = []
    mine = ours(world, args.draws, args.chains)
    mine_roas = {k.split("/")[1]: v for k, v in mine["roas"].items()}
    rows.append(("adbudget NUTS", mine["seconds"], _error(mine_roas, truth), mine["r_hat"]))
    print(json.dumps({"ours": mine}), flush=True)
    wide = world.spend.pivot_table(index="date", columns="channel", values="spend").reset_index()
    wide = wide.merge(world.revenue[["date", "revenue"]], on="date")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        wide.to_csv(path, index=False)
        for sampler in [s for s in args.samplers.split(",") if s]:
            cmd = [args.peer_python, __file__, "--peer", "--data", str(path), "--sampler", sampler,
                   "--draws", str(args.draws), "--chains", str(args.chains)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ})
            if proc.returncode != 0:
                print(f"peer {sampler} failed: {proc.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            print(json.dumps({f"pymc-marketing/{sampler}": got}), flush=True)
            rows.append((f"PyMC-Marketing ({sampler})", got["seconds"], _error(got["roas"], truth),
                         got["r_hat"]))
    print(f"\n{args.days} days x {len(channels)} channels, {args.chains} chains x "
          f"({args.draws} warm-up + {args.draws} draws), one core per fit")
    print(f"{'model':28} {'wall s':>8} {'ROAS MAPE':>10} {'R-hat':>7} {'ours faster':>12}")
    for name, seconds, err, rhat in rows:
        print(f"{name:28} {seconds:8.1f} {100 * err:9.1f}% {rhat or float('nan'):7.3f} "
              f"{seconds / rows[0][1]:11.1f}x")
    if args.big:
        big = make_world(MARKETS_13, CHANNELS_8, days=730, seed=12)
        got = ours(big, args.draws, args.chains, chain_method="parallel")
        big_truth = {f"{m}/{c}": r for m, c, r in big.truth[["market", "channel", "roas"]].itertuples(index=False)}
        print(f"\n13 markets x 8 channels x 730 days, NUTS {args.chains} x ({args.draws}+{args.draws}): "
              f"chains in parallel: wall {got['seconds']:.1f} s (cpu {got['cpu_seconds']:.1f} s), "
              f"ROAS MAPE {100 * _error(got['roas'], big_truth):.1f}%, R-hat {got['r_hat']:.3f}, "
              f"divergences {got['divergences']}")


if __name__ == "__main__":
    sys.exit(main())
