"""Workspace methods of the `simulate` area: settings for a simulated world, importing its
files through the real importers, and the `adbudget demo` pipeline as a list of steps.

The demo's steps are a plain list (``DEMO_STEPS``) of named callables; each later area's
step is guarded with ``hasattr`` so the demo runs with whatever exists. Append a step to
extend it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adbudget.config.settings import IngestSettings, MarketSettings, Settings
from adbudget.errors import AdbudgetError, NotFittedError, WorkspaceError
from adbudget.i18n import t

if TYPE_CHECKING:
    from adbudget.simulate import Manifest, World


def world_settings(world: World) -> Settings:
    """Settings for a world's markets: stage, margins, currency, timezone, campaign patterns."""
    markets = {
        m.code: MarketSettings(
            region=m.region,  # type: ignore[arg-type]
            currency=m.currency, timezone=m.timezone, stage=m.stage,  # type: ignore[arg-type]
            gross_margin_pct=m.gross_margin_pct, shipping_cost_per_order=m.shipping_cost_per_order,
            return_rate_pct=m.return_rate_pct, payment_fee_pct=m.payment_fee_pct,
        )
        for m in world.spec.markets
    }
    patterns = {code: f"^{code}_" for code in markets}
    return Settings(base_currency=world.spec.base_currency, markets=markets,
                    ingest=IngestSettings(market_patterns=patterns))


class SimulateMixin:
    """Mixed into Workspace; `self` has `.store` and `.settings`."""

    def import_simulated(self: Any, folder: Path | str,
                         progress: Callable[[str, Any], None] | None = None) -> list[Any]:
        """Import every file a simulation wrote (FX first), in manifest order."""
        from adbudget.simulate import read_manifest

        manifest = read_manifest(Path(folder))
        results = []
        for entry in manifest.files:
            result = self.import_file(manifest.root / entry.path, source=entry.source,
                                      market=entry.market)
            results.append(result)
            if progress:
                progress(entry.path, result)
        return results


    def load_world(self: Any, world: World) -> dict[str, int]:
        """Insert a world's rows straight into the store (no files, no importers): a fast path
        for tests and notebooks. Returns rows per table."""
        counts = {}
        con = self.store.con
        with self.store.transaction():
            for table, df in world.frames().items():
                if df.empty:
                    counts[table] = 0
                    continue
                name = f"_sim_{table}"
                con.register(name, df)
                try:
                    con.execute(f"INSERT INTO {table} BY NAME SELECT *, 0 AS import_id FROM {name}")
                finally:
                    con.unregister(name)
                counts[table] = len(df)
        return counts


@dataclass
class DemoContext:
    """What demo steps share: the world, its files, the workspace and earlier results."""

    world: World
    folder: Path  # workspace folder
    data_dir: Path  # where the simulated files are
    ws: Any = None
    manifest: Manifest | None = None
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    """One step of the demo: a name (i18n key ``simulate.step.<name>``) and what it runs.

    ``run`` returns the result to print, or raises ``StepSkipped`` with the reason.
    """

    name: str
    run: Callable[[DemoContext], Any]


class StepSkipped(Exception):
    """A demo step that cannot run here (its area is not built yet, or no data)."""


@dataclass
class StepOutcome:
    name: str
    result: Any = None
    skipped: str | None = None
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time (wall minus waiting on a shared machine)


def _simulate(ctx: DemoContext) -> Any:
    ctx.manifest = ctx.world.write(ctx.data_dir)
    return {"files": len(ctx.manifest.files), "folder": str(ctx.data_dir)}


def _import(ctx: DemoContext) -> Any:
    from adbudget.workspace import Workspace

    if ctx.ws is None:
        ctx.ws = Workspace.init(ctx.folder, world_settings(ctx.world), overwrite=True)
    if not hasattr(ctx.ws, "import_file"):
        raise StepSkipped("importers not available")
    results = ctx.ws.import_simulated(ctx.data_dir)
    return {"files": len(results), "rows": sum(int(getattr(r, "rows", 0)) for r in results)}


def _needs(ctx: DemoContext, method: str) -> Any:
    if ctx.ws is None or not hasattr(ctx.ws, method):
        raise StepSkipped(f"ws.{method} is not available yet")
    return getattr(ctx.ws, method)


def _status(ctx: DemoContext) -> Any:
    return _needs(ctx, "status")()


def _attribute(ctx: DemoContext) -> Any:
    return _needs(ctx, "attribute")(model="markov")


def _fit(ctx: DemoContext) -> Any:
    # the settings' default, as `adbudget fit` runs it (Laplace when the platforms' claims are
    # in the likelihood): the demo shows what a seller gets, not a quicker stand-in
    return _needs(ctx, "fit")()


def _budget(ctx: DemoContext) -> float:
    """Next month's budget: the last 30 days' spend of the world."""
    return float(ctx.world.current_spend(30).sum() * 30)


def _plan(ctx: DemoContext) -> Any:
    return _needs(ctx, "plan")(round(_budget(ctx), 2), ctx.world.next_month)


def _score(ctx: DemoContext) -> Any:
    """The plan scored by the world's truth: its performance bucket like with like (the same
    money in last period's shares, the best split within the plan's max change, the best
    split), with the share of the possible gain it captured; then the whole plan (all its
    buckets) against the oracle of the whole budget."""
    plan = ctx.results.get("plan")
    if plan is None:
        raise StepSkipped("no plan to score")
    lines = getattr(plan, "lines", None)
    if lines is None and isinstance(plan, dict):
        lines = plan.get("lines")
    if lines is None:
        raise StepSkipped("plan has no lines")
    import pandas as pd

    df = pd.DataFrame(lines)
    if not {"market", "channel", "daily_budget_base"} <= set(df.columns):
        raise StepSkipped("plan lines lack market/channel/daily_budget_base")
    daily = df.groupby(["market", "channel"])["daily_budget_base"].sum().to_dict()
    whole = score_plan(ctx.world, daily, _budget(ctx), ctx.world.next_month)
    from adbudget.simulate.scoring import performance_allocation, score_allocation

    perf = performance_allocation(df.to_dict(orient="records"))
    if not perf:
        return whole
    max_change = getattr(plan, "max_change", None)
    if max_change is None:
        max_change = ctx.ws.settings.plan.max_change if ctx.ws is not None else 0.3
    like = score_allocation(ctx.world, perf, ctx.world.next_month, max_change)
    return {
        "performance_plan_profit": like.plan_profit,
        "performance_last_period_profit": like.last_period_profit,
        "performance_trust_region_profit": (float("nan") if like.trust_region_profit is None
                                            else like.trust_region_profit),
        "performance_oracle_profit": like.oracle_profit,
        "gain_captured_trust_region_pct": _pct(like.gain_captured_trust_region),
        "gain_captured_pct": _pct(like.gain_captured),
        **whole,
    }


def _pct(share: float | None) -> float:
    return float("nan") if share is None else round(100 * share, 1)


def score_plan(world: World, daily: dict[tuple[str, str], float], budget: float,
               period: str = "next") -> dict[str, float]:
    """True profit of a whole plan (every bucket), of the oracle, of equal split and of
    last-period split of the whole budget (``simulate.scoring.score_allocation``)."""
    from adbudget.simulate.scoring import score_allocation

    s = score_allocation(world, daily, period, max_change=None, budget=budget)
    out = {"plan_profit": s.plan_profit, "oracle_profit": s.oracle_profit,
           "last_period_profit": s.last_period_profit,
           "equal_split_profit": s.equal_split_profit, "regret_pct": s.regret_pct}
    return out | _brand_horizon(world, daily, budget)


def _brand_horizon(world: World, daily: dict[tuple[str, str], float], budget: float) -> dict[str, float]:
    """Issue 21: the plan and last period's split held for 12 months, the brand stock evolving
    (``simulate.scoring.score_horizon``): brand money valued by what it builds."""
    from adbudget.simulate.scoring import score_horizon

    h = score_horizon(world, daily, budget, months=12, oracle=False)
    return {"plan_profit_12m": h.plan_profit, "last_period_profit_12m": h.last_period_profit}


def _oracle(ctx: DemoContext) -> Any:
    budget = _budget(ctx)
    oracle = ctx.world.oracle_allocation(budget, ctx.world.next_month)
    import pandas as pd

    return pd.DataFrame({
        "market": [m for m, _ in oracle.lines], "channel": [c for _, c in oracle.lines],
        "current_daily": ctx.world.current_spend(28).round(2),
        "oracle_daily": oracle.spend.round(2),
        "true_mroas": (oracle.marginal_value / oracle.weights).round(3),
    })


def _rules(ctx: DemoContext) -> Any:
    """Start the demo workspace with the method's rule templates, then preview today's actions."""
    run = _needs(ctx, "rules_run")
    from adbudget.rules.templates import template_names, template_text

    folder = ctx.ws.root / "rules"
    if not folder.exists():
        folder.mkdir(parents=True)
        for name in template_names():
            (folder / f"{name}.toml").write_text(template_text(name), encoding="utf-8")
    return run(dry_run=True)


def _report(ctx: DemoContext) -> Any:
    """Write the one-file HTML report into the demo workspace, so `make demo` can say where it is."""
    write = _needs(ctx, "write_report")
    from adbudget.i18n import get_language

    path = write(ctx.folder / "report.html", lang=get_language())
    return str(path.resolve())


def _optional(method: str, **kwargs: Any) -> Callable[[DemoContext], Any]:
    def run(ctx: DemoContext) -> Any:
        return _needs(ctx, method)(**kwargs)

    return run


DEMO_STEPS: list[DemoStep] = [
    DemoStep("simulate", _simulate),
    DemoStep("import", _import),
    DemoStep("status", _status),
    DemoStep("attribute", _attribute),
    DemoStep("fit", _fit),
    DemoStep("plan", _plan),
    DemoStep("score", _score),
    DemoStep("oracle", _oracle),
    DemoStep("funnel", _optional("funnel")),
    DemoStep("ltv", _optional("ltv")),
    DemoStep("experiments", _optional("experiments_status")),
    DemoStep("rules", _rules),
    DemoStep("report", _report),
]


def _prepare_demo_folder(root: Path) -> None:
    """A fresh folder for the demo; an earlier demo's folder is cleared, any other workspace
    is refused (the demo never deletes a real seller's data)."""
    import shutil

    from adbudget.store import DB_FILE

    if (root / "adbudget.toml").exists():
        if not (root / "data" / "manifest.json").exists():
            raise WorkspaceError(t("simulate.not_a_demo", path=str(root)))
        shutil.rmtree(root / "data")
        for name in (DB_FILE, DB_FILE + ".wal"):
            (root / name).unlink(missing_ok=True)
    root.mkdir(parents=True, exist_ok=True)


def run_demo(
    seed: int = 0,
    size: str = "small",
    folder: Path | str | None = None,
    steps: list[DemoStep] | None = None,
    on_step: Callable[[str, StepOutcome | None], None] | None = None,
) -> tuple[DemoContext, list[StepOutcome]]:
    """Simulate a world into a workspace and run every available step.

    ``on_step(name, None)`` is called when a step starts and ``on_step(name, outcome)`` when it
    ends (for progress display). Errors of later areas are recorded as skipped, not raised.
    """
    from adbudget.simulate import World

    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="adbudget-demo-"))
    _prepare_demo_folder(root)
    ctx = DemoContext(world=World.build(seed, size), folder=root, data_dir=root / "data")
    outcomes = []
    for step in steps if steps is not None else DEMO_STEPS:
        if on_step:
            on_step(step.name, None)
        started, cpu = time.perf_counter(), time.process_time()
        outcome = StepOutcome(step.name)
        try:
            outcome.result = step.run(ctx)
            ctx.results[step.name] = outcome.result
        except StepSkipped as exc:
            outcome.skipped = str(exc)
        except (NotFittedError, NotImplementedError) as exc:
            outcome.skipped = str(exc) or type(exc).__name__
        except Exception as exc:  # noqa: BLE001 - a later area's failure must not stop the demo
            if step.name in ("simulate", "import"):
                raise
            reason = str(exc) if isinstance(exc, AdbudgetError) else f"{type(exc).__name__}: {exc}"
            outcome.skipped = reason.splitlines()[0] if reason else type(exc).__name__
        outcome.seconds = time.perf_counter() - started
        outcome.cpu_seconds = time.process_time() - cpu
        outcomes.append(outcome)
        if on_step:
            on_step(step.name, outcome)
    return ctx, outcomes


__all__ = [
    "DEMO_STEPS", "DemoContext", "DemoStep", "SimulateMixin", "StepOutcome", "StepSkipped",
    "run_demo", "score_plan", "world_settings",
]
