"""The one facade that wires the store to the pure packages."""

from adbudget.workspace.attribution import AttributionMixin
from adbudget.workspace.attribution_touches import AttributionTouchesMixin
from adbudget.workspace.core import WorkspaceBase
from adbudget.workspace.experiments import ExperimentsMixin
from adbudget.workspace.ingest import IngestMixin
from adbudget.workspace.ltv import LtvMixin
from adbudget.workspace.plan import PlanMixin
from adbudget.workspace.report import ReportMixin
from adbudget.workspace.response import ResponseMixin
from adbudget.workspace.rules import RulesMixin
from adbudget.workspace.simulate import SimulateMixin


class Workspace(
    IngestMixin,
    SimulateMixin,
    AttributionMixin,
    AttributionTouchesMixin,
    ResponseMixin,
    PlanMixin,
    ExperimentsMixin,
    RulesMixin,
    LtvMixin,
    ReportMixin,
    WorkspaceBase,
):
    """A seller's workspace: settings, store, and every analysis as a method."""


__all__ = ["Workspace"]
