"""Planning with the move limit that follows what is known, and the loop's saved result.

``plan_knowing`` is ``plan`` with :class:`adbudget.plan.knowledge.KnowledgeMoveLimit` in place
of one ±30 % for every line: each line's rule (tested, pinned, default, unsure, missed) comes
from the workspace's own evidence — ``lift_tests`` (switchback readings included), the fit's
posterior of the line's marginal ROAS at its recent spend, the highest daily spend the data
saw, and the markets whose last forecast missed (accountability) — and each performance line's
reason names the rule that applied.

``save_loop`` / ``loop_result`` keep the last loop's per-period record as ``loop.json`` in
the workspace folder, which the report and the dashboard read (they never run the loop).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from adbudget.errors import AdbudgetError
from adbudget.plan.knowledge import LineKnowledge, from_limits, move_knowledge, rule_text

LOOP_FILE = "loop.json"
REF_DAYS = 28
# reasons that say nothing about a bound get the line's move rule appended (loop.move.<same>)
_WITH_MOVE = {"plan.reason.perf_free", "plan.reason.perf_threshold", "plan.reason.perf_convex",
              "plan.reason.perf_off_s", "plan.reason.perf_zero"}


class KnowledgePlanMixin:
    """Mixed into Workspace (through LoopMixin)."""

    def move_knowledge_frame(self: Any, missed: Iterable[str] = ()) -> pd.DataFrame:
        """Per line: reference (recent daily spend), the posterior of its marginal ROAS there,
        whether a test read it, whether its market missed, the highest daily spend seen, and
        the rule and limits ``knowledge_move_limits`` gives it."""
        from adbudget.experiments.accountability import knowledge_move_limits

        missed = set(missed)
        curves = self.response_curves()
        names = [tuple(x) for x in curves.lines]
        spend = self.daily_spend()
        ref = pd.Series(dtype=float)
        seen = pd.Series(dtype=float)
        if len(spend):
            spend["date"] = pd.to_datetime(spend["date"])
            last = spend[spend["date"] > spend["date"].max() - pd.Timedelta(days=REF_DAYS)]
            ref = last.groupby(["market", "channel"])["spend"].sum() / REF_DAYS
            seen = spend.groupby(["market", "channel"])["spend"].max()
        r = np.asarray([float(ref.get(k, 0.0)) for k in names])
        marg = np.asarray(curves.marginal(np.maximum(r, 1e-6)))
        econ = self.market_economics()
        w = np.asarray([float(econ[m].contribution_per_revenue) if m in econ else np.nan
                        for m, _ in names])
        with np.errstate(divide="ignore", invalid="ignore"):
            break_even = np.where(w > 0, 1.0 / w, np.nan)
        lift = self.lift_tests()
        tested = informative_tests(lift, dict(zip(names, break_even, strict=True)))
        base = self.settings.base_currency
        if len(lift) and "currency" in lift:  # amounts of other currencies are not comparable
            lift = lift[lift["currency"] == base]
        if len(lift) and "spend" in lift:  # a test's high arm has been seen too (daily)
            days = (pd.to_datetime(lift["end_date"]) - pd.to_datetime(lift["start_date"])).dt.days + 1
            hi = (lift["spend"].astype(float) / days.clip(lower=1)).groupby(
                [lift["market"], lift["channel"]]).max()
            seen = pd.concat([seen, hi]).groupby(level=[0, 1]).max()
        # last period's performance money: recent spend less the latest plan's brand and
        # test money per line (a plan's other buckets are not the performance reference)
        other: dict[tuple[str, str], float] = {}
        last_plan = self.latest_plan()
        if last_plan is not None:
            for ln in last_plan.lines:
                if ln.bucket in ("brand", "test") and np.isfinite(float(ln.daily_budget_base or 0.0)):
                    key = (ln.market, ln.channel)
                    other[key] = other.get(key, 0.0) + float(ln.daily_budget_base or 0.0)
        base = [max(float(x) - other.get(k, 0.0), 0.0) for k, x in zip(names, r, strict=True)]
        lines = pd.DataFrame({
            "market": [m for m, _ in names], "channel": [c for _, c in names], "reference": r,
            "base": base if last_plan is not None else [np.nan] * len(names),
            "mroas_mean": marg.mean(axis=0), "mroas_sd": marg.std(axis=0),
            "tested": [k in tested for k in names], "missed": [k[0] in missed for k in names],
            "break_even": break_even,
            "max_seen": [float(seen.get(k, 0.0)) for k in names]})
        return knowledge_move_limits(lines)

    def move_knowledge(self: Any, missed: Iterable[str] = (),
                       steps: Mapping[str, tuple[float, float]] | None = None,
                       ) -> dict[str, LineKnowledge]:
        """LineKnowledge per ``market.channel`` (see :meth:`move_knowledge_frame`); ``steps``
        overrides (cut, raise) per rule (``plan.knowledge.DEFAULT_STEPS``)."""
        return from_limits(self.move_knowledge_frame(missed), steps)

    def plan_knowing(self: Any, budget: float, period: str, missed: Iterable[str] = (),
                     save: bool = True, steps: Mapping[str, tuple[float, float]] | None = None,
                     **kwargs: Any) -> Any:
        """``plan`` with the knowledge move limit; each performance line's reason names its
        rule. Falls back to the plain ±max change when the limits leave no feasible plan."""
        lines = self.move_knowledge(missed, steps)
        kwargs.pop("max_change", None)
        try:
            with move_knowledge(lines):
                plan = self.plan(budget, period, save=False, **kwargs)
            if not all(np.isfinite(float(ln.daily_budget_base or 0.0)) for ln in plan.lines):
                raise AdbudgetError("no numbers under the knowledge move limit")
            plan = with_move_reasons(plan, lines)
        except AdbudgetError:
            plan = self.plan(budget, period, save=False, **kwargs)
        if save and not self.store.read_only:
            plan = self.plans.saved.save(plan)
        return plan

    def pace_schedule(self: Any, schedule: pd.DataFrame | str | Path,
                      date: Any = None) -> Any:
        """Pacing against a per-day schedule (its test arms included) for ``date`` (default:
        the day after the last day with ad data): ``experiments.schedule_pacing``."""
        from adbudget.experiments.schedule_io import read_schedule
        from adbudget.experiments.schedule_pacing import schedule_pacing

        sched = read_schedule(schedule) if isinstance(schedule, str | Path) else schedule
        spend = self.daily_spend()
        if date is None:
            date = (pd.to_datetime(spend["date"]).max() + pd.Timedelta(days=1)) if len(spend) \
                else pd.to_datetime(sched["date"]).min()
        return schedule_pacing(sched, spend, date,
                               tolerance_pct=self.settings.rules.pacing_tolerance_pct)

    # -- accountability for a real seller ------------------------------------------------
    def check_plan(self: Any, plan: Any = None) -> dict[str, Any]:
        """The last plan's forecast against what happened, misses first (``adbudget tests
        check``): per market and per line, the plan's incremental revenue (P10–P90, pro rata
        for the days with data) against what the refit reads the ads caused on those days
        (its decomposition). Refit after importing the period; the reading is the model's,
        the only view of *incremental* revenue a seller's exports give."""
        from adbudget.errors import InputError, NotFittedError
        from adbudget.experiments.accountability import forecast_check
        from adbudget.i18n import t
        from adbudget.period import Period

        plan = plan if plan is not None else self.latest_plan()
        if plan is None:
            raise NotFittedError(t("loop.check.no_plan"))
        per = Period.parse(str(plan.period))
        fit = self.response_fit(check=False)
        dec = getattr(fit, "decomposition", None)
        if dec is None or len(dec) == 0:
            raise NotFittedError(t("loop.check.no_decomposition"))
        dec = dec.assign(date=pd.to_datetime(dec["date"]))
        dec = dec[(dec["date"] >= pd.Timestamp(per.start)) & (dec["date"] <= pd.Timestamp(per.end))
                  & (dec["component"] != "base")]
        days = int(dec["date"].nunique())
        if days == 0:
            raise InputError(t("loop.check.no_days", period=str(plan.period)))
        share = days / max(int(plan.days), 1)
        rows = [{"market": ln.market, "channel": ln.channel,
                 "forecast": float(ln.expected_revenue) * share,
                 "lo": float(ln.expected_revenue_lo) * share,
                 "hi": float(ln.expected_revenue_hi) * share}
                for ln in plan.lines if ln.expected_revenue is not None
                and ln.expected_revenue_lo is not None and ln.expected_revenue_hi is not None]
        if not rows:
            raise InputError(t("loop.check.no_forecast"))
        fc = pd.DataFrame(rows).groupby(["market", "channel"], as_index=False).sum()
        actual = (dec.rename(columns={"component": "channel"})
                  .groupby(["market", "channel"], as_index=False)["value"].sum()
                  .rename(columns={"value": "actual"}))
        by_market = fc.drop(columns="channel").groupby("market", as_index=False).sum()
        return {"period": str(plan.period), "days": days, "plan_days": int(plan.days),
                "markets": forecast_check(by_market, actual.groupby("market", as_index=False)
                                          ["actual"].sum()),
                "lines": forecast_check(fc, actual, keys=("market", "channel"))}

    # -- the loop's result, for the report and the dashboard -------------------------------
    def save_loop(self: Any, record: dict[str, Any]) -> Path:
        """Keep a loop's record (``LoopResult.record()``) as ``loop.json`` in the workspace."""
        path = Path(self.root) / LOOP_FILE
        path.write_text(json.dumps(record, indent=1, default=_jsonable, ensure_ascii=False),
                        encoding="utf-8")
        return path

    def loop_result(self: Any) -> dict[str, Any] | None:
        """The last saved loop's record (summary, periods), or None when no loop ran here."""
        path = Path(self.root) / LOOP_FILE
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("periods"), list) else None


INFORMATIVE_SE = 0.5  # a test pins a slope when its SE is at most this x the break-even


def informative_tests(lift: pd.DataFrame, break_even: Mapping[tuple[str, str], float],
                      ) -> set[tuple[str, str]]:
    """Lines a lift or scale test read well enough to move freely: the test's SE of the
    slope it measures (incremental revenue SE over the spend gap between its arms; over the
    spend for a holdout) at most ``INFORMATIVE_SE`` x the line's break-even marginal ROAS.
    A switchback of a small line can come back with an SE of 20–60 per unit of spend: it
    was read, but it pins nothing (the loop's diagnosis: SA TikTok read −58 ± 29, true 4.7)."""
    if lift is None or not len(lift):
        return set()
    gap = lift["spend"].astype(float) - (lift["baseline_spend"].astype(float).fillna(0.0)
                                         if "baseline_spend" in lift else 0.0)
    se = lift["incremental_revenue_se"].astype(float) / gap.where(gap > 0)
    out = set()
    for m, c, s in zip(lift["market"], lift["channel"], se, strict=True):
        be = float(break_even.get((m, c), np.nan))
        if np.isfinite(s) and np.isfinite(be) and s <= INFORMATIVE_SE * be:
            out.add((m, c))
    return out


def with_move_reasons(plan: Any, lines: dict[str, LineKnowledge]) -> Any:
    """The plan with each performance line's move rule in its reason (key and arguments, so
    the report renders it in either language)."""
    from adbudget.i18n import t
    from adbudget.plan.planner import _fmt

    out = []
    for ln in plan.lines:
        k = lines.get(f"{ln.market}.{ln.channel}")
        if ln.bucket == "performance" and k is not None:
            args = {**(ln.reason_args or {}), "move": rule_text(k), "move_rule": k.rule}
            key = ln.reason_key  # a bound's reason already names the rule (its ``by``)
            if key in _WITH_MOVE:
                key = "loop.move." + key.rsplit(".", 1)[1]
            ln = replace(ln, reason_key=key, reason_args=args,
                         reason=t(key, **_fmt(args)) if key else ln.reason)
        out.append(ln)
    return replace(plan, lines=out)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, pd.Timestamp):
        return str(x.date())
    return str(x)


__all__ = ["LOOP_FILE", "KnowledgePlanMixin", "with_move_reasons"]
