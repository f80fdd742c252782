"""Fan the sellers out: one seller per worker, results as they finish, failures contained.

Backends:

- ``process`` (default): a local ``ProcessPoolExecutor`` (``spawn`` start: JAX is not
  fork-safe), ``workers`` processes (default: the CPU count, at most the number of sellers),
  each on one thread (XLA, BLAS/OpenMP and DuckDB: ``single_thread_env``, ``threads=1``), so
  the pool never runs more compute threads than there are cores;
- ``serial``: one seller after the other in this process (the baseline, and for debugging);
- ``ray``: one Ray task per seller (``ray.init()`` joins the cluster ``RAY_ADDRESS`` names, or
  starts a local one); needs ``pip install ray``;
- ``spark``: the sellers as a Spark RDD with one partition each, run by the executors of the
  ``[engine] master``; needs the ``spark`` extra, and the workspaces on storage every executor
  can read (a shared file system).

Every backend calls the same job function (``jobs.JOBS``) with the seller's name and folder;
the job itself turns any failure into a located error, and the runner also records a worker
that died (``BrokenProcessPool``, a Ray/Spark task error) against its seller.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

from adbudget.agency.jobs import JOBS, SellerResult
from adbudget.agency.sellers import Seller
from adbudget.errors import UsageError
from adbudget.i18n import t

BACKENDS = ("process", "serial", "ray", "spark")


def _failed(seller: Seller, action: str, exc: BaseException) -> SellerResult:
    return SellerResult(seller=seller.name, path=str(seller.path), action=action, ok=False,
                        error=f"{seller.path}: worker failed: {type(exc).__name__}: {exc}")


# each worker of a local pool computes on one core: the pool is sized to the cores, so a
# worker whose XLA, BLAS or DuckDB spread over every core only fights the other workers
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
}
XLA_SINGLE_THREAD = ("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1 "
                     "--xla_force_host_platform_device_count=1")


def single_thread_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The variables that keep one worker's numerics on one thread (the seller's own
    settings win where already set; XLA's flags are appended to any already there)."""
    env = dict(os.environ if env is None else env)
    out = {k: env.get(k) or v for k, v in SINGLE_THREAD_ENV.items()}
    flags = env.get("XLA_FLAGS", "")
    missing = [f for f in XLA_SINGLE_THREAD.split() if f.split("=")[0] not in flags]
    out["XLA_FLAGS"] = " ".join([flags, *missing]).strip()
    return out


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration (spawned workers inherit them at start,
    before they import NumPy or JAX, which read them once)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _worker_init(values: dict[str, str]) -> None:
    os.environ.update(values)  # a start method that does not copy the environment


def _call(action: str, name: str, path: str, options: dict[str, Any]) -> SellerResult:
    return JOBS[action](name, path, **options)


def run_sellers(
    sellers: list[Seller],
    action: str,
    *,
    backend: str = "process",
    workers: int | None = None,
    options: dict[str, Any] | None = None,
    on_done: Callable[[SellerResult], None] | None = None,
    spark_master: str = "local[2]",
) -> list[SellerResult]:
    """Run ``action`` (status | fit | plan | report) for every seller; results in the sellers'
    order. ``on_done`` hears each result as it arrives (progress)."""
    if action not in JOBS:
        raise UsageError(t("agency.error.action", action=action, allowed=", ".join(JOBS)))
    if backend not in BACKENDS:
        raise UsageError(t("agency.error.backend", backend=backend, allowed=", ".join(BACKENDS)))
    options = dict(options or {})
    done: dict[str, SellerResult] = {}

    def finish(res: SellerResult) -> None:
        done[res.seller] = res
        if on_done:
            on_done(res)

    n = max(1, min(workers or os.cpu_count() or 1, len(sellers)))
    if backend == "serial" or (backend == "process" and n == 1):
        for s in sellers:
            finish(_call(action, s.name, str(s.path), options))
    elif backend == "process":
        env = single_thread_env()
        options.setdefault("threads", 1)  # DuckDB too
        with _env(env), ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"),
                                            initializer=_worker_init, initargs=(env,)) as pool:
            futures = {pool.submit(_call, action, s.name, str(s.path), options): s for s in sellers}
            for fut in as_completed(futures):
                s = futures[fut]
                try:
                    finish(fut.result())
                except Exception as exc:  # noqa: BLE001 - a dead worker is that seller's failure
                    finish(_failed(s, action, exc))
    elif backend == "ray":
        _run_ray(sellers, action, options, finish)
    else:
        _run_spark(sellers, action, options, finish, spark_master)
    return [done[s.name] for s in sellers]


def _run_ray(sellers: list[Seller], action: str, options: dict[str, Any],
             finish: Callable[[SellerResult], None]) -> None:
    try:
        import ray
    except ImportError as exc:
        raise UsageError(t("agency.error.no_ray")) from exc
    if not ray.is_initialized():
        ray.init(ignore_reinit_error=True)
    task = ray.remote(_call)
    refs = {task.remote(action, s.name, str(s.path), options): s for s in sellers}
    pending = list(refs)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        s = refs[ready[0]]
        try:
            finish(ray.get(ready[0]))
        except Exception as exc:  # noqa: BLE001
            finish(_failed(s, action, exc))


def _run_spark(sellers: list[Seller], action: str, options: dict[str, Any],
               finish: Callable[[SellerResult], None], master: str) -> None:
    from adbudget.engine.base import spark_missing

    missing = spark_missing()
    if missing:
        raise UsageError(missing)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master(master).appName("adbudget-agency").getOrCreate()
    rdd = spark.sparkContext.parallelize([(s.name, str(s.path)) for s in sellers], len(sellers))
    results = rdd.map(lambda x: _call(action, x[0], x[1], options).to_dict()).collect()
    by_name = {r["seller"]: SellerResult(**r) for r in results}
    for s in sellers:
        finish(by_name.get(s.name) or _failed(s, action, RuntimeError("no result")))
