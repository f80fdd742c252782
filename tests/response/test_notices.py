"""The fit's plain-language warnings about sampling (results._fit_notices), in both languages."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from adbudget.i18n import t
from adbudget.response.results import _fit_notices


def _notices(**diag):
    base = {"r_hat_max": 1.01, "ess_min": 400.0, "divergences": 0, "draws": 500, "chains": 2,
            "mape_holdout": None}
    summary = pd.DataFrame({"market": ["US"], "channel": ["meta"], "prior_weight": [0.2]})
    return _fit_notices(SimpleNamespace(notices=[]), summary, {**base, **diag})  # type: ignore[arg-type]


def _keys(notices) -> list[str]:
    return [n.key for n in notices]


def test_clean_sampling_raises_no_warning():
    assert not {"response.notice.rhat", "response.notice.ess",
                "response.notice.divergences"} & set(_keys(_notices()))


def test_each_sampling_problem_is_named_with_its_number():
    notices = {n.key: n for n in _notices(r_hat_max=1.2, ess_min=40.0, divergences=19)}
    assert notices["response.notice.rhat"].values["value"] == 1.2
    assert notices["response.notice.ess"].values["value"] == 40
    div = notices["response.notice.divergences"]
    assert div.values == {"count": 19, "total": 1000}
    english = t(div.key, lang="en", **div.values)
    chinese = t(div.key, lang="zh", **div.values)
    assert "19 of 1000" in english and "target_accept" in english
    assert "19" in chinese and "1000" in chinese and "target_accept" in chinese
