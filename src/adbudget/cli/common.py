"""Shared pieces of every CLI command: options, opening the workspace, output, errors.

Every command takes ``--workspace``, ``--lang`` and (where it prints results) ``--json``.
Library errors become one line on stderr and exit code 1 (bad input) or 2 (bad usage).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from adbudget.errors import AdbudgetError
from adbudget.i18n import set_language, t


def _piped_width() -> int | None:
    """Rich's width for stdout: the terminal's when there is one (or ``$COLUMNS``), else 140
    columns, so piped or captured tables (files, CI logs, docs) do not wrap at 80."""
    try:
        interactive = sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        interactive = False
    return None if interactive or os.environ.get("COLUMNS") else 140


class SafeConsole(Console):
    """A Console on which no text can crash a command: a string whose square brackets are not
    valid Rich markup (a campaign name such as ``US_[/red]x`` interpolated into a message) is
    printed as it is instead of raising MarkupError."""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            kwargs["markup"] = False
            return super().render_str(text, **kwargs)


def _literal_cells(add_row: Callable[..., None]) -> Callable[..., None]:
    """Table cells given as str are data (campaign names, files, rules): show them literally,
    never as Rich markup. Cells that want a style pass a rich Text."""

    @functools.wraps(add_row)
    def wrapper(self: Table, *renderables: Any, **kwargs: Any) -> None:
        add_row(self, *(Text(r) if isinstance(r, str) else r for r in renderables), **kwargs)

    wrapper.literal_cells = True  # type: ignore[attr-defined]
    return wrapper


if not getattr(Table.add_row, "literal_cells", False):
    Table.add_row = _literal_cells(Table.add_row)  # type: ignore[method-assign]

console = SafeConsole(width=_piped_width())
err_console = SafeConsole(stderr=True)

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        "--workspace", "-w",
        envvar="ADBUDGET_WORKSPACE",
        help="Workspace folder (holds adbudget.toml and the DuckDB file).",
    ),
]
LangOpt = Annotated[
    Literal["en", "zh"],
    typer.Option("--lang", envvar="ADBUDGET_LANG", help="Output language: en or zh."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

DEFAULT_WORKSPACE = Path(".")

F = TypeVar("F", bound=Callable[..., Any])


def set_lang(lang: str) -> None:
    """Apply --lang, with a clear usage error for anything but en/zh."""
    try:
        set_language(lang)
    except ValueError:
        err_console.print(f"[red]--lang: {escape(repr(lang))} is not allowed; allowed: en, zh[/red]")
        raise typer.Exit(2) from None


def handle_errors(func: F) -> F:
    """Turn AdbudgetError into a one-line message and the right exit code (no stack trace)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang")
        if isinstance(lang, str):
            set_lang(lang)
        try:
            return func(*args, **kwargs)
        except AdbudgetError as exc:
            err_console.print(f"[red]{t('core.error')}:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print(t("core.interrupted"))
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_workspace(path: Path, read_only: bool = False) -> Iterator[Any]:
    """Open the workspace for one command and always close it. When another process (the
    dashboard between two requests, another command) holds the file, say so and wait for it
    up to ``ADBUDGET_LOCK_WAIT`` seconds (default 15)."""
    from adbudget.errors import WorkspaceLockedError
    from adbudget.workspace import Workspace

    try:
        ws = Workspace.open(path, read_only=read_only)
    except WorkspaceLockedError:
        wait = float(os.environ.get("ADBUDGET_LOCK_WAIT", "15"))
        if wait <= 0:
            raise
        err_console.print(f"[dim]{t('core.store.waiting', seconds=f'{wait:g}')}[/dim]")
        ws = Workspace.open(path, read_only=read_only, lock_wait_s=wait)
    try:
        yield ws
    finally:
        ws.close()


def to_jsonable(value: Any) -> Any:
    """Plain JSON values for ``--json`` (the one helper, :func:`adbudget.jsonable.jsonable`;
    mapping keys as ``str(key)``)."""
    from adbudget.jsonable import jsonable

    return jsonable(value, key=str)


def print_json(value: Any) -> None:
    """Print JSON to stdout (UTF-8, not ASCII-escaped, so Chinese stays readable)."""
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def is_interactive() -> bool:
    """Progress bars only on a terminal, never in CI logs or pipes."""
    return console.is_terminal and os.environ.get("CI") != "true"
