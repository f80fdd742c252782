"""Saved plans (versioned, one reader, today's format migrated) and the one Period grammar."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from adbudget.errors import InputError
from adbudget.period import Period
from adbudget.plan.serde import FORMAT_VERSION, PlanFormatError, from_record, to_record
from adbudget.rules.pacing import parse_period as pacing_period
from tests.plan.test_workspace_cli import ws  # noqa: F401  (fixture)

FORMAT0 = Path(__file__).parent / "data" / "plan_format0.json"


def _format0() -> dict:
    return json.loads(FORMAT0.read_text(encoding="utf-8"))


def test_format0_plan_loads_and_migrates_ltv_breakeven():
    row = _format0()
    plan = from_record(row)
    assert plan.plan_id == 1 and plan.period == "2026-11" and plan.days == 30
    assert plan.budget == pytest.approx(65620.01)
    # the lines still add up to the budget, to the cent
    assert round(sum(ln.amount_base for ln in plan.lines), 2) == pytest.approx(65620.01)
    ltv = json.loads(row["inputs"])["ltv"]
    old = {(r["market"], r["channel"], r["bucket"]): r for r in json.loads(row["lines"])}
    firsts: dict[str, set[float]] = {}
    moved = 0
    for ln in plan.lines:
        before = old[(ln.market, ln.channel, ln.bucket)]["breakeven_roas"]
        mult = ltv.get(f"{ln.market}.{ln.channel}")
        if before is None:
            assert ln.breakeven_roas is None and ln.breakeven_roas_ltv is None
            continue
        if mult is not None and mult != 1.0:  # format 0 stored the LTV-adjusted one
            moved += 1
            assert ln.breakeven_roas_ltv == pytest.approx(before)
            assert ln.breakeven_roas == pytest.approx(before * mult)
        else:
            assert ln.breakeven_roas == pytest.approx(before) and ln.breakeven_roas_ltv is None
        firsts.setdefault(ln.market, set()).add(round(ln.breakeven_roas, 9))
    assert moved > 0
    # after the migration the first-order break-even is one number per market
    assert firsts and all(len(v) == 1 for v in firsts.values())
    assert plan.check is not None and plan.policies and plan.totals["spend"] == pytest.approx(65620.01)


def test_record_round_trip_is_exact():
    plan = from_record(_format0())
    rec = to_record(plan)
    assert json.loads(json.dumps(rec))["inputs"]["format"] == FORMAT_VERSION
    again = from_record({**rec, "id": 7, "created_at": "2026-12-01T00:00:00"})
    assert again.records() == plan.records()
    assert again.check == plan.check and again.policies == plan.policies
    assert again.totals == plan.totals and again.notes == plan.notes and again.days == plan.days


@pytest.mark.parametrize("change, needle", [
    (lambda r: r.update(inputs=json.dumps({"format": FORMAT_VERSION + 1})), "format 2"),
    (lambda r: r.update(lines="[{\"bucket\": "), "cannot be read"),
    (lambda r: r.update(lines=json.dumps([{"market": "US"}])), "cannot be read"),
    (lambda r: r.update(lines=json.dumps({"not": "a list"})), "cannot be read"),
])
def test_unreadable_plan_is_refused_in_one_line(change, needle):
    row = _format0()
    change(row)
    with pytest.raises(PlanFormatError) as err:
        from_record(row)
    assert needle in str(err.value) and "\n" not in str(err.value) and "plan 1" in str(err.value)


def test_format0_row_in_a_workspace_loads_through_every_reader(ws):  # noqa: F811
    row = _format0()
    ws.store.execute("INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [5, row["created_at"], row["period"], row["budget"], row["objective"],
                      row["inputs"], row["lines"]])
    plan = ws.latest_plan()
    assert plan.plan_id == 5 and plan.period == "2026-11"
    assert ws.get_plan(5).records() == plan.records()
    assert ws.saved_plan()["lines"] == plan.records()
    lines, period = ws.latest_plan_lines()
    assert period == "2026-11" and len(lines) == len(plan.lines)
    # a new plan is saved in the current format and read back by the same reader
    new = ws.plan(50_000, "2026-12")
    stored = ws.store.query("SELECT inputs FROM plans WHERE id = ?", [new.plan_id])["inputs"].iloc[0]
    assert json.loads(stored)["format"] == FORMAT_VERSION
    assert ws.latest_plan().records() == new.records()


def test_unreadable_saved_plan_is_one_line_on_the_cli(ws):  # noqa: F811
    from adbudget.cli.app import app

    ws.store.execute("INSERT INTO plans VALUES (1, now(), '2026-11', 10, 'profit', ?, '[]')",
                     [json.dumps({"format": 99})])
    root = ws.root
    ws.close()
    res = CliRunner().invoke(app, ["plans", "--latest", "-w", str(root)])
    assert res.exit_code == 1
    assert "format 99" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("text, label, start, end, kind", [
    ("2026-11", "2026-11", date(2026, 11, 1), date(2026, 11, 30), "month"),
    ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
    ("2026-W45", "2026-W45", date(2026, 11, 2), date(2026, 11, 8), "week"),
    ("2026-w5", "2026-W05", date(2026, 1, 26), date(2026, 2, 1), "week"),
    ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("2026-11-10..2026-11-20", "2026-11-10:2026-11-20", date(2026, 11, 10), date(2026, 11, 20), "range"),
    ("2026-11-10:2026-11-20", "2026-11-10:2026-11-20", date(2026, 11, 10), date(2026, 11, 20), "range"),
])
def test_one_period_grammar(text, label, start, end, kind):
    p = Period.parse(text)
    assert (p.label, p.start, p.end, p.kind) == (label, start, end, kind)
    assert p.days == (end - start).days + 1 and start in p and end in p
    assert Period.parse(p.label) == p  # the canonical spelling reads back to itself
    assert pacing_period(text) == (start, end)  # pacing reads the same grammar


@pytest.mark.parametrize("bad", ["2026-13", "Nov 2026", "2026-11-20..2026-11-10", "2026-W54", "2026-Q5", ""])
def test_bad_period_names_every_form(bad):
    with pytest.raises(InputError, match="YYYY-Www.*YYYY-Qn"):
        Period.parse(bad)


def test_weekly_plan_paced_by_the_rules(ws):  # noqa: F811
    from adbudget.cli.app import app

    plan = ws.plan(7_000, "2026-w45")
    assert plan.period == "2026-W45" and plan.days == 7
    rep = ws.pacing(date="2026-11-05")  # Thursday of that week: 3 complete days elapsed
    assert rep.period == "2026-W45" and rep.days_total == 7 and rep.days_elapsed == 3
    assert rep.lines["plan"].sum() == pytest.approx(
        sum(ln.amount_base for ln in plan.lines if ln.bucket != "reserve"), abs=0.05)
    root = ws.root
    ws.close()
    res = CliRunner().invoke(app, ["rules", "pacing", "--date", "2026-11-05", "-w", str(root), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["period"] == "2026-W45" and out["days_total"] == 7


@settings(deadline=None, max_examples=60)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.integers(min_value=0, max_value=400))
def test_any_period_reads_back_from_its_label(day, span):
    from datetime import timedelta

    y, w, _ = day.isocalendar()
    for text in (f"{day:%Y-%m}", f"{y}-W{w}", f"{day.year}-Q{(day.month - 1) // 3 + 1}",
                 f"{day}:{day + timedelta(days=span)}"):
        p = Period.parse(text)
        assert day in p and Period.parse(p.label) == p
        assert p.days == (p.end - p.start).days + 1 and pacing_period(p.label) == (p.start, p.end)
