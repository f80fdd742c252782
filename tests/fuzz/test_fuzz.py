"""Fuzzing the importers (issue 20): no input crashes an import, a refusal changes nothing, the
mutations that must be refused are, and value-preserving ones load the original rows or nothing.

The default run takes one mutation of every kind per format (about 280 files, well under a
minute); ``-m slow`` runs 150 seeded mutations per format. Hypothesis adds generated numbers
in both decimal styles and arbitrary campaign names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adbudget.errors import AdbudgetError
from tests.fuzz.corpus import MARKET, TEXT_FORMATS, Case, binary_cases, cases

TABLES = ("imports", "ad_daily", "orders", "touchpoints", "funnel_daily", "lift_tests", "fx_rates")
KIND_TABLE = {"margins": None}


class Harness:
    """One workspace, restored to its baseline (FX rates only) after every case."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.settings = ws.settings
        con = ws.store.con
        for table in TABLES:
            con.execute(f'CREATE OR REPLACE TEMP TABLE "_base_{table}" AS SELECT * FROM {table}')

    def content(self) -> dict[str, list]:
        con = self.ws.store.con
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
        out["settings"] = self.ws.settings.model_dump()
        return out

    def rows(self, kind: str) -> list:
        if kind == "margins":
            return [self.ws.settings.model_dump()["markets"]]
        return self.ws.store.con.execute(f"SELECT * EXCLUDE (import_id) FROM {kind} ORDER BY ALL").fetchall()

    def restore(self) -> None:
        con = self.ws.store.con
        for table in TABLES:
            con.execute(f'DELETE FROM {table}; INSERT INTO {table} SELECT * FROM "_base_{table}"')
        if self.ws.settings != self.settings:
            self.ws.save_settings(self.settings)

    def run(self, case: Case, tmp: Path, reference: dict[str, list]) -> str:
        path = tmp / case.name
        path.write_bytes(case.data)
        before = self.content()
        market = MARKET.get(case.base)
        try:
            result = self.ws.import_file(path, market=market)
        except AdbudgetError as exc:
            assert self.content() == before, f"{case.name}: refused ({exc}) but the store changed"
            outcome = "refused"
        else:
            outcome = "loaded"
            assert case.expect != "refuse", f"{case.name} ({case.kind}) loaded silently: {result}"
            if case.expect == "same":
                assert self.rows(result.kind) == reference[result.kind], f"{case.name}: other values loaded"
            self.ws.status()  # whatever loaded can be read back
        finally:
            self.restore()
        return outcome


def _reference(harness: Harness, base_path: Path, market: str | None) -> dict[str, list]:
    result = harness.ws.import_file(base_path, market=market)
    out = {result.kind: harness.rows(result.kind)}
    harness.restore()
    return out


def _fuzz(workspace, tmp_path, base: str, seed: int, n: int) -> dict[str, int]:
    harness = Harness(workspace)
    reference = _reference(harness, Path(__file__).resolve().parent.parent / "data" / base, MARKET.get(base))
    tally = {"loaded": 0, "refused": 0}
    for case in cases(base, seed, n):
        tally[harness.run(case, tmp_path, reference)] += 1
    return tally


@pytest.mark.parametrize("base", TEXT_FORMATS)
def test_every_mutation_kind_of_every_format(workspace, tmp_path, base):
    tally = _fuzz(workspace, tmp_path, base, seed=0, n=17)
    assert tally["refused"] >= 5  # the refuse-class kinds at least


@pytest.mark.slow
@pytest.mark.parametrize("base", TEXT_FORMATS)
def test_many_seeded_mutations_of_every_format(workspace, tmp_path, base):
    _fuzz(workspace, tmp_path, base, seed=1, n=150)


@pytest.mark.parametrize("n", [8, pytest.param(80, marks=pytest.mark.slow)])
def test_damaged_xlsx_and_parquet(workspace, tmp_path, n):
    harness = Harness(workspace)
    references: dict[str, dict[str, list]] = {}
    for case in binary_cases(seed=n, n=n):
        if case.kind == "original":
            path = tmp_path / case.name
            path.write_bytes(case.data)
            references[case.base] = _reference(harness, path, MARKET.get(case.base))
            continue
        harness.run(case, tmp_path, references[case.base])


# -- hypothesis ------------------------------------------------------------------------------
def _styled(value: float, comma: bool, grouped: bool) -> str:
    text = f"{value:,.2f}" if grouped else f"{value:.2f}"
    if comma:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.floats(min_value=0, max_value=9_999_999, allow_nan=False).map(lambda v: round(v, 2)),
                       min_size=1, max_size=6),
       comma=st.booleans(), grouped=st.booleans())
def test_numbers_in_either_style_load_exactly_or_are_refused(workspace, tmp_path, values, comma, grouped):
    header = "date,market,channel,campaign,currency,spend\n"
    body = "".join(f'2025-03-0{i + 1},US,meta,C{i},USD,"{_styled(v, comma, grouped)}"\n' for i, v in enumerate(values))
    path = tmp_path / "n.csv"
    path.write_text(header + body)
    try:
        result = workspace.import_file(path, dry_run=True)
    except AdbudgetError as exc:
        assert "ambiguous" in str(exc)  # only a file with no evidence either way may be refused
        return
    stored = sorted(float(r["spend"]) for r in result.preview)
    assert stored == pytest.approx(sorted(values), abs=1e-9)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=0, max_size=40))
def test_any_campaign_name_loads_as_written_or_is_refused(workspace, tmp_path, name):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["date", "market", "channel", "campaign", "currency", "spend"],
                                                     ["2025-03-01", "US", "meta", name, "USD", "1"]])
    path = tmp_path / "name.csv"
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    try:
        result = workspace.import_file(path, dry_run=True)
    except AdbudgetError:
        return
    assert result.preview[0]["campaign"] == name.strip(" ")  # DuckDB trim: spaces only


def _reference_evidence(values: list[str]) -> tuple:
    """Cell by cell, straight from the patterns: what the grouped shapes must reproduce."""
    import re

    from adbudget.ingest.validate import _SPACES, classify

    n = {"point": 0, "comma": 0, "ambiguous": 0}
    first: dict = {"point": None, "comma": None, "ambiguous": None}
    amb_comma = amb_point = 0
    for line, raw in enumerate(values, start=2):
        if "." not in raw and "," not in raw:
            continue
        kind = classify(re.sub(_SPACES, "", raw.strip()))
        if kind is None:
            continue
        n[kind] += 1
        first[kind] = line if first[kind] is None else first[kind]
        amb_comma += kind == "ambiguous" and "," in raw
        amb_point += kind == "ambiguous" and "." in raw
    return (n["point"], first["point"], n["comma"], first["comma"], first["ambiguous"], amb_comma, amb_point)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.from_regex(r"[-+]?[0-9]{0,7}([.,][0-9]{0,4}){0,3}( ?%)?|[0-9.,e\- $]{0,8}", fullmatch=True),
                       min_size=1, max_size=12))
def test_decimal_evidence_from_shapes_matches_cell_by_cell(values):
    import duckdb
    import pandas as pd

    from adbudget.ingest.validate import _evidence

    con = duckdb.connect()
    con.register("v", pd.DataFrame({"_line": range(2, len(values) + 2), "x": pd.Series(values, dtype="string")}))
    assert _evidence(con, "v", ["x"]) == _reference_evidence(values)
