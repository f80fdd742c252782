"""Workspace methods of the `rules` area: read from the store, call the pure package, save.

State of a line (status, daily budget, bid) is what the last applied, not undone, entry of
``rule_log`` left; lines never touched start from their last-7-day average spend and CPC.
Plan targets come from the latest plan when there is one; break-even ROAS otherwise comes
from the market's margins in adbudget.toml.
"""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from adbudget.economics import finite_or_none
from adbudget.errors import InputError, NotFittedError
from adbudget.i18n import t
from adbudget.rules.backtest import BacktestResult, backtest
from adbudget.rules.export import export_actions
from adbudget.rules.loader import parse_rules
from adbudget.rules.metrics import build_lines, compute_metrics, earliest_day
from adbudget.rules.pacing import PacingReport, pacing, parse_period
from adbudget.rules.reserve import ReserveReport, detect_surges, release_reserve
from adbudget.rules.resolve import Evaluation, evaluate
from adbudget.rules.spec import RuleSet
from adbudget.workspace.core import Service, WorkspaceData

if TYPE_CHECKING:
    from adbudget.workspace.plan import CurvesSource, PlanStore

RULE_SUFFIXES = (".yaml", ".yml", ".toml")


@dataclass(frozen=True)
class RulesRun:
    """One `rules run`: the evaluation, whether it was applied, and the log ids written."""

    evaluation: Evaluation
    applied: bool
    log_ids: list[int] = field(default_factory=list)
    rule_files: list[str] = field(default_factory=list)


class RulesService(Service):
    """Automation rules: run, undo, backtest, pacing and reserve release (``ws.rules``). Needs
    the data accessor, the saved plans (targets, pacing) and a source of response curves
    (backtest and reserve release use them when a model is fitted)."""

    def __init__(self, data: WorkspaceData, *, plans: PlanStore, curves: CurvesSource) -> None:
        super().__init__(data)
        self.plans = plans
        self.curves = curves

    # -- rule files --------------------------------------------------------------------------
    def rule_files(self, files: list[str | Path] | None = None) -> list[Path]:
        """Rule files named (or found under the settings' ``rules.files`` paths and globs)."""
        specs = [str(f) for f in files] if files else list(self.settings.rules.files)
        found: list[Path] = []
        for spec in specs:
            p = Path(spec)
            if not p.is_absolute():
                p = self.root / p
            if p.is_dir():
                found += sorted(x for x in p.iterdir() if x.suffix.lower() in RULE_SUFFIXES)
            elif any(ch in spec for ch in "*?["):
                found += sorted(Path(x) for x in glob.glob(str(p)) if Path(x).suffix.lower() in RULE_SUFFIXES)
            elif p.exists():
                found.append(p)
            elif files:
                raise InputError(t("rules.error.no_file"), file=str(p))
        return found

    def load_rules(self, files: list[str | Path] | None = None) -> RuleSet:
        """Read and validate rule files into one rule set (errors name file, line and key)."""
        paths = self.rule_files(files)
        if not paths:
            raise InputError(t("rules.error.no_rules", path=str(self.root / "rules")))
        out = RuleSet()
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read: {exc}", file=str(path)) from None
            rs = parse_rules(text, str(path))
            try:
                out = out.merged(rs)
            except ValueError as exc:
                msg = str(exc).splitlines()[-1].strip().removeprefix("Value error, ")
                raise InputError(msg, file=str(path)) from None
        return out

    # -- data for the pure package ----------------------------------------------------------------
    def _rules_daily(self, start: date | None, end: date | None) -> pd.DataFrame:
        where, params = [], []
        if start is not None:
            where.append("date >= ?")
            params.append(start)
        if end is not None:
            where.append("date <= ?")
            params.append(end)
        sql = """SELECT date, market, channel, campaign,
                        CAST(SUM(spend_base) AS DOUBLE) AS spend,
                        CAST(SUM(spend) AS DOUBLE) AS spend_local,
                        CAST(SUM(impressions) AS DOUBLE) AS impressions,
                        CAST(SUM(clicks) AS DOUBLE) AS clicks,
                        CAST(SUM(conversions) AS DOUBLE) AS conversions,
                        CAST(SUM(revenue_base) AS DOUBLE) AS revenue
                 FROM ad_daily"""
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " GROUP BY ALL ORDER BY date, market, channel, campaign"
        df = self.store.query(sql, params)
        if len(df):
            df["date"] = pd.to_datetime(df["date"]).dt.date
        return df

    def _rules_last_date(self) -> date | None:
        value = self.store.scalar("SELECT max(date) FROM ad_daily")
        return None if value is None else pd.Timestamp(value).date()

    def _rules_default_date(self) -> date:
        last = self._rules_last_date()
        if last is None:
            raise NotFittedError(t("rules.error.no_data"))
        return last + timedelta(days=1)

    def latest_plan_lines(self) -> tuple[pd.DataFrame, str] | None:
        """Lines and period of the latest saved plan (the plan area's one reader); None if none."""
        plan = self.plans.read()
        return None if plan is None else (plan.to_frame(), plan.period)

    def _breakeven_targets(self) -> pd.DataFrame:
        """Break-even and target ROAS per market (channel ``*``) from ``market_economics()``,
        the same numbers the plan, tests, report and dashboard show."""
        margin = self.settings.rules.target_margin_pct / 100.0
        rows = []
        for code, econ in self.data.market_economics().items():
            be = finite_or_none(econ.breakeven_roas)
            be = np.nan if be is None else be
            rows.append({"market": code, "channel": "*", "breakeven_roas": be, "breakeven_roas_ltv": be,
                         "target_roas": be * (1 + margin)})
        return pd.DataFrame(rows)

    def rules_targets(self, daily: pd.DataFrame | None = None) -> pd.DataFrame:
        """Targets per market × channel: plan lines first, margins-derived break-even otherwise
        (``daily`` is accepted for callers that pass it; the break-even no longer needs it)."""
        base = self._breakeven_targets()
        plan = self.latest_plan_lines()
        if plan is None or plan[0].empty:
            return base
        p = plan[0]
        p = p[p.get("bucket", pd.Series("", index=p.index)) != "reserve"].copy()
        cols = {"breakeven_roas": "breakeven_roas", "breakeven_roas_ltv": "breakeven_roas_ltv",
                "marginal_roas": "marginal_roas",
                "daily_budget_base": "plan_daily_budget", "amount_base": "plan_amount"}
        for c in cols:
            if c not in p:
                p[c] = np.nan
            p[c] = pd.to_numeric(p[c], errors="coerce")
        g = p.groupby(["market", "channel"]).agg(
            breakeven_roas=("breakeven_roas", "mean"), breakeven_roas_ltv=("breakeven_roas_ltv", "mean"),
            marginal_roas=("marginal_roas", "mean"),
            plan_daily_budget=("daily_budget_base", "sum"), plan_amount=("amount_base", "sum"),
        ).reset_index()
        # a line without LTV breaks even at its first-order break-even
        g["breakeven_roas_ltv"] = g["breakeven_roas_ltv"].fillna(g["breakeven_roas"])
        margin = self.settings.rules.target_margin_pct / 100.0
        g["target_roas"] = g["breakeven_roas"] * (1 + margin)
        return pd.concat([g, base], ignore_index=True)

    def _rules_log(self, include_undone: bool = False) -> pd.DataFrame:
        sql = "SELECT * FROM rule_log"
        if not include_undone:
            sql += " WHERE NOT undone"
        df = self.store.query(sql + " ORDER BY id")
        if len(df):
            df["for_date"] = pd.to_datetime(df["for_date"]).dt.date
        return df

    def rules_state(self, as_of: date) -> pd.DataFrame:
        """Line status, daily budget and bid as the rule log left them before or on *as_of*."""
        log = self._rules_log()
        log = log[log["for_date"] <= as_of] if len(log) else log
        if log.empty:
            return pd.DataFrame(columns=["line", "status", "daily_budget", "bid"])
        last = log.sort_values("id").groupby("line").tail(1)
        rows = []
        for rec in last.itertuples(index=False):
            after = json.loads(rec.after) if isinstance(rec.after, str) else (rec.after or {})
            status = after.get("status", "active")
            if status == "paused_today" and rec.for_date < as_of:
                status = "active"
            rows.append({"line": rec.line, "status": status,
                         "daily_budget": _f(after.get("daily_budget")), "bid": _f(after.get("bid"))})
        return pd.DataFrame(rows)

    def rules_metrics(self, as_of: date, windows: set[str]) -> Any:
        """Line metrics for *as_of* from the store (used by run and by the dashboard)."""
        daily = self._rules_daily(earliest_day(as_of, windows | {"last_90d"}), as_of)
        lines = build_lines(daily, self.settings.rules.bucket_patterns)
        return compute_metrics(daily, as_of, windows, lines=lines, state=self.rules_state(as_of),
                               targets=self.rules_targets(daily))

    def _reserve_daily(self, as_of: date) -> float:
        plan = self.latest_plan_lines()
        if plan is not None and "bucket" in plan[0]:
            p = plan[0][plan[0]["bucket"] == "reserve"]
            if len(p):
                if "daily_budget_base" in p and p["daily_budget_base"].notna().any():
                    return float(pd.to_numeric(p["daily_budget_base"], errors="coerce").sum())
                try:
                    a, b = parse_period(plan[1])
                    return float(pd.to_numeric(p["amount_base"], errors="coerce").sum()) / ((b - a).days + 1)
                except InputError:
                    pass
        return float(self.settings.rules.reserve_daily)

    # -- run, log, undo ----------------------------------------------------------------------------
    def rules_run(
        self,
        date: date | str | None = None,
        dry_run: bool = True,
        rule_files: list[str | Path] | None = None,
        rules: RuleSet | None = None,
    ) -> RulesRun:
        """Evaluate the rules for *date* (default: the day after the latest data); apply unless dry."""
        as_of = _to_date(date) if date is not None else self._rules_default_date()
        ruleset = rules if rules is not None else self.load_rules(rule_files)
        metrics = self.rules_metrics(as_of, ruleset.windows())
        history = self._rules_log()[["rule", "line", "for_date"]]
        ev = evaluate(ruleset, metrics, history=history, reserve_daily=self._reserve_daily(as_of))
        files = [str(p) for p in self.rule_files(rule_files)] if rules is None else []
        if dry_run or ev.actions.empty:
            return RulesRun(ev, False, [], files)
        ids = self._write_log(ev)
        return RulesRun(ev, True, ids, files)

    def _write_log(self, ev: Evaluation) -> list[int]:
        now = datetime.now(UTC).replace(tzinfo=None)
        with self.store.transaction() as con:
            start = int(con.execute("SELECT coalesce(max(id), 0) FROM rule_log").fetchone()[0]) + 1
            ids = list(range(start, start + len(ev.actions)))
            records = []
            for i, rec in zip(ids, ev.actions.to_dict(orient="records"), strict=True):
                before = {"status": rec["before_status"], "daily_budget": _f(rec["before_budget"]),
                          "bid": _f(rec["before_bid"])}
                after = {"status": rec["after_status"], "daily_budget": _f(rec["after_budget"]),
                         "bid": _f(rec["after_bid"])}
                if rec.get("message"):
                    after["message"] = rec["message"]
                records.append((i, now, ev.as_of, rec["rule"], rec["line"], rec["action"],
                                json.dumps(before), json.dumps(after),
                                json.dumps(rec.get("metrics") or {}, default=str), False))
            con.executemany("INSERT INTO rule_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
        return ids

    def rules_log(self, for_date: date | str | None = None, include_undone: bool = True) -> pd.DataFrame:
        """Audit log entries (optionally of one date), newest first."""
        df = self._rules_log(include_undone=include_undone)
        if for_date is not None and len(df):
            df = df[df["for_date"] == _to_date(for_date)]
        return df.sort_values("id", ascending=False).reset_index(drop=True)

    def rules_undo(
        self, ids: list[int] | None = None, for_date: date | str | None = None, last: bool = False
    ) -> pd.DataFrame:
        """Mark log entries undone (by id, by date, or the last run) and return them.

        The returned rows' ``before`` is the setting to restore on the platform; the state the
        next run starts from no longer includes them.
        """
        log = self._rules_log()
        if log.empty:
            raise InputError(t("rules.error.nothing_to_undo"))
        if ids:
            sel = log[log["id"].isin(ids)]
            missing = set(ids) - set(sel["id"])
            if missing:
                raise InputError(t("rules.error.unknown_ids", ids=", ".join(map(str, sorted(missing)))))
        elif for_date is not None:
            sel = log[log["for_date"] == _to_date(for_date)]
        else:
            sel = log[log["applied_at"] == log["applied_at"].max()]
        if sel.empty:
            raise InputError(t("rules.error.nothing_to_undo"))
        chosen = [int(x) for x in sel["id"]]
        with self.store.transaction() as con:
            con.execute(f"UPDATE rule_log SET undone = TRUE WHERE id IN ({', '.join('?' for _ in chosen)})",
                        chosen)
        return sel.sort_values("id", ascending=False).reset_index(drop=True)

    def rules_export(self, fmt: str, for_date: date | str | None = None,
                     evaluation: Evaluation | None = None) -> str:
        """Applied actions of a date (default: the latest) as a platform bulk-edit or generic file."""
        if evaluation is not None:
            actions = evaluation.actions.assign(for_date=evaluation.as_of)
        else:
            log = self._rules_log()
            if log.empty:
                raise InputError(t("rules.error.nothing_to_export"))
            day = _to_date(for_date) if for_date is not None else max(log["for_date"])
            actions = _log_to_actions(log[log["for_date"] == day])
        fx = self._rules_fx()
        return export_actions(actions, fmt, fx)

    def _rules_fx(self) -> dict[str, float]:
        """Local currency per base unit per line, from the last 30 days of spend."""
        df = self.store.query(
            """SELECT market, channel, campaign, CAST(SUM(spend) AS DOUBLE) AS l,
                      CAST(SUM(spend_base) AS DOUBLE) AS b
               FROM ad_daily WHERE date >= (SELECT max(date) - INTERVAL 30 DAY FROM ad_daily)
               GROUP BY ALL""")
        return {f"{r.market}|{r.channel}|{r.campaign}": r.l / r.b for r in df.itertuples() if r.b}

    # -- backtest, pacing, reserve -------------------------------------------------------------
    def rules_backtest(
        self,
        start: date | str,
        end: date | str,
        rule_files: list[str | Path] | None = None,
        rules: RuleSet | None = None,
    ) -> BacktestResult:
        """Replay the rules over history (response curves for conversions when fitted)."""
        a, b = _to_date(start), _to_date(end)
        if b < a:
            raise InputError(t("rules.error.bad_range", start=str(a), end=str(b)))
        ruleset = rules if rules is not None else self.load_rules(rule_files)
        daily = self._rules_daily(earliest_day(a, ruleset.windows() | {"last_90d"}), b)
        if daily.empty:
            raise NotFittedError(t("rules.error.no_data"))
        curves = None
        try:
            curves = self.curves.response_curves()
        except (NotFittedError, NotImplementedError):
            curves = None
        return backtest(ruleset, daily, a, b, targets=self.rules_targets(daily), curves=curves,
                        reserve_daily=self._reserve_daily(a),
                        bucket_patterns=self.settings.rules.bucket_patterns,
                        elasticity=self.settings.rules.backtest_elasticity)

    def pacing(
        self, period: str | None = None, date: date | str | None = None, plan: pd.DataFrame | None = None
    ) -> PacingReport:
        """Plan versus actual spend this period per line, projection and budget to land on plan."""
        as_of = _to_date(date) if date is not None else self._rules_default_date()
        plan_period = None
        if plan is None:
            found = self.latest_plan_lines()
            if found is None:
                raise NotFittedError(t("rules.error.no_plan"))
            plan, plan_period = found
        period = period or plan_period or f"{as_of:%Y-%m}"
        start, end = parse_period(period)
        spend = self.store.query(
            """SELECT date, market, channel, CAST(SUM(spend_base) AS DOUBLE) AS spend
               FROM ad_daily WHERE date >= ? AND date <= ? GROUP BY ALL""",
            [start - timedelta(days=14), end])
        return pacing(plan, spend, period, as_of, tolerance_pct=self.settings.rules.pacing_tolerance_pct)

    def reserve_release(self, date: date | str | None = None, reserve_daily: float | None = None) -> ReserveReport:
        """Cost surges and peak days for *date*, and the reserve released to lines that still pay."""
        cfg = self.settings.rules
        as_of = _to_date(date) if date is not None else self._rules_default_date()
        start = as_of - timedelta(days=cfg.surge_recent_days + cfg.surge_baseline_days)
        spend = self.store.query(
            """SELECT date, market, channel, CAST(SUM(spend_base) AS DOUBLE) AS spend,
                      CAST(SUM(impressions) AS DOUBLE) AS impressions,
                      CAST(SUM(clicks) AS DOUBLE) AS clicks,
                      CAST(SUM(revenue_base) AS DOUBLE) AS revenue
               FROM ad_daily WHERE date >= ? AND date < ? GROUP BY ALL""", [start, as_of])
        if spend.empty:
            raise NotFittedError(t("rules.error.no_data"))
        surges = detect_surges(spend, as_of, recent_days=cfg.surge_recent_days,
                               baseline_days=cfg.surge_baseline_days, threshold=cfg.surge_threshold,
                               min_impressions=cfg.surge_min_impressions,
                               lookahead_days=cfg.peak_lookahead_days)
        spend["date"] = pd.to_datetime(spend["date"]).dt.date
        recent = spend[spend["date"] >= as_of - timedelta(days=28)]
        g = recent.groupby(["market", "channel"])[["spend", "revenue"]].sum().reset_index()
        current = g.assign(spend=g["spend"] / 28.0)[["market", "channel", "spend"]]
        avg = g.assign(roas=np.where(g["spend"] > 0, g["revenue"] / g["spend"].where(g["spend"] > 0, 1), np.nan))
        curves = None
        try:
            curves = self.curves.response_curves()
        except (NotFittedError, NotImplementedError):
            curves = None
        targets = self.rules_targets()[["market", "channel", "target_roas"]]
        pool = self._reserve_daily(as_of) if reserve_daily is None else float(reserve_daily)
        return release_reserve(surges, pool, current, as_of=as_of, target_roas=targets, curves=curves,
                               average_roas=avg[["market", "channel", "roas"]],
                               marginal_to_average=cfg.marginal_to_average,
                               max_increase_pct=cfg.reserve_max_increase_pct)


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _to_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(t("rules.error.bad_date", value=str(value))) from None


def _log_to_actions(log: pd.DataFrame) -> pd.DataFrame:
    """Rule-log rows back into the action table the exporters read."""
    rows = []
    for rec in log.itertuples(index=False):
        market, channel, campaign = (rec.line.split("|", 2) + ["", "", ""])[:3]
        before = json.loads(rec.before) if isinstance(rec.before, str) else (rec.before or {})
        after = json.loads(rec.after) if isinstance(rec.after, str) else (rec.after or {})
        metrics = json.loads(rec.metrics) if isinstance(rec.metrics, str) else (rec.metrics or {})
        rows.append({
            "for_date": rec.for_date, "rule": rec.rule, "line": rec.line, "market": market,
            "channel": channel, "campaign": campaign, "action": rec.action,
            "before_status": before.get("status"), "after_status": after.get("status"),
            "before_budget": _nan(before.get("daily_budget")), "after_budget": _nan(after.get("daily_budget")),
            "before_bid": _nan(before.get("bid")), "after_bid": _nan(after.get("bid")),
            "message": after.get("message"), "metrics": metrics,
        })
    return pd.DataFrame(rows)


def _nan(x: Any) -> float:
    v = _f(x)
    return np.nan if v is None else v
