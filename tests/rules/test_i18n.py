"""Every message the rules commands print exists in English and Chinese with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adbudget.i18n import catalog
from adbudget.rules.actions import ACTIONS
from adbudget.rules.resolve import REASONS

CLI = Path(__file__).resolve().parents[2] / "src" / "adbudget" / "cli" / "rules.py"


def _dynamic_keys() -> set[str]:
    keys = {f"rules.action.{a}" for a in [*ACTIONS, "rebalance_in"]}
    keys |= {f"rules.reason.{r}" for r in REASONS}
    keys |= {f"rules.pacing.status.{s}" for s in ("on_track", "over", "under", "unplanned")}
    keys |= {f"rules.reserve.reason.{r}" for r in ("released", "no_estimate", "below_target", "no_target", "no_reserve")}
    keys |= {f"rules.backtest.method_{m}" for m in ("curves", "proportional")}
    keys |= {f"rules.backtest.{k}" for k in ("spend", "conversions", "revenue")}
    keys |= {f"rules.col.{c}" for c in ("rule", "line", "action", "change", "metrics", "reason", "winner", "id",
                                         "restore", "date", "undone", "template", "description", "market",
                                         "event", "inflation", "budget", "bid")}
    keys |= {f"rules.pacing.col.{c}" for c in ("market", "channel", "plan", "spent", "pace", "projected",
                                                "required_daily", "status")}
    keys |= {f"rules.reserve.col.{c}" for c in ("market", "channel", "cpm_ratio", "cpc_ratio", "peak", "inflation",
                                                 "current_daily", "marginal_roas_inflated", "target_roas",
                                                 "release_daily", "reason")}
    return keys


def _literal_keys() -> set[str]:
    text = CLI.read_text(encoding="utf-8")
    return set(re.findall(r"""t\(\s*["'](rules\.[a-z0-9_.]+)["']""", text))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_key_exists(lang):
    cat = catalog(lang)
    missing = sorted(k for k in _dynamic_keys() | _literal_keys() if k not in cat)
    assert not missing, missing


def test_same_placeholders_in_both_languages():
    en, zh = catalog("en"), catalog("zh")
    for key, text in en.items():
        if key.startswith("rules."):
            assert set(re.findall(r"\{(\w+)", text)) == set(re.findall(r"\{(\w+)", zh[key])), key
