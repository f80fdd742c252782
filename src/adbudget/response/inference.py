"""Inference: NUTS for final fits, SVI for quick ones; both return draws grouped by chain.

Chains run in parallel on several host devices when JAX has them (``set_host_device_count``
must run before JAX starts; the CLI does that), else sequentially. Seeds make fits reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
from numpyro.diagnostics import effective_sample_size, split_gelman_rubin
from numpyro.infer import MCMC, NUTS, SVI, Predictive, Trace_ELBO, init_to_median
from numpyro.infer.autoguide import AutoLowRankMultivariateNormal, AutoNormal
from numpyro.optim import Adam

from adbudget.response.model import Spec, model

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Draws:
    """Posterior draws ``name -> (chains, draws, ...)`` and sampler statistics."""

    samples: dict[str, np.ndarray]
    method: str
    seconds: float
    divergences: int
    chains: int
    draws: int
    svi_loss: list[float]

    def flat(self, name: str) -> np.ndarray:
        """Draws of one site with chains merged: (chains * draws, ...)."""
        value = self.samples[name]
        return value.reshape((-1,) + value.shape[2:])


def _chain_method(requested: str, chains: int) -> str:
    if requested != "auto":
        return requested
    return "parallel" if chains > 1 and jax.local_device_count() >= chains else "sequential"


def run_nuts(
    spec: Spec,
    draws: int,
    warmup: int,
    chains: int,
    seed: int = 0,
    chain_method: str = "auto",
    target_accept: float = 0.85,
    max_tree_depth: int = 8,
    progress: bool = False,
) -> Draws:
    """Sample with NUTS; ``progress`` shows NumPyro's progress bar on the console."""
    kernel = NUTS(model, target_accept_prob=target_accept, max_tree_depth=max_tree_depth,
                  init_strategy=init_to_median(num_samples=15))
    mcmc = MCMC(kernel, num_warmup=warmup, num_samples=draws, num_chains=chains,
                chain_method=_chain_method(chain_method, chains), progress_bar=progress,
                jit_model_args=True)
    start = time.perf_counter()
    mcmc.run(jax.random.PRNGKey(seed), spec, extra_fields=("diverging",))
    samples = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    seconds = time.perf_counter() - start
    diverging = np.asarray(mcmc.get_extra_fields()["diverging"])
    return Draws(samples=samples, method="nuts", seconds=seconds, divergences=int(diverging.sum()),
                 chains=chains, draws=draws, svi_loss=[])


def run_svi(
    spec: Spec,
    draws: int,
    steps: int = 3000,
    seed: int = 0,
    guide: str = "normal",
    learning_rate: float = 0.02,
    progress: bool = False,
) -> Draws:
    """Fit a mean-field (or low-rank) normal guide by SVI, then draw from it."""
    auto = AutoLowRankMultivariateNormal if guide == "lowrank" else AutoNormal
    g = auto(model, init_loc_fn=init_to_median(num_samples=15))
    svi = SVI(model, g, Adam(learning_rate), Trace_ELBO())
    start = time.perf_counter()
    state = svi.init(jax.random.PRNGKey(seed), spec)
    chunk = max(1, steps // 10)

    @jax.jit
    def run_chunk(state: Any, spec: Spec) -> Any:
        def body(s: Any, _: Any) -> Any:
            return svi.update(s, spec)

        return jax.lax.scan(body, state, None, length=chunk)

    losses_parts = []
    for i in range(0, steps, chunk):
        state, part = run_chunk(state, spec)
        losses_parts.append(np.asarray(part))
        if progress:
            print(f"SVI {min(i + chunk, steps)}/{steps}  loss {float(part[-1]):.1f}", flush=True)
    params = svi.get_params(state)
    predictive = Predictive(model, guide=g, params=params, num_samples=draws, return_sites=["z"])
    raw = predictive(jax.random.PRNGKey(seed + 1), spec)
    samples = {"z": np.asarray(raw["z"])[None]}
    seconds = time.perf_counter() - start
    losses = np.concatenate(losses_parts)
    marks = np.linspace(0, len(losses) - 1, num=min(20, len(losses))).astype(int)
    return Draws(samples=samples, method="svi", seconds=seconds, divergences=0, chains=1,
                 draws=draws, svi_loss=[float(losses[i]) for i in marks])


def convergence(draws: Draws, names: list[str]) -> dict[str, dict[str, float]]:
    """Worst R-hat and smallest bulk ESS per site (NUTS with >= 2 chains; NaN otherwise)."""
    out: dict[str, dict[str, float]] = {}
    for name in names:
        if name not in draws.samples:
            continue
        value = draws.samples[name].astype(float)
        if draws.method != "nuts" or value.shape[0] < 2 or value.shape[1] < 4:
            out[name] = {"r_hat": float("nan"), "ess": float("nan")}
            continue
        rhat = np.asarray(split_gelman_rubin(value))
        ess = np.asarray(effective_sample_size(value))
        out[name] = {"r_hat": float(np.nanmax(rhat)), "ess": float(np.nanmin(ess))}
    return out


def prior_draws(spec: Spec, n: int, seed: int = 0) -> dict[str, Any]:
    """Draws from the prior (no data), for prior-vs-posterior comparisons."""
    predictive = Predictive(model, num_samples=n)
    return {k: np.asarray(v) for k, v in predictive(jax.random.PRNGKey(seed), spec).items()}


__all__ = ["Draws", "convergence", "prior_draws", "run_nuts", "run_svi"]
