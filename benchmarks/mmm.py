"""Benchmark: our response model vs PyMC-Marketing's MMM on the same simulated data, in one run.

Run with the project's venv; the peer runs in its own venv (``--peer-python``) as a child
process reading the same CSV, so every fit of one invocation shares the machine's state:

    flock /tmp/adbudget-bench.lock nice .venv/bin/python benchmarks/mmm.py \\
        --weeks 208 --channels 5 --draws 1000 --chains 2

The data: ``adbudget.response.synthetic.make_world`` (geometric carryover + Hill saturation,
known ROAS) generated daily, then summed per week when ``--weeks`` is given (the issue's
208 weeks x 5 channels configuration). Both sides fit geometric adstock + logistic
saturation (PyMC-Marketing's ``GeometricAdstock`` + ``LogisticSaturation``; ours
``adstock = "geometric"``, ``saturation = "logistic"``, the same curve) with ``draws``
warm-up and ``draws`` kept draws per chain. ``--parallel`` (default) runs the chains of
every fit in parallel on the cores (ours: one JAX CPU device per chain; PyMC: ``cores``
processes; nutpie: ``cores`` threads); ``--sequential`` runs them one after another.

Ours runs in new processes (``--ours-child``): first with an empty JAX compile cache (cold),
then with the cache that fit filled (warm: a user's next fit of the same shapes);
``--peer-cold`` gives the PyMC peers an empty PyTensor compile directory likewise (by default
they use ``~/.pytensor``, warm after their first run), so cold/cold and warm/warm compare.

Prints wall time of the fit call (compilation included, imports excluded), ROAS error
(mean absolute percentage error of the posterior-mean ROAS per channel against the truth),
worst R-hat and smallest bulk ESS, and how many times faster ours is.
``--big`` also times a 13-market x 8-channel x 2-year daily fit of ours with default settings.
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


def meridian_peer(args: argparse.Namespace) -> None:
    """Child mode (Meridian venv): fit Google Meridian (national model), print one JSON line.

    Meridian's family is geometric adstock + Hill (it has no logistic saturation); its NUTS
    (TensorFlow Probability's windowed adaptive NUTS) runs the chains as one batch on all
    cores; warm-up = ``n_adapt`` + ``n_burnin`` = draws.
    """
    import arviz as az
    import numpy as np
    import pandas as pd
    from meridian.analysis import analyzer
    from meridian.data import data_frame_input_data_builder as builder
    from meridian.model import model, spec

    data = pd.read_csv(args.data, parse_dates=["date"])
    channels = [c for c in data.columns if c not in ("date", "revenue")]
    data["time"] = data["date"].dt.strftime("%Y-%m-%d")
    data["population"] = 1.0
    input_data = (builder.DataFrameInputDataBuilder(kpi_type="revenue")
                  .with_kpi(data, kpi_col="revenue", time_col="time")
                  .with_population(data)
                  .with_media(data, media_cols=channels, media_spend_cols=channels,
                              media_channels=channels, time_col="time")
                  .build())
    mmm = model.Meridian(input_data=input_data, model_spec=spec.ModelSpec(max_lag=args.l_max))
    start = time.perf_counter()
    mmm.sample_posterior(n_chains=args.chains, n_adapt=args.draws // 2, n_burnin=args.draws - args.draws // 2,
                         n_keep=args.draws, seed=1)
    seconds = time.perf_counter() - start
    roi = np.asarray(analyzer.Analyzer(mmm).roi())  # chain, draw, channel
    order = [str(c) for c in input_data.media_channel.values]
    names = [v for v in ("roi_m", "alpha_m", "ec_m", "slope_m") if v in mmm.inference_data.posterior]
    rhat = az.rhat(mmm.inference_data, var_names=names)
    ess = az.ess(mmm.inference_data, var_names=names)
    print(json.dumps({"seconds": seconds,
                      "roas": dict(zip(order, roi.reshape(-1, roi.shape[-1]).mean(0).tolist(), strict=True)),
                      "r_hat": max(float(rhat[v].max()) for v in rhat.data_vars),
                      "ess": min(float(ess[v].min()) for v in ess.data_vars), "divergences": None}))


def peer(args: argparse.Namespace) -> None:
    """Child mode (peer venv): fit PyMC-Marketing, print one JSON line."""
    if args.sampler == "meridian":
        meridian_peer(args)
        return
    import arviz as az
    import pandas as pd
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    data = pd.read_csv(args.data, parse_dates=["date"])
    channels = [c for c in data.columns if c not in ("date", "revenue")]
    mmm = MMM(date_column="date", channel_columns=channels,
              adstock=GeometricAdstock(l_max=args.l_max), saturation=LogisticSaturation(),
              yearly_seasonality=args.yearly)
    extra = {"nuts_sampler_kwargs": {"cores": args.cores}} if args.sampler == "nutpie" else {}
    start = time.perf_counter()
    mmm.fit(data[["date"] + channels], data["revenue"], draws=args.draws, tune=args.draws,
            chains=args.chains, cores=args.cores, random_seed=1, progressbar=False,
            nuts_sampler=args.sampler, **extra)
    seconds = time.perf_counter() - start
    contrib = mmm.compute_channel_contribution_original_scale()  # chain, draw, date, channel
    total = contrib.sum("date").stack(sample=("chain", "draw")).transpose("sample", "channel")
    spend = data[channels].sum().to_numpy()
    roas = total.to_numpy() / spend[None, :]
    names = ["saturation_beta", "adstock_alpha", "saturation_lam"]
    rhat = az.rhat(mmm.idata, var_names=names)
    ess = az.ess(mmm.idata, var_names=names)
    divergences = int(mmm.idata.sample_stats["diverging"].sum()) if "diverging" in mmm.idata.sample_stats else None
    print(json.dumps({"seconds": seconds, "roas": dict(zip(channels, roas.mean(0).tolist(), strict=True)),
                      "r_hat": max(float(rhat[v].max()) for v in rhat.data_vars),
                      "ess": min(float(ess[v].min()) for v in ess.data_vars),
                      "divergences": divergences}))


def ours(world, draws: int | None, chains: int, markets: list[str] | None = None,
         chain_method: str = "sequential", claims=None, method: str | None = "nuts",
         **settings_kw) -> dict:
    """Fit ours (NUTS unless ``method``; None: the settings' default, i.e. Laplace when claims
    are in the model); return wall seconds, ROAS means, worst R-hat and smallest ESS."""
    from adbudget.config.response import ResponseSettings
    from adbudget.response import fit_model

    settings = ResponseSettings(chain_method=chain_method, **settings_kw)
    start = time.perf_counter()
    cpu = time.process_time()
    result = fit_model(world.revenue, world.spend, world.regions, settings, method=method,
                       draws=draws, warmup=draws, chains=chains, markets=markets, claims=claims)
    d = result.diagnostics
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "sampler_seconds": result.seconds,
            "roas": {f"{m}/{c}": r for m, c, r in result.summary[["market", "channel", "roas"]].itertuples(index=False)},
            "r_hat": d["r_hat_max"], "ess": d["ess_min"], "divergences": d["divergences"],
            "draws": d["draws"], "warmup": draws or settings.warmup, "method": result.method}


def ours_child(args: argparse.Namespace) -> None:
    """Child mode (project venv): build the benchmark's world, fit ours once, print one JSON
    line. A child per fit, so the warm-cache fit is a new process, as a user's next fit is."""
    import numpyro

    if not args.sequential:
        numpyro.set_host_device_count(args.chains)
    from adbudget.workspace import compile_cache

    compile_cache.enable(args.compile_cache)
    world, l_max, _period, _n = benchmark_world(args)
    print(json.dumps(ours(world, args.draws, args.chains,
                          chain_method="sequential" if args.sequential else "parallel",
                          holdout_days=0, saturation=args.saturation,
                          max_lag=l_max * (7 if args.weeks else 1))))


def benchmark_world(args: argparse.Namespace):
    """The benchmark's one-market world, daily or summed per week; with the carryover length
    both sides use (in periods), the period's name and how many there are."""
    from adbudget.response.synthetic import make_world

    channels = CHANNELS_8[: args.channels]
    if args.weeks:  # 8 weeks of carryover on both sides
        return (weekly_world(make_world(["US"], channels, days=7 * args.weeks, seed=11)), 8,
                "weeks", args.weeks)
    return make_world(["US"], channels, days=args.days, seed=11), 21, "days", args.days


def ours_in_child(args: argparse.Namespace, cache: Path) -> dict:
    """Run :func:`ours_child` in a new process with the compile cache at ``cache``."""
    cmd = [sys.executable, __file__, "--ours-child", "--compile-cache", str(cache),
           "--weeks", str(args.weeks), "--days", str(args.days), "--channels", str(args.channels),
           "--draws", str(args.draws), "--chains", str(args.chains),
           "--saturation", args.saturation] + (["--sequential"] if args.sequential else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"ours failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def weekly_world(world):
    """The same world summed per week (weeks start on the first day)."""
    from dataclasses import replace

    import pandas as pd

    from adbudget.response.data import to_weekly

    revenue, spend = to_weekly(world.revenue, world.spend, pd.Timestamp(world.revenue["date"].min()))
    return replace(world, revenue=revenue, spend=spend)


def _error(estimate: dict, truth: dict) -> float:
    """Mean absolute percentage error of ROAS against the truth."""
    keys = [k for k in truth if k in estimate]
    return sum(abs(estimate[k] - truth[k]) / truth[k] for k in keys) / len(keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--sampler", default="pymc", help=argparse.SUPPRESS)
    parser.add_argument("--cores", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--l-max", type=int, default=8, help=argparse.SUPPRESS)
    parser.add_argument("--yearly", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--peer-python", default="/work/benchenv-response/bin/python")
    parser.add_argument("--meridian-python", default="/work/benchenv-meridian/bin/python")
    parser.add_argument("--weeks", type=int, default=0, help="weekly data of this many weeks")
    parser.add_argument("--days", type=int, default=365, help="daily data (when --weeks is 0)")
    parser.add_argument("--channels", type=int, default=5)
    parser.add_argument("--draws", type=int, default=1000, help="warm-up steps and draws per chain")
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--sequential", action="store_true", help="chains one after another")
    parser.add_argument("--samplers", default="pymc,nutpie",
                        help="peers to run, in order: pymc, nutpie (PyMC-Marketing), meridian")
    parser.add_argument("--saturation", default="logistic", help="ours: hill, logistic, exponential")
    parser.add_argument("--big", action="store_true", help="also time the 13 x 8 x 730 daily fit")
    parser.add_argument("--big-only", action="store_true", help="only the 13 x 8 x 730 daily fit")
    parser.add_argument("--big-method", default="default", choices=["default", "nuts", "laplace", "svi"],
                        help="big fit's method (default: the settings', Laplace with claims)")
    parser.add_argument("--big-claims", action=argparse.BooleanOptionalAction, default=True,
                        help="big fit with platform claims per line (synthetic_claims), as sellers have")
    parser.add_argument("--peer-timeout", type=int, default=3600, help="seconds before a peer is stopped")
    parser.add_argument("--ours-last", action="store_true",
                        help="fit ours again after the peers (shows how much the load moved)")
    parser.add_argument("--embed-above", type=int, default=None,
                        help="big fit: lag-tensor size above which the data are compiled into the "
                             "sampler (default: inference.EMBED_DATA_ABOVE; 10000000 = arguments)")
    parser.add_argument("--ours-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compile-cache", default=None,
                        help="ours: JAX compile cache directory (default: a new empty one, so the "
                             "first fit of ours is cold); 'off' disables it")
    parser.add_argument("--warm", action=argparse.BooleanOptionalAction, default=True,
                        help="also fit ours a second time in a new process with the cache the "
                             "first fit filled (a user's next fit of the same shapes)")
    parser.add_argument("--peer-cold", action="store_true",
                        help="PyMC peers with an empty PyTensor compile directory (by default they "
                             "use ~/.pytensor, warm after their first run)")
    parser.add_argument("--big-set", action="append", default=[], metavar="KEY=VALUE",
                        help="a [response] setting for the big fit only, e.g. media_season=false")
    args = parser.parse_args()
    if args.peer:
        peer(args)
        return
    if args.ours_child:
        ours_child(args)
        return
    parallel = not args.sequential
    if parallel or args.big:  # one CPU device per chain (must run before JAX starts)
        import numpyro

        numpyro.set_host_device_count(args.chains)
    cores = args.chains if parallel else 1
    if args.big_only:
        big_fit(args)
        return


    channels = CHANNELS_8[: args.channels]
    world, l_max, period, n_periods = benchmark_world(args)
    truth = {c: r for c, r in world.truth[["channel", "roas"]].itertuples(index=False)}
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    rows = []
    cache = Path(args.compile_cache or tempfile.mkdtemp(prefix="adbudget-xla-"))
    runs = [("cold", "adbudget NUTS, cold cache"), ("warm", "adbudget NUTS, warm cache")]
    for tag, label in runs[: 2 if args.warm else 1]:
        mine = ours_in_child(args, cache)
        mine_roas = {k.split("/")[1]: v for k, v in mine["roas"].items()}
        rows.append((label, mine["seconds"], _error(mine_roas, truth),
                     mine["r_hat"], mine["ess"], mine["divergences"]))
        print(json.dumps({f"ours ({tag} compile cache {cache})": mine}), flush=True)
    wide = world.spend.pivot_table(index="date", columns="channel", values="spend").reset_index()
    wide = wide.merge(world.revenue[["date", "revenue"]], on="date")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        wide.to_csv(path, index=False)
        for sampler in [s for s in args.samplers.split(",") if s]:
            python = args.meridian_python if sampler == "meridian" else args.peer_python
            cmd = [python, __file__, "--peer", "--data", str(path), "--sampler", sampler,
                   "--draws", str(args.draws), "--chains", str(args.chains), "--cores", str(cores),
                   "--l-max", str(l_max)]
            try:
                env = {**os.environ}
                if args.peer_cold and sampler != "meridian":  # PyTensor's C cache, emptied
                    env["PYTENSOR_FLAGS"] = f"compiledir={tempfile.mkdtemp(prefix='pytensor-')}"
                proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                      timeout=args.peer_timeout)
            except subprocess.TimeoutExpired:
                print(f"peer {sampler} did not finish in {args.peer_timeout} s", flush=True)
                continue
            if proc.returncode != 0:
                print(f"peer {sampler} failed: {proc.stderr.strip().splitlines()[-3:]}", flush=True)
                continue
            got = json.loads(proc.stdout.strip().splitlines()[-1])
            label = "Meridian" if sampler == "meridian" else f"PyMC-Marketing ({sampler})"
            print(json.dumps({label: got}), flush=True)
            rows.append((label, got["seconds"], _error(got["roas"], truth),
                         got["r_hat"], got["ess"], got["divergences"]))
    if args.ours_last:
        again = ours_in_child(args, cache)
        again_roas = {k.split("/")[1]: v for k, v in again["roas"].items()}
        print(json.dumps({"ours again": again}), flush=True)
        rows.append(("adbudget NUTS, warm, after peers", again["seconds"], _error(again_roas, truth),
                     again["r_hat"], again["ess"], again["divergences"]))
    load = os.getloadavg()
    print(f"\n{n_periods} {period} x {len(channels)} channels, {args.chains} chains x "
          f"({args.draws} warm-up + {args.draws} draws), chains "
          f"{'in parallel on ' + str(cores) + ' cores' if parallel else 'sequential'}; "
          f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    warm = rows[1][1] if args.warm else None
    print(f"{'model':32} {'wall s':>8} {'ROAS MAPE':>10} {'R-hat':>7} {'min ESS':>8} {'diverg.':>8} "
          f"{'÷ ours cold':>12}" + (f" {'÷ ours warm':>12}" if warm else ""))
    for name, seconds, err, rhat, ess, div in rows:
        print(f"{name:32} {seconds:8.1f} {100 * err:9.1f}% {rhat or float('nan'):7.3f} "
              f"{ess or float('nan'):8.0f} {div if div is not None else '-':>8} "
              f"{seconds / rows[0][1]:11.1f}x" + (f" {seconds / warm:11.1f}x" if warm else ""))
    if args.big:
        big_fit(args)


def big_fit(args: argparse.Namespace) -> None:
    """Time the 13-market x 8-channel x 730-day daily fit of ours with default settings."""
    from adbudget.response.synthetic import make_world, synthetic_claims

    if args.embed_above is not None:  # data as constants vs as arguments of the sampler
        from adbudget.response import inference

        inference.EMBED_DATA_ABOVE = args.embed_above
    big = make_world(MARKETS_13, CHANNELS_8, days=730, seed=12)
    extra = {}
    for item in args.big_set:
        key, _, value = item.partition("=")
        extra[key] = {"true": True, "false": False}.get(value.lower(), value)
    claims = synthetic_claims(big, seed=12) if args.big_claims else None
    method = None if args.big_method == "default" else args.big_method
    got = ours(big, None, args.chains, chain_method="auto", claims=claims, method=method, **extra)
    big_truth = {f"{m}/{c}": r for m, c, r in big.truth[["market", "channel", "roas"]].itertuples(index=False)}
    load = os.getloadavg()
    print(f"\n13 markets x 8 channels x 730 days, {'with' if args.big_claims else 'without'} "
          f"platform claims, default settings {extra or ''}, {got['method']} {args.chains} x "
          f"({got['warmup']}+{got['draws']}): wall {got['seconds']:.1f} s "
          f"(cpu {got['cpu_seconds']:.1f} s), ROAS MAPE {100 * _error(got['roas'], big_truth):.1f}%, "
          f"R-hat {got['r_hat'] or float('nan'):.3f}, min ESS {got['ess'] or float('nan'):.0f}, "
          f"divergences {got['divergences']}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
