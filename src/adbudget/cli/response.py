"""CLI commands of the `response` area (thin over Workspace): ``fit`` and ``curves``."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from adbudget.cli.common import (
    DEFAULT_WORKSPACE,
    JsonOpt,
    LangOpt,
    WorkspaceOpt,
    console,
    handle_errors,
    open_workspace,
    print_json,
)
from adbudget.errors import UsageError
from adbudget.i18n import t


def _enable_parallel_chains(chains: int) -> None:
    """Give JAX one CPU device per chain (must run before JAX starts its backend)."""
    try:
        import numpyro

        numpyro.set_host_device_count(max(1, min(chains, os.cpu_count() or 1)))
    except Exception:  # noqa: BLE001 - best effort; sequential chains still work
        pass


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _summary_table(result: Any) -> Table:
    pct = round(100 * result.interval)
    table = Table(title=t("response.summary_title"))
    for key in ("market", "channel", "roas"):
        table.add_column(t(f"response.col.{key}"))
    table.add_column(t("response.col.roas_interval", pct=pct))
    for key in ("marginal_roas", "current_spend", "saturation_pct", "saturation_point",
                "half_life", "prior_weight"):
        table.add_column(t(f"response.col.{key}"), justify="right")
    for row in result.summary.itertuples():
        table.add_row(
            row.market, row.channel, _fmt(row.roas), f"{_fmt(row.roas_lo)} – {_fmt(row.roas_hi)}",
            _fmt(row.marginal_roas), _fmt(row.current_spend, 0), _fmt(row.saturation_pct, 0),
            _fmt(row.saturation_point, 0), _fmt(row.half_life, 1), _fmt(100 * row.prior_weight, 0),
        )
    return table


def claims_table(summary: Any, interval: float) -> Table | None:
    """Per line: what the platform claims next to what the model estimates it caused (None
    when the fit used no platform claims)."""
    if "incremental_share" not in summary or summary["incremental_share"].isna().all():
        return None
    pct = round(100 * interval)
    table = Table(title=t("response.claims_title"), caption=t("response.claims_caption"))
    for key in ("market", "channel"):
        table.add_column(t(f"response.col.{key}"))
    for key in ("claimed_conversions", "claimed_roas", "caused_conversions", "roas"):
        table.add_column(t(f"response.col.{key}"), justify="right")
    table.add_column(t("response.col.roas_interval", pct=pct), justify="right")
    table.add_column(t("response.col.incremental_share", pct=pct), justify="right")
    table.add_column(t("response.col.organic_claim_share"), justify="right")
    for row in summary.itertuples():
        if row.incremental_share is None or (isinstance(row.incremental_share, float)
                                             and math.isnan(row.incremental_share)):
            continue
        share = (f"{100 * row.incremental_share:.0f}% "
                 f"[{100 * row.incremental_share_lo:.0f}–{100 * row.incremental_share_hi:.0f}%]")
        organic = "-" if row.organic_claim_share is None or math.isnan(row.organic_claim_share) \
            else f"{100 * row.organic_claim_share:.0f}%"
        table.add_row(row.market, row.channel, _fmt(row.claimed_conversions, 0),
                      _fmt(row.claimed_roas), _fmt(row.caused_conversions, 0), _fmt(row.roas),
                      f"{_fmt(row.roas_lo)} – {_fmt(row.roas_hi)}", share, organic)
    return table


def _notices(result: Any) -> list[str]:
    return [t(n.key, **n.values) for n in result.notices]


def _report(result: Any) -> dict[str, Any]:
    return {"summary": result.summary, "diagnostics": result.diagnostics,
            "warnings": _notices(result), "model_version": result.model_version}


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command("fit")
    @handle_errors
    def fit(
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        method: Annotated[Literal["nuts", "svi", "laplace"] | None, typer.Option("--method", help="nuts (final), svi (quick) or laplace (quickest: a Gaussian at the posterior mode).")] = None,
        draws: Annotated[int | None, typer.Option("--draws", help="Posterior draws per chain.")] = None,
        chains: Annotated[int | None, typer.Option("--chains", help="Chains (run in parallel).")] = None,
        warmup: Annotated[int | None, typer.Option("--warmup", help="NUTS warm-up steps per chain.")] = None,
        markets: Annotated[str | None, typer.Option("--markets", help="Comma-separated market codes.")] = None,
        seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
        granularity: Annotated[Literal["auto", "daily", "weekly"] | None, typer.Option(
            "--granularity", help="auto, daily or weekly (sums daily data per week).")] = None,
        arviz: Annotated[Path | None, typer.Option("--arviz", help="Also write the fit as ArviZ InferenceData (netCDF): chains, log-likelihood, posterior predictive (needs arviz).")] = None,
        lang: LangOpt = "en",
        json: JsonOpt = False,
    ) -> None:
        """Fit the response model (revenue vs spend per market × channel) and save it."""
        if granularity is not None and granularity not in ("auto", "daily", "weekly"):
            raise UsageError(t("response.bad_granularity", value=granularity))
        codes = [m.strip().upper() for m in markets.split(",") if m.strip()] if markets else None
        with open_workspace(workspace) as ws:
            _enable_parallel_chains(chains or ws.settings.response.chains)
            say = None if json else (lambda msg: console.print(f"[dim]{msg}[/dim]"))
            if not json:
                console.print(t("response.fitting"))
            result = ws.fit(method=method, draws=draws, chains=chains, markets=codes,
                            progress=say, warmup=warmup, seed=seed, granularity=granularity)
        if arviz is not None:
            from adbudget.response.arviz import to_arviz

            spec, sampled, data = result.sampler
            to_arviz(result, spec, sampled, data).to_netcdf(str(arviz))
            if not json:
                console.print(t("response.arviz_written", path=str(arviz)))
        if json:
            print_json(_report(result))
            return
        d = result.diagnostics
        console.print(t("response.fitted", method=result.method, seconds=_fmt(result.seconds, 1),
                        draws=len(next(iter(result.draws.values()), []))))
        if d.get("period_days", 1) == 7:
            console.print(t("response.weekly_note", weeks=d.get("train_periods", 0)))
        console.print(_summary_table(result))
        claims = claims_table(result.summary, result.interval)
        if claims is not None:
            console.print(claims)
        diag = Table(title=t("response.diagnostics_title"), show_header=False)
        for key in ("r_hat_max", "ess_min", "divergences", "steps_per_draw", "r2_in_sample",
                    "mape_in_sample", "mape_holdout"):
            if key not in d:
                continue  # steps_per_draw: NUTS only
            value = d.get(key)
            if key.startswith("mape") and isinstance(value, float):
                value = f"{100 * value:.1f}%"
            diag.add_row(t(f"response.diag.{key}"), _fmt(value, 3))
        console.print(diag)
        for line in _notices(result):
            console.print(f"[yellow]! {escape(line)}[/yellow]")

    @app.command("curves")
    @handle_errors
    def curves(
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        market: Annotated[str | None, typer.Option("--market", help="Only this market.")] = None,
        channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
        points: Annotated[int, typer.Option("--points", help="Spend grid points per line.")] = 11,
        lang: LangOpt = "en",
        json: JsonOpt = False,
    ) -> None:
        """Show fitted response curves with credible bands (from the saved fit)."""
        with open_workspace(workspace, read_only=True) as ws:
            table = ws.curves_table(market=market.upper() if market else None, channel=channel,
                                    points=points)
            saved = ws.response_fit(check=False)
            interval = saved.interval
            summary = saved.summary
            if market:
                summary = summary[summary["market"] == market.upper()]
            if channel:
                summary = summary[summary["channel"] == channel]
        if json:
            print_json(table)
            return
        pct = round(100 * interval)
        out = Table(title=t("response.curves_title"))
        for key in ("market", "channel", "spend", "mean"):
            out.add_column(t(f"response.col.{key}"), justify="right" if key in ("spend", "mean") else "left")
        out.add_column(t("response.col.band", pct=pct), justify="right")
        out.add_column(t("response.col.marginal_roas"), justify="right")
        for row in table.itertuples():
            mark = " *" if row.current else ""
            out.add_row(row.market, row.channel, _fmt(row.spend, 0) + mark, _fmt(row.mean, 0),
                        f"{_fmt(row.lo, 0)} – {_fmt(row.hi, 0)}", _fmt(row.marginal_roas))
        console.print(out)
        claims = claims_table(summary, interval)
        if claims is not None:
            console.print(claims)
