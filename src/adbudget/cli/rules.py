"""CLI commands of the `rules` area (thin over Workspace): run, undo, log, backtest, pacing,
reserve, templates, export, check, peaks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
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
from adbudget.errors import InputError, UsageError
from adbudget.i18n import t

FilesOpt = Annotated[
    list[Path] | None,
    typer.Option("--file", "-f", help="Rule file(s) (YAML or TOML); default: rules.files in adbudget.toml."),
]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Evaluation date YYYY-MM-DD (default: the day after the latest data).")
]


def _money(x) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:,.2f}"


def _ratio(x) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:.2f}"


def _pct(x) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:.0f}%"


def _change(row) -> str:
    a = row["action"]
    if a in ("pause", "pause_today", "resume"):
        return f"{row['before_status']} → {row['after_status']}"
    if a.endswith("_bid"):
        return f"{_money(row['before_bid'])} → {_money(row['after_bid'])}"
    if a == "notify":
        return ""
    return f"{_money(row['before_budget'])} → {_money(row['after_budget'])}"


def _metrics_text(m) -> str:
    if not isinstance(m, dict):
        return ""
    parts = []
    for k, v in m.items():
        parts.append(f"{k}={'–' if v is None else (f'{v:.3g}' if isinstance(v, float) else v)}")
    return ", ".join(parts)


def _state_text(raw) -> str:
    """A rule-log state JSON as ``status budget bid`` for people."""
    import json

    try:
        st = json.loads(raw) if isinstance(raw, str) else (raw or {})
    except ValueError:
        return str(raw)
    return f"{st.get('status', '')} {t('rules.col.budget')} {_money(st.get('daily_budget'))} " \
           f"{t('rules.col.bid')} {_money(st.get('bid'))}"


def _actions_table(actions, title: str) -> Table:
    table = Table(title=title)
    for key in ("rule", "line", "action", "change", "metrics"):
        table.add_column(t(f"rules.col.{key}"), overflow="fold")
    for _, row in actions.iterrows():
        table.add_row(str(row["rule"]), str(row["line"]), t(f"rules.action.{row['action']}"),
                      _change(row), _metrics_text(row["metrics"]))
    return table


def render_run(res: Any, dry_run: bool = False, show_skipped: bool = False,
               limit: int | None = None) -> None:
    """Print one rules run: the actions table (or that there were none) and the summary line;
    ``limit`` shows only the first actions (the demo), saying how many more there are."""
    ev = res.evaluation
    title = t("rules.run.title_dry" if dry_run else "rules.run.title", date=str(ev.as_of))
    if ev.actions.empty:
        console.print(t("rules.run.none", date=str(ev.as_of), rules=ev.n_rules, lines=ev.n_lines))
    else:
        shown = ev.actions if limit is None else ev.actions.head(limit)
        console.print(_actions_table(shown, title))
        if len(shown) < len(ev.actions):
            console.print(t("rules.run.more", n=len(ev.actions) - len(shown)))
    console.print(t("rules.run.summary", actions=len(ev.actions), skipped=len(ev.skipped),
                    rules=ev.n_rules, lines=ev.n_lines))
    if show_skipped and len(ev.skipped):
        import pandas as pd

        table = Table(title=t("rules.run.skipped_title"))
        for key in ("rule", "line", "action", "reason", "winner"):
            table.add_column(t(f"rules.col.{key}"))
        for _, r in ev.skipped.iterrows():
            table.add_row(str(r["rule"]), str(r["line"]), t(f"rules.action.{r['action']}"),
                          t(f"rules.reason.{r['reason']}"), "" if pd.isna(r["winner"]) else str(r["winner"]))
        console.print(table)
    if res.applied:
        console.print(t("rules.run.applied", n=len(res.log_ids), first=res.log_ids[0], last=res.log_ids[-1]))


def run_cmd(
    date_: DateOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the actions; apply and log nothing.")] = False,
    files: FilesOpt = None,
    export: Annotated[Literal["meta", "google", "csv", "json"] | None, typer.Option("--export", help="Also write the actions: meta, google, csv or json.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="File for --export (default: stdout).")] = None,
    show_skipped: Annotated[bool, typer.Option("--skipped", help="Also list skipped candidates (conflicts, cooldowns).")] = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace) as ws:
        res = ws.rules_run(date=date_, dry_run=dry_run, rule_files=files)
        ev = res.evaluation
        text = ws.rules_export(export, evaluation=ev) if export else None
    if text is not None and out is not None:
        out.write_text(text, encoding="utf-8")
    if json_out:
        print_json({
            "date": ev.as_of, "applied": res.applied, "log_ids": res.log_ids,
            "rules": ev.n_rules, "lines": ev.n_lines, "candidates": ev.n_candidates,
            "actions": ev.actions, "skipped": ev.skipped,
        })
        return
    if text is not None and out is None:
        typer.echo(text, nl=False)
        return
    render_run(res, dry_run=dry_run, show_skipped=show_skipped)
    if out is not None:
        console.print(t("rules.export.written", path=str(out)))


def undo_cmd(
    ids: Annotated[list[int] | None, typer.Option("--id", help="Rule-log id(s) to undo.")] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Undo every action for this date.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace) as ws:
        undone = ws.rules_undo(ids=ids, for_date=date_)
    if json_out:
        print_json(undone)
        return
    table = Table(title=t("rules.undo.title", n=len(undone)))
    for key in ("id", "rule", "line", "action", "restore"):
        table.add_column(t(f"rules.col.{key}"))
    for _, r in undone.iterrows():
        table.add_row(str(r["id"]), str(r["rule"]), str(r["line"]), str(r["action"]), _state_text(r["before"]))
    console.print(table)


def log_cmd(
    date_: Annotated[str | None, typer.Option("--date", help="Only this date.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many entries.")] = 50,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace, read_only=True) as ws:
        log = ws.rules_log(for_date=date_).head(limit)
    if json_out:
        print_json(log)
        return
    table = Table(title=t("rules.log.title"))
    for key in ("id", "date", "rule", "line", "action", "change", "undone"):
        table.add_column(t(f"rules.col.{key}"))
    for _, r in log.iterrows():
        table.add_row(str(r["id"]), str(r["for_date"]), str(r["rule"]), str(r["line"]), str(r["action"]),
                      f"{_state_text(r['before'])} → {_state_text(r['after'])}", "✓" if r["undone"] else "")
    console.print(table)


def backtest_cmd(
    start: Annotated[str | None, typer.Option("--from", help="First day YYYY-MM-DD (default: 89 days before --to).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD (default: the last day with ad data).")] = None,
    files: FilesOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    import datetime as _dt

    with open_workspace(workspace, read_only=True) as ws:
        if end is None:  # the last 90 days of data by default
            last = ws.last_data_day()
            if last is None:
                raise InputError(t("rules.error.no_data_for_backtest"))
            end = str(last)[:10]
        if start is None:
            start = str(_dt.date.fromisoformat(end[:10]) - _dt.timedelta(days=89))
        res = ws.rules_backtest(start, end, rule_files=files)
    summary = {
        "from": res.start, "to": res.end, "method": res.method,
        "spend_actual": res.spend_actual, "spend_rules": res.spend_rules,
        "spend_saved": res.spend_saved, "spend_saved_pct": res.spend_saved_pct,
        "conversions_actual": res.conversions_actual, "conversions_rules": res.conversions_rules,
        "conversions_change": res.conversions_change, "conversions_change_pct": res.conversions_change_pct,
        "revenue_actual": res.revenue_actual, "revenue_rules": res.revenue_rules,
        "elasticity": None if res.method == "curves" else res.elasticity, "actions": len(res.actions),
    }
    if json_out:
        print_json({**summary, "by_line": res.by_line})
        return
    table = Table(title=t("rules.backtest.title", start=str(res.start), end=str(res.end)))
    table.add_column("")
    table.add_column(t("rules.backtest.actual"), justify="right")
    table.add_column(t("rules.backtest.with_rules"), justify="right")
    table.add_column(t("rules.backtest.change"), justify="right")
    for key, a, b in (("spend", res.spend_actual, res.spend_rules),
                      ("conversions", res.conversions_actual, res.conversions_rules),
                      ("revenue", res.revenue_actual, res.revenue_rules)):
        pct = 100.0 * (b - a) / a if a else 0.0
        table.add_row(t(f"rules.backtest.{key}"), _money(a), _money(b), f"{b - a:+,.2f} ({pct:+.1f}%)")
    console.print(table)
    console.print(t("rules.backtest.summary", saved=_money(res.spend_saved), saved_pct=f"{res.spend_saved_pct:.1f}",
                    conv=f"{res.conversions_change:+,.1f}", conv_pct=f"{res.conversions_change_pct:+.1f}",
                    n=len(res.actions), method=t(f"rules.backtest.method_{res.method}", e=res.elasticity)))


def pacing_cmd(
    period: Annotated[str | None, typer.Option(help="YYYY-MM, YYYY-Www, YYYY-Qn or YYYY-MM-DD:YYYY-MM-DD (default: the plan's).")] = None,
    date_: DateOpt = None,
    plan_file: Annotated[Path | None, typer.Option("--plan", help="Plan lines CSV (market, channel, amount_base) instead of the latest plan.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    import pandas as pd

    plan = None
    if plan_file is not None:
        try:
            plan = pd.read_csv(plan_file)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read plan: {exc}", file=str(plan_file)) from None
    with open_workspace(workspace, read_only=True) as ws:
        rep = ws.pacing(period=period, date=date_, plan=plan)
    if json_out:
        print_json(rep)
        return
    table = Table(title=t("rules.pacing.title", period=rep.period, date=str(rep.as_of),
                          elapsed=rep.days_elapsed, total=rep.days_total))
    for key in ("market", "channel", "plan", "spent", "pace", "projected", "required_daily", "status"):
        table.add_column(t(f"rules.pacing.col.{key}"), justify="left" if key in ("market", "channel", "status") else "right")
    for _, r in rep.lines.iterrows():
        table.add_row(r["market"], r["channel"], _money(r["plan"]), _money(r["spent"]),
                      _pct(100 * r["pace"]) if r["pace"] == r["pace"] else "–",
                      f"{_money(r['projected'])} ({_pct(r['projected_pct'])})",
                      _money(r["required_daily"]), t(f"rules.pacing.status.{r['status']}"))
    console.print(table)
    if rep.reserve:
        console.print(t("rules.pacing.reserve", amount=_money(rep.reserve)))


def reserve_cmd(
    date_: DateOpt = None,
    amount: Annotated[float | None, typer.Option("--reserve", help="Daily reserve to share (default: the plan's reserve bucket or rules.reserve_daily).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    with open_workspace(workspace, read_only=True) as ws:
        rep = ws.reserve_release(date=date_, reserve_daily=amount)
    if json_out:
        print_json(rep)
        return
    surges = rep.surges[rep.surges["surge"]]
    table = Table(title=t("rules.reserve.surges_title", date=str(rep.as_of)))
    for key in ("market", "channel", "cpm_ratio", "cpc_ratio", "peak", "inflation"):
        table.add_column(t(f"rules.reserve.col.{key}"))
    for _, r in surges.iterrows():
        table.add_row(r["market"], r["channel"], _ratio(r["cpm_ratio"]), _ratio(r["cpc_ratio"]),
                      r["peak"] or "", _ratio(r["inflation"]))
    console.print(table if len(surges) else t("rules.reserve.no_surge", date=str(rep.as_of)))
    if len(rep.releases):
        table = Table(title=t("rules.reserve.release_title", released=_money(rep.released_daily),
                              reserve=_money(rep.reserve_daily)))
        for key in ("market", "channel", "current_daily", "marginal_roas_inflated", "target_roas", "release_daily", "reason"):
            table.add_column(t(f"rules.reserve.col.{key}"))
        for _, r in rep.releases.iterrows():
            table.add_row(r["market"], r["channel"], _money(r["current_daily"]),
                          _ratio(r["marginal_roas_inflated"]), _ratio(r["target_roas"]),
                          _money(r["release_daily"]), t(f"rules.reserve.reason.{r['reason']}"))
        console.print(table)
    if rep.reserve_daily <= 0:
        console.print(t("rules.reserve.no_pool"))


def templates_cmd(
    name: Annotated[str | None, typer.Argument(help="Template to show.")] = None,
    copy: Annotated[bool, typer.Option("--copy", help="Copy the template(s) into the workspace's rules/ folder.")] = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.rules.templates import load_template, template_names, template_text

    names = template_names()
    if name is not None and name not in names:
        raise UsageError(t("rules.templates.unknown", name=name, allowed=", ".join(names)))
    chosen = [name] if name else names
    if copy:
        folder = workspace / "rules"
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for n in chosen:
            target = folder / f"{n}.toml"
            if target.exists():
                console.print(t("rules.templates.exists", path=str(target)))
                continue
            target.write_text(template_text(n), encoding="utf-8")
            written.append(str(target))
        if json_out:
            print_json({"written": written})
        else:
            for p in written:
                console.print(t("rules.templates.copied", path=p))
        return
    if name and not json_out:
        typer.echo(template_text(name), nl=False)
        return
    info = [{"template": n, "rules": [{"name": r.name, "description": r.description, "action": r.action.type}
                                      for r in load_template(n).rules]} for n in chosen]
    if json_out:
        print_json(info)
        return
    table = Table(title=t("rules.templates.title"))
    for key in ("template", "rule", "action", "description"):
        table.add_column(t(f"rules.col.{key}"), overflow="fold")
    for item in info:
        for r in item["rules"]:
            table.add_row(item["template"], r["name"], r["action"], r["description"] or "")
    console.print(table)


def export_cmd(
    fmt: Annotated[Literal["meta", "google", "csv", "json"], typer.Option("--format", help="meta, google, csv or json.")] = "csv",
    date_: Annotated[str | None, typer.Option("--date", help="Actions of this date (default: the latest).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default: stdout).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
) -> None:
    from adbudget.rules.export import EXPORT_FORMATS

    if fmt not in EXPORT_FORMATS:
        raise UsageError(t("rules.export.bad_format", fmt=fmt, allowed=", ".join(EXPORT_FORMATS)))
    with open_workspace(workspace, read_only=True) as ws:
        text = ws.rules_export(fmt, for_date=date_)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(t("rules.export.written", path=str(out)))


def check_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="Rule files (default: rules.files in adbudget.toml).")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.rules.loader import parse_rules

    if files:
        rules = []
        for f in files:
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read: {exc}", file=str(f)) from None
            rules += [r.name for r in parse_rules(text, str(f)).rules]
    else:
        with open_workspace(workspace, read_only=True) as ws:
            rules = [r.name for r in ws.load_rules().rules]
    if json_out:
        print_json({"valid": True, "rules": rules})
    else:
        console.print(t("rules.check.ok", n=len(rules)))


def peaks_cmd(
    start: Annotated[str, typer.Option("--from", help="First day YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day YYYY-MM-DD.")],
    market: Annotated[list[str] | None, typer.Option("--market", help="Market code(s).")] = None,
    lang: LangOpt = "en",
    json_out: JsonOpt = False,
) -> None:
    from adbudget.rules.peaks import peak_calendar

    try:
        a, b = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise UsageError(t("rules.error.bad_date", value=f"{start} / {end}")) from None
    cal = peak_calendar(a, b, [m.upper() for m in market] if market else None)
    if json_out:
        print_json(cal)
        return
    table = Table(title=t("rules.peaks.title", start=start, end=end))
    for key in ("date", "market", "event", "inflation"):
        table.add_column(t(f"rules.col.{key}"))
    for _, r in cal.iterrows():
        table.add_row(str(r["date"]), r["market"], r["name"], f"{r['inflation']:.2f}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `adbudget rules ...` to the main app."""
    rules_app = typer.Typer(
        name="rules", help="Automation rules: run, undo, backtest, pacing, reserve release, templates, export.",
        no_args_is_help=True,
    )
    app.add_typer(rules_app, name="rules")
    rules_app.command("run", help="Evaluate the rules for a date and apply the actions (audit-logged).")(handle_errors(run_cmd))
    rules_app.command("undo", help="Undo applied actions: the last run, a date, or log ids.")(handle_errors(undo_cmd))
    rules_app.command("log", help="Show the audit log of applied actions.")(handle_errors(log_cmd))
    rules_app.command("backtest", help="Replay history as if the rules had run: spend saved, conversions lost or gained.")(handle_errors(backtest_cmd))
    rules_app.command("pacing", help="Plan versus actual spend this period, projected end spend, budget to land on plan.")(handle_errors(pacing_cmd))
    rules_app.command("reserve", help="Cost surges and peak days; reserve released to lines that still beat target ROAS.")(handle_errors(reserve_cmd))
    rules_app.command("templates", help="List the rule templates from the method, show one, or copy them into the workspace.")(handle_errors(templates_cmd))
    rules_app.command("export", help="Write applied actions for Meta Ads Manager, Google Ads Editor, or as CSV/JSON.")(handle_errors(export_cmd))
    rules_app.command("check", help="Validate rule files (an error names the file, line and key).")(handle_errors(check_cmd))
    rules_app.command("peaks", help="Known peak days per market (cost surges expected).")(handle_errors(peaks_cmd))


