"""Stage advisor: suggest moving a market between stages from its own data.

entry -> growth: a stable conversion model — enough conversions in the last 4 weeks and
weekly ROAS above break-even for the last N weeks in a row. growth -> maturity: most of the
market's lines are past their saturation knee (saturation above a threshold).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from adbudget.config.settings import Settings
from adbudget.i18n import t
from adbudget.plan.result import StageAdvice


def advise(
    settings: Settings,
    weekly: pd.DataFrame,
    breakeven: Mapping[str, float],
    saturation: Mapping[str, list[float]],
) -> list[StageAdvice]:
    """Suggestions per market.

    ``weekly``: columns week, market, spend, revenue, conversions (complete weeks, oldest
    first); ``breakeven``: market -> break-even ROAS; ``saturation``: market -> saturation %
    of each fitted line at the planned spend.
    """
    ps = settings.plan
    out: list[StageAdvice] = []
    for market, ms in settings.markets.items():
        if ms.stage == "entry" and not weekly.empty:
            rows = weekly[weekly["market"] == market].sort_values("week")
            last4 = rows.tail(4)
            conversions = float(last4["conversions"].sum()) if len(last4) else 0.0
            be = breakeven.get(market)
            recent = rows.tail(ps.advisor_weeks_above_breakeven)
            roas = (recent["revenue"] / recent["spend"].where(recent["spend"] > 0)).tolist()
            stable = (
                be is not None and len(recent) >= ps.advisor_weeks_above_breakeven
                and all(r == r and r > be for r in roas)
            )
            if conversions >= ps.advisor_min_conversions and stable:
                out.append(StageAdvice(
                    market, "entry", "growth",
                    t("plan.advice.entry_to_growth", market=market, conversions=f"{conversions:.0f}",
                      weeks=ps.advisor_weeks_above_breakeven, be=f"{be:.2f}"),
                    {"conversions_4w": conversions, "weekly_roas": roas, "breakeven_roas": be},
                ))
        elif ms.stage == "growth":
            sats = [x for x in saturation.get(market, []) if x is not None and x == x]
            if len(sats) >= 2:
                share = sum(x >= ps.advisor_saturation_pct for x in sats) / len(sats)
                if share >= ps.advisor_saturated_share:
                    out.append(StageAdvice(
                        market, "growth", "maturity",
                        t("plan.advice.growth_to_maturity", market=market, pct=f"{share * 100:.0f}",
                          sat=f"{ps.advisor_saturation_pct:g}"),
                        {"saturated_share": share, "saturation_pct": sats},
                    ))
    return out


__all__ = ["advise"]
