"""ChannelAttribution path tables: reading (`;` or `,`), validation, parsing into PathTable."""

from __future__ import annotations

import numpy as np
import pytest

from adbudget.attribution import PathTable, make_model
from adbudget.errors import InputError
from adbudget.ingest.paths import parse_path_table, read_path_table

CA_SAMPLE = """path;total_conversions;total_conversion_value;total_null
eta > iota > alpha > eta;1;0.244;3
iota > iota > iota > iota;2;3.195;6
alpha > iota > alpha > alpha > alpha > iota > alpha > alpha > alpha > alpha > alpha;2;6.754;3
beta > eta;1;2.402;2
iota > eta > theta > lambda > lambda > theta > lambda;0;0;2
"""


def test_reads_semicolon_and_comma_files(tmp_path) -> None:
    f = tmp_path / "Data.csv"
    f.write_text(CA_SAMPLE, encoding="utf-8")
    df = read_path_table(f)
    assert list(df.columns) == ["path", "total_conversions", "total_conversion_value", "total_null"]
    assert df.total_conversions.sum() == 6 and df.total_null.sum() == 16
    comma = tmp_path / "c.csv"
    comma.write_text("\ufeffpath,total_conversions\n\"a > b\",3\nb,1\n", encoding="utf-8")
    df2 = read_path_table(comma)
    assert df2.total_null.tolist() == [0, 0] and df2.total_conversions.tolist() == [3, 1]


@pytest.mark.parametrize("text, message", [
    ("path;conv\na;1\n", "missing column 'total_conversions'"),
    ("path;total_conversions\na;x\n", "not a number"),
    ("path;total_conversions\na;-1\n", "must not be negative"),
    ("path;total_conversions\n;1\n", "empty path"),
])
def test_bad_tables_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_path_table(text, "bad.csv")


def test_missing_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_path_table(tmp_path / "nope.csv")


def test_path_table_parses_strips_and_merges_duplicates() -> None:
    df = parse_path_table(CA_SAMPLE + "eta>iota >alpha> eta;2;1.0;1\n")
    table = PathTable.from_frame(df)
    assert table.n_paths == 5  # the last row is the first path again
    assert table.channels == ("alpha", "beta", "eta", "iota", "lambda", "theta")
    first = table.tokens[table.indptr[0]: table.indptr[1]]
    assert [table.channels[i] for i in first] == ["eta", "iota", "alpha", "eta"]
    assert table.conversions[0] == 3 and table.nulls[0] == 4
    assert table.value[0] == pytest.approx(1.244)
    back = table.to_frame()
    assert back.path[0] == "eta > iota > alpha > eta"
    again = PathTable.from_frame(back)
    np.testing.assert_array_equal(again.tokens, table.tokens)


def test_known_markov_result_on_the_sample() -> None:
    # order 1 on the sample: every credit non-negative and total = 6 conversions
    table = PathTable.from_frame(parse_path_table(CA_SAMPLE))
    credit = make_model("markov").credit(table)
    assert credit.conversions.sum() == pytest.approx(6)
    # lambda and theta only appear in a non-converting path: no credit
    got = credit.as_dict()
    assert got["lambda"] == pytest.approx(0, abs=1e-12) and got["theta"] == pytest.approx(0, abs=1e-12)
