"""One call from tables to a :class:`FitResult`: prepare, sample (NUTS or SVI), analyse."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from adbudget.config.response import ResponseSettings
from adbudget.errors import SettingsError
from adbudget.response.data import prepare_data
from adbudget.response.inference import run_laplace, run_nuts, run_svi
from adbudget.response.model import make_spec
from adbudget.response.results import FitResult, analyze

METHODS = ("nuts", "svi", "laplace")


def fit_model(
    revenue: pd.DataFrame,
    spend: pd.DataFrame,
    market_regions: dict[str, str],
    settings: ResponseSettings | None = None,
    lift_tests: pd.DataFrame | None = None,
    controls: pd.DataFrame | None = None,
    markets: list[str] | None = None,
    method: str | None = None,
    draws: int | None = None,
    chains: int | None = None,
    warmup: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit the response model; arguments left ``None`` take their ``[response]`` settings."""
    settings = settings or ResponseSettings()
    method = method or settings.method
    if method not in METHODS:
        raise SettingsError(f"--method: {method!r} is not allowed; allowed: {', '.join(METHODS)}")
    draws = draws or settings.draws
    chains = chains or settings.chains
    seed = settings.seed if seed is None else seed
    say = progress or (lambda _msg: None)
    data = prepare_data(revenue, spend, market_regions, settings, lift_tests, controls, markets)
    spec = make_spec(data, settings)
    unit = "weeks" if data.period_days == 7 else "days"
    say(f"{len(data.markets)} markets, {data.n_lines} lines, {len(data.dates)} {unit}, "
        f"{spec.n_latent} parameters: {method}")
    if method == "nuts":
        sampled = run_nuts(spec, draws=draws, warmup=warmup or settings.warmup, chains=chains,
                           seed=seed, chain_method=settings.chain_method,
                           target_accept=settings.target_accept,
                           max_tree_depth=settings.max_tree_depth, progress=progress is not None,
                           dense_mass=settings.dense_mass, init=settings.nuts_init)
    elif method == "laplace":
        sampled = run_laplace(spec, draws=draws * chains, seed=seed)
    else:
        sampled = run_svi(spec, draws=draws * chains, steps=settings.svi_steps, seed=seed,
                          guide=settings.svi_guide, learning_rate=settings.svi_learning_rate,
                          progress=progress is not None)
    say(f"sampled in {sampled.seconds:.1f} s; summarising")
    return analyze(data, spec, sampled, settings.interval, settings.adstock, settings.saturation)


__all__ = ["METHODS", "fit_model"]
