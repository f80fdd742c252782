"""The Laplace-started NUTS sampler: same posterior as NumPyro's own NUTS, and compiled programs
that do not depend on the data's values (so the persistent compilation cache serves refits).

Small world (one market, two channels, 120 days) and short chains: ~40 s in all on 2 cores.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from adbudget.config.response import ResponseSettings
from adbudget.response.data import prepare_data
from adbudget.response.inference import _build_programs, run_nuts
from adbudget.response.model import TIME_AXIS, log_likelihood, make_spec, mean_paths
from adbudget.response.synthetic import make_world
from adbudget.workspace import compile_cache

SETTINGS = ResponseSettings(holdout_days=0, max_lag=7, yearly_harmonics=1, weekly_harmonics=1)


def _data(seed: int, days: int = 120):
    world = make_world(["US"], ["meta", "google_search"], days=days, seed=seed)
    return prepare_data(world.revenue, world.spend, world.regions, SETTINGS)


def _spec(seed: int, days: int = 120):
    return make_spec(_data(seed, days), SETTINGS)


def _shapes(spec):
    return jax.tree.map(lambda a: (a.shape, a.dtype), spec)


@pytest.fixture(scope="module")
def spec():
    return _spec(3)


def test_laplace_nuts_matches_numpyro_nuts(spec):
    """Whitened NUTS from the Laplace start vs NumPyro's NUTS adapting from scratch (a peer run
    of the same model): posterior means within 4 Monte Carlo standard errors (plus a small
    floor), posterior sds within 30 %, on every coordinate of the latent vector."""
    ours = run_nuts(spec, draws=400, warmup=300, chains=2, seed=1, chain_method="sequential")
    peer = run_nuts(spec, draws=400, warmup=400, chains=2, seed=2, chain_method="sequential",
                    init="prior")
    a, b = ours.flat("z"), peer.flat("z")
    assert a.shape == (800, spec.n_latent) and np.isfinite(a).all()
    sd_a, sd_b = a.std(axis=0), b.std(axis=0)
    # effective sample sizes are a few hundred per run: a generous Monte Carlo error
    mcse = np.sqrt(sd_a**2 / 200 + sd_b**2 / 200)
    gap = np.abs(a.mean(axis=0) - b.mean(axis=0))
    print("max |mean gap| / mcse", float((gap / mcse).max()), "sd ratio range",
          float((sd_a / sd_b).min()), float((sd_a / sd_b).max()))
    assert (gap <= 4 * mcse + 0.02).all()
    assert ((sd_a / sd_b) > 0.7).all() and ((sd_a / sd_b) < 1.3).all()
    assert ours.divergences <= 4


def test_warm_up_rescales_a_whitening_that_misstates_the_spread(spec, monkeypatch):
    """The mode's curvature can misstate the posterior's spread (here: a Cholesky factor whose
    first half of columns is 8x too small, so those whitened directions are 8x wider than the
    rest). Fixed whitening still samples the right posterior but needs deep trees; warm-up's
    diagonal adaptation rescales them: fewer leapfrog steps per draw, same posterior."""
    from adbudget.response import inference

    true_chol = inference.Laplace.chol
    half = spec.n_latent // 2

    def misstated(self):
        chol = true_chol(self).copy()
        chol[:, :half] /= 8.0
        return chol

    monkeypatch.setattr(inference.Laplace, "chol", misstated)
    fixed = run_nuts(spec, draws=200, warmup=300, chains=1, seed=5, chain_method="sequential",
                     adapt_mass=False)
    adapted = run_nuts(spec, draws=200, warmup=300, chains=1, seed=5, chain_method="sequential")
    print("steps per draw: fixed", fixed.steps_per_draw, "adapted", adapted.steps_per_draw)
    assert adapted.steps_per_draw < 0.5 * fixed.steps_per_draw
    sd_fixed, sd_adapted = fixed.flat("z").std(axis=0), adapted.flat("z").std(axis=0)
    assert np.median(sd_adapted / sd_fixed) == pytest.approx(1.0, abs=0.15)


def test_chain_methods_give_the_same_chains(spec):
    """Sequential and vectorized mapping run the same chains from the same seeds: equal draws
    (to float rounding) over the first iterations, before trajectories' chaos amplifies the
    rounding of a vectorized gradient (they drift apart after tens of iterations)."""
    seq = run_nuts(spec, draws=4, warmup=0, chains=2, seed=4, chain_method="sequential")
    vec = run_nuts(spec, draws=4, warmup=0, chains=2, seed=4, chain_method="vectorized")
    assert seq.samples["z"].shape == vec.samples["z"].shape == (2, 4, spec.n_latent)
    assert np.abs(seq.samples["z"][0] - seq.samples["z"][1]).max() > 0.1  # chains differ
    np.testing.assert_allclose(seq.samples["z"], vec.samples["z"], atol=1e-4)


def test_sampler_programs_are_cached_across_data(tmp_path, spec):
    """The programs take the data as arguments: another world whose padded shapes are the same
    loads them from the persistent cache instead of compiling (as a refit with a few more days
    of data does)."""
    from jax.experimental.compilation_cache import compilation_cache as cc

    hits: list[str] = []

    def listen(event: str, **_kw) -> None:
        if event == "/jax/compilation_cache/cache_hits":
            hits.append(event)

    previous = jax.config.jax_compilation_cache_dir
    jax.monitoring.register_event_listener(listen)
    try:
        assert compile_cache.enable(tmp_path / "xla") == tmp_path / "xla"
        _build_programs(spec, 1, 20, 20, "sequential", 0.85, 6)
        assert not hits and any((tmp_path / "xla").iterdir())
        other = _spec(8, days=118)  # other values and two days fewer: same padded shapes
        assert _shapes(other) == _shapes(spec)
        _build_programs(other, 1, 20, 20, "sequential", 0.85, 6)
        assert len(hits) >= 1
    finally:
        jax.monitoring.unregister_event_listener(listen)
        jax.config.update("jax_compilation_cache_dir", previous)
        cc.reset_cache()


def test_compile_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(compile_cache.ENV_VAR, raising=False)
    assert compile_cache.cache_dir() == tmp_path / "xdg" / "adbudget" / "xla"
    monkeypatch.setenv(compile_cache.ENV_VAR, "off")
    assert compile_cache.cache_dir() is None and compile_cache.enable() is None
    monkeypatch.setenv(compile_cache.ENV_VAR, str(tmp_path / "mine"))
    assert compile_cache.cache_dir() == tmp_path / "mine"


def test_padding_changes_nothing_but_shapes():
    """The time axis is padded to whole 4-week buckets: the log-likelihood and the paths are
    those of the unpadded arrays, and 113-140 days share one shape (one compiled program)."""
    import dataclasses

    data = _data(3, days=117)
    spec = make_spec(data, SETTINGS)
    assert spec.arrays["y"].shape[0] == 140 and int(spec.arrays["n_periods"]) == 117
    bare = {k: (v if k not in TIME_AXIS else np.take(np.asarray(v), np.arange(117), axis=TIME_AXIS[k]))
            for k, v in spec.arrays.items()}
    unpadded = dataclasses.replace(spec, arrays={k: jax.numpy.asarray(v) for k, v in bare.items()})
    z = np.random.default_rng(0).normal(size=(3, spec.n_latent)).astype(np.float32) * 0.5
    for row in z:
        np.testing.assert_allclose(float(log_likelihood(spec, row)[0]),
                                   float(log_likelihood(unpadded, row)[0]), rtol=1e-5)
    paths = mean_paths(spec, z)
    assert paths["mu"].shape[0] == paths["contrib"].shape[0] == len(data.dates) == 117
    np.testing.assert_allclose(paths["mu"], mean_paths(unpadded, z)["mu"], rtol=1e-5)
    assert _shapes(_spec(3, days=113)) == _shapes(spec) != _shapes(_spec(3, days=141))
