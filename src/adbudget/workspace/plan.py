"""Workspace methods of the `plan` area: read from the store, call the pure package, save."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adbudget.errors import AdbudgetError, InputError, NotFittedError
from adbudget.i18n import t
from adbudget.plan.advisor import advise
from adbudget.plan.buckets import BucketPolicy, Shift
from adbudget.plan.optimizer import OptimalityCheck
from adbudget.plan.period import parse_period
from adbudget.plan.planner import PlanInputs, make_plan, value_per_revenue
from adbudget.plan.result import Frontier, PlanLine, PlanResult, StageAdvice
from adbudget.plan.scenarios import frontier, scenarios

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
        df = self.store.query(  # type: ignore[attr-defined]
            """SELECT market, CAST(AVG(revenue_base) AS DOUBLE) AS aov FROM orders
               WHERE revenue_base IS NOT NULL AND revenue_base > 0 GROUP BY market"""
        )
        return {str(r.market): float(r.aov) for r in df.itertuples() if r.aov and r.aov > 0}

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
        aov = self._plan_aov()
        ps = self.settings.plan  # type: ignore[attr-defined]
        be = {}
        for m, ms in self.settings.markets.items():  # type: ignore[attr-defined]
            v = value_per_revenue(ms, aov.get(m, ps.fallback_aov))
            if v > 0:
                be[m] = 1.0 / v
        sat: dict[str, list[float]] = {}
        if result is not None:
            for line in result.lines:
                if line.bucket == "performance" and line.saturation_pct is not None and line.amount_base > 0:
                    sat.setdefault(line.market, []).append(line.saturation_pct)
        return advise(self.settings, weekly, be, sat)  # type: ignore[attr-defined]

    def _save_plan(self, result: PlanResult) -> PlanResult:
        store = self.store  # type: ignore[attr-defined]
        created = datetime.now(UTC).replace(tzinfo=None)
        with store.transaction():
            new_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM plans"))
            inputs = dict(result.inputs)
            inputs["result"] = _result_meta(result)
            store.execute(
                "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                [new_id, created, result.period, round(result.budget, 4), result.objective,
                 json.dumps(_jsonable(inputs), ensure_ascii=False),
                 json.dumps(_jsonable(result.records()), ensure_ascii=False)],
            )
        return replace(result, plan_id=new_id, created_at=created.isoformat())

    def latest_plan(self) -> PlanResult | None:
        """The most recently saved plan, or None."""
        row = self.store.query("SELECT * FROM plans ORDER BY id DESC LIMIT 1")  # type: ignore[attr-defined]
        return _load(row.iloc[0]) if len(row) else None

    def get_plan(self, plan_id: int) -> PlanResult:
        """A saved plan by id."""
        row = self.store.query("SELECT * FROM plans WHERE id = ?", [int(plan_id)])  # type: ignore[attr-defined]
        if not len(row):
            raise InputError(t("plan.error.plan_missing", id=plan_id))
        return _load(row.iloc[0])

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
            path.write_text(json.dumps(_jsonable(plan.summary()), ensure_ascii=False, indent=2),
                            encoding="utf-8")
        else:
            raise InputError(t("plan.error.export_format", path=str(path)))
        return path


def _result_meta(result: PlanResult) -> dict[str, Any]:
    return {
        "days": result.days,
        "base_currency": result.base_currency,
        "totals": result.totals,
        "notes": result.notes,
        "check": asdict(result.check) if result.check else None,
        "policies": {m: {"shares": p.shares, "source": p.source,
                         "shifts": [asdict(s) for s in p.shifts]} for m, p in result.policies.items()},
        "advice": [asdict(a) for a in result.advice],
    }


def _load(row: pd.Series) -> PlanResult:
    inputs = json.loads(row["inputs"]) if isinstance(row["inputs"], str) else dict(row["inputs"])
    lines_raw = json.loads(row["lines"]) if isinstance(row["lines"], str) else list(row["lines"])
    meta = inputs.pop("result", {})
    names = {f.name for f in fields(PlanLine)}
    lines = [PlanLine(**{k: v for k, v in r.items() if k in names}) for r in lines_raw]
    policies = {
        m: BucketPolicy(m, p["shares"], tuple(
            Shift(s["bucket"], s["points"], s["cause"], s["key"], tuple(tuple(v) for v in s["values"]))
            for s in p["shifts"]), p["source"])
        for m, p in meta.get("policies", {}).items()
    }
    chk = meta.get("check")
    check = None
    if chk:
        chk["violations"] = tuple(chk.get("violations", ()))
        check = OptimalityCheck(**chk)
    created = row["created_at"]
    return PlanResult(
        period=str(row["period"]), days=int(meta.get("days", inputs.get("days", 0))),
        budget=float(row["budget"]), base_currency=meta.get("base_currency", ""),
        objective=str(row["objective"]), lines=lines, policies=policies, check=check,
        totals=meta.get("totals", {}), notes=meta.get("notes", []),
        advice=[StageAdvice(**a) for a in meta.get("advice", [])], inputs=inputs,
        plan_id=int(row["id"]), created_at=created.isoformat() if hasattr(created, "isoformat") else str(created),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


__all__ = ["PlanMixin"]
