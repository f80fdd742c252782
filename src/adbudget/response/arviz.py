"""Export a fit to ArviZ (``InferenceData``) for the diagnostics a Bayesian workflow expects.

Groups: ``posterior`` (every line quantity, dims ``chain, draw, line``: chains are kept, so
R-hat can be recomputed), ``observed_data`` (the training observations ``y``, dims ``obs``
= ``market/date``), ``constant_data`` (current daily spend per line), and, where the fit's
``Spec`` and latent draws are passed, ``log_likelihood`` and ``posterior_predictive`` of every
training observation (so ``az.loo`` / ``az.waic`` and posterior predictive checks run).
``y`` is in the model's units: revenue in base currency (or orders for an orders target).

ArviZ is a dev extra, not a runtime dependency; both 0.x (``from_dict(posterior=...)``) and
1.x (``from_dict({"posterior": ...})``) are supported.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from adbudget.errors import NotFittedError
from adbudget.response.results import MAX_SAVED_DRAWS, FitResult


def _az() -> Any:
    try:
        import arviz as az
    except ImportError:
        raise NotFittedError("arviz is not installed; pip install 'adbudget[dev]' (or arviz) "
                             "to export draws") from None
    return az


def posterior_by_chain(result: FitResult, chains: int | None = None) -> dict[str, np.ndarray]:
    """The saved line draws as ``name -> (chain, draw, line)`` (draws are stored chain-major)."""
    chains = int(chains or result.diagnostics.get("chains") or 1)
    out = {}
    for name, values in result.draws.items():
        values = np.asarray(values)
        n = values.shape[0]
        c = chains if chains > 0 and n % chains == 0 else 1
        out[name] = values.reshape((c, n // c) + values.shape[1:])
    return out


def pointwise(spec: Any, z: np.ndarray, seed: int = 0, batch: int = 50
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Per draw of ``z`` (chain, draw, latent): the log-likelihood and one posterior predictive
    replicate of every training observation, the observations themselves, and their (t, m).

    Mirrors the target's likelihood in :func:`adbudget.response.model.log_likelihood`
    (Student-t on scaled revenue; negative binomial on orders); lift tests are left out.
    """
    import jax
    import jax.numpy as jnp
    from jax.scipy.special import gammaln

    from adbudget.response.model import compute

    a = spec.arrays
    mask = np.asarray(a["obs_mask"], bool)
    cells = [(int(t), int(m)) for t, m in zip(*np.nonzero(mask), strict=True)]
    y_raw = np.asarray(a["y"], float)
    y_scale = np.asarray(a["y_scale"], float)
    orders = getattr(spec, "target", "revenue") == "orders"
    tt = np.array([c[0] for c in cells], int)
    mm = np.array([c[1] for c in cells], int)

    def one(zz: Any, key: Any) -> tuple[Any, Any]:
        out = compute(spec, zz)
        mu, p = out["mu"][tt, mm], out["params"]
        if orders:
            mean = jnp.maximum(mu, 1e-3) * y_scale[mm]
            conc = p["concentration"][mm]
            y = y_raw[tt, mm]
            ll = (gammaln(y + conc) - gammaln(conc) - gammaln(y + 1.0)
                  + conc * jnp.log(conc / (conc + mean)) + y * jnp.log(mean / (conc + mean)))
            rate = jax.random.gamma(key, conc) * mean / conc
            rep = jax.random.poisson(jax.random.fold_in(key, 1), rate).astype(float)
        else:
            df = a["student_df"]
            sigma = p["sigma"][mm]
            y = y_raw[tt, mm] / y_scale[mm]
            ll = (gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * jnp.log(df * jnp.pi)
                  - jnp.log(sigma) - (df + 1) / 2 * jnp.log1p(((y - mu) / sigma) ** 2 / df))
            rep = (mu + sigma * jax.random.t(key, df, shape=mu.shape)) * y_scale[mm]
        return ll, rep

    run = jax.jit(jax.vmap(one))
    chains, draws = z.shape[:2]
    flat = np.asarray(z, np.float32).reshape((chains * draws, -1))
    keys = jax.random.split(jax.random.PRNGKey(seed), len(flat))
    lls, reps = [], []
    for i in range(0, len(flat), batch):
        ll, rep = run(jnp.asarray(flat[i:i + batch]), keys[i:i + batch])
        lls.append(np.asarray(ll))
        reps.append(np.asarray(rep))
    shape = (chains, draws, len(cells))
    observed = y_raw[tt, mm]
    return (np.concatenate(lls).reshape(shape), np.concatenate(reps).reshape(shape), observed,
            cells)


def to_arviz(result: FitResult, spec: Any = None, draws: Any = None, data: Any = None,
             seed: int = 0) -> Any:
    """An ``arviz.InferenceData`` of the fit (see the module docstring for the groups).

    ``spec`` and ``draws`` (the :class:`~adbudget.response.model.Spec` and the sampler's
    :class:`~adbudget.response.inference.Draws`) add ``log_likelihood`` and
    ``posterior_predictive``; without them (a fit read back from the store) the export has
    the posterior, observed data and constant data only. ``data`` (the ``ModelData``) names
    the observations by market and date.
    """
    az = _az()
    names = [f"{m}/{c}" for m, c in result.lines]
    chains = getattr(draws, "chains", None)
    posterior = posterior_by_chain(result, chains)
    coords: dict[str, Any] = {"line": names}
    dims: dict[str, list[str]] = {k: ["line"] for k in posterior}
    groups: dict[str, dict[str, np.ndarray]] = {
        "posterior": posterior,
        "constant_data": {"current_spend": np.asarray(result.current_spend, float)},
    }
    dims["current_spend"] = ["line"]
    if spec is not None and draws is not None and "z" in getattr(draws, "samples", {}):
        z = np.asarray(draws.samples["z"])
        # the saved line draws are every step-th draw of each chain (results.analyze): the same
        step = int(np.ceil(z.shape[0] * z.shape[1] / MAX_SAVED_DRAWS))
        z = z[:, ::step]
        ll, rep, observed, cells = pointwise(spec, z, seed=seed)
        markets = list(getattr(data, "markets", result.markets))
        dates = getattr(data, "dates", None)
        labels = [f"{markets[m] if m < len(markets) else m}/"
                  f"{dates[t].date() if dates is not None and t < len(dates) else t}"
                  for t, m in cells]
        coords["obs"] = labels
        groups["log_likelihood"] = {"y": ll}
        groups["posterior_predictive"] = {"y": rep}
        groups["observed_data"] = {"y": observed}
        dims["y"] = ["obs"]
    else:
        fit = result.fit
        train = fit[fit["train"]] if "train" in fit else fit
        coords["obs"] = [f"{m}/{d.date() if hasattr(d, 'date') else d}"
                         for m, d in zip(train["market"], train["date"], strict=True)]
        groups["observed_data"] = {"y": train["actual"].to_numpy(float)}
        dims["y"] = ["obs"]
    major = int(str(getattr(az, "__version__", "0")).split(".")[0] or 0)
    if major >= 1:
        return az.from_dict(groups, coords=coords, dims=dims)
    return az.from_dict(**groups, coords=coords, dims=dims)


def write_netcdf(idata: Any, path: str) -> str:
    """Write the export to a netCDF file (needs h5netcdf or netCDF4); returns the path."""
    idata.to_netcdf(str(path))
    return str(path)


__all__ = ["pointwise", "posterior_by_chain", "to_arviz", "write_netcdf"]
