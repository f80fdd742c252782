"""What runs for one seller in a worker: status, fit, plan and report.

Each job opens the seller's workspace, does its work and returns a ``SellerResult`` (plain,
picklable values only: it crosses process boundaries). A failure is caught here and becomes
a located error (``<folder>: <reason>``) in the result, so one seller never stops the others.
Jobs are top-level functions so a process pool, Ray or Spark can ship them by name.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adbudget.errors import AdbudgetError


@dataclass
class SellerResult:
    """One seller's line of the agency summary (money in the seller's base currency)."""

    seller: str
    path: str
    action: str
    ok: bool = True
    error: str | None = None
    seconds: float = 0.0
    currency: str | None = None
    first_day: str | None = None
    last_day: str | None = None
    spend_30d: float | None = None  # ad spend of the last 30 days with data
    revenue_30d: float | None = None  # orders' revenue net of refunds, same days
    plan_budget: float | None = None
    plan_period: str | None = None
    estimated_profit: float | None = None  # the plan's expected true profit (the fit's curves)
    estimated_profit_lo: float | None = None
    estimated_profit_hi: float | None = None
    plan_change_pct: float | None = None  # share of the last 30 days' daily spend the plan moves
    fit_method: str | None = None
    report: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _figures(ws: Any, res: SellerResult) -> None:
    """Spend and revenue of the last 30 days with ad data; warnings on gaps and no data."""
    con = ws.store.con
    first, last = con.execute("SELECT min(date), max(date) FROM ad_daily").fetchone()
    res.currency = ws.settings.base_currency
    if last is None:
        res.warnings.append("no ad data")
        return
    res.first_day, res.last_day = str(first), str(last)
    since = last - timedelta(days=29)
    res.spend_30d = float(con.execute(
        "SELECT coalesce(sum(spend_base), 0)::DOUBLE FROM ad_daily WHERE date >= ?", [since]
    ).fetchone()[0])
    res.revenue_30d = float(con.execute(
        "SELECT coalesce(sum(revenue_base - refunded_base), 0)::DOUBLE FROM orders "
        "WHERE order_date >= ? AND order_date <= ?", [since, last]).fetchone()[0])
    gaps = con.execute("""
        SELECT count(*) FROM (SELECT market, channel FROM ad_daily GROUP BY ALL
        HAVING date_diff('day', min(date), max(date)) + 1 > count(DISTINCT date))""").fetchone()[0]
    if gaps:
        res.warnings.append(f"{gaps} market x channel line(s) with missing days")


def _moved(ws: Any, plan: Any, last_day: date) -> float | None:
    """Share of the current daily spend the plan moves: sum |plan - now| / 2 / sum now, per
    market x channel (now = the last 28 days' mean)."""
    now = ws.store.con.execute(
        "SELECT market, channel, sum(spend_base)::DOUBLE / 28 AS daily FROM ad_daily "
        "WHERE date > ? GROUP BY ALL", [last_day - timedelta(days=28)]).df()
    cur = {(r.market, r.channel): r.daily for r in now.itertuples()}
    new: dict[tuple[str, str], float] = {}
    for line in plan.lines:
        key = (line.market, line.channel)
        new[key] = new.get(key, 0.0) + float(line.daily_budget_base or 0.0)
    total = sum(cur.values())
    if total <= 0:
        return None
    keys = set(cur) | set(new)
    return sum(abs(new.get(k, 0.0) - cur.get(k, 0.0)) for k in keys) / 2 / total


def _next_month(last: date) -> str:
    first_next = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next.strftime("%Y-%m")


def _run(action: str, name: str, path: str, body: Any, read_only: bool,
         threads: int | None = None) -> SellerResult:
    from adbudget.workspace import Workspace

    res = SellerResult(seller=name, path=path, action=action)
    started = time.perf_counter()
    try:
        with Workspace.open(path, read_only=read_only, lock_wait_s=5.0) as ws:
            if threads:  # a pool worker: DuckDB on as many threads as it was given
                ws.store.con.execute(f"SET threads = {int(threads)}")
            _figures(ws, res)
            body(ws, res)
    except AdbudgetError as exc:
        res.ok, res.error = False, f"{path}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one seller's bug must not stop the agency run
        where = traceback.extract_tb(exc.__traceback__)[-1]
        res.ok = False
        res.error = (f"{path}: {type(exc).__name__}: {exc} "
                     f"({Path(where.filename).name}:{where.lineno})")
    res.seconds = time.perf_counter() - started
    return res


def status_job(name: str, path: str, *, threads: int | None = None, **_: Any) -> SellerResult:
    """Figures only (and the latest stored plan's profit and change, when there is one)."""
    def body(ws: Any, res: SellerResult) -> None:
        plan = ws.latest_plan() if hasattr(ws, "latest_plan") else None
        if plan is not None and res.last_day:
            _plan_figures(ws, plan, res)
    return _run("status", name, path, body, read_only=True, threads=threads)


def _plan_figures(ws: Any, plan: Any, res: SellerResult) -> None:
    totals = plan.totals or {}
    res.plan_budget, res.plan_period = plan.budget, plan.period
    res.estimated_profit = totals.get("profit")
    res.estimated_profit_lo, res.estimated_profit_hi = totals.get("profit_lo"), totals.get("profit_hi")
    res.plan_change_pct = _moved(ws, plan, date.fromisoformat(res.last_day or "1970-01-01"))
    res.warnings += [str(n) for n in (plan.notes or [])][:5]


def fit_job(name: str, path: str, *, method: str | None = None, draws: int | None = None,
            seed: int | None = None, threads: int | None = None, **_: Any) -> SellerResult:
    """Fit the seller's response model (the workspace's settings unless overridden)."""
    def body(ws: Any, res: SellerResult) -> None:
        result = ws.fit(method=method, draws=draws, seed=seed)
        res.fit_method = result.method
        diag = result.diagnostics or {}
        if diag.get("divergences"):
            res.warnings.append(f"{diag['divergences']} divergent transitions")
    return _run("fit", name, path, body, read_only=False, threads=threads)


def plan_job(name: str, path: str, *, budget_change: float = 0.0, period: str | None = None,
             fit_if_missing: bool = True, method: str | None = None,
             threads: int | None = None, **_: Any) -> SellerResult:
    """Plan next month: the last 30 days' spend scaled to the period (x (1 + budget_change)),
    over the month after the last day with data unless ``period`` is given."""
    from adbudget.errors import NotFittedError
    from adbudget.period import parse_period

    def body(ws: Any, res: SellerResult) -> None:
        if not res.last_day:
            raise AdbudgetError("no ad data to plan from")
        chosen = period or _next_month(date.fromisoformat(res.last_day))
        days = parse_period(chosen).days
        budget = round((res.spend_30d or 0.0) / 30 * days * (1 + budget_change), 2)
        try:
            plan = ws.plan(budget, chosen)
        except NotFittedError:
            if not fit_if_missing:
                raise
            res.fit_method = ws.fit(method=method).method
            res.warnings.append("no fit: fitted first")
            plan = ws.plan(budget, chosen)
        _plan_figures(ws, plan, res)
    return _run("plan", name, path, body, read_only=False, threads=threads)


def report_job(name: str, path: str, *, lang: str = "en", threads: int | None = None,
               **_: Any) -> SellerResult:
    """Write the seller's own HTML report into its workspace (report.html)."""
    def body(ws: Any, res: SellerResult) -> None:
        plan = ws.latest_plan() if hasattr(ws, "latest_plan") else None
        if plan is not None and res.last_day:
            _plan_figures(ws, plan, res)
        res.report = str(ws.write_report(Path(path) / "report.html", lang=lang))
    return _run("report", name, path, body, read_only=True, threads=threads)


JOBS = {"status": status_job, "fit": fit_job, "plan": plan_job, "report": report_job}
