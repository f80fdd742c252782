"""CLI commands of the `web` area: ``adbudget serve`` (thin over the web app)."""

from __future__ import annotations

from typing import Annotated

import typer

from adbudget.cli.common import DEFAULT_WORKSPACE, WorkspaceOpt, console, handle_errors


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""

    @app.command("serve")
    @handle_errors
    def serve(
        workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
        host: Annotated[str, typer.Option(
            "--host", help="Address to bind. Anything but loopback requires a token.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535)] = 8765,
        token: Annotated[str | None, typer.Option(
            "--token", envvar="ADBUDGET_TOKEN",
            help="Access token checked on every request (generated when binding a "
                 "non-loopback address without one).")] = None,
        upload_limit_mb: Annotated[int, typer.Option(
            "--upload-limit-mb", min=1, max=512, help="Largest upload accepted.")] = 20,
        lang: Annotated[str | None, typer.Option(
            "--lang", envvar="ADBUDGET_LANG",
            help="Default page language (en or zh); default: the workspace's setting.")] = None,
    ) -> None:
        """Serve the dashboard (pages, JSON API under /api, OpenAPI at /api/openapi.json)."""
        from adbudget.web.serve import serve as run

        run(workspace, host=host, port=port, token=token, upload_limit_mb=upload_limit_mb,
            echo=lambda line: console.print(line, highlight=False, soft_wrap=True), lang=lang)
