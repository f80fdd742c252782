"""Workspace methods of the `plan` area: read from the store, call the pure package, save."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adbudget.errors import AdbudgetError, InputError, NotFittedError
from adbudget.i18n import t
from adbudget.jsonable import jsonable
from adbudget.plan.advisor import advise
from adbudget.plan.period import parse_period
from adbudget.plan.planner import PlanInputs, make_plan
from adbudget.plan.result import Frontier, PlanResult, StageAdvice
from adbudget.plan.scenarios import frontier, scenarios
from adbudget.plan.serde import from_record, to_record

_UNSET: Any = object()
HISTORY_DAYS = 28


class PlanMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""

    # -- inputs -------------------------------------------------------------------------
    def plan_inputs(
        self,
        budget: float,
        period: str,
        *,
        objective: str | None = None,
        max_change: float | None = _UNSET,
        buckets: dict[str, float] | None = None,
        risk_quantile: float | None = _UNSET,
        days: int | None = None,
        curves: Any = None,
    ) -> PlanInputs:
        """Gather what the planner needs: curves, history, FX, AOV, LTV and test arms."""
        ps = self.settings.plan  # type: ignore[attr-defined]
        per = parse_period(period)
        if curves is None:
            curves = self._plan_curves()
        if curves is None and any(ms.stage != "entry" for ms in self.settings.markets.values()):  # type: ignore[attr-defined]
            raise NotFittedError(t("plan.no_curves"))
        n_days = int(days or per.days)
        inp = PlanInputs(
            budget=float(budget), period=per.label, days=n_days,
            settings=self.settings,  # type: ignore[attr-defined]
            curves=curves,
            objective=objective or ps.objective,
            max_change=ps.max_change if max_change is _UNSET else max_change,
            buckets=buckets,
            risk_quantile=ps.risk_quantile if risk_quantile is _UNSET else risk_quantile,
            history=self._plan_history(),
            fx=self._plan_fx(),
            aov=self._plan_aov(),
            ltv=self._plan_ltv(),
        )
        return replace(inp, experiments=self._plan_experiments(inp))

    def _plan_curves(self) -> Any:
        if not hasattr(self, "response_curves"):
            return None
        try:
            return self.response_curves()
        except NotFittedError:
            return None

    def _plan_history(self) -> pd.DataFrame:
        """Average daily spend and CPM per line over the last 28 days of data."""
        df = self.store.query(  # type: ignore[attr-defined]
            f"""WITH last AS (SELECT max(date) AS d FROM ad_daily)
                SELECT market, channel,
                       CAST(SUM(spend_base) AS DOUBLE) / {HISTORY_DAYS} AS daily_spend,
                       CASE WHEN SUM(impressions) > 0
                            THEN CAST(SUM(spend_base) AS DOUBLE) * 1000 / SUM(impressions) END AS cpm
                FROM ad_daily, last
                WHERE date > last.d - INTERVAL {HISTORY_DAYS} DAY
                GROUP BY ALL ORDER BY market, channel"""
        )
        return df

    def _plan_fx(self) -> dict[str, float]:
        df = self.store.query(  # type: ignore[attr-defined]
            """SELECT currency, CAST(arg_max(per_base, date) AS DOUBLE) AS per_base
               FROM fx_rates GROUP BY currency"""
        )
        return {str(r.currency): float(r.per_base) for r in df.itertuples()}

    def _plan_aov(self) -> dict[str, float]:
        return self.order_values()  # type: ignore[attr-defined]

    def _plan_ltv(self) -> dict[tuple[str, str], float]:
        if not hasattr(self, "ltv_value_multipliers"):
            return {}
        try:
            out = self.ltv_value_multipliers()
        except AdbudgetError:
            return {}
        return {k: float(v) for k, v in (out or {}).items() if np.isfinite(v) and v > 0}

    def _plan_experiments(self, inp: PlanInputs) -> pd.DataFrame | None:
        if not hasattr(self, "test_allocation"):
            return None
        try:
            # proportions matter: the planner rescales arms to each market's test bucket
            df = self.test_allocation(max(inp.budget * 0.125, 1.0), period_days=inp.days)
        except AdbudgetError:
            return None
        return df if isinstance(df, pd.DataFrame) and len(df) else None

    # -- plans --------------------------------------------------------------------------
    def plan(
        self,
        budget: float,
        period: str,
        objective: str | None = None,
        max_change: float | None = _UNSET,
        buckets: dict[str, float] | None = None,
        *,
        risk_quantile: float | None = _UNSET,
        days: int | None = None,
        save: bool = True,
        curves: Any = None,
    ) -> PlanResult:
        """Plan the period's budget across buckets, markets and channels; saved in `plans`."""
        inp = self.plan_inputs(budget, period, objective=objective, max_change=max_change,
                               buckets=buckets, risk_quantile=risk_quantile, days=days, curves=curves)
        result = make_plan(inp)
        result = replace(result, advice=self.stage_advice(result))
        if save and not getattr(self.store, "read_only", False):  # type: ignore[attr-defined]
            result = self._save_plan(result)
        return result

    def plan_scenarios(self, budgets: list[float], period: str, **kwargs: Any) -> list[PlanResult]:
        """Plans at several total budgets (not saved)."""
        inp = self.plan_inputs(budgets[0], period, **kwargs)
        return scenarios(inp, budgets)

    def plan_frontier(self, budget: float, period: str, budgets: list[float] | None = None,
                      **kwargs: Any) -> Frontier:
        """Profit and revenue vs total budget; the budget where marginal profit reaches 0."""
        inp = self.plan_inputs(budget, period, **kwargs)
        return frontier(inp, budgets)

    def stage_advice(self, result: PlanResult | None = None) -> list[StageAdvice]:
        """Suggested stage moves from the data (and the plan's saturation, if given)."""
        weekly = self.store.query(  # type: ignore[attr-defined]
            """SELECT date_trunc('week', date) AS week, market,
                      CAST(SUM(spend_base) AS DOUBLE) AS spend,
                      CAST(SUM(revenue_base) AS DOUBLE) AS revenue,
                      CAST(SUM(conversions) AS DOUBLE) AS conversions
               FROM ad_daily GROUP BY ALL
               HAVING count(DISTINCT date) = 7 ORDER BY week, market"""
        )
        be = {m: e.breakeven_roas for m, e in self.market_economics().items()  # type: ignore[attr-defined]
              if e.contribution_per_revenue > 0}
        sat: dict[str, list[float]] = {}
        if result is not None:
            for line in result.lines:
                if line.bucket == "performance" and line.saturation_pct is not None and line.amount_base > 0:
                    sat.setdefault(line.market, []).append(line.saturation_pct)
        return advise(self.settings, weekly, be, sat)  # type: ignore[attr-defined]

    def _save_plan(self, result: PlanResult) -> PlanResult:
        store = self.store  # type: ignore[attr-defined]
        created = datetime.now(UTC).replace(tzinfo=None)
        rec = to_record(result)
        with store.transaction():
            new_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM plans"))
            store.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_id, created, rec["period"], rec["budget"], rec["objective"],
                 json.dumps(rec["inputs"], ensure_ascii=False),
                 json.dumps(rec["lines"], ensure_ascii=False)],
            )
        return replace(result, plan_id=new_id, created_at=created.isoformat())

    def _read_plan(self, plan_id: int | None = None) -> PlanResult | None:
        """The one reader of the ``plans`` table: the given plan, or the latest; None if none.
        A row this version cannot read raises PlanFormatError (one line, says why)."""
        sql = "SELECT id, created_at, period, budget, objective, inputs, lines FROM plans"
        params: list[Any] = []
        if plan_id is not None:
            sql += " WHERE id = ?"
            params.append(int(plan_id))
        row = self.store.query(sql + " ORDER BY id DESC LIMIT 1", params)  # type: ignore[attr-defined]
        return from_record(row.iloc[0].to_dict()) if len(row) else None

    def latest_plan(self) -> PlanResult | None:
        """The most recently saved plan, or None."""
        return self._read_plan()

    def get_plan(self, plan_id: int) -> PlanResult:
        """A saved plan by id."""
        plan = self._read_plan(int(plan_id))
        if plan is None:
            raise InputError(t("plan.error.plan_missing", id=plan_id))
        return plan

    def list_plans(self) -> pd.DataFrame:
        """Saved plans: id, created_at, period, budget, objective."""
        df = self.store.query(  # type: ignore[attr-defined]
            "SELECT id, created_at, period, CAST(budget AS DOUBLE) AS budget, objective FROM plans ORDER BY id"
        )
        return df

    def export_plan(self, path: Path | str, plan: PlanResult | None = None) -> Path:
        """Write a plan (default: the latest) as CSV (the table) or JSON (everything)."""
        path = Path(path)
        plan = plan or self.latest_plan()
        if plan is None:
            raise NotFittedError(t("plan.error.no_plan"))
        suffix = path.suffix.lower()
        if suffix == ".csv":
            df = plan.to_frame().drop(columns=["reason_args"], errors="ignore")
            df["triggers"] = df["triggers"].map(lambda x: ";".join(x) if isinstance(x, list) else x)
            df.to_csv(path, index=False, encoding="utf-8")
        elif suffix == ".json":
            path.write_text(json.dumps(jsonable(plan.summary(), key=str), ensure_ascii=False, indent=2),
                            encoding="utf-8")
        else:
            raise InputError(t("plan.error.export_format", path=str(path)))
        return path


__all__ = ["PlanMixin"]
