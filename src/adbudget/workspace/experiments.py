"""Workspace methods of the `experiments` area: read from the store, call the pure package.

Other areas call :meth:`ExperimentsService.test_allocation` (the planner's test bucket),
:meth:`ExperimentsService.graduations` (winners' starting budgets) and
:meth:`ExperimentsService.lift_calibration` (the response model's priors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from adbudget.errors import AdbudgetError, InputError, SettingsError
from adbudget.experiments import (
    ALLOCATION_COLUMNS,
    AnalysisOptions,
    ArmDeclaration,
    CreativeFatigue,
    DecisionRules,
    EntryPlan,
    ExperimentResult,
    LiftResult,
    LiveArm,
    PowerDesign,
    TagRules,
    allocate_test_budget,
    analyze_experiment,
    analyze_lift_tests,
    creative_fatigue,
    design_test,
    entry_test_plan,
    experiment_data,
    lift_calibration,
    metric_draws,
    tag_rows,
)
from adbudget.experiments.design import DEFAULT_CPC, DEFAULT_CVR, REGION_CPC_FACTOR
from adbudget.i18n import t
from adbudget.workspace.core import Service, WorkspaceData, filter_clauses

if TYPE_CHECKING:
    from adbudget.workspace.plan import PlanStore

DEFAULT_ORDER_VALUE = 40.0  # base currency, used only when a market has no conversions yet
GRADUATION_COLUMNS = ["experiment", "arm", "market", "channel", "test_daily_spend",
                      "daily_budget_base", "roas_mean", "roas_lo", "roas_hi"]


@dataclass(frozen=True)
class ExperimentsReport:
    """Every experiment's analysis and the winners that graduate."""

    experiments: list[ExperimentResult]
    base_currency: str


@dataclass(frozen=True)
class DesignReport:
    """A power design with where its assumptions came from."""

    market: str
    channel: str
    design: PowerDesign
    assumptions_from_data: bool
    given: list[str]  # assumptions the caller set (cvr, order_value, cpc)


class ExperimentsService(Service):
    """Tests: analysis, allocation, design, lift and fatigue (``ws.experiments``). Needs the
    data accessor and the saved plans (a market's test bucket in the latest plan)."""

    def __init__(self, data: WorkspaceData, *, plans: PlanStore) -> None:
        super().__init__(data)
        self.plans = plans

    # -- helpers ----------------------------------------------------------------------------
    def _experiment_options(self, loss_threshold: float | None = None) -> AnalysisOptions:
        s = self.settings.experiments
        rules = DecisionRules(
            loss_threshold=loss_threshold if loss_threshold is not None else s.loss_threshold,
            prob_to_scale=s.prob_to_scale, prob_to_stop=s.prob_to_stop, min_clicks=s.min_clicks,
            min_conversions=s.min_conversions, min_days=s.min_days,
        )
        if not 0 < rules.loss_threshold < 1:
            raise SettingsError(t("experiments.design.bad_value", name="loss threshold",
                                  allowed="between 0 and 1", value=rules.loss_threshold))
        return AnalysisOptions(metric=s.metric, revenue_model=s.revenue_model, draws=s.draws,
                               seed=s.seed, prior_cv=s.order_value_cv,
                               graduation_multiplier=s.graduation_multiplier, rules=rules)

    def _tag_rules(self) -> TagRules:
        s = self.settings.experiments
        return TagRules(
            pattern=s.tag_pattern, fields=tuple(s.tag_fields), control_names=tuple(s.control_names),
            declared=tuple(ArmDeclaration(**a.model_dump()) for a in s.arms),
        )

    def breakeven_by_market(self) -> dict[str, float]:
        """Break-even ROAS per configured market (inf: no ROAS pays), from the one source
        every command and page uses: ``market_economics()``."""
        return {m: e.breakeven_roas for m, e in self.data.market_economics().items()}

    def experiment_rows(self, start: str | None = None, end: str | None = None,
                        markets: list[str] | None = None) -> pd.DataFrame:
        """ad_daily rows that belong to a test arm (experiment, arm, is_control added).

        DuckDB pre-filters rows whose names can match the tag pattern or a declaration, so a
        large store is not loaded whole; Python's regex then decides (RE2 and Python differ at
        the edges, and any SQL error falls back to reading every row).
        """
        rules = self._tag_rules()
        where, params = filter_clauses(markets, None, "date", start, end)
        # the tag is searched in each name field (as tag_rows does, so anchors keep working),
        # declarations in "campaign / ad_group / creative"
        joined = "campaign || ' / ' || ad_group || ' / ' || creative"
        tests = [(f, rules.pattern) for f in rules.fields] + [(joined, d.match) for d in rules.declared]
        where.append("(" + " OR ".join(f"regexp_matches({f}, ?)" for f, _ in tests) + ")")
        params += [p for _, p in tests]
        sql = (
            "SELECT date, market, channel, account, campaign, ad_group, creative, currency, "
            "CAST(spend AS DOUBLE) AS spend, impressions, clicks, conversions, "
            "CAST(revenue AS DOUBLE) AS revenue, CAST(spend_base AS DOUBLE) AS spend_base, "
            "CAST(revenue_base AS DOUBLE) AS revenue_base FROM ad_daily WHERE "
            + " AND ".join(where) + " ORDER BY date, market, channel, campaign, ad_group, creative"
        )
        try:
            rows = self.store.query(sql, params)
        except Exception:  # noqa: BLE001 - a pattern RE2 cannot run: filter in Python only
            rows = self.data.ad_daily(markets=markets, start=start, end=end)
        return tag_rows(rows, rules)

    # -- status -----------------------------------------------------------------------------
    def experiments_status(
        self, experiment: str | None = None, *, start: str | None = None, end: str | None = None,
        markets: list[str] | None = None, loss_threshold: float | None = None,
    ) -> ExperimentsReport:
        """Analyze every experiment (or one): posteriors, P(best), expected loss, decisions."""
        opts = self._experiment_options(loss_threshold)
        data = experiment_data(self.experiment_rows(start, end, markets))
        if experiment is not None:
            known = [d.experiment for d in data]
            data = [d for d in data if d.experiment == experiment]
            if not data:
                raise InputError(t("experiments.status.unknown_experiment", experiment=experiment,
                                   known=", ".join(known) or "-"))
        breakeven = self.breakeven_by_market()
        results = [analyze_experiment(d, opts, breakeven) for d in data]
        return ExperimentsReport(experiments=results, base_currency=self.settings.base_currency)

    def graduations(self, **kwargs: Any) -> pd.DataFrame:
        """Winners with a starting daily budget for the performance bucket (for the planner)."""
        report = self.experiments_status(**kwargs)
        rows = [g.graduation.__dict__ for g in report.experiments if g.graduation is not None]
        return pd.DataFrame(rows, columns=GRADUATION_COLUMNS)

    # -- allocation -------------------------------------------------------------------------
    def test_allocation(
        self, budget_base: float, *, period_days: int = 30, experiments: list[str] | None = None,
        start: str | None = None, end: str | None = None, markets: list[str] | None = None,
        live: list[tuple[list[LiveArm], np.ndarray]] | None = None,
    ) -> pd.DataFrame:
        """Split the test bucket over live arms by Thompson sampling with floors.

        Returns columns experiment, arm, market, channel, amount (base currency, the period),
        daily_amount, share, p_best, floor. Empty (same columns) when no arm is live.
        ``live``: the arms and draws from :meth:`live_arms`, when the caller already has them
        (the planner allocates several budgets from one analysis).
        """
        if budget_base is None or not np.isfinite(budget_base) or budget_base <= 0:
            raise InputError(t("experiments.allocate.bad_budget", budget=budget_base))
        s = self.settings.experiments
        groups = live if live is not None else self.live_arms(experiments=experiments, start=start,
                                                              end=end, markets=markets)
        if not groups:
            return pd.DataFrame(columns=ALLOCATION_COLUMNS)
        return allocate_test_budget(budget_base, groups, floor_share=s.floor_share,
                                    min_clicks=s.min_clicks, period_days=period_days)

    def live_arms(
        self, *, experiments: list[str] | None = None, start: str | None = None,
        end: str | None = None, markets: list[str] | None = None,
    ) -> list[tuple[list[LiveArm], np.ndarray]]:
        """Per experiment with arms still running: those arms and their metric draws (seeded,
        so the same data give the same draws)."""
        opts = self._experiment_options()
        data = experiment_data(self.experiment_rows(start, end, markets))
        if experiments:
            data = [d for d in data if d.experiment in experiments]
        breakeven = self.breakeven_by_market()
        rng = np.random.default_rng(opts.seed)
        groups = []
        for d in data:
            result = analyze_experiment(d, opts, breakeven)
            live = [i for i, a in enumerate(result.arms) if a.decision == "continue"]
            if len(live) == 0:
                continue
            draws = metric_draws(d.spend[live], d.clicks[live], d.conversions[live], d.revenue[live],
                                 metric=opts.metric, revenue_model=opts.revenue_model,
                                 prior_cv=opts.prior_cv, n_draws=opts.draws, rng=rng)
            arms = []
            for i in live:
                clicks, spend = float(d.clicks[i].sum()), float(d.spend[i].sum())
                arms.append(LiveArm(d.experiment, d.arms[i], d.markets[i], d.channels[i], clicks,
                                    spend / clicks if clicks > 0 else 0.0))
            groups.append((arms, draws))
        return groups

    # -- design -----------------------------------------------------------------------------
    def _market_or_error(self, market: str) -> Any:
        if market not in self.settings.markets:
            raise SettingsError(t("experiments.design.unknown_market", market=market,
                                  known=", ".join(self.settings.markets)))
        return self.settings.markets[market]

    def channel_assumptions(self, market: str, channel: str) -> tuple[dict[str, float], bool]:
        """Cost per click, conversion rate, order value and its CV for a line.

        From ad_daily for the market (else its region) and channel; else starting defaults.
        """
        m = self._market_or_error(market)
        region_markets = [c for c, ms in self.settings.markets.items() if ms.region == m.region]
        s = self.settings.experiments
        for scope in ([market], region_markets):
            df = self.data.ad_daily(markets=scope, channels=[channel])
            if df.empty:
                continue
            spend = pd.to_numeric(df["spend_base"], errors="coerce").fillna(0).sum()
            revenue = pd.to_numeric(df["revenue_base"], errors="coerce").fillna(0).sum()
            clicks, conv = float(df["clicks"].sum()), float(df["conversions"].sum())
            if clicks > 0 and conv > 0 and spend > 0:
                rows = df[df["conversions"] > 0]
                aov = revenue / conv
                daily = pd.to_numeric(rows["revenue_base"], errors="coerce") / rows["conversions"]
                cv2 = float((rows["conversions"] * (daily - aov) ** 2).sum() / aov**2 / max(len(rows) - 1, 1))
                cv = float(np.sqrt(cv2)) if len(rows) > 5 and cv2 > 0 else s.order_value_cv
                return dict(cpc=float(spend / clicks), cvr=conv / clicks, order_value=float(aov),
                            order_value_cv=cv), True
        factor = REGION_CPC_FACTOR.get(m.region, 1.0)
        return dict(cpc=DEFAULT_CPC.get(channel, 1.0) * factor, cvr=DEFAULT_CVR.get(channel, 0.02),
                    order_value=DEFAULT_ORDER_VALUE * factor ** 0.5, order_value_cv=s.order_value_cv), False

    def test_design(
        self, market: str, channel: str, *, lift: float = 0.2, power: float | None = None,
        n_arms: int = 2, daily_budget: float | None = None, max_days: int = 14,
        cvr: float | None = None, order_value: float | None = None, cpc: float | None = None,
    ) -> DesignReport:
        """Budget and days to detect *lift* with *power* for a test in one market x channel."""
        s = self.settings.experiments
        if channel not in self.settings.channels:
            raise SettingsError(t("experiments.design.bad_value", name="channel",
                                  allowed=", ".join(self.settings.channels), value=channel))
        if not 0 < lift < 10:
            raise InputError(t("experiments.design.bad_value", name="lift", allowed="between 0 and 10",
                               value=lift))
        if n_arms < 2:
            raise InputError(t("experiments.design.bad_value", name="arms", allowed=">= 2", value=n_arms))
        a, from_data = self.channel_assumptions(market, channel)
        given = {k: v for k, v in dict(cvr=cvr, order_value=order_value, cpc=cpc).items() if v is not None}
        for name, value in given.items():
            if not (value > 0 and (name != "cvr" or value < 1)):
                raise InputError(t("experiments.design.bad_value", name=name,
                                   allowed="between 0 and 1" if name == "cvr" else "positive", value=value))
        a.update(given)
        pw = power if power is not None else s.power
        if not 0.5 < pw < 1:
            raise InputError(t("experiments.design.bad_value", name="power", allowed="between 0.5 and 1",
                               value=pw))
        try:
            design = design_test(a["cvr"], a["order_value"], a["order_value_cv"], a["cpc"], lift,
                                 power=pw, prob_to_scale=s.prob_to_scale, n_arms=n_arms,
                                 daily_budget=daily_budget, max_days=max_days)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        return DesignReport(market=market, channel=channel, design=design, assumptions_from_data=from_data,
                            given=sorted(given))

    def test_bucket_budget(self, market: str) -> float | None:
        """The market's test bucket in the latest saved plan (base currency), if there is one."""
        try:
            plan = self.plans.read()
            df = plan.to_frame() if plan is not None else None
        except (AdbudgetError, AttributeError, KeyError, ValueError):
            return None
        if df is None or df.empty or not {"bucket", "market", "amount_base"} <= set(df.columns):
            return None
        total = float(df.loc[(df["bucket"] == "test") & (df["market"] == market), "amount_base"].sum())
        return total if total > 0 else None

    def entry_test_plan(self, market: str, budget: float | None = None, *, days: int = 14,
                        platforms: list[str] | None = None) -> EntryPlan:
        """A 2-3 platform x creative type x targeting grid for a new market, sized to *budget*
        (default: the market's test bucket in the latest plan)."""
        m = self._market_or_error(market)
        s = self.settings.experiments
        if budget is None:
            budget = self.test_bucket_budget(market)
            if budget is None:
                raise InputError(t("experiments.design.no_budget"))
        if budget <= 0:
            raise InputError(t("experiments.allocate.bad_budget", budget=budget))
        if not 7 <= days <= 14:
            raise InputError(t("experiments.design.bad_value", name="days", allowed="7 to 14", value=days))
        plats = platforms or s.entry_platforms.get(m.region) or ["meta", "tiktok", "google_search"]
        plats = [p for p in plats if p in self.settings.channels]
        cpc, cvr = {}, {}
        for p in plats:
            a, _ = self.channel_assumptions(market, p)
            cpc[p], cvr[p] = a["cpc"], a["cvr"]
        return entry_test_plan(market, m.region, budget, days=days, platforms=plats,
                               creative_types=list(s.creative_types), targetings=list(s.targetings),
                               cpc=cpc, cvr=cvr, cell_min_conversions=s.cell_min_conversions)

    # -- lift tests -------------------------------------------------------------------------
    def lift_results(self, level: float = 0.9) -> list[LiftResult]:
        """Incremental ROAS with an interval for every imported lift test."""
        return analyze_lift_tests(self.data.lift_tests(), level)

    def lift_calibration(self) -> pd.DataFrame:
        """Pooled iROAS and SE per market x channel: a prior for the response model."""
        return lift_calibration(self.lift_results())

    # -- fatigue ----------------------------------------------------------------------------
    def creative_fatigue(self, markets: list[str] | None = None, channels: list[str] | None = None,
                         start: str | None = None, end: str | None = None) -> list[CreativeFatigue]:
        """Fatigue verdict per creative (changepoint-decay fit of CTR and CVR with age)."""
        s = self.settings.experiments
        df = self.data.ad_daily(markets=markets, channels=channels, start=start, end=end)
        return creative_fatigue(df, breakeven=self.breakeven_by_market(), min_days=s.fatigue_min_days,
                                min_drop=s.fatigue_min_drop)


__all__ = ["DesignReport", "ExperimentsReport", "ExperimentsService"]
