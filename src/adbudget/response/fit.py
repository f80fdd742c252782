"""One call from tables to a :class:`FitResult`: prepare, sample (NUTS or SVI), analyse."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pandas as pd

from adbudget.config.response import ResponseSettings
from adbudget.errors import SettingsError
from adbudget.response.data import Notice, prepare_data
from adbudget.response.inference import run_laplace, run_nuts, run_svi
from adbudget.response.model import Spec, derive, make_spec, mean_paths
from adbudget.response.results import FitResult, analyze

METHODS = ("nuts", "svi", "laplace")


def _compile_summaries_in_background(spec: Spec) -> threading.Thread:
    """Compile the summary functions (``derive``, ``mean_paths``) while the sampler runs.

    They only need the shapes, not the draws. The mode search and the sampler's compilation
    keep one core busy and leave the other idle; XLA releases the GIL while compiling, so this
    takes their 2-4 s of compilation off the end of the fit. Failures are ignored: the summary
    then simply compiles when it runs.
    """

    def work() -> None:
        try:
            z = np.zeros((1, spec.n_latent), dtype=np.float32)
            derive(spec, z)
            mean_paths(spec, z)
        except Exception:  # noqa: BLE001 - an optimisation only
            pass

    thread = threading.Thread(target=work, name="adbudget-compile-summaries", daemon=True)
    thread.start()
    return thread


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
    claims: pd.DataFrame | None = None,
    campaign_spend: pd.DataFrame | None = None,
) -> FitResult:
    """Fit the response model; arguments left ``None`` take their ``[response]`` settings.

    ``claims`` (``date, market, channel, claimed_revenue, claimed_conversions``, base
    currency) are the platforms' reported conversions, used as a second likelihood when
    ``settings.platform_claims``; ``campaign_spend`` (``market, channel, campaign, spend``)
    lets campaign names set the prior of the organic orders each line claims.
    """
    settings = settings or ResponseSettings()
    requested = method
    method = method or settings.method
    if method not in METHODS:
        raise SettingsError(f"--method: {method!r} is not allowed; allowed: {', '.join(METHODS)}")
    draws = draws or settings.draws
    chains = chains or settings.chains
    seed = settings.seed if seed is None else seed
    say = progress or (lambda _msg: None)
    data = prepare_data(revenue, spend, market_regions, settings, lift_tests, controls, markets,
                        claims=claims, campaign_spend=campaign_spend)
    if requested is None and np.asarray(data.claims_mask).any() and settings.claims_method != method:
        # NUTS does not yet mix on the claims likelihood (docs/response.md): the default for a
        # fit with claims is ``claims_method``; an explicit --method nuts still runs NUTS
        method = settings.claims_method
        data.notices.append(Notice("response.notice.claims_method", {"method": method}))
    spec = make_spec(data, settings)
    unit = "weeks" if data.period_days == 7 else "days"
    with_claims = int(np.asarray(data.has_claims).sum()) if data.n_lines else 0
    say(f"{len(data.markets)} markets, {data.n_lines} lines ({with_claims} with platform claims), "
        f"{len(data.dates)} {unit}, {spec.n_latent} parameters: {method}")
    summaries = _compile_summaries_in_background(spec)
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
        if np.asarray(data.claims_mask).any():
            # measured: with claims, SVI's 90 % intervals covered 15-22 % of the small worlds'
            # true ROAS (Laplace 78-96 %, docs/response.md): the plan is fine, the bands are not
            data.notices.append(Notice("response.notice.svi_narrow", {}))
    say(f"sampled in {sampled.seconds:.1f} s; summarising")
    summaries.join()
    result = analyze(data, spec, sampled, settings.interval, settings.adstock, settings.saturation)
    if method == "laplace" and not _finite(result):
        # the mode search can end on a point where the curves are not finite (seen on monthly
        # refits with claims): SVI finds a usable posterior there instead of curves of NaN
        say("the Laplace approximation failed (curves not finite); fitting with SVI instead")
        data.notices.append(Notice("response.notice.laplace_failed", {}))
        sampled = run_svi(spec, draws=draws * chains, steps=settings.svi_steps, seed=seed,
                          guide=settings.svi_guide, learning_rate=settings.svi_learning_rate,
                          progress=progress is not None)
        result = analyze(data, spec, sampled, settings.interval, settings.adstock,
                         settings.saturation)
    object.__setattr__(result, "sampler", (spec, sampled, data))  # see FitResult.sampler
    return result


def _finite(result: FitResult) -> bool:
    """Every curve parameter of every draw is a finite number."""
    return all(np.isfinite(result.draws[k]).all() for k in ("beta", "scale", "shape")
               if k in result.draws)


__all__ = ["METHODS", "fit_model"]
