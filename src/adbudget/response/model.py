"""The hierarchical media-mix model in NumPyro.

Per market ``m`` and day ``t`` (target scaled by the market's mean)::

    mu[t, m] = intercept[m] + trend[m] * time[t] + fourier[t] @ gamma[:, m]
               + holidays[t, m] @ eta[:, m] + controls[t, m] @ delta[:, m]
               + sum over lines n of market m:  index[t, m]^rho[c] * beta[n] * S(adstock(spend)[t, n])

``index = 1 + (yearly + holiday part of the base) / intercept`` is the market's seasonal
demand index (``[response] media_season``): ads convert better in peak season, and without
it demand-following budgets hand the peak's extra effectiveness to the wrong terms.

ROAS is the parameter (Meridian's ROAS prior): ``log roas[n] = prior median + global[c] +
region[r, c] + market[n]``, each level a normal with the spread set in ``[response]``
(``roas_prior_sd``, ``region_sd``, ``market_sd``), and ``beta`` is derived so that
the line's contributions over the training period divided by its spend equal that ROAS.
Revenue noise is Student-t; orders are negative binomial. Lift tests add a normal
likelihood on the incremental revenue their window's ROAS predicts.

Platform-reported conversions, where a line has them, add a second likelihood per line and
day (``response.claims`` explains it)::

    claimed[t, n] = phi[n] * credited[t, n] + f[n] L[n] d[t, m] (1 - v[n] + v[n] x[t, n])

``credited`` is the line's modelled contribution credited back to the days of exposure within
its attribution window; ``d`` the market's organic demand (the shop's observed revenue less
the modelled media, floored at 0; the base on days without data) relative to its mean, ``L`` the line's mean claims, ``f`` the organic share of them and ``v`` the part
of that which grows with the line's spend ``x`` (view-through credit, 1 at its usual spend).
The over-claim ``phi`` is pooled seller -> channel -> line; lift tests pin the line's ROAS and
with it ``phi``. Noise is Student-t with a Poisson-like scale (``sigma * sqrt(unit * (mean + unit))``,
``unit`` the value of one claimed conversion on the model's scale; ``sigma`` > 1 is
over-dispersion: order values vary, platforms re-state).

Every latent is one standard-normal vector ``z`` transformed inside one jitted function:
NumPyro then compiles a handful of operations at start-up instead of hundreds, and NUTS sees
a well-scaled, non-centred geometry. The pooling spreads are fixed rather than learned: a
learned spread multiplies its offsets (``tau * z``), which bends the posterior into
banana-shaped ridges that cost NUTS 10-50x more gradient steps, while with a handful of
markets a learned spread is mostly its prior anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from jax.scipy.special import gammaln

from adbudget.config.response import ResponseSettings
from adbudget.response import claims as claim_priors
from adbudget.response.data import ModelData
from adbudget.response.transforms import ADSTOCKS, SATURATIONS, apply_adstock

SEASON_MARKET_SD = 0.1  # how far a market's seasonality may differ from the global one
HOLIDAY_MARKET_SD = 0.25  # same for holiday effects
SAT_SCALE_MARKET_SD = 0.3  # same for the log half-saturation point of a channel

ARRAY_FIELDS = (
    "y", "obs_mask", "y_scale", "lagged", "line_market", "line_channel", "line_rc", "onehot",
    "spend_total", "log_roas_prior", "log_hl_prior", "fourier", "time", "holidays", "controls",
    "lift_line", "lift_window", "lift_obs", "lift_se", "lift_bau", "lift_hi", "lift_lo", "train",
    "claims", "claims_mask", "claims_level", "claims_unit", "claims_window", "logit_organic_prior",
)
CLAIM_DF = 4.0  # Student-t degrees of freedom of the claims' noise
# Each day of claims counts half: their errors are autocorrelated (a conversion is reported
# against its exposure day, platforms restate and model conversions), so independent days
# would overstate what they know; at full weight the posterior is also too stiff for NUTS
# (255 leapfrog steps per draw instead of 31 on the tiny world).
CLAIM_WEIGHT = 0.5


@jax.tree_util.register_dataclass
@dataclass(frozen=True)
class Spec:
    """Data arrays (a pytree, passed to jit as arguments rather than baked in as constants,
    which keeps compilation fast) plus static sizes, the latent layout and prior settings."""

    arrays: dict[str, Any]
    adstock: str = field(metadata={"static": True})
    saturation: str = field(metadata={"static": True})
    target: str = field(metadata={"static": True})
    max_lag: int = field(metadata={"static": True})
    layout: tuple[tuple[str, tuple[int, ...]], ...] = field(metadata={"static": True})
    period_days: int = field(default=1, metadata={"static": True})  # days per time step (7: weekly)

    @property
    def prior_log_roas_var(self) -> float:
        """Prior variance of a line's log ROAS (sum of the independent level variances)."""
        a = self.arrays
        return float(a["roas_sd"]) ** 2 + float(a["region_sd"]) ** 2 + float(a["market_sd"]) ** 2

    @property
    def n_latent(self) -> int:
        return sum(int(np.prod(shape)) for _, shape in self.layout)


# Time axis of each array that has one: padded to a whole bucket of periods (below)
TIME_AXIS = {"y": 0, "obs_mask": 0, "lagged": 1, "fourier": 0, "time": 0, "holidays": 0,
             "controls": 0, "lift_window": 1, "train": 0, "claims": 0, "claims_mask": 0}
PAD_BUCKET = {1: 28, 7: 8}  # periods: 4 weeks of daily data, 8 weeks of weekly data


def padded_periods(n_periods: int, period_days: int = 1) -> int:
    """The time length the compiled programs see: ``n_periods`` rounded up to a whole bucket.

    Compiled programs are specialised to array shapes; with the time axis padded, tomorrow's
    refit (one more day) has the same shapes as today's, so the compiled sampler is reused
    (persistent compilation cache) instead of compiled again. The padded periods are outside
    the likelihood (``obs_mask``), the training sums (``train``) and the lift windows.
    """
    bucket = PAD_BUCKET.get(period_days, 1)
    return -(-n_periods // bucket) * bucket


def _pad_time(name: str, value: np.ndarray, length: int) -> np.ndarray:
    axis = TIME_AXIS.get(name)
    if axis is None or value.shape[axis] == length:
        return value
    widths = [(0, 0)] * value.ndim
    widths[axis] = (0, length - value.shape[axis])
    return np.pad(value, widths)  # zeros / False: no observation, no spend, not training


def make_spec(data: ModelData, settings: ResponseSettings) -> Spec:
    """Freeze data and settings into the sampler's :class:`Spec` (time axis padded to
    :func:`padded_periods`; ``arrays["n_periods"]`` holds the real length)."""
    arrays: dict[str, Any] = {}
    n_periods = int(np.asarray(data.y).shape[0])
    length = padded_periods(n_periods, data.period_days)
    for name in ARRAY_FIELDS:
        value = _pad_time(name, np.asarray(getattr(data, name)), length)
        if value.dtype == bool:
            arrays[name] = jnp.asarray(value)
        elif np.issubdtype(value.dtype, np.integer):
            arrays[name] = jnp.asarray(value, dtype=jnp.int32)
        else:
            arrays[name] = jnp.asarray(value, dtype=jnp.float32)
    if data.lift_line.size:
        wspend = (data.lift_window * data.spend[:, data.lift_line].T).sum(axis=1)
    else:
        wspend = np.zeros(0)
    arrays["lift_wspend"] = jnp.asarray(wspend, dtype=jnp.float32)
    arrays["n_periods"] = jnp.asarray(n_periods, dtype=jnp.int32)  # data, not a static shape
    # which Fourier columns are yearly (the weekly ones come first): the media season index
    # uses the yearly and holiday parts of the base, not the day of week or the trend
    n_weekly = 2 * settings.weekly_harmonics if data.period_days == 1 else 0
    yearly = np.zeros(data.fourier.shape[1], dtype=np.float32)
    yearly[min(n_weekly, yearly.size):] = 1.0
    arrays["yearly_cols"] = jnp.asarray(yearly)
    # prior spreads are data, not compile-time constants: changing them needs no recompilation
    for key, number in (("roas_sd", settings.roas_prior_sd), ("region_sd", settings.region_sd),
                        ("market_sd", settings.market_sd), ("hl_sd", settings.half_life_prior_sd),
                        ("student_df", settings.student_t_df),
                        ("rho_mean", settings.media_season_rho_mean),
                        ("rho_sd", settings.media_season_rho_sd)):
        arrays[key] = jnp.asarray(number, dtype=jnp.float32)
    n_c, n_m, n_n = len(data.channels), len(data.markets), data.n_lines
    n_f, n_h, n_k = data.fourier.shape[1], data.holidays.shape[2], data.controls.shape[2]
    adstock, sat = ADSTOCKS[settings.adstock], SATURATIONS[settings.saturation]
    layout: list[tuple[str, tuple[int, ...]]] = []
    if n_n:
        layout += [("roas_z_global", (n_c,)), ("roas_z_region", (data.n_rc,)),
                   ("roas_z_line", (n_n,)), ("half_life", (n_c,)),
                   ("sat_scale_mu", (n_c,)), ("sat_scale_z", (n_n,))]
        if adstock.has_shape:
            layout.append(("adstock_shape", (n_c,)))
        if sat.has_shape:
            layout.append(("sat_shape", (n_c,)))
        if settings.media_season and (yearly.any() or n_h):
            layout.append(("season_rho", (n_c,)))
        if np.asarray(data.claims_mask).any():
            layout += [("claim_phi_g", (1,)), ("claim_phi_c", (n_c,)), ("claim_phi_m", (n_m,)),
                       ("claim_phi_z", (n_n,)),
                       ("claim_organic", (n_n,)), ("claim_view", (n_c,)), ("claim_noise", (n_c,))]
    layout.append(("intercept", (n_m,)))
    if settings.trend:
        layout.append(("trend", (n_m,)))
    if n_f:
        layout += [("gamma_global", (n_f,)), ("gamma_z", (n_f, n_m))]
    if n_h:
        layout += [("eta_global", (n_h,)), ("eta_z", (n_h, n_m))]
    if n_k:
        layout.append(("delta", (n_k, n_m)))
    layout.append(("noise", (n_m,)))
    return Spec(
        arrays=arrays, adstock=settings.adstock, saturation=settings.saturation,
        target=settings.target, max_lag=data.lagged.shape[0], layout=tuple(layout),
        period_days=data.period_days,
    )


def unpack(spec: Spec, z: Any) -> dict[str, Any]:
    """Split the standard-normal vector into named latents and map each to its prior."""
    raw: dict[str, Any] = {}
    offset = 0
    for name, shape in spec.layout:
        size = int(np.prod(shape))
        raw[name] = z[offset : offset + size].reshape(shape)
        offset += size
    a = spec.arrays
    adstock, sat = ADSTOCKS[spec.adstock], SATURATIONS[spec.saturation]
    p: dict[str, Any] = {}
    if "roas_z_global" in raw:
        p["roas_z_global"] = raw["roas_z_global"]
        p["roas_z_region"] = raw["roas_z_region"]
        p["roas_z_line"] = raw["roas_z_line"]
        p["half_life"] = jnp.exp(a["log_hl_prior"] + a["hl_sd"] * raw["half_life"])
        lo, sd = sat.scale_prior
        p["sat_scale_mu"] = lo + sd * raw["sat_scale_mu"]
        p["sat_scale_z"] = raw["sat_scale_z"]
        if "adstock_shape" in raw:
            p["adstock_shape"] = jnp.exp(adstock.shape_prior[0] + adstock.shape_prior[1] * raw["adstock_shape"])
        if "sat_shape" in raw:
            p["sat_shape"] = jnp.exp(sat.shape_prior[0] + sat.shape_prior[1] * raw["sat_shape"])
        if "season_rho" in raw:
            p["season_rho"] = a["rho_mean"] + a["rho_sd"] * raw["season_rho"]
        if "claim_phi_c" in raw:
            cp = claim_priors
            p["claim_log_phi"] = (math.log(cp.PHI_PRIOR_MEDIAN) + cp.PHI_GLOBAL_SD * raw["claim_phi_g"]
                                  + cp.PHI_CHANNEL_SD * raw["claim_phi_c"][a["line_channel"]]
                                  + cp.PHI_MARKET_SD * raw["claim_phi_m"][a["line_market"]]
                                  + cp.PHI_LINE_SD * raw["claim_phi_z"])
            # share of the line's claims that is organic demand, and of that the part that
            # grows with spend (view-through), both logit-normal
            p["claim_organic"] = jax.nn.sigmoid(a["logit_organic_prior"]
                                                + cp.ORGANIC_SD * raw["claim_organic"])
            lc = a["line_channel"]  # view-through and noise are the platform's, per channel
            p["claim_view"] = jax.nn.sigmoid(cp.LOGIT_VIEW_PRIOR + cp.VIEW_SD * raw["claim_view"][lc])
            p["claim_sigma"] = jnp.exp(math.log(cp.CLAIM_NOISE_MEDIAN)
                                       + cp.CLAIM_NOISE_SD * raw["claim_noise"][lc])
    p["intercept"] = 0.6 + 0.4 * raw["intercept"]
    if "trend" in raw:
        p["trend"] = 0.3 * raw["trend"]
    if "gamma_z" in raw:
        p["gamma"] = 0.2 * raw["gamma_global"][:, None] + SEASON_MARKET_SD * raw["gamma_z"]
    if "eta_z" in raw:
        p["eta"] = 0.5 * raw["eta_global"][:, None] + HOLIDAY_MARKET_SD * raw["eta_z"]
    if "delta" in raw:
        p["delta"] = 0.2 * raw["delta"]
    if spec.target == "orders":
        p["concentration"] = jnp.exp(math.log(30.0) + raw["noise"])  # log-normal(log 30, 1)
    else:
        p["sigma"] = jnp.exp(math.log(0.15) + 0.7 * raw["noise"])  # log-normal(log 0.15, 0.7)
    return p


def line_params(spec: Spec, p: dict[str, Any]) -> dict[str, Any]:
    """Per-line ROAS and saturation scale/shape; per-line half-life and adstock shape."""
    a = spec.arrays
    lc, lrc = a["line_channel"], a["line_rc"]
    log_roas = (a["log_roas_prior"] + a["roas_sd"] * p["roas_z_global"][lc]
                + a["region_sd"] * p["roas_z_region"][lrc] + a["market_sd"] * p["roas_z_line"])
    scale = jnp.exp(p["sat_scale_mu"][lc] + SAT_SCALE_MARKET_SD * p["sat_scale_z"])
    sat_shape = p["sat_shape"][lc] if "sat_shape" in p else jnp.ones_like(scale)
    ad_shape = p["adstock_shape"] if "adstock_shape" in p else jnp.ones_like(p["half_life"])
    return {"log_roas": log_roas, "roas": jnp.exp(log_roas), "sat_scale": scale,
            "sat_shape": sat_shape, "half_life": p["half_life"][lc], "adstock_shape": ad_shape[lc]}


def compute(spec: Spec, z: Any) -> dict[str, Any]:
    """Everything of one draw: scaled mean (T, M), base, contributions (T, N), line params."""
    a = spec.arrays
    p = unpack(spec, z)
    n_lines = a["line_market"].shape[0]
    base = p["intercept"][None, :] * jnp.ones((a["time"].shape[0], 1))
    season = jnp.zeros_like(base)  # yearly + holiday part of the base (scaled revenue)
    if "trend" in p:
        base = base + a["time"][:, None] * p["trend"][None, :]
    if "gamma" in p:
        season = season + a["fourier"] @ (p["gamma"] * a["yearly_cols"][:, None])
        base = base + a["fourier"] @ p["gamma"]
    if "eta" in p:
        holiday = jnp.einsum("tmh,hm->tm", a["holidays"], p["eta"])
        season = season + holiday
        base = base + holiday
    if "delta" in p:
        base = base + jnp.einsum("tmk,km->tm", a["controls"], p["delta"])
    out: dict[str, Any] = {"base": base, "params": p}
    if not n_lines:
        out.update(mu=base, contrib=jnp.zeros((base.shape[0], 0)))
        return out
    lp = line_params(spec, p)
    adstock, sat = ADSTOCKS[spec.adstock], SATURATIONS[spec.saturation]
    weights = adstock.weights(jnp, lp["half_life"], lp["adstock_shape"], spec.max_lag,
                              spec.period_days)  # half-lives in days, kernel in periods
    carried = apply_adstock(jnp, a["lagged"], weights)
    s = sat.value(jnp, carried, lp["sat_scale"], lp["sat_shape"])
    effect = None
    if "season_rho" in p:  # effect x (demand index)^rho; index 1 = no season or holiday
        index = jnp.maximum(1.0 + season / jnp.maximum(p["intercept"], 0.05)[None, :], 0.2)
        rho = p["season_rho"][a["line_channel"]]
        effect = jnp.exp(rho[None, :] * jnp.log(index[:, a["line_market"]]))
        s = s * effect
    s_total = jnp.maximum((s * a["train"][:, None]).sum(axis=0), 1e-6)
    beta = lp["roas"] * a["spend_total"] / (a["y_scale"][a["line_market"]] * s_total)
    contrib = beta[None, :] * s
    lp["beta"] = beta
    out.update(mu=base + contrib @ a["onehot"], contrib=contrib, lines=lp, carried=carried,
               effect=effect)
    if "claim_log_phi" in p:
        out["claim_parts"] = claim_parts(spec, p, base, contrib, carried, weights)
    return out


def claim_parts(spec: Spec, p: dict[str, Any], base: Any, contrib: Any, carried: Any,
                weights: Any) -> tuple[Any, Any]:
    """(caused, organic) parts of each line's expected claims, (T, N) each, scaled like y.

    ``caused`` is ``phi`` times the contribution credited back to the days of exposure: the
    response on day t is split over the past days' spend by their carryover weights, and day
    s collects the parts of days s .. s + window - 1. ``organic`` is what the line claims of
    the market's organic demand: on average a share ``f`` of the line's claims (its mean level
    ``L``), following the market's organic demand relative to its mean, a part ``v`` of it
    growing with the line's spend ``x`` (view-through: buyers who merely saw an ad; a small
    advertiser's reach grows about in proportion to spend): ``f L base/mean(base) (1 - v + v x)``,
    ``x`` 1 at the line's usual spend.
    """
    a = spec.arrays
    x0 = a["lagged"][0]  # (T, N) the period's own spend (scaled)
    # response per unit of carried spend; the floor (5 % of the line's usual level) keeps it
    # finite where carryover has died out (after a go-dark), where S(c) / c of a Hill curve
    # with shape < 1 would blow up and make the posterior stiff for the sampler
    per_unit = contrib / jnp.maximum(carried, 0.05)
    w = weights * a["claims_window"]
    n_t = per_unit.shape[0]
    ahead = per_unit * w[0][None, :]
    for lag in range(1, min(w.shape[0], n_t)):
        shifted = jnp.concatenate([per_unit[lag:], jnp.repeat(per_unit[-1:], lag, axis=0)])
        ahead = ahead + shifted * w[lag][None, :]
    caused = jnp.exp(p["claim_log_phi"])[None, :] * x0 * ahead
    # the market's organic demand that day: the shop's observed revenue less the modelled
    # media on observed days (it keeps the day-to-day swings the base's trend and season
    # miss, which is what claims that merely follow demand follow), the base elsewhere
    train = a["obs_mask"]
    observed = jnp.where(train, a["y"], 0.0) / a["y_scale"][None, :] - contrib @ a["onehot"]
    demand = jnp.maximum(jnp.where(train, observed, base), 0.0)
    mean_demand = jnp.where(train, demand, 0.0).sum(axis=0) / jnp.maximum(train.sum(axis=0), 1)
    relative = (demand / jnp.maximum(mean_demand, 1e-6)[None, :])[:, a["line_market"]]
    view = p["claim_view"][None, :]
    organic = (p["claim_organic"] * a["claims_level"])[None, :] * relative * (1 - view + view * x0)
    return caused, organic


def lift_prediction(spec: Spec, out: dict[str, Any]) -> Any:
    """Predicted result of each lift test (scaled target), from one draw's ``compute`` output.

    The test cell is a slice of its market that spends ``bau`` at business as usual, a share
    ``bau / w`` of the line's spend ``w`` in the window; its two arms run at ``hi`` and ``lo``
    times that intensity, so the result is that share of the window's response at the two
    levels: ``bau / w * sum_window beta * (S(hi * carried) - S(lo * carried))``. A holdout
    (``hi`` 1, ``lo`` 0) is the window's contribution times ``spend / w``. A line without spend
    in the window in the data is judged on its whole training period instead.
    """
    a = spec.arrays
    sat = SATURATIONS[spec.saturation]
    li = a["lift_line"]
    lp = out["lines"]
    carried = out["carried"][:, li]  # (T, K)
    scale, shape = lp["sat_scale"][li], lp["sat_shape"][li]
    hi = sat.value(jnp, carried * a["lift_hi"][None, :], scale, shape)
    # a holdout's other arm spends nothing: S(0) = 0 exactly (the Hill form is only ~1e-12 there)
    lo = jnp.where(a["lift_lo"][None, :] > 0,
                   sat.value(jnp, carried * a["lift_lo"][None, :], scale, shape), 0.0)
    gain = lp["beta"][li][None, :] * (hi - lo)  # (T, K)
    if out.get("effect") is not None:
        gain = gain * out["effect"][:, li]
    in_window = a["lift_wspend"] > 0
    window = jnp.where(in_window[:, None], a["lift_window"], a["train"][None, :])  # (K, T)
    spent = jnp.where(in_window, a["lift_wspend"], a["spend_total"][li])
    return (window * gain.T).sum(axis=1) * a["lift_bau"] / jnp.maximum(spent, 1e-9)


def log_likelihood(spec: Spec, z: Any) -> tuple[Any, dict[str, Any]]:
    """Masked log-likelihood of the target and the lift tests, and the draw's line params."""
    a = spec.arrays
    out = compute(spec, z)
    mu, p = out["mu"], out["params"]
    mask = a["obs_mask"]
    if spec.target == "orders":
        mean = jnp.maximum(mu, 1e-3) * a["y_scale"][None, :]
        conc = p["concentration"][None, :]
        y = a["y"]
        ll = (gammaln(y + conc) - gammaln(conc) - gammaln(y + 1.0)
              + conc * jnp.log(conc / (conc + mean)) + y * jnp.log(mean / (conc + mean)))
    else:
        y = a["y"] / a["y_scale"][None, :]
        ll = dist.StudentT(a["student_df"], mu, p["sigma"][None, :]).log_prob(y)
    total = jnp.where(mask, ll, 0.0).sum()
    if "claim_parts" in out:
        caused, organic = out["claim_parts"]
        mean = caused + organic
        unit = a["claims_unit"][None, :]  # one conversion's value: Poisson-like variance
        scale = p["claim_sigma"][None, :] * jnp.sqrt(unit * (jnp.maximum(mean, 0.0) + unit))
        ll_claims = dist.StudentT(CLAIM_DF, mean, scale).log_prob(a["claims"])
        total = total + CLAIM_WEIGHT * jnp.where(a["claims_mask"], ll_claims, 0.0).sum()
    if a["lift_line"].shape[0]:
        predicted = lift_prediction(spec, out)
        total = total + dist.Normal(predicted, a["lift_se"]).log_prob(a["lift_obs"]).sum()
    return total, out.get("lines", {})


_log_likelihood_jit = jax.jit(log_likelihood)


def model(spec: Spec) -> None:
    """NumPyro model: one standard-normal latent vector, the likelihood as a factor."""
    z = numpyro.sample("z", dist.Normal(0.0, 1.0).expand([spec.n_latent]).to_event(1))
    ll, _ = _log_likelihood_jit(spec, z)
    numpyro.factor("loglik", ll)


def _derive_one(spec: Spec, z: Any) -> dict[str, Any]:
    out = compute(spec, z)
    keep = {f"line_{k}": v for k, v in out.get("lines", {}).items()}
    for name, value in out["params"].items():
        if name in ("intercept", "trend", "sigma", "concentration"):
            keep[name] = value
    if "claim_parts" in out:  # per line: over-claim, and the claims' caused / organic totals
        caused, organic = out["claim_parts"]
        mask = spec.arrays["claims_mask"]
        p = out["params"]
        keep["line_claim_phi"] = jnp.exp(p["claim_log_phi"])
        keep["line_claim_caused"] = jnp.where(mask, caused, 0.0).sum(axis=0)
        keep["line_claim_organic"] = jnp.where(mask, organic, 0.0).sum(axis=0)
    return keep


_derive_batch = jax.jit(jax.vmap(_derive_one, in_axes=(None, 0)))


def derive(spec: Spec, z: np.ndarray, batch: int = 100) -> dict[str, np.ndarray]:
    """Named parameters for each draw of ``z`` (D, n_latent), computed in batches."""
    n = len(z)
    padded = _pad(z, batch)
    parts = [_derive_batch(spec, jnp.asarray(padded[i : i + batch])) for i in range(0, len(padded), batch)]
    return {k: np.concatenate([np.asarray(part[k]) for part in parts])[:n] for k in parts[0]}


def _pad(z: np.ndarray, batch: int) -> np.ndarray:
    """Repeat the last draw so every batch has the same shape (one compilation)."""
    extra = (-len(z)) % batch
    return np.concatenate([z, np.repeat(z[-1:], extra, axis=0)]) if extra else z


def _paths_one(spec: Spec, z: Any) -> dict[str, Any]:
    out = compute(spec, z)
    return {"mu": out["mu"], "base": out["base"], "contrib": out["contrib"]}


_paths_batch = jax.jit(jax.vmap(_paths_one, in_axes=(None, 0)))


def mean_paths(spec: Spec, z: np.ndarray, batch: int = 25) -> dict[str, np.ndarray]:
    """Posterior means over draws of the scaled mean (T, M), base (T, M) and contributions (T, N),
    over the real periods (the padding cut off)."""
    n = len(z)
    padded = _pad(z, batch)
    total: dict[str, np.ndarray] = {}
    for i in range(0, len(padded), batch):
        part = _paths_batch(spec, jnp.asarray(padded[i : i + batch]))
        keep = min(batch, n - i)
        for k, v in part.items():
            total[k] = total.get(k, 0.0) + np.asarray(v, dtype=float)[:keep].sum(axis=0)
    n_periods = int(spec.arrays["n_periods"])
    return {k: v[:n_periods] / len(z) for k, v in total.items()}


__all__ = ["Spec", "compute", "derive", "log_likelihood", "make_spec", "mean_paths", "model",
           "padded_periods", "unpack"]
