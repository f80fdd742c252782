"""What the dashboard asks the workspace for, so ``web/`` never queries the store itself.

Small read methods (a data fingerprint for page caches, the state of the saved fit, the
latest plans for "what changed") and one write: apply only the rule actions a person
approved, logged like ``rules run`` so ``rules undo`` / ``rules log`` see them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adbudget.errors import AdbudgetError, NotFittedError
from adbudget.i18n import t
from adbudget.workspace.response import ResponseMixin

if TYPE_CHECKING:
    from adbudget.workspace.plan import PlanStore
    from adbudget.workspace.rules import RulesService


@dataclass(frozen=True)
class FitState:
    """The saved response model: ``ok`` (matches the data), ``stale`` (data or settings changed
    since it was fitted: still readable, labelled stale), or ``missing``."""

    status: str
    fit: Any = None
    message: str = ""

    @property
    def usable(self) -> bool:
        return self.fit is not None


class DashboardMixin(ResponseMixin):
    """Read models for the web pages (see module docstring); the plan and rules services it
    reads are the facade's (declared here for the type checker)."""

    saved_plans: PlanStore
    rules: RulesService

    def data_fingerprint(self) -> tuple[Any, ...]:
        """A cheap fingerprint of everything the pages show; it changes with every write."""
        row = self.store.execute(
            """SELECT (SELECT count(*) FROM ad_daily), (SELECT count(*) FROM orders),
                      (SELECT count(*) FROM touchpoints), (SELECT count(*) FROM lift_tests),
                      (SELECT count(*) FROM imports), (SELECT max(id) FROM plans),
                      (SELECT max(saved_at) FROM models), (SELECT count(*) FROM models),
                      (SELECT max(id) FROM rule_log),
                      (SELECT count(*) FROM rule_log WHERE undone)"""
        ).fetchone()
        return tuple(row)

    def response_saved_at(self) -> Any:
        """When the saved response model was written (naive UTC, like plans' ``created_at``)."""
        from adbudget.workspace.response import MODEL_NAME

        return self.store.scalar("SELECT max(saved_at) FROM models WHERE name = ?", [MODEL_NAME])

    def last_data_day(self) -> Any:
        """The last day with ad data (None when there is none)."""
        return self.store.scalar("SELECT max(date) FROM ad_daily")

    def fit_state(self) -> FitState:
        """The saved fit and whether it still matches the data (never raises)."""
        try:
            return FitState("ok", self.response_fit(check=True))
        except NotFittedError as exc:
            message = str(exc)
        except AdbudgetError as exc:
            return FitState("missing", None, str(exc))
        stale = message in (t("response.stale_data"), t("response.stale_config"))
        if not stale:
            return FitState("missing", None, message)
        try:
            fit = self.response_fit(check=False)
        except AdbudgetError:
            return FitState("missing", None, message)
        return FitState("stale", fit, message)

    def recent_plans(self, n: int = 2) -> list[Any]:
        """The *n* latest saved plans, newest first (PlanResult objects)."""
        listing = self.saved_plans.list()
        if listing is None or len(listing) == 0:
            return []
        ids = [int(i) for i in listing.sort_values("id", ascending=False)["id"].head(n)]
        return [self.saved_plans.get(i) for i in ids]

    def rules_apply_selected(self, keys: list[tuple[str, str]], date: Any = None) -> Any:
        """Apply only the proposed actions whose ``(rule, line)`` is in *keys*; the rest are
        not applied (and proposed again tomorrow). Returns the ``RulesRun`` of what was logged."""
        from adbudget.errors import InputError

        run = self.rules.rules_run(date=date, dry_run=True)
        ev = run.evaluation
        wanted = {(str(r), str(ln)) for r, ln in keys}
        mask = [(str(r), str(ln)) in wanted for r, ln in zip(ev.actions["rule"], ev.actions["line"],
                                                              strict=True)]
        chosen = ev.actions[mask].reset_index(drop=True)
        if chosen.empty:
            raise InputError(t("web.rules.none_selected"))
        sub = dataclasses.replace(ev, actions=chosen)
        ids = self.rules._write_log(sub)
        return dataclasses.replace(run, evaluation=sub, applied=True, log_ids=ids)


__all__ = ["DashboardMixin", "FitState"]
