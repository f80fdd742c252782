"""The one facade that wires the store to the pure packages.

``Workspace`` is the data accessor (:class:`~adbudget.workspace.core.WorkspaceData`: settings,
store, read methods) plus one service per area, each built from the accessor and the services
it declares it needs — no area reaches another through ``hasattr``:

=================  =================================  =========================================
attribute          service                            built from
=================  =================================  =========================================
``saved_plans``    :class:`PlanStore`                 data (the one reader/writer of ``plans``)
``customers``      :class:`LtvService`                data
``experiments``    :class:`ExperimentsService`        data, saved_plans
``plans``          :class:`PlanService`               data, response curves, customers,
                                                      experiments, saved_plans
``rules``          :class:`RulesService`              data, saved_plans, response curves
``reports``        :class:`ReportService`             data, saved_plans, the facade (pages
                                                      show every area)
=================  =================================  =========================================

Ingest, simulation, attribution, response and the dashboard's read models are still mixins
(``workspace/<area>.py``). Every public method the CLI, web and tests call stays on the facade
(``ws.plan(...)``, ``ws.rules_run(...)``): a thin delegate to its service.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cached_property
from typing import Any

from adbudget.workspace.attribution import AttributionMixin
from adbudget.workspace.attribution_touches import AttributionTouchesMixin
from adbudget.workspace.core import WorkspaceBase, WorkspaceData
from adbudget.workspace.dashboard import DashboardMixin
from adbudget.workspace.experiments import ExperimentsService
from adbudget.workspace.ingest import IngestMixin
from adbudget.workspace.loop import LoopMixin
from adbudget.workspace.ltv import LtvService
from adbudget.workspace.plan import CurvesSource, PlanService, PlanStore
from adbudget.workspace.report import ReportService
from adbudget.workspace.response import ResponseMixin
from adbudget.workspace.rules import RulesService
from adbudget.workspace.simulate import SimulateMixin


def _delegate(service: str, impl: Callable[..., Any]) -> Callable[..., Any]:
    """A facade method that calls ``self.<service>.<name>`` (same name, signature and doc)."""
    name = impl.__name__

    @functools.wraps(impl)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, service), name)(*args, **kwargs)

    return method


class Workspace(
    IngestMixin,
    SimulateMixin,
    AttributionMixin,
    AttributionTouchesMixin,
    DashboardMixin,
    ResponseMixin,
    LoopMixin,
    WorkspaceBase,
):
    """A seller's workspace: settings, store, a service per area, every analysis as a method."""

    # -- services (built on first use, each from what it declares) -----------------------------
    @cached_property
    def saved_plans(self) -> PlanStore:
        return PlanStore(self)

    @cached_property
    def customers(self) -> LtvService:
        return LtvService(self)

    @cached_property
    def experiments(self) -> ExperimentsService:
        return ExperimentsService(self, plans=self.saved_plans)

    @cached_property
    def plans(self) -> PlanService:
        return PlanService(self, curves=self, ltv=self.customers, experiments=self.experiments,
                           plans=self.saved_plans)

    @cached_property
    def rules(self) -> RulesService:
        return RulesService(self, plans=self.saved_plans, curves=self)

    @cached_property
    def reports(self) -> ReportService:
        return ReportService(self, plans=self.saved_plans, workspace=self)

    # -- plan ------------------------------------------------------------------------------
    plan_inputs = _delegate("plans", PlanService.plan_inputs)
    plan = _delegate("plans", PlanService.plan)
    plan_scenarios = _delegate("plans", PlanService.plan_scenarios)
    plan_frontier = _delegate("plans", PlanService.plan_frontier)
    stage_advice = _delegate("plans", PlanService.stage_advice)
    latest_plan = _delegate("plans", PlanService.latest_plan)
    get_plan = _delegate("plans", PlanService.get_plan)
    list_plans = _delegate("plans", PlanService.list_plans)
    export_plan = _delegate("plans", PlanService.export_plan)

    # -- experiments -----------------------------------------------------------------------
    breakeven_by_market = _delegate("experiments", ExperimentsService.breakeven_by_market)
    experiment_rows = _delegate("experiments", ExperimentsService.experiment_rows)
    experiments_status = _delegate("experiments", ExperimentsService.experiments_status)
    graduations = _delegate("experiments", ExperimentsService.graduations)
    test_allocation = _delegate("experiments", ExperimentsService.test_allocation)
    channel_assumptions = _delegate("experiments", ExperimentsService.channel_assumptions)
    test_design = _delegate("experiments", ExperimentsService.test_design)
    test_bucket_budget = _delegate("experiments", ExperimentsService.test_bucket_budget)
    entry_test_plan = _delegate("experiments", ExperimentsService.entry_test_plan)
    lift_results = _delegate("experiments", ExperimentsService.lift_results)
    lift_calibration = _delegate("experiments", ExperimentsService.lift_calibration)
    creative_fatigue = _delegate("experiments", ExperimentsService.creative_fatigue)
    _tag_rules = _delegate("experiments", ExperimentsService._tag_rules)
    _market_or_error = _delegate("experiments", ExperimentsService._market_or_error)

    # -- rules -----------------------------------------------------------------------------
    rule_files = _delegate("rules", RulesService.rule_files)
    load_rules = _delegate("rules", RulesService.load_rules)
    latest_plan_lines = _delegate("rules", RulesService.latest_plan_lines)
    rules_targets = _delegate("rules", RulesService.rules_targets)
    rules_state = _delegate("rules", RulesService.rules_state)
    rules_metrics = _delegate("rules", RulesService.rules_metrics)
    rules_run = _delegate("rules", RulesService.rules_run)
    rules_log = _delegate("rules", RulesService.rules_log)
    rules_undo = _delegate("rules", RulesService.rules_undo)
    rules_export = _delegate("rules", RulesService.rules_export)
    rules_backtest = _delegate("rules", RulesService.rules_backtest)
    pacing = _delegate("rules", RulesService.pacing)
    reserve_release = _delegate("rules", RulesService.reserve_release)
    _write_log = _delegate("rules", RulesService._write_log)
    _reserve_daily = _delegate("rules", RulesService._reserve_daily)

    # -- customers (LTV, cohorts, funnel) --------------------------------------------------
    ltv = _delegate("customers", LtvService.ltv)
    ltv_value_multipliers = _delegate("customers", LtvService.ltv_value_multipliers)
    cohorts = _delegate("customers", LtvService.cohorts)
    funnel = _delegate("customers", LtvService.funnel)

    # -- report ----------------------------------------------------------------------------
    saved_plan = _delegate("reports", ReportService.saved_plan)
    report_sections = _delegate("reports", ReportService.report_sections)
    write_report = _delegate("reports", ReportService.write_report)


__all__ = [
    "CurvesSource", "ExperimentsService", "LtvService", "PlanService", "PlanStore",
    "ReportService", "RulesService", "Workspace", "WorkspaceData",
]
