"""Additive-hazard multi-touch attribution: time-aware, with an organic baseline.

Zhang, Wei & Ren (2014), "Multi-touch Attribution in Online Advertising with Survival
Theory" (ICDM); Ji & Wang (2017), "Additional Multi-Touch Attribution for Online
Advertising" (AAAI). Every journey (a user's touches up to an order, or up to the end of
observation) has the conversion hazard

    λ(t) = λ0 + Σ_touches β_c · k_c(t − t_touch),   k_c(τ) = exp(−ω_c τ)   (kernel ``exp``)

with a baseline λ0 (people also buy without ads), a per-channel effect β_c ≥ 0 and a
per-channel decay ω_c > 0 (effects fade with time). Time runs from the journey's first
touch (a user exists in the data only through a touch) and is measured in days. The model
is fitted by maximum likelihood: a converting journey adds ``log λ(T) − ∫_0^T λ``, a
non-converting one ``−∫_0^T λ`` (censored at the end of its observation).

Kernels (``β_c k_c(τ) = a_c g_c(τ)`` with ``∫ g_c = 1``, so ``a_c`` is the expected number of
conversions one touch adds over its whole life):

- ``mix`` (default): ``g_c(τ) = Σ_m w_cm ω_m e^{−ω_m τ}`` over a fixed basis of exponentials
  with half-lives 1 h … 30 days (``MIX_HALF_LIVES_DAYS``, a factor ~3 apart), weights ≥ 0 —
  the sum-of-exponentials basis of Hawkes-kernel learning. The hazard is linear in
  ``(λ0, a_c w_cm)``: the log-likelihood is concave, its optimum unique. Fits quick, delayed
  and quick-with-a-long-tail effects alike.
- ``exp``: ``ω_c e^{−ω_c τ}`` (Zhang et al.), half-life ``ln 2 / ω_c``; optimised over
  ``log λ0, log a_c, log ω_c`` (positivity).
- ``gamma``: the delayed ``ω_c² τ e^{−ω_c τ}`` (peak after ``1/ω_c`` days).

The default was chosen on data drawn from this model (``tests/attribution/test_hazard.py``:
with a two-phase effect ``exp`` hands the slow half to the baseline, ``mix`` recovers it).

Regularisation (for channels with few touches, whose effect or decay the data cannot pin
down): ``exp``/``gamma`` have a weak Gaussian prior ``log a_c ~ N(log(conversions /
touches), 3²)``, ``log ω_c ~ N(log(ln 2 / 1 day), 3²)`` — a factor of e³ ≈ 20 either way
costs half a nat; it keeps the optimum finite when a channel never precedes a conversion
(a_c → 0) or only touches at the order instant (ω_c → ∞). ``mix`` has a ridge
``½ Σ (a_c w_cm / (conversions / touches))²`` (``MIX_RIDGE`` = 1). With thousands of
journeys the likelihood dominates both.

Optimiser: scipy's bounded truncated Newton (``TNC``) on exact gradients, deterministic.
L-BFGS-B reaches the same optimum (channel shares within 1e-6); on a quiet 2-core machine TNC
was 1.40x (tiny world) and 1.12x (small world) faster — ``benchmarks/hazard.py`` — and
L-BFGS-B stalled far longer under load in development (multithreaded BLAS on tiny vectors).

Credit: a conversion at T gives channel c the share ``Σ_{touches of c} β_c k_c(T − t) /
λ(T)`` and the baseline (organic, no channel) ``λ0 / λ(T)``; each order's shares sum to one.

Pure: numpy/scipy only, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.sparse import csr_matrix

from adbudget.attribution.base import AttributionModel, Credit
from adbudget.attribution.paths import PathTable
from adbudget.errors import InputError
from adbudget.i18n import t

DAY = 86_400.0
KERNELS = ("exp", "gamma", "mix")
DEFAULT_KERNEL = "mix"  # chosen on the model's own data: it also fits delayed/two-phase effects
# the ``mix`` kernel's fixed basis: half-lives from one hour to 30 days, a factor ~3 apart
MIX_HALF_LIVES_DAYS = tuple(float(h) / 24.0 for h in (1, 3, 9, 27, 81, 243, 720))
# scipy optimiser: bounded truncated Newton on exact gradients. L-BFGS-B reaches the same
# optimum (log-likelihoods equal to 1e-4 in the tests) but took 3-15x longer here: scipy's
# L-BFGS-B calls multithreaded BLAS on tiny vectors, which stalls on a loaded machine.
METHOD = "TNC"
MIX_RIDGE = 1.0  # ridge weight (nats at a basis weight = conversions per touch), ``mix`` only
PRIOR_SD = 3.0  # sd of the Gaussian prior on log a_c and log ω_c (weak; see module doc)
PRIOR_HALF_LIFE_DAYS = 1.0  # centre of the prior on the half-life


@dataclass(frozen=True)
class TouchTable:
    """Touch-level journeys: one row per touch, grouped into journeys.

    ``journey[i]`` (0..J−1) is the journey of touch i, ``channel[i]`` its channel code
    (index into ``channels``), ``seconds[i]`` the time from the touch to the journey's end
    (the order when it converted, else the censoring time). ``converted``/``value`` are per
    journey; ``order_id`` (per journey, may be empty strings) names the order.
    """

    channels: tuple[str, ...]
    journey: np.ndarray  # (n,) int64
    channel: np.ndarray  # (n,) int64
    seconds: np.ndarray  # (n,) float64
    converted: np.ndarray  # (J,) bool
    value: np.ndarray  # (J,) float64
    order_id: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        n, j = len(self.journey), len(self.converted)
        if not (len(self.channel) == len(self.seconds) == n) or len(self.value) != j:
            raise InputError(t("attribution.touch_lengths"))
        if n and (self.journey.min() < 0 or self.journey.max() >= j):
            raise InputError(t("attribution.touch_bad_journey"))
        if n and (self.channel.min() < 0 or self.channel.max() >= len(self.channels)):
            raise InputError(t("attribution.touch_bad_channel"))
        if not np.isfinite(self.seconds).all() or (self.seconds < 0).any():
            raise InputError(t("attribution.touch_bad_seconds"))
        if not np.isfinite(self.value).all() or (self.value < 0).any():
            raise InputError(t("attribution.touch_bad_value"))
        if len(set(self.channels)) != len(self.channels):
            raise InputError(t("attribution.touch_duplicate_channel"))

    @property
    def n_touches(self) -> int:
        return len(self.journey)

    @property
    def n_journeys(self) -> int:
        return len(self.converted)

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def total_conversions(self) -> float:
        return float(self.converted.sum())

    @property
    def total_value(self) -> float:
        return float(self.value[self.converted].sum())

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        channels: tuple[str, ...] | None = None,
        journey: str = "journey",
        user: str | None = "user_id",
        channel: str = "channel",
        seconds: str = "seconds",
        converted: str = "converted",
        value: str = "value",
        order_id: str | None = "order_id",
    ) -> TouchTable:
        """Build from a frame with one row per touch (e.g. :func:`touch_sql`'s output).

        A journey is identified by ``(user, journey)`` (or ``journey`` alone when ``user`` is
        None or absent). ``converted`` and ``value`` must be the same on every touch of a
        journey; ``value`` may be null on non-converting journeys. ``channels`` (sorted
        names by default) may list channels that never appear.
        """
        need = [journey, channel, seconds, converted]
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise InputError(t("attribution.touch_missing", columns=", ".join(missing)))
        if df[channel].isna().any():
            raise InputError(t("attribution.touch_null", column=channel))
        if df[seconds].isna().any():
            raise InputError(t("attribution.touch_null", column=seconds))
        keys = [user, journey] if user is not None and user in df.columns else [journey]
        codes, uniq = pd.MultiIndex.from_frame(df[keys].astype(str)).factorize() \
            if len(keys) > 1 else pd.factorize(df[journey].astype(str))
        jcode = np.asarray(codes, dtype=np.int64)
        n_j = len(uniq)
        conv_touch = df[converted].fillna(False).astype(bool).to_numpy()
        val_touch = (pd.to_numeric(df[value], errors="coerce").fillna(0.0).to_numpy(float)
                     if value in df.columns else np.ones(len(df)))
        conv = np.zeros(n_j, bool)
        conv[jcode[conv_touch]] = True
        if (conv[jcode] != conv_touch).any():
            raise InputError(t("attribution.touch_mixed", column=converted))
        val = np.zeros(n_j)
        val[jcode] = np.where(conv_touch, val_touch, 0.0)
        if (np.abs(val[jcode] - np.where(conv_touch, val_touch, 0.0)) > 1e-9 * (1 + np.abs(val_touch))).any():
            raise InputError(t("attribution.touch_mixed", column=value))
        names = df[channel].astype(str).to_numpy()
        chans = tuple(sorted(set(names))) if channels is None else tuple(channels)
        lookup = {c: i for i, c in enumerate(chans)}
        unknown = sorted(set(names) - set(lookup))
        if unknown:
            raise InputError(t("attribution.touch_unknown_channel", channels=", ".join(unknown[:5])))
        ccode = np.fromiter((lookup[c] for c in names), dtype=np.int64, count=len(names))
        secs = pd.to_numeric(df[seconds], errors="coerce").to_numpy(float)
        oid: tuple[str, ...] = ()
        if order_id is not None and order_id in df.columns:
            o = np.full(n_j, "", dtype=object)
            o[jcode] = df[order_id].fillna("").astype(str).to_numpy()
            oid = tuple(o)
        return cls(chans, jcode, ccode, secs, conv, val, oid)


@dataclass(frozen=True)
class HazardFit:
    """Fitted additive-hazard model (times in days)."""

    channels: tuple[str, ...]
    kernel: str
    baseline: float  # λ0, conversions per journey-day without ads
    effect: np.ndarray  # (C,) a_c = expected conversions added by one touch (0 if absent)
    decay: np.ndarray  # (C,) ω_c per day (``mix``: 1 / mean lag; nan if absent)
    touches: np.ndarray  # (C,) touches per channel
    log_likelihood: float
    converged: bool
    iterations: int
    message: str
    weights: np.ndarray | None = None  # (C, M) basis weights of the ``mix`` kernel
    rates: np.ndarray | None = None  # (M,) the basis decay rates ω_m per day (``mix``)

    def density(self, days: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """β_c k_c(τ): hazard added τ ``days`` after a touch of ``channel`` (codes)."""
        days = np.asarray(days, float)
        channel = np.asarray(channel, np.int64)
        if self.kernel == "mix":
            assert self.weights is not None and self.rates is not None
            basis = self.rates[None, :] * np.exp(-self.rates[None, :] * days[:, None])
            return (self.weights[channel] * basis).sum(axis=1)
        w = np.nan_to_num(self.decay, nan=1.0)[channel]
        return self.effect[channel] * _kernel(self.kernel, w, days)[0]

    def cumulative(self, days: np.ndarray, channel: np.ndarray) -> np.ndarray:
        """∫_0^τ β_c k_c: conversions one touch of ``channel`` has added after τ ``days``."""
        days = np.asarray(days, float)
        channel = np.asarray(channel, np.int64)
        if self.kernel == "mix":
            assert self.weights is not None and self.rates is not None
            basis = -np.expm1(-self.rates[None, :] * days[:, None])
            return (self.weights[channel] * basis).sum(axis=1)
        w = np.nan_to_num(self.decay, nan=1.0)[channel]
        return self.effect[channel] * _kernel(self.kernel, w, days)[1]

    @property
    def median_lag_days(self) -> np.ndarray:
        """Days after a touch by which half of its effect has happened (nan if absent)."""
        if self.kernel == "exp":
            return math.log(2.0) / self.decay
        grid = np.concatenate([[0.0], np.geomspace(1e-4, 400.0, 2000)])
        out = np.full(len(self.channels), np.nan)
        for c in np.flatnonzero(self.effect > 0):
            cum = np.concatenate([[0.0], np.cumsum(np.diff(grid) * 0.5 * (
                self.density(grid[1:], np.full(len(grid) - 1, c))
                + self.density(grid[:-1], np.full(len(grid) - 1, c))))])
            out[c] = float(np.interp(0.5 * cum[-1], cum, grid))
        return out

    @property
    def beta(self) -> np.ndarray:
        """β_c k_c(0): the hazard a touch adds right after it (0 for ``gamma``)."""
        return self.density(np.zeros(len(self.channels)), np.arange(len(self.channels)))

    @property
    def half_life_days(self) -> np.ndarray:
        """``exp``: days until the effect halves, ln 2 / ω_c (other kernels: the median lag)."""
        return self.median_lag_days

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "channel": list(self.channels), "touches": self.touches, "effect_per_touch": self.effect,
            "beta": self.beta, "median_lag_days": self.median_lag_days,
        })


def _kernel(kind: str, w: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, ...]:
    """The unit-mass kernel ``g`` of ``exp``/``gamma`` at rate ``w``: ``(g(τ), ∫_0^τ g,
    dg/dlog ω, d∫g/dlog ω)``."""
    x = w * tau
    e = np.exp(-x)
    if kind == "exp":
        dens = w * e
        cum = -np.expm1(-x)
        d_dens = dens * (1.0 - x)
        d_cum = x * e
    else:  # gamma shape 2: ω² τ e^{-ωτ}
        dens = w * x * e
        cum = -np.expm1(-x) - x * e
        d_dens = dens * (2.0 - x)
        d_cum = x * x * e
    return dens, cum, d_dens, d_cum


@dataclass(frozen=True)
class _Work:
    """Working arrays of one fit: per touch the index among used channels, days to the end,
    1.0 where its journey converted; per journey the span (first touch → end, days)."""

    journey: np.ndarray
    converted: np.ndarray
    n_journeys: int
    code: np.ndarray
    days: np.ndarray
    conv_touch: np.ndarray
    span: np.ndarray


def _objective(theta: np.ndarray, tab: _Work, k: int, kind: str, mu: np.ndarray, sd: float,
               scale: float) -> tuple[float, np.ndarray]:
    """Negative penalised log-likelihood and its exact gradient (θ = log λ0, log a, log ω)."""
    lam0 = math.exp(theta[0])
    la, lw = theta[1:1 + k], theta[1 + k:]
    code, span = tab.code, tab.span
    a, w = np.exp(la)[code], np.exp(lw)[code]
    dens, cum, d_dens, d_cum = _kernel(kind, w, tab.days)
    conv_t = tab.conv_touch
    g = a * dens * conv_t
    lam = lam0 + np.bincount(tab.journey, weights=g, minlength=tab.n_journeys)
    lam_c = lam[tab.converted]
    ll = float(np.log(lam_c).sum() - lam0 * span.sum() - (a * cum).sum())
    inv = np.where(tab.converted, 1.0 / lam, 0.0)[tab.journey]
    grad = np.empty_like(theta)
    grad[0] = lam0 * (1.0 / lam_c).sum() - lam0 * span.sum()
    grad[1:1 + k] = np.bincount(code, weights=g * inv - a * cum, minlength=k)
    grad[1 + k:] = np.bincount(code, weights=a * (d_dens * conv_t * inv - d_cum), minlength=k)
    z = (theta[1:] - mu) / sd
    f = -ll + 0.5 * float(z @ z)
    grad = -grad
    grad[1:] += z / sd
    return f / scale, grad / scale


def _prepare(tab: TouchTable) -> tuple[_Work, np.ndarray]:
    """Working arrays of *tab* and the codes of the channels that have touches."""
    used = np.flatnonzero(np.bincount(tab.channel, minlength=tab.n_channels) > 0)
    remap = np.full(tab.n_channels, -1, np.int64)
    remap[used] = np.arange(len(used))
    days = tab.seconds / DAY
    span = np.zeros(tab.n_journeys)
    np.maximum.at(span, tab.journey, days)
    work = _Work(tab.journey, tab.converted, tab.n_journeys, remap[tab.channel], days,
                 tab.converted[tab.journey].astype(float), span)
    return work, used


def _options(max_iter: int) -> dict[str, Any]:
    if METHOD == "TNC":
        return {"maxfun": 10 * max_iter, "ftol": 1e-13, "gtol": 1e-9}
    return {"maxiter": max_iter, "maxfun": 4 * max_iter, "ftol": 1e-13, "gtol": 1e-9}


def fit_hazard(table: TouchTable, *, kernel: str = DEFAULT_KERNEL, prior_sd: float = PRIOR_SD,
               max_iter: int = 1000) -> HazardFit:
    """Maximum (penalised) likelihood fit of the additive hazard model; deterministic."""
    if kernel not in KERNELS:
        raise InputError(t("attribution.hazard_kernel", kernel=kernel, allowed=", ".join(KERNELS)))
    if prior_sd <= 0:
        raise InputError(t("attribution.hazard_prior"))
    tab, used = _prepare(table)
    if kernel == "mix":
        return _fit_mix(table, tab, used, max_iter)
    span = tab.span
    k = len(used)
    n_conv = max(table.total_conversions, 0.5)
    per_touch = n_conv / max(table.n_touches, 1)
    mu = np.concatenate([np.full(k, math.log(per_touch)),
                         np.full(k, math.log(math.log(2.0) / PRIOR_HALF_LIFE_DAYS))])
    lam0 = 0.5 * n_conv / max(span.sum(), 1e-9)
    theta0 = np.concatenate([[math.log(lam0)], mu])
    scale = float(max(tab.n_journeys, 1))
    bounds = [(-50.0, 50.0)] + [(-30.0, 10.0)] * k + [(-12.0, 12.0)] * k
    res = minimize(_objective, theta0, args=(tab, k, kernel, mu, prior_sd, scale),
                   jac=True, method=METHOD, bounds=bounds,
                   options=_options(max_iter))
    theta = res.x
    effect = np.zeros(table.n_channels)
    decay = np.full(table.n_channels, np.nan)
    effect[used] = np.exp(theta[1:1 + k])
    decay[used] = np.exp(theta[1 + k:])
    z = (theta[1:] - mu) / prior_sd
    ll = -float(res.fun) * scale + 0.5 * float(z @ z)
    return HazardFit(
        channels=table.channels, kernel=kernel, baseline=math.exp(theta[0]), effect=effect,
        decay=decay, touches=np.bincount(table.channel, minlength=table.n_channels).astype(float),
        log_likelihood=ll, converged=bool(res.success), iterations=int(res.nit),
        message=str(res.message),
    )


def _mix_objective(z: np.ndarray, xmat: Any, s_int: np.ndarray, span_total: float, a_ref: float,
                   scale_x: np.ndarray, scale: float) -> tuple[float, np.ndarray]:
    """Negative penalised log-likelihood of the ``mix`` kernel and its exact gradient in the
    scaled parameters ``z = (λ0, a) / scale_x``; ``xmat`` (converting journeys × basis
    columns) holds Σ ω_m e^{−ω_m τ} per journey, ``s_int`` the integrals per column."""
    p = z * scale_x
    lam = p[0] + xmat @ p[1:]
    inv = 1.0 / lam
    ll = float(np.log(lam).sum()) - p[0] * span_total - float(s_int @ p[1:])
    r = p[1:] / a_ref
    f = -ll + 0.5 * MIX_RIDGE * float(r @ r)
    g = np.empty_like(p)
    g[0] = -(inv.sum() - span_total)
    g[1:] = -(xmat.T @ inv - s_int) + MIX_RIDGE * r / a_ref
    return f / scale, g * scale_x / scale


def _fit_mix(table: TouchTable, tab: _Work, used: np.ndarray, max_iter: int) -> HazardFit:
    """The ``mix`` kernel: β_c k_c(τ) = Σ_m a_cm ω_m e^{−ω_m τ} over the fixed basis rates ω_m
    (``MIX_HALF_LIVES_DAYS``), a_cm ≥ 0. The hazard is linear in (λ0, a), so the
    log-likelihood is concave and, with the small ridge, the optimum unique: a bounded
    optimiser on exact gradients finds it from any start. ``decay`` reports the
    effect-weighted mean rate (1 / mean lag)."""
    rates = math.log(2.0) / np.asarray(MIX_HALF_LIVES_DAYS)
    m, k = len(rates), len(used)
    x = tab.days[:, None] * rates[None, :]
    dens = rates[None, :] * np.exp(-x)  # (n, M)
    cum = -np.expm1(-x)
    col = (tab.code[:, None] * m + np.arange(m)[None, :])  # (n, M) parameter index
    s_int = np.bincount(col.ravel(), weights=cum.ravel(), minlength=k * m)
    conv_j = np.flatnonzero(tab.converted)
    row_of = np.full(tab.n_journeys, -1, np.int64)
    row_of[conv_j] = np.arange(len(conv_j))
    hit = tab.conv_touch > 0
    xmat = csr_matrix((dens[hit].ravel(), (np.repeat(row_of[tab.journey[hit]], m), col[hit].ravel())),
                      shape=(len(conv_j), k * m))
    xmat.sum_duplicates()
    span_total = float(tab.span.sum())
    n_conv = max(len(conv_j), 1)
    a_ref = n_conv / max(table.n_touches, 1)
    lam_ref = n_conv / max(span_total, 1e-9)
    scale_x = np.concatenate([[lam_ref], np.full(k * m, a_ref / m)])
    scale = float(max(tab.n_journeys, 1))
    args = (xmat, s_int, span_total, a_ref, scale_x, scale)
    z0 = np.concatenate([[0.5], np.full(k * m, 1.0)])
    bounds = [(1e-9, None)] + [(0.0, None)] * (k * m)
    res = minimize(_mix_objective, z0, args=args, jac=True, method=METHOD, bounds=bounds,
                   options=_options(max_iter))
    p = res.x * scale_x
    weights = np.zeros((table.n_channels, m))
    weights[used] = p[1:].reshape(k, m)
    effect = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_rate = np.where(effect > 0, effect / (weights / rates[None, :]).sum(axis=1), np.nan)
    r = p[1:] / a_ref
    ll = -float(res.fun) * scale + 0.5 * MIX_RIDGE * float(r @ r)
    return HazardFit(
        channels=table.channels, kernel="mix", baseline=float(p[0]), effect=effect, decay=mean_rate,
        touches=np.bincount(table.channel, minlength=table.n_channels).astype(float),
        log_likelihood=ll, converged=bool(res.success), iterations=int(res.nit),
        message=str(res.message), weights=weights, rates=rates,
    )


def log_likelihood(table: TouchTable, fit: HazardFit) -> float:
    """Log-likelihood of *table* under the parameters of *fit* (without the prior)."""
    days = table.seconds / DAY
    span = np.zeros(table.n_journeys)
    np.maximum.at(span, table.journey, days)
    dens = fit.density(days, table.channel) * table.converted[table.journey]
    lam = fit.baseline + np.bincount(table.journey, weights=dens, minlength=table.n_journeys)
    return float(np.log(lam[table.converted]).sum() - fit.baseline * span.sum()
                 - fit.cumulative(days, table.channel).sum())


def credit_journeys(table: TouchTable, fit: HazardFit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per converting journey's shares: (channel conversions (C,), channel value (C,),
    baseline per journey (J,)) where each converting journey's channel shares plus its
    baseline share sum to one."""
    days = table.seconds / DAY
    g = np.where(table.converted[table.journey], fit.density(days, table.channel), 0.0)
    lam = fit.baseline + np.bincount(table.journey, weights=g, minlength=table.n_journeys)
    share = g / lam[table.journey]
    base = np.where(table.converted, fit.baseline / lam, 0.0)
    conv = np.bincount(table.channel, weights=share, minlength=table.n_channels)
    val = np.bincount(table.channel, weights=share * table.value[table.journey],
                      minlength=table.n_channels)
    return conv, val, base


class Hazard(AttributionModel):
    """Additive-hazard attribution (Zhang, Wei & Ren 2014): needs touch-level journeys."""

    name: ClassVar[str] = "hazard"
    data_driven: ClassVar[bool] = True
    needs_touches: ClassVar[bool] = True

    def __init__(self, kernel: str = DEFAULT_KERNEL, prior_sd: float = PRIOR_SD) -> None:
        if kernel not in KERNELS:
            raise InputError(t("attribution.hazard_kernel", kernel=kernel, allowed=", ".join(KERNELS)))
        self.kernel = kernel
        self.prior_sd = prior_sd

    def credit(self, paths: PathTable) -> Credit:
        """Path tables carry no time: refuse with a hint."""
        raise InputError(t("attribution.hazard_needs_touches"))

    def credit_touches(self, table: TouchTable) -> Credit:
        """Fit on *table* and credit its conversions; the organic share is ``baseline``."""
        if table.total_conversions <= 0 or table.n_touches == 0:
            zero = np.zeros(table.n_channels)
            return Credit(self.name, table.channels, zero, zero.copy())
        return self.credit_fitted(table, fit_hazard(table, kernel=self.kernel, prior_sd=self.prior_sd))

    def credit_fitted(self, table: TouchTable, fit: HazardFit) -> Credit:
        """Credit *table*'s conversions under an already fitted model."""
        conv, val, _ = credit_journeys(table, fit)
        # exact totals: the baseline is what the channels do not take
        baseline = float(table.total_conversions - conv.sum())
        baseline_value = float(table.total_value - val.sum())
        extra: dict[str, Any] = {  # JSON-friendly (report details)
            "fit": fit.to_frame(), "baseline_rate": fit.baseline,
            "log_likelihood": fit.log_likelihood, "converged": fit.converged,
            "iterations": fit.iterations, "kernel": fit.kernel,
            "baseline_share": baseline / table.total_conversions if table.total_conversions else 0.0,
        }
        return Credit(self.name, table.channels, conv, val, extra, baseline=max(baseline, 0.0),
                      baseline_value=max(baseline_value, 0.0))


__all__ = ["KERNELS", "Hazard", "HazardFit", "TouchTable", "credit_journeys", "fit_hazard",
           "log_likelihood"]
