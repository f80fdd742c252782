"""The additive-hazard model: recovery on data drawn from the model itself, exact gradients,
credit invariants (hypothesis), the touch table's validation and the touch SQL."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.attribution import TOUCH_MODELS, PathTable, make_model, touch_sql
from adbudget.attribution.hazard import (
    DAY,
    Hazard,
    TouchTable,
    _mix_objective,
    _objective,
    _prepare,
    credit_journeys,
    fit_hazard,
    log_likelihood,
)
from adbudget.errors import InputError, SettingsError

FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def draw_journeys(seed: int, n: int, lam0: float, effect: list[float], half_life: list[float],
                  *, kernel: str = "exp", mean_touches: float = 3.0) -> pd.DataFrame:
    """Journeys drawn from the additive hazard model itself (days): the first touch opens the
    journey at t = 0, more touches fall uniformly in the follow-up ``[0, span]``, the order
    time solves Λ(t) = E with E ~ Exp(1) (bisection; Λ is increasing), else censored at the
    span's end. ``kernel`` ``exp``: a ω e^{−ωτ}; ``two_phase``: half of the effect with the
    given half-life, half 20× slower (a kernel the single exponential cannot represent)."""
    rng = np.random.default_rng(seed)
    c = len(effect)
    span = rng.uniform(10.0, 40.0, n)
    k = 1 + rng.poisson(mean_touches - 1, n)
    width = int(k.max())
    times = np.where(np.arange(width)[None, :] < k[:, None],
                     rng.uniform(0, 1, (n, width)) * span[:, None], np.inf)
    times[:, 0] = 0.0
    chan = rng.integers(0, c, (n, width))
    a = np.asarray(effect)[chan]
    w = math.log(2.0) / np.asarray(half_life)[chan]

    def big_lambda(t: np.ndarray) -> np.ndarray:
        tau = np.clip(t[:, None] - times, 0.0, None)
        on = times < t[:, None]
        cum = -np.expm1(-w * tau)
        if kernel == "two_phase":
            cum = 0.5 * cum - 0.5 * np.expm1(-w / 20.0 * tau)
        return lam0 * t + (a * cum * on).sum(axis=1)

    e = rng.exponential(1.0, n)
    converted = big_lambda(span) >= e
    lo, hi = np.zeros(n), span.copy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = big_lambda(mid) < e
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    end = np.where(converted, hi, span)
    rows = []
    value = rng.uniform(10, 100, n)
    for j in range(n):
        for i in range(k[j]):
            if times[j, i] <= end[j]:
                rows.append((f"u{j}", 1, f"c{chan[j, i]}", (end[j] - times[j, i]) * DAY,
                             bool(converted[j]), float(value[j]) if converted[j] else None,
                             f"o{j}" if converted[j] else None))
    return pd.DataFrame(rows, columns=["user_id", "journey", "channel", "seconds", "converted",
                                       "value", "order_id"])


@pytest.fixture(scope="module")
def exp_data() -> pd.DataFrame:
    return draw_journeys(1, 5000, 0.005, [0.3, 0.15, 0.0], [0.5, 3.0, 1.0])


def test_recovers_effect_half_life_and_baseline(exp_data: pd.DataFrame) -> None:
    table = TouchTable.from_frame(exp_data)
    fit = fit_hazard(table, kernel="exp")
    assert fit.converged
    assert fit.effect[0] == pytest.approx(0.3, rel=0.1)
    assert fit.effect[1] == pytest.approx(0.15, rel=0.25)
    assert fit.effect[2] < 0.02  # no effect: near zero, pulled only by the weak prior
    assert fit.half_life_days[0] == pytest.approx(0.5, rel=0.2)
    assert fit.half_life_days[1] == pytest.approx(3.0, rel=0.35)
    assert fit.baseline == pytest.approx(0.005, rel=0.2)
    # the fitted likelihood beats the truth's on the same data (it is the maximum)
    truth = fit.__class__(fit.channels, "exp", 0.005, np.array([0.3, 0.15, 1e-12]),
                          math.log(2) / np.array([0.5, 3.0, 1.0]), fit.touches, 0.0, True, 0, "")
    assert log_likelihood(table, fit) >= log_likelihood(table, truth) - 1e-6
    assert fit.log_likelihood == pytest.approx(log_likelihood(table, fit), abs=1.0)


def test_mix_kernel_recovers_total_effect_and_is_close_to_exp_on_exp_data(exp_data) -> None:
    table = TouchTable.from_frame(exp_data)
    fit = fit_hazard(table, kernel="mix")
    assert fit.converged
    assert fit.effect[0] == pytest.approx(0.3, rel=0.15)
    assert fit.effect[1] == pytest.approx(0.15, rel=0.35)
    assert fit.effect[2] < 0.02
    assert fit.median_lag_days[0] == pytest.approx(0.5, rel=0.3)
    assert fit.baseline == pytest.approx(0.005, rel=0.25)


def test_mix_kernel_fits_a_two_phase_effect_the_exponential_cannot() -> None:
    # half of each effect fast (half-lives 6 h and 12 h), half 20x slower (5 and 10 days)
    df = draw_journeys(2, 6000, 0.005, [0.3, 0.15], [0.25, 0.5], kernel="two_phase")
    table = TouchTable.from_frame(df)
    mix, one = fit_hazard(table, kernel="mix"), fit_hazard(table, kernel="exp")
    assert mix.converged and one.converged
    assert mix.log_likelihood > one.log_likelihood + 50  # the data tell the shapes apart
    assert mix.effect[0] == pytest.approx(0.3, rel=0.2)
    assert mix.effect[1] == pytest.approx(0.15, rel=0.5)  # the slow half blurs with the baseline
    assert mix.baseline == pytest.approx(0.005, rel=0.25)
    # the single exponential keeps the fast half and hands the slow half to the baseline
    assert one.effect[0] < 0.25 and one.baseline > 0.008
    # share of channel 0's effect still to come one day after a touch: 0.5·2⁻⁴ + 0.5·2^(−1/5)
    late = 1 - mix.cumulative(np.array([1.0]), np.array([0]))[0] / mix.effect[0]
    assert late == pytest.approx(0.5 * 2 ** -4 + 0.5 * 2 ** -0.2, abs=0.1)


@pytest.mark.parametrize("kernel", ["exp", "gamma"])
def test_gradient_matches_finite_differences(kernel: str) -> None:
    df = draw_journeys(3, 300, 0.02, [0.2, 0.05], [1.0, 3.0])
    table = TouchTable.from_frame(df)
    work, used = _prepare(table)
    k = len(used)
    rng = np.random.default_rng(0)
    theta = np.concatenate([[math.log(0.02)], np.log([0.2, 0.05]), np.log([0.7, 0.2])])
    theta = theta + rng.normal(0, 0.3, len(theta))
    mu = np.zeros(2 * k)
    f0, g = _objective(theta, work, k, kernel, mu, 3.0, 1.0)
    num = np.empty_like(theta)
    for i in range(len(theta)):
        h = np.zeros_like(theta)
        h[i] = 1e-6
        num[i] = (_objective(theta + h, work, k, kernel, mu, 3.0, 1.0)[0]
                  - _objective(theta - h, work, k, kernel, mu, 3.0, 1.0)[0]) / 2e-6
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-5)
    assert np.isfinite(f0)


def test_mix_gradient_matches_finite_differences() -> None:
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(4)
    xmat = csr_matrix(rng.uniform(0, 2, (30, 6)) * (rng.random((30, 6)) < 0.5))
    s_int = rng.uniform(1, 5, 6)
    scale_x = rng.uniform(0.5, 2, 7)
    z = rng.uniform(0.2, 1.5, 7)
    args = (xmat, s_int, 40.0, 0.3, scale_x, 7.0)
    _, g = _mix_objective(z, *args)
    num = np.array([(_mix_objective(z + h, *args)[0] - _mix_objective(z - h, *args)[0]) / 2e-6
                    for h in np.eye(7) * 1e-6])
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_fit_is_deterministic(exp_data: pd.DataFrame) -> None:
    table = TouchTable.from_frame(exp_data.iloc[:3000])
    a, b = fit_hazard(table, kernel="exp"), fit_hazard(table, kernel="exp")
    np.testing.assert_array_equal(a.effect, b.effect)
    assert a.baseline == b.baseline


# -- credit invariants -------------------------------------------------------------------

@st.composite
def touch_frames(draw: st.DrawFn, n_channels: int = 4) -> pd.DataFrame:
    names = [f"ch{i}" for i in range(n_channels)]
    n = draw(st.integers(2, 25))
    rows = []
    for j in range(n):
        conv = draw(st.booleans()) or j == 0  # at least one conversion
        value = draw(st.floats(1, 500)) if conv else None
        for _ in range(draw(st.integers(1, 4))):
            rows.append((f"u{j}", 1, draw(st.sampled_from(names)),
                         draw(st.floats(0, 40 * DAY)), conv, value, f"o{j}" if conv else None))
    return pd.DataFrame(rows, columns=["user_id", "journey", "channel", "seconds", "converted",
                                       "value", "order_id"])


@pytest.mark.parametrize("kernel", ["exp", "mix"])
@FAST
@given(df=touch_frames())
def test_credit_plus_baseline_equals_conversions_and_value(kernel: str, df: pd.DataFrame) -> None:
    table = TouchTable.from_frame(df)
    fit = fit_hazard(table, kernel=kernel)
    credit = Hazard(kernel=kernel).credit_fitted(table, fit)
    assert credit.conversions.sum() + credit.baseline == pytest.approx(table.total_conversions, rel=1e-9)
    assert credit.value.sum() + credit.baseline_value == pytest.approx(table.total_value, rel=1e-9)
    assert (credit.conversions >= 0).all() and credit.baseline >= 0
    # each order at most one unit: per journey, channel shares + baseline share = 1
    _, _, base = credit_journeys(table, fit)
    share = fit.density(table.seconds / DAY, table.channel) * table.converted[table.journey]
    per_journey = np.bincount(table.journey, weights=share, minlength=table.n_journeys)
    lam = fit.baseline + per_journey
    total = np.where(table.converted, per_journey / lam + base, 0.0)
    np.testing.assert_allclose(total[table.converted], 1.0, rtol=1e-12)
    assert (base[~table.converted] == 0).all()


@FAST
@given(df=touch_frames())
def test_a_channel_that_never_appears_gets_nothing(df: pd.DataFrame) -> None:
    present = tuple(sorted(df["channel"].unique()))
    before = Hazard().credit_touches(TouchTable.from_frame(df, channels=present))
    after = Hazard().credit_touches(TouchTable.from_frame(df, channels=(*present, "zz_absent")))
    assert after.conversions[-1] == 0 and after.value[-1] == 0
    np.testing.assert_allclose(after.conversions[:-1], before.conversions, rtol=1e-9, atol=1e-12)


@FAST
@given(df=touch_frames(), data=st.data())
def test_relabelling_channels_permutes_credit(df: pd.DataFrame, data: st.DataObject) -> None:
    names = sorted(df["channel"].unique())
    perm = data.draw(st.permutations(names))
    rename = dict(zip(names, perm, strict=True))
    a = Hazard().credit_touches(TouchTable.from_frame(df)).as_dict()
    b = Hazard().credit_touches(TouchTable.from_frame(df.assign(channel=df["channel"].map(rename)))).as_dict()
    for name in names:
        assert b[rename[name]] == pytest.approx(a[name], rel=1e-5, abs=1e-6)


# -- registry, validation -----------------------------------------------------------------

def test_registered_as_a_touch_model_that_refuses_path_tables() -> None:
    model = make_model("hazard")
    assert "hazard" in TOUCH_MODELS and model.needs_touches and model.data_driven
    table = PathTable.from_frame(pd.DataFrame({"path": ["a > b"], "total_conversions": [1.0],
                                               "total_conversion_value": [1.0], "total_null": [1.0]}))
    with pytest.raises(InputError, match="touch-level"):
        model.credit(table)
    with pytest.raises(InputError, match="kernel"):
        Hazard(kernel="nope")


def test_touch_table_validation_names_the_problem() -> None:
    good = pd.DataFrame({"user_id": ["u", "u"], "journey": [1, 1], "channel": ["a", "b"],
                         "seconds": [10.0, 5.0], "converted": [True, True], "value": [3.0, 3.0]})
    table = TouchTable.from_frame(good)
    assert table.n_journeys == 1 and table.total_conversions == 1 and table.total_value == 3.0
    with pytest.raises(InputError, match="seconds"):
        TouchTable.from_frame(good.drop(columns="seconds"))
    with pytest.raises(InputError, match=">= 0"):
        TouchTable.from_frame(good.assign(seconds=[-1.0, 5.0]))
    with pytest.raises(InputError, match="converted"):
        TouchTable.from_frame(good.assign(converted=[True, False]))
    with pytest.raises(InputError, match="value"):
        TouchTable.from_frame(good.assign(value=[3.0, 4.0]))
    with pytest.raises(InputError, match="b"):
        TouchTable.from_frame(good, channels=("a",))
    with pytest.raises(InputError, match="channel"):
        TouchTable.from_frame(good.assign(channel=["a", None]))


def test_no_conversions_gives_zero_credit() -> None:
    df = pd.DataFrame({"user_id": ["u"], "journey": [1], "channel": ["a"], "seconds": [5.0],
                       "converted": [False], "value": [None]})
    credit = Hazard().credit_touches(TouchTable.from_frame(df))
    assert credit.conversions.tolist() == [0.0] and credit.baseline == 0.0


# -- the touch SQL -------------------------------------------------------------------------

def _run_touch_sql(**kw: object) -> pd.DataFrame:
    touches = pd.DataFrame({
        "user_id": ["A", "A", "A", "B", "B", "C", "C"],
        "ts": pd.to_datetime(["2024-01-01 00:00", "2024-01-03 00:00", "2024-01-05 00:00",
                              "2024-01-01 00:00", "2024-02-15 00:00",
                              "2024-01-10 12:00", "2024-01-20 00:00"]),
        "market": ["US", "US", "US", "DE", "DE", "US", "US"],
        "channel": ["meta", "google_search", "meta", "tiktok", "youtube", "meta", "meta"],
        "campaign": ["pro", "brand", "retarget", "t1", None, "pro", "pro"],
    })
    orders = pd.DataFrame({
        "customer_id": ["A", "C"], "order_id": ["o1", "o2"],
        "ordered_at": pd.to_datetime(["2024-01-04 00:00", "2024-01-10 12:00"]),
        "order_date": pd.to_datetime(["2024-01-04", "2024-01-10"]).date,
        "market": ["US", "US"], "revenue_base": [50.0, 20.0], "refunded_base": [0.0, 0.0],
    })
    con = duckdb.connect()
    con.register("touchpoints", touches)
    con.register("orders", orders)
    return con.execute(touch_sql(**kw)).df()


def test_touch_sql_next_order_inactivity_and_censoring() -> None:
    df = _run_touch_sql()
    a = df[df.user_id == "A"].reset_index(drop=True)
    # two touches before A's order (3 days and 1 day before), converted, value of the order
    assert a.loc[:1, "converted"].tolist() == [True, True]
    assert a.loc[:1, "seconds"].tolist() == [3 * 86400, 86400]
    assert a.loc[0, "order_id"] == "o1" and a.loc[0, "value"] == 50.0
    # the touch after the order: censored 30 days later (before the data's end, Feb 15)
    assert not a.loc[2, "converted"] and a.loc[2, "seconds"] == 30 * 86400
    assert a.loc[2, "journey"] != a.loc[0, "journey"]
    b = df[df.user_id == "B"].reset_index(drop=True)
    # 45 days apart: two journeys; the first censored after 30 days, the last at the data end
    assert b["journey"].nunique() == 2 and not b["converted"].any()
    assert b["seconds"].tolist() == [30 * 86400, 0]
    c = df[df.user_id == "C"].reset_index(drop=True)
    # a touch at the order's instant counts for that order
    assert c.loc[0, "converted"] and c.loc[0, "seconds"] == 0 and c.loc[0, "order_id"] == "o2"
    assert not c.loc[1, "converted"]
    table = TouchTable.from_frame(df)
    assert table.total_conversions == 2 and table.total_value == 70.0


def test_touch_sql_period_markets_and_horizon() -> None:
    only_de = _run_touch_sql(markets=["DE"])
    assert set(only_de.user_id) == {"B"}
    january = _run_touch_sql(start="2024-01-01", end="2024-01-31")
    assert "youtube" not in set(january.channel)  # B's February journey starts after the end
    short = _run_touch_sql(inactivity_days=1)
    a = short[short.user_id == "A"]
    # with a one-day horizon the touch 3 days before the order is its own, censored journey
    assert a["converted"].tolist() == [False, True, False]
    by_campaign = _run_touch_sql(unit="campaign")
    assert by_campaign[by_campaign.user_id == "A"]["channel"].tolist() == [
        "meta/pro", "google_search/brand", "meta/retarget"]
    assert "youtube/" in set(by_campaign.channel)  # a touch without a campaign keeps its channel
    # the same journeys and ends whatever the unit
    pd.testing.assert_frame_equal(by_campaign.drop(columns="channel"), _run_touch_sql().drop(columns="channel"))
    with pytest.raises(SettingsError):
        touch_sql(unit="creative")
    with pytest.raises(SettingsError):
        touch_sql(touch_table="x; drop table y")
    with pytest.raises(SettingsError):
        touch_sql(markets=["us'"])


# -- the workspace side ---------------------------------------------------------------------

def test_workspace_attribution_touches_matches_the_path_journeys(tmp_path) -> None:
    from adbudget.config import default_settings
    from adbudget.workspace import Workspace

    from .gen import known_effect_journeys

    ws = Workspace.init(tmp_path / "ws", default_settings(["US"]))
    touches, orders, _ = known_effect_journeys(n_users=600, seed=3, market="US")
    for name, df in (("touchpoints", touches), ("orders", orders)):
        ws.store.con.register("df_in", df)
        ws.store.execute(f"INSERT INTO {name} BY NAME SELECT *, 0 AS import_id FROM df_in")
        ws.store.con.unregister("df_in")
    table = ws.attribution_touches()
    paths = ws.attribution_paths("30d-click,30d-view")
    # the same orders convert: reached by a touch within the 30-day horizon
    assert table.total_conversions == paths["total_conversions"].sum() > 0
    assert table.total_value == pytest.approx(paths["total_conversion_value"].sum())
    assert table.n_touches == len(touches)
    credit = Hazard().credit_touches(table)
    assert credit.conversions.sum() + credit.baseline == pytest.approx(table.total_conversions)
    ws.close()
