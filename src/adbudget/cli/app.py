"""The `adbudget` command: init, import, status here; every other area registers its own."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from adbudget import __version__
from adbudget.cli import core as core_commands

AREAS = (
    "simulate", "attribution", "response", "plan", "experiments", "rules", "ltv", "report", "web",
)

app = typer.Typer(
    name="adbudget",
    help="Decide how a cross-border seller should spend its ad budget — and keep it right.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"adbudget {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """adbudget: buckets, markets, channels and time — decided by data."""


core_commands.register(app)
for _area in AREAS:
    importlib.import_module(f"adbudget.cli.{_area}").register(app)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except BrokenPipeError:  # `adbudget status | head`
        sys.stderr.close()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "main", "Path"]
