"""The `plan` area of the workspace: the saved plans (``PlanStore``, the one reader and writer
of the ``plans`` table) and the planner service (``PlanService``, ``ws.plans``).

``PlanService`` declares what it needs: the data accessor, a source of response curves (the
response area), the LTV service (value multipliers) and the experiments service (the test
arms). It gathers the planner's inputs, calls the pure ``adbudget.plan`` and saves the result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
from adbudget.workspace.core import Service, WorkspaceData

if TYPE_CHECKING:  # no import cycle at run time
    from adbudget.workspace.experiments import ExperimentsService
    from adbudget.workspace.ltv import LtvService

_UNSET: Any = object()
HISTORY_DAYS = 28


class CurvesSource(Protocol):
    """What the planner needs from the response area: the fitted curves (NotFittedError if none)."""

    def response_curves(self) -> Any: ...


class PlanStore(Service):
    """The one reader and writer of the ``plans`` table (format: :mod:`adbudget.plan.serde`)."""

    def save(self, result: PlanResult) -> PlanResult:
        """Store a plan; returns it with its new id and creation time."""
        store = self.store
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

    def read(self, plan_id: int | None = None) -> PlanResult | None:
        """The given plan, or the latest; None if there is none. A row this version cannot
        read raises PlanFormatError (one line that says why)."""
        sql = "SELECT id, created_at, period, budget, objective, inputs, lines FROM plans"
        params: list[Any] = []
        if plan_id is not None:
            sql += " WHERE id = ?"
            params.append(int(plan_id))
        row = self.store.query(sql + " ORDER BY id DESC LIMIT 1", params)
        return from_record(row.iloc[0].to_dict()) if len(row) else None

    def get(self, plan_id: int) -> PlanResult:
        """A saved plan by id (InputError if there is none)."""
        plan = self.read(int(plan_id))
        if plan is None:
            raise InputError(t("plan.error.plan_missing", id=plan_id))
        return plan

    def list(self) -> pd.DataFrame:
        """Saved plans: id, created_at, period, budget, objective."""
        return self.store.query(
            "SELECT id, created_at, period, CAST(budget AS DOUBLE) AS budget, objective FROM plans ORDER BY id"
        )


class PlanService(Service):
    """Plans, scenarios, the frontier and stage advice (``ws.plans``)."""

    def __init__(self, data: WorkspaceData, *, curves: CurvesSource, ltv: LtvService,
                 experiments: ExperimentsService, plans: PlanStore) -> None:
        super().__init__(data)
        self.curves = curves
        self.ltv = ltv
        self.experiments = experiments
        self.saved = plans

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
        """Gather what the planner needs: curves, history, FX, AOV, LTV, and the test
        allocation to run once the planner knows each market's test bucket."""
        ps = self.settings.plan
        per = parse_period(period)
        if curves is None:
            curves = self._curves()
        if curves is None and any(ms.stage != "entry" for ms in self.settings.markets.values()):
            raise NotFittedError(t("plan.no_curves"))
        return PlanInputs(
            budget=float(budget), period=per.label, days=int(days or per.days),
            settings=self.settings,
            curves=curves,
            objective=objective or ps.objective,
            max_change=ps.max_change if max_change is _UNSET else max_change,
            buckets=buckets,
            risk_quantile=ps.risk_quantile if risk_quantile is _UNSET else risk_quantile,
            history=self._history(),
            fx=self._fx(),
            aov=self.data.order_values(),
            ltv=self._ltv(),
            allocate_tests=self._test_allocator(),
            brand=self._brand(),
            non_performance=self._non_performance(),
        )

    def _non_performance(self) -> dict[tuple[str, str], float] | None:
        """The brand and test money per line and day of the latest saved plan whose period
        the recent spend (the last ``HISTORY_DAYS`` days of ad data) falls in: the plan being
        carried out. None without such a plan."""
        last = self.store.query("SELECT max(date) AS d FROM ad_daily")
        if last.empty or pd.isna(last["d"].iloc[0]):
            return None
        day = pd.Timestamp(last["d"].iloc[0]).date()
        plans = self.saved.list()
        if plans.empty or "period" not in plans or "id" not in plans:
            return None
        for row in plans.sort_values("id", ascending=False).itertuples():
            try:
                per = parse_period(str(row.period))
            except (AdbudgetError, ValueError):
                continue
            if not per.start <= day <= per.end + timedelta(days=7):
                continue
            plan = self.saved.get(int(row.id))
            out: dict[tuple[str, str], float] = {}
            for ln in plan.lines:
                money = float(ln.daily_budget_base or 0.0)
                if ln.bucket in ("brand", "test") and np.isfinite(money):
                    out[(ln.market, ln.channel)] = out.get((ln.market, ln.channel), 0.0) + money
            return out or None
        return None

    def _brand(self) -> dict[str, Any] | None:
        """The long-term brand estimates the brand shares follow (None when off or no data)."""
        from adbudget.workspace.brand import brand_estimates

        ps = self.settings.plan
        if not ps.horizon_months:
            return None
        try:
            return dict(brand_estimates(self.data, None, ps.horizon_months, ps.brand_discount))
        except AdbudgetError:
            return None

    def _curves(self) -> Any:
        try:
            return self.curves.response_curves()
        except NotFittedError:
            return None

    def _history(self) -> pd.DataFrame:
        """Average daily spend and CPM per line over the last 28 days of data."""
        df = self.store.query(
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

    def _fx(self) -> dict[str, float]:
        df = self.store.query(
            """SELECT currency, CAST(arg_max(per_base, date) AS DOUBLE) AS per_base
               FROM fx_rates GROUP BY currency"""
        )
        return {str(r.currency): float(r.per_base) for r in df.itertuples()}

    def _ltv(self) -> dict[tuple[str, str], float]:
        try:
            out = self.ltv.ltv_value_multipliers()
        except AdbudgetError:
            return {}
        return {k: float(v) for k, v in (out or {}).items() if np.isfinite(v) and v > 0}

    def _test_allocator(self) -> Callable[[float, int], pd.DataFrame | None]:
        """The experiments' allocation of a given test budget (called by the planner once the
        test buckets are known; None when no arm is live or the data cannot say). The arms
        are analyzed once per request, however many budgets (scenarios, frontier) follow."""
        live: list[Any] | None = None

        def allocate(test_budget: float, days: int) -> pd.DataFrame | None:
            nonlocal live
            try:
                if live is None:
                    live = self.experiments.live_arms()
                df = self.experiments.test_allocation(max(test_budget, 1.0), period_days=days,
                                                      live=live)
            except AdbudgetError:
                return None
            return df if isinstance(df, pd.DataFrame) and len(df) else None
        return allocate

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
        if save and not self.store.read_only:
            result = self.saved.save(result)
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
        weekly = self.store.query(
            """SELECT date_trunc('week', date) AS week, market,
                      CAST(SUM(spend_base) AS DOUBLE) AS spend,
                      CAST(SUM(revenue_base) AS DOUBLE) AS revenue,
                      CAST(SUM(conversions) AS DOUBLE) AS conversions
               FROM ad_daily GROUP BY ALL
               HAVING count(DISTINCT date) = 7 ORDER BY week, market"""
        )
        be = {m: e.breakeven_roas for m, e in self.data.market_economics().items()
              if e.contribution_per_revenue > 0}
        sat: dict[str, list[float]] = {}
        if result is not None:
            for line in result.lines:
                if line.bucket == "performance" and line.saturation_pct is not None and line.amount_base > 0:
                    sat.setdefault(line.market, []).append(line.saturation_pct)
        return advise(self.settings, weekly, be, sat)

    def latest_plan(self) -> PlanResult | None:
        """The most recently saved plan, or None."""
        return self.saved.read()

    def get_plan(self, plan_id: int) -> PlanResult:
        """A saved plan by id."""
        return self.saved.get(plan_id)

    def list_plans(self) -> pd.DataFrame:
        """Saved plans: id, created_at, period, budget, objective."""
        return self.saved.list()

    def export_plan(self, path: Path | str, plan: PlanResult | None = None) -> Path:
        """Write a plan (default: the latest) as CSV (the table) or JSON (everything)."""
        path = Path(path)
        plan = plan or self.saved.read()
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


__all__ = ["CurvesSource", "PlanService", "PlanStore"]
