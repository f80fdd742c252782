"""ArviZ export: chains kept, observed data, log-likelihood and posterior predictive; az.rhat
and az.loo run on it and agree with what the fit itself reports."""

from __future__ import annotations

import numpy as np
import pytest

az = pytest.importorskip("arviz")


@pytest.fixture(scope="module")
def small_fit():
    from adbudget.config.response import ResponseSettings
    from adbudget.response.data import prepare_data
    from adbudget.response.inference import run_nuts
    from adbudget.response.model import make_spec
    from adbudget.response.results import analyze
    from adbudget.response.synthetic import make_world

    world = make_world(["US"], ["meta", "google_search"], days=90, seed=3)
    settings = ResponseSettings(holdout_days=0)
    data = prepare_data(world.revenue, world.spend, world.regions, settings)
    spec = make_spec(data, settings)
    draws = run_nuts(spec, draws=80, warmup=100, chains=2, seed=1, chain_method="sequential")
    result = analyze(data, spec, draws)
    return data, spec, draws, result


def test_export_keeps_chains_and_has_every_group(small_fit, tmp_path):
    from adbudget.response.arviz import to_arviz

    data, spec, draws, result = small_fit
    idata = to_arviz(result, spec=spec, draws=draws, data=data)
    for group in ("posterior", "observed_data", "log_likelihood", "posterior_predictive",
                  "constant_data"):
        assert group in idata.groups(), group
    post = idata.posterior
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 80
    assert list(post["roas"].coords["line"].values) == [f"{m}/{c}" for m, c in result.lines]
    # chain-major storage: chain 1's first draw is draw 80 of the flat saved draws
    assert np.allclose(post["roas"].values[1, 0], result.draws["roas"][80])
    n_obs = int(np.asarray(spec.arrays["obs_mask"]).sum())
    assert idata.log_likelihood["y"].shape == (2, 80, n_obs) == idata.posterior_predictive["y"].shape
    assert np.isfinite(idata.log_likelihood["y"].values).all()
    # R-hat recomputed from the kept chains equals the fit's own diagnostic (numpyro's split R-hat)
    rhat = az.rhat(idata, var_names=["roas", "beta", "scale", "shape", "half_life"])
    worst = max(float(rhat[v].max()) for v in rhat.data_vars)
    if result.diagnostics.get("r_hat_max") is not None:
        assert worst == pytest.approx(result.diagnostics["r_hat_max"], abs=0.02)
    loo = az.loo(idata)
    assert np.isfinite(loo.elpd_loo) and loo.n_data_points == n_obs
    # the predictive replicates bracket the data: most observations inside their 94% band
    rep = idata.posterior_predictive["y"].values.reshape(-1, n_obs)
    lo, hi = np.quantile(rep, [0.03, 0.97], axis=0)
    y = idata.observed_data["y"].values
    assert ((y >= lo) & (y <= hi)).mean() > 0.8
    # written to netCDF and read back unchanged
    path = tmp_path / "fit.nc"
    idata.to_netcdf(str(path))
    back = az.from_netcdf(str(path))
    assert np.allclose(back.log_likelihood["y"].values, idata.log_likelihood["y"].values)


def test_export_of_a_saved_fit_has_posterior_and_observed_data(small_fit):
    from adbudget.response.arviz import to_arviz

    _, _, _, result = small_fit
    idata = to_arviz(result)
    assert idata.posterior.sizes["chain"] == 2
    assert idata.observed_data["y"].size == int(result.fit["train"].sum())
