"""Creative fatigue: the injected decay point is found within a few days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adbudget.experiments.fatigue import creative_fatigue, fit_decay


def _creative(rng, days, tau, decay, ctr=0.02, cvr=0.03, cpm=10.0, value=40.0, name="c"):
    age = np.arange(days)
    imp = rng.poisson(30_000, size=days).astype(float)
    factor = np.exp(-decay * np.maximum(age - tau, 0)) if tau is not None else np.ones(days)
    noise = rng.lognormal(0, 0.05, size=days)  # day-to-day swings beyond Poisson
    clicks = rng.poisson(imp * ctr * factor * noise)
    conv = rng.binomial(clicks, cvr)
    return pd.DataFrame(dict(
        date=pd.date_range("2025-01-01", periods=days), market="US", channel="meta", account="a",
        campaign="c", ad_group="g", creative=name, currency="USD", impressions=imp, clicks=clicks,
        conversions=conv.astype(float), spend=imp / 1000 * cpm, revenue=conv * value,
        spend_base=imp / 1000 * cpm, revenue_base=conv * value,
    ))


def test_changepoint_found_within_three_days(rng):
    errors = []
    for _ in range(20):
        tau = int(rng.integers(12, 40))
        df = _creative(rng, 60, tau, 0.04)
        fit = fit_decay(np.arange(60), df["clicks"], df["impressions"])
        assert fit.significant
        errors.append(abs(fit.tau - tau))
        assert abs(fit.decay_per_day - 0.04) < 0.01
    print(f"changepoint error over 20 creatives: mean {np.mean(errors):.1f} days, max {max(errors)}")
    assert max(errors) <= 3


def test_steady_creatives_are_not_flagged(rng):
    df = pd.concat([_creative(rng, 45, None, 0.0, name=f"s{i}") for i in range(20)])
    results = creative_fatigue(df, breakeven={"US": 1.0})
    assert len(results) == 20
    assert sum(r.fatigued for r in results) <= 1


def test_days_to_breakeven(rng):
    # ROAS before decay = ctr x cvr x value / cpm x 1000 = 0.02 x 0.03 x 40 / 10 x 1000 = 2.4;
    # after 20 days of 4 %/day decay it is 2.4 e^-0.8 = 1.08; break-even 0.6 -> ln(1.08/0.6)/0.04 = 14.7
    df = _creative(rng, 50, 29, 0.04)
    (r,) = creative_fatigue(df, breakeven={"US": 0.6})
    assert r.fatigued and abs(r.ctr_changepoint_age - 29) <= 3
    assert abs(r.roas_now - 1.08) < 0.15
    assert abs(r.days_to_breakeven - 14.7) < 4
    (r,) = creative_fatigue(df, breakeven={"US": 5.0})
    assert r.days_to_breakeven == 0.0


def test_young_creatives_are_skipped(rng):
    assert creative_fatigue(_creative(rng, 10, None, 0.0), min_days=14) == []
