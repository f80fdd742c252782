"""The `adbudget` command: init, import, status here; every other area registers its own.

Help in the user's language: under ``--lang zh`` (anywhere on the command line) or
``ADBUDGET_LANG=zh``, every command's and option's help is looked up in the i18n catalog at
display time (keys ``cli.<command path>.help`` and ``cli.<command path>.<option>``, shared
options under ``cli.common``; see ``i18n/*/cli.toml``), so the areas' cli/*.py files keep
their English help and need no change. Enumerated options declare ``Literal`` types: the
parser shows and checks their choices. Shell completion: ``adbudget --install-completion``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer import rich_utils
from typer.core import TyperGroup

from adbudget import __version__
from adbudget.cli import core as core_commands
from adbudget.i18n import LANGUAGES, catalog, set_language

AREAS = (
    "simulate", "attribution", "response", "plan", "experiments", "rules", "ltv", "report", "web",
    "brand", "agency",
)
# options every command shares: their help lives once under cli.common
COMMON_OPTIONS = ("workspace", "lang", "json_out", "json", "as_json")


def requested_language(args: list[str]) -> str | None:
    """The language a command line asks for: ``--lang X`` / ``--lang=X`` anywhere, else
    ``$ADBUDGET_LANG``; None when neither names a known language."""
    lang = os.environ.get("ADBUDGET_LANG")
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang if lang in LANGUAGES else None


def walk_commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, command) for a command and every sub-command below it."""
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from walk_commands(sub, (*path, name))


def help_key(path: tuple[str, ...], name: str = "help") -> str:
    """The i18n key of a command's help (``name="help"``) or of one of its options."""
    return ".".join(("cli", *(path or ("adbudget",)), name)).replace("-", "_")


def localize_help(root: Any, lang: str) -> None:
    """Replace the help of every command and option below *root* by the *lang* catalog's,
    where it has one (English keeps the texts written in the code)."""
    if lang == "en":
        return
    texts = catalog(lang)
    for path, command in walk_commands(root):
        text = texts.get(help_key(path))
        if text:
            command.help = text
            command.short_help = None
        for param in command.params:
            name = param.name or ""
            text = texts.get(help_key(path, name)) or (
                texts.get(f"cli.common.{name}") if name in COMMON_OPTIONS else None)
            if text and hasattr(param, "help"):
                param.help = text


# Typer's own words in the help screens -> i18n keys (restored to English for en)
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "cli.ui.arguments", "OPTIONS_PANEL_TITLE": "cli.ui.options",
    "COMMANDS_PANEL_TITLE": "cli.ui.commands", "ERRORS_PANEL_TITLE": "cli.ui.error",
    "REQUIRED_LONG_STRING": "cli.ui.required", "DEFAULT_STRING": "cli.ui.default",
    "ENVVAR_STRING": "cli.ui.envvar",
}
_TYPER_ENGLISH = {name: getattr(rich_utils, name) for name in _TYPER_WORDS}


def localize_typer_words(lang: str) -> None:
    """Panel titles and the [required] / [default] / [env var] marks in *lang*."""
    texts = catalog(lang)
    for name, key in _TYPER_WORDS.items():
        setattr(rich_utils, name, texts.get(key, _TYPER_ENGLISH[name]) if lang != "en"
                else _TYPER_ENGLISH[name])


class LocalizedGroup(TyperGroup):
    """The root group: before parsing, set the language the command line asks for and
    translate the help texts of the whole tree into it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        lang = requested_language(list(args))
        localize_typer_words(lang or "en")
        if lang:
            set_language(lang)
            localize_help(self, lang)
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="adbudget",
    cls=LocalizedGroup,
    help="Decide how a cross-border seller should spend its ad budget — and keep it right.",
    no_args_is_help=True,
    add_completion=True,
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
    lang: Annotated[
        Literal["en", "zh"] | None,
        typer.Option("--lang", envvar="ADBUDGET_LANG", help="Language of help and output: en or zh."),
    ] = None,
) -> None:
    """adbudget: buckets, markets, channels and time — decided by data."""
    if lang:
        set_language(lang)


core_commands.register(app)
for _area in AREAS:
    importlib.import_module(f"adbudget.cli.{_area}").register(app)


@app.command("markets")
def markets_cmd(
    region: Annotated[str | None, typer.Option("--region", help="Only this region: NA, EU, SEA, ME, LATAM, EA, SAS, OCE or AF.")] = None,
    search: Annotated[str | None, typer.Argument(help="Part of a code or a name, in English or Chinese.")] = None,
    lang: Annotated[Literal["en", "zh"], typer.Option("--lang", envvar="ADBUDGET_LANG", help="Output language: en or zh.")] = "en",
    json_out: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Every market adbudget knows (all ISO 3166-1 countries): region, currency, decimals, time zone."""
    from rich.table import Table

    from adbudget.cli.common import console, err_console, print_json
    from adbudget.config.catalog import DEFAULT_MARKETS, MARKETS, MINOR_UNITS, REGIONS, country_name
    from adbudget.config.catalog import region_name as _region_name
    from adbudget.i18n import t

    set_language(lang)
    if region is not None and region.upper() not in REGIONS:
        err_console.print(t("markets.list.unknown_region", region=region, allowed=", ".join(REGIONS)))
        raise typer.Exit(2)
    rows = []
    for code, info in MARKETS.items():
        if region and info.region != region.upper():
            continue
        name = country_name(code, lang)
        if search and search.lower() not in f"{code} {info.name} {country_name(code, 'zh')}".lower():
            continue
        rows.append({"code": code, "name": name, "region": info.region,
                     "region_name": _region_name(info.region, lang), "currency": info.currency,
                     "minor_units": MINOR_UNITS.get(info.currency, 2), "timezone": info.timezone,
                     "default": code in DEFAULT_MARKETS})
    if json_out:
        print_json(rows)
        return
    table = Table(title=t("markets.list.title", n=len(rows)))
    for key in ("code", "name", "region", "currency", "minor_units", "timezone", "default"):
        table.add_column(t(f"markets.list.{key}"))
    for r in rows:
        table.add_row(r["code"], r["name"], r["region_name"], r["currency"], str(r["minor_units"]),
                      r["timezone"], "✓" if r["default"] else "")
    console.print(table)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except BrokenPipeError:  # `adbudget status | head`
        sys.stderr.close()


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["app", "help_key", "localize_help", "main", "requested_language", "walk_commands", "Path"]
