"""Anything that passes import is safe for every command (issue 20): a workspace holding each
accepted-but-odd value class (window-edge and future dates, amounts just under the store's
limit, zero spend / impressions / funnel counts, UTC offsets of ±14 h / -12 h, negative lift,
markup, formula, 5,000-character, emoji and bidi-control names) and every command that runs
without a fitted model; those that need one must say so (exit 1), never crash."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adbudget.cli.app import app

runner = CliRunner()
TODAY = date.today()
LATEST = (TODAY + timedelta(days=730)).isoformat()  # the default window's last day
NAMES = ["US_[/red]markup[bold]", '=HYPERLINK("x")', "x" * 5000, "名字 🚀", "\u202eevil\u200b", "-1", "@a"]
MAX = "99999999999999"  # just under DECIMAL(18,4)'s 10^14


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _files(root: Path) -> list[Path]:
    ad = ["date,market,channel,account,campaign,ad_group,currency,spend,impressions,clicks,conversions,revenue"]
    for i in range(60):
        day = (TODAY - timedelta(days=60 - i)).isoformat()
        for j, name in enumerate(NAMES):
            ad.append(f"{day},US,meta,acc,{_q(name)},,USD,{0 if j == 3 else 10 + j},{0 if j == 4 else 1000},5,0.5,"
                      f"{0 if j == 2 else 30}")
        ad.append(f"{day},ID,shopee,acc,Toko,,IDR,150000,1000,5,1,450000")
    ad.append(f"2000-01-01,US,google_search,acc,Old,,USD,{MAX},1,1,1,0")
    ad.append(f"{LATEST},US,google_search,acc,Future,,USD,1,1,1,1,{MAX}")
    orders = ["order_id,customer_id,ordered_at,market,currency,revenue,refunded,first_touch_channel"]
    for i in range(40):
        day = (TODAY - timedelta(days=40 - i)).isoformat()
        orders.append(f"o{i},c{i % 7},{day}T23:59:59+14:00,US,USD,{10 + i},{0 if i % 5 else 10 + i},meta")
    orders += [f"oold,cold,2000-01-01T00:00:00-12:00,US,USD,{MAX},0,", f"ofut,c1,{LATEST}T00:00:00Z,ID,IDR,1,2,"]
    touch = ["user_id,ts,market,channel,campaign,interaction"]
    for i in range(40):
        day = (TODAY - timedelta(days=40 - i)).isoformat()
        touch.append(f"c{i % 7},{day}T10:00:00Z,US,meta,{_q(NAMES[i % len(NAMES)])},click")
    touch.append("cold,2000-01-01T00:00:00Z,US,meta,,view")
    funnel = ["date,market,step,device,count"]
    for i in range(30):
        day = (TODAY - timedelta(days=30 - i)).isoformat()
        funnel += [f"{day},US,sessions,all,{0 if i == 3 else 1000}", f"{day},US,add_to_cart,all,0",
                   f"{day},US,checkout,all,0", f"{day},US,purchase,all,0"]
    lift = ["test_id,market,channel,start_date,end_date,spend,incremental_revenue,incremental_revenue_se,currency",
            f"t1,US,meta,{TODAY},{TODAY},0,-500,0,USD", f"t2,US,meta,2000-01-01,{LATEST},{MAX},{MAX},0,USD"]
    out = []
    for name, lines in (("fx.csv", ["date,currency,per_base", "2000-01-01,IDR,16000"]), ("ad.csv", ad),
                        ("orders.csv", orders), ("touchpoints.csv", touch), ("funnel.csv", funnel),
                        ("lift.csv", lift)):
        (root / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        out.append(root / name)
    return out


@pytest.fixture(scope="module")
def odd_ws(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("odd")
    ws = str(root / "ws")
    assert runner.invoke(app, ["init", ws, "--markets", "US,ID"]).exit_code == 0
    for path in _files(root):
        result = runner.invoke(app, ["import", str(path), "-w", ws])
        assert result.exit_code == 0, result.output  # every value class here is accepted
    assert runner.invoke(app, ["rules", "templates", "--copy", "-w", ws]).exit_code == 0
    return ws


NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
COMMANDS = [
    ["status"], ["attribute"], ["attribute", "--by", "campaign"], ["cohorts"], ["funnel"], ["ltv"],
    ["rules", "run"], ["rules", "log"], ["rules", "pacing"], ["rules", "reserve"],
    ["rules", "backtest", "--from", (TODAY - timedelta(days=30)).isoformat(), "--to", TODAY.isoformat()],
    ["rules", "export", "--format", "meta"], ["rules", "export", "--format", "csv"],
    ["plans"], ["curves"], ["plan", "--period", NEXT_MONTH, "--budget", "1000"],
    ["tests", "status"], ["tests", "lift"], ["tests", "fatigue"],
    ["report", "--out", "REPORT"], ["status", "--json"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_every_command_survives_odd_but_accepted_data(odd_ws, args, tmp_path):
    args = [str(tmp_path / "r.html") if a == "REPORT" else a for a in args]
    result = runner.invoke(app, [*args, "-w", odd_ws])
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    assert crash is None, f"{args}: {crash!r}\n{result.output[-2000:]}"
    assert result.exit_code in (0, 1), result.output[-2000:]
    assert "Traceback" not in result.output
