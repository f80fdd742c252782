"""CLI commands of the `report` area: ``adbudget report --out plan.html`` (thin over Workspace)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from adbudget.i18n import t


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path(
        "plan.html"),
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Write one self-contained HTML report (summary first; plan, curves, attribution, tests)."""
    with open_workspace(workspace, read_only=True) as ws:
        sections = ws.report_sections(lang)
        path = ws.write_report(out, lang=lang, sections=sections)
    size_kb = path.stat().st_size // 1024
    if as_json:
        print_json({"path": str(path), "bytes": path.stat().st_size,
                    "sections": {k: {"status": s.status, "message": s.message}
                                 for k, s in sections.items()}})
    else:
        console.print(t("report.doc.written", path=str(path), size=size_kb), highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.command("report")(handle_errors(report))


