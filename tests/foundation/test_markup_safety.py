"""User text is never read as Rich markup: a campaign named ``US_[/red]markup[bold]`` imports and
every command that prints it shows it literally and exits normally (issue 20)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app

runner = CliRunner()
NAME = "US_[/red]markup[bold]"


@pytest.fixture(scope="module")
def marked_ws(tmp_path_factory) -> str:
    ws = str(tmp_path_factory.mktemp("markup") / "ws")
    assert runner.invoke(app, ["init", ws, "--markets", "US"]).exit_code == 0
    path = tmp_path_factory.mktemp("files") / "ads.csv"
    start = date.today() - timedelta(days=40)
    lines = ["date,market,channel,account,campaign,currency,spend,impressions,clicks,conversions,revenue"]
    for i in range(40):
        day = (start + timedelta(days=i)).isoformat()
        # a loss-making line, so the rules act on it and print its name
        lines.append(f'{day},US,meta,acc,"{NAME}",USD,{100 + i},{5000 + i},{80 + i},1,{10 + i % 3}')
        lines.append(f"{day},US,google_search,acc,Plain,USD,{50 + i},{2000 + i},{40 + i},{2 + i % 3},{150 + 5 * i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(path), "-w", ws])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["rules", "templates", "--copy", "-w", ws]).exit_code == 0
    return ws


@pytest.mark.parametrize("args", [
    ["status"],
    ["rules", "run"],
    ["attribute", "--by", "campaign"],
    ["plan", "--budget", "5000", "--period", (date.today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")],
])
def test_commands_print_markup_names_literally(marked_ws, args):
    result = runner.invoke(app, [*args, "-w", marked_ws])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    assert "MarkupError" not in result.output and "Traceback" not in result.output
    if args[0] in ("attribute", "rules") and result.exit_code == 0:
        assert NAME in result.output  # shown as it is, brackets and all


def test_markup_in_an_argument_is_an_error_message_not_a_crash(marked_ws, data_dir):
    result = runner.invoke(app, ["import", str(data_dir / "meta_us.csv"), "--market", "[/x]", "-w", marked_ws])
    assert result.exit_code in (1, 2) and isinstance(result.exception, SystemExit), repr(result.exception)
    assert "[/X]" in result.output.upper()


def test_a_cell_shows_markup_literally():
    from rich.table import Table

    from adbudget.cli.common import SafeConsole

    console = SafeConsole(width=80, record=True)
    table = Table()
    table.add_column("campaign")
    table.add_row("[bold]x[/bold] and [/red]")
    console.print(table)
    console.print("[red]failed:[/red] [/oops]")  # bad markup in a message: printed, not raised
    text = console.export_text()
    assert "[bold]x[/bold] and [/red]" in text and "[/oops]" in text
