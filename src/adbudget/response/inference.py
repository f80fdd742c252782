"""Inference: NUTS for final fits, SVI for quick ones; both return draws grouped by chain.

Chains run in parallel on several host devices when JAX has them (``set_host_device_count``
must run before JAX starts; the CLI does that), else sequentially. Seeds make fits reproducible.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS, SVI, Predictive, Trace_ELBO, init_to_median
from numpyro.infer.autoguide import AutoLowRankMultivariateNormal, AutoNormal
from numpyro.infer.util import ParamInfo
from numpyro.optim import Adam
from scipy.optimize import minimize
from tqdm.auto import tqdm

from adbudget.response.model import Spec, log_likelihood, model

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
    steps_per_draw: float | None = None  # NUTS: mean leapfrog steps per kept draw

    def flat(self, name: str) -> np.ndarray:
        """Draws of one site with chains merged: (chains * draws, ...)."""
        value = self.samples[name]
        return value.reshape((-1,) + value.shape[2:])


def _chain_method(requested: str, chains: int) -> str:
    if requested != "auto":
        return requested
    return "parallel" if chains > 1 and jax.local_device_count() >= chains else "sequential"


@dataclass(frozen=True)
class Laplace:
    """Posterior mode of the latent vector and the inverse Hessian there (a Gaussian guess)."""

    mode: np.ndarray
    cov: np.ndarray
    iterations: int

    def chol(self) -> np.ndarray:
        """Lower Cholesky factor of ``cov`` (with a tiny jitter): draws are ``mode + chol @ e``."""
        return np.linalg.cholesky(self.cov + 1e-9 * np.eye(len(self.mode)))


def _neg_log_post(z: Any, spec: Spec) -> Any:
    return 0.5 * jnp.sum(z**2) - log_likelihood(spec, z)[0]


_value_and_grad = jax.jit(jax.value_and_grad(_neg_log_post))


def _hessian(z: np.ndarray, spec: Spec, step: float = 1e-2) -> np.ndarray:
    """Hessian of the negative log posterior by central differences of the jitted gradient.

    2n gradient calls and no new compilation: an exact forward-over-reverse Hessian took
    8-10 s to compile on the 2-core box, more than all of NUTS's sampling on a small
    (weekly, one-market) model; these differences agree with it to ~0.1 % (the step is in
    the standard-normal latent space, where posterior sds are 0.01-1).
    """
    n = z.shape[0]

    def column(i: int) -> np.ndarray:
        shift = np.zeros(n, dtype=np.float32)
        shift[i] = step
        up = _value_and_grad(jnp.asarray(z + shift, jnp.float32), spec)[1]
        down = _value_and_grad(jnp.asarray(z - shift, jnp.float32), spec)[1]
        return (np.asarray(up, dtype=float) - np.asarray(down, dtype=float)) / (2 * step)

    # two threads: JAX releases the GIL while a gradient runs, so both cores work
    with ThreadPoolExecutor(max_workers=2) as pool:
        out = np.stack(list(pool.map(column, range(n))), axis=1)
    return 0.5 * (out + out.T)


def laplace(spec: Spec, max_iter: int = 2000, ftol: float | None = None) -> Laplace:
    """Find the posterior mode (L-BFGS on the jitted gradient) and the Hessian there.

    NUTS then starts at the mode with this covariance as its (dense) mass matrix: warm-up no
    longer has to discover the correlations, which is most of its usual cost; it only rescales
    each whitened direction to the spread the chains find (``_build_programs``).
    ``ftol`` loosens L-BFGS's stopping rule (relative change of the objective; SciPy's
    default ~2e-9): NUTS starts near, not at, the mode anyway.
    """

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = _value_and_grad(jnp.asarray(z, jnp.float32), spec)
        return float(value), np.asarray(grad, dtype=float)

    options: dict[str, Any] = {"maxiter": max_iter}
    if ftol is not None:
        options["ftol"] = ftol
    res = minimize(fun, np.zeros(spec.n_latent), jac=True, method="L-BFGS-B", options=options)
    hess = _hessian(res.x.astype(np.float32), spec)
    values, vectors = np.linalg.eigh(hess)
    values = np.clip(values, 1.0, None)  # the prior alone gives curvature >= 1 in every direction
    cov = (vectors / values) @ vectors.T
    return Laplace(mode=res.x, cov=cov, iterations=int(res.nit))


def run_laplace(spec: Spec, draws: int, seed: int = 0) -> Draws:
    """Quick fit: draws from the Gaussian at the posterior mode (keeps correlations, unlike a
    mean-field guide; misses skew)."""
    start = time.perf_counter()
    lap = laplace(spec)
    rng = np.random.default_rng(seed)
    chol = lap.chol()
    z = lap.mode[None, :] + rng.standard_normal((draws, spec.n_latent)) @ chol.T
    return Draws(samples={"z": z[None].astype(np.float32)}, method="laplace",
                 seconds=time.perf_counter() - start, divergences=0, chains=1, draws=draws,
                 svi_loss=[])


@dataclass(frozen=True)
class _Programs:
    """The compiled NUTS programs of one shape: start the chains, then advance them a segment."""

    init: Any
    segment: Any
    segment_length: int
    segments: int
    data_embedded: bool  # the data are constants of the segment program (pass None for them)


def _segment_plan(total: int) -> tuple[int, int]:
    """Split ``total`` iterations into at most ~20 equal segments (progress between them);
    the last segment may run a few iterations past ``total`` (discarded)."""
    segments = min(20, total)
    length = math.ceil(total / segments)
    return length, math.ceil(total / length)


# Lag tensors above this many elements are compiled into the sampler as constants instead of
# passed as arguments: XLA's loops step ~1.3-1.6x slower reading large parameters. Measured on
# 2 cores: 13 markets x 8 channels x 730 days (1.65 M elements), 2 x (100 + 100): 32.4 s as
# constants vs 54.5 s as arguments; the demo workspace (214 k), `adbudget fit --method nuts`:
# 40.5 s as constants vs 54.9 s as arguments with a cold cache (36.9 s warm; the sampler before
# 2026-12-02: 44.7 s); 4 x 4 x 365 days (132 k): 19.1 vs 21.1 s cold, within the noise, and
# there arguments let a refit with new days load the compiled sampler instead.
EMBED_DATA_ABOVE = 150_000


def _no_potential(u: Any) -> Any:
    """Placeholder potential of the start program: never evaluated (energy and gradient at the
    start are given)."""
    return jnp.sum(u) * 0.0


def _build_programs(spec: Spec, chains: int, warmup: int, draws: int, method: str,
                    target_accept: float, max_tree_depth: int,
                    embed_data: bool = False, adapt_mass: bool = True) -> _Programs:
    """Compile (ahead of time, from shapes only) the programs of NUTS on whitened coordinates
    ``u`` with ``z = shift + chol @ u``: identity mass on ``u`` is the same sampler as the dense
    mass matrix ``chol @ chol.T`` on ``z`` (HMC is affine invariant).

    The data, the mode and the covariance are arguments, not constants baked into the
    programs, so one compilation serves every fit of the same shapes, and JAX's persistent
    compilation cache hands it to the next process. ``method`` maps the programs over chains
    (parallel: one CPU device per chain). The start program takes each chain's energy and
    gradient (computed with the mode search's compiled gradient), so it holds no model; the
    segment program advances the chains ``segment_length`` iterations (progress in between;
    no host callbacks, which would make the program uncacheable). ``embed_data`` compiles the
    data into the segment program as constants instead (faster steps on large data, see
    ``EMBED_DATA_ABOVE``; the program then serves only fits of the same data).

    ``adapt_mass``: warm-up also adapts a diagonal mass on ``u`` (NumPyro's windowed
    adaptation), i.e. rescales each direction of the mode's curvature to the spread the chains
    find. Where the posterior is wider than its mode's Hessian says, fixed whitening leaves
    NUTS with steps too small along that direction: on the small simulator world (seed 0),
    R-hat 1.19 / min ESS 8 / 60 steps per draw without, 1.02 / 116 / 31 with
    (``benchmarks/recovery.py``; weekly 208 x 5: ESS 297 -> 402; 13 x 8 x 730: R-hat 1.047 ->
    1.014, ESS 33 -> 163, 109 -> 102 s).
    """
    length, segments = _segment_plan(warmup + draws)
    embedded = spec if embed_data else None  # closed over: compiled in as constants

    def kernel_for(potential: Callable[[Any], Any]) -> NUTS:
        return NUTS(potential_fn=potential, target_accept_prob=target_accept,
                    max_tree_depth=max_tree_depth, dense_mass=False,
                    adapt_mass_matrix=adapt_mass)

    def init_one(key: Any, u0: Any, pe0: Any, grad0: Any) -> Any:
        return kernel_for(_no_potential).init(key, warmup, ParamInfo(u0, pe0, grad0))

    def segment_one(state: Any, data: Spec | None, shift: Any, chol: Any) -> Any:
        spec = embedded if embedded is not None else data
        kernel = kernel_for(lambda u: _neg_log_post(shift + chol @ u, spec))
        # sets up the kernel's transition for this warm-up length; the state it returns is
        # unused (and removed by the compiler)
        kernel.init(state.rng_key, warmup, ParamInfo(state.z, state.potential_energy, state.z_grad))

        def step(carry: Any, _: Any) -> tuple[Any, tuple[Any, Any, Any]]:
            new = kernel.sample(carry, (), {})
            return new, (new.z, new.diverging, new.num_steps)

        return jax.lax.scan(step, state, None, length=length)

    n = spec.n_latent
    sds = jax.ShapeDtypeStruct
    data = None if embed_data else jax.tree.map(lambda a: sds(a.shape, a.dtype), spec)
    args = (data, sds((n,), jnp.float32), sds((n, n), jnp.float32))
    key = jax.eval_shape(lambda: jax.random.PRNGKey(0))
    if method == "sequential":
        init_fn, segment_fn = jax.jit(init_one), jax.jit(segment_one)
        lead: tuple[int, ...] = ()
    elif method == "parallel":
        init_fn = jax.pmap(init_one)
        segment_fn = jax.pmap(segment_one, in_axes=(0, None, None, None))
        lead = (chains,)
    else:  # vectorized
        init_fn = jax.jit(jax.vmap(init_one))
        segment_fn = jax.jit(jax.vmap(segment_one, in_axes=(0, None, None, None)))
        lead = (chains,)
    start_shapes = (sds(lead + key.shape, key.dtype), sds(lead + (n,), jnp.float32),
                    sds(lead, jnp.float32), sds(lead + (n,), jnp.float32))
    init_c = init_fn.lower(*start_shapes).compile()
    state_shape = jax.eval_shape(init_fn, *start_shapes)
    segment_c = segment_fn.lower(state_shape, *args).compile()
    return _Programs(init=init_c, segment=segment_c, segment_length=length, segments=segments,
                     data_embedded=embed_data)


def _advance(programs: _Programs, state: Any, args: tuple[Any, ...],
             bar: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run every segment from ``state``; the draws of ``u``, the divergence flags and the
    leapfrog steps with iterations on axis 0 (one chain) or 1 (chains mapped), warm-up
    included."""
    draws, flags, steps = [], [], []
    for _ in range(programs.segments):
        state, (u, diverging, num_steps) = programs.segment(state, *args)
        draws.append(np.asarray(u))
        flags.append(np.asarray(diverging))
        steps.append(np.asarray(num_steps))
        bar.update(programs.segment_length)
    axis = flags[0].ndim - 1
    return (np.concatenate(draws, axis=axis), np.concatenate(flags, axis=axis),
            np.concatenate(steps, axis=axis))


def _run_nuts_laplace(spec: Spec, draws: int, warmup: int, chains: int, seed: int,
                      chain_method: str, target_accept: float, max_tree_depth: int,
                      progress: bool, dense_mass: bool, adapt_mass: bool = True) -> Draws:
    """NUTS from the Laplace approximation, compiled while the mode search runs."""
    start = time.perf_counter()
    method = _chain_method(chain_method, chains)
    if chains == 1 or (method == "parallel" and jax.local_device_count() < chains):
        method = "sequential"  # as NumPyro does when there are fewer devices than chains
    built: dict[str, Any] = {}
    embed = int(np.prod(spec.arrays["lagged"].shape)) > EMBED_DATA_ABOVE

    def compile_programs() -> None:
        try:
            built["programs"] = _build_programs(spec, chains, warmup, draws, method,
                                                target_accept, max_tree_depth,
                                                embed_data=embed, adapt_mass=adapt_mass)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            built["error"] = exc

    # the sampler's compilation needs shapes only: it runs on the other core during L-BFGS
    worker = threading.Thread(target=compile_programs, name="adbudget-compile-nuts", daemon=True)
    worker.start()
    # 1e-6: on the 13 x 8 x 730 model, 278 instead of 428 L-BFGS steps, ending within
    # 0.33 posterior sd of the exact mode with a mass matrix within 10 % of its scales
    lap = laplace(spec, ftol=1e-6)
    n = spec.n_latent
    chol = lap.chol() if dense_mass else np.diag(np.sqrt(np.diag(lap.cov)))
    rng = np.random.default_rng(seed)
    # dispersed starts: the Laplace Gaussian, so R-hat still compares chains from apart
    starts = rng.standard_normal((chains, n)).astype(np.float32)
    energy = np.zeros(chains, dtype=np.float32)
    grads = np.zeros((chains, n), dtype=np.float32)
    for c in range(chains):  # energy and gradient at each start, in u (gradient: chol^T dz)
        value, grad_z = _value_and_grad(jnp.asarray(lap.mode + chol @ starts[c], jnp.float32), spec)
        energy[c], grads[c] = float(value), chol.T @ np.asarray(grad_z, dtype=float)
    # one raw PRNG key per chain, made in NumPy (jax.random would compile two small programs
    # for this: 1-2 s on a busy box)
    keys = np.stack([np.array([seed % 2**32, 2**31 + c], dtype=np.uint32) for c in range(chains)])
    worker.join()
    if "error" in built:
        raise built["error"]
    programs: _Programs = built["programs"]
    total = warmup + draws
    bar = tqdm(total=total * (chains if method == "sequential" else 1), desc="NUTS", unit="it",
               disable=not progress, leave=False)
    args = (None if programs.data_embedded else spec, jnp.asarray(lap.mode, jnp.float32),
            jnp.asarray(chol, jnp.float32))
    if method == "sequential":
        runs = [_advance(programs, programs.init(keys[c], starts[c], energy[c], grads[c]), args, bar)
                for c in range(chains)]
        u_all, div_all, steps_all = (np.stack(part) for part in zip(*runs, strict=True))
    else:
        u_all, div_all, steps_all = _advance(programs, programs.init(keys, starts, energy, grads),
                                             args, bar)
    bar.close()
    u_all, div_all = u_all[:, warmup:total], div_all[:, warmup:total]
    z = lap.mode[None, None, :] + u_all.astype(float) @ chol.T
    return Draws(samples={"z": z.astype(np.float32)}, method="nuts",
                 seconds=time.perf_counter() - start, divergences=int(div_all.sum()),
                 chains=chains, draws=draws, svi_loss=[],
                 steps_per_draw=float(steps_all[:, warmup:total].mean()))


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
    dense_mass: bool = True,
    init: str = "laplace",
    adapt_mass: bool = True,
) -> Draws:
    """Sample with NUTS; ``progress`` shows a progress bar on the console.

    ``init="laplace"`` starts every chain near the posterior mode (spread by the Laplace
    covariance, so R-hat still compares dispersed starts) with that covariance as the dense
    mass matrix (as identity mass on whitened coordinates); warm-up tunes the step size and,
    with ``adapt_mass``, a diagonal rescaling of the whitened coordinates; the sampler
    compiles on the other core while the mode is searched.
    ``init="prior"`` is NumPyro's default adaptation from scratch.
    """
    if init == "laplace":
        return _run_nuts_laplace(spec, draws, warmup, chains, seed, chain_method, target_accept,
                                 max_tree_depth, progress, dense_mass, adapt_mass)
    start = time.perf_counter()
    kernel = NUTS(model, target_accept_prob=target_accept, max_tree_depth=max_tree_depth,
                  dense_mass=dense_mass, init_strategy=init_to_median(num_samples=15))
    mcmc = MCMC(kernel, num_warmup=warmup, num_samples=draws, num_chains=chains,
                chain_method=_chain_method(chain_method, chains), progress_bar=progress,
                jit_model_args=True)
    mcmc.run(jax.random.PRNGKey(seed), spec, extra_fields=("diverging",))
    samples = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    seconds = time.perf_counter() - start
    diverging = np.asarray(mcmc.get_extra_fields(group_by_chain=True)["diverging"])
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


__all__ = ["Draws", "Laplace", "laplace", "run_laplace", "run_nuts", "run_svi"]
