"""Bad data never loads silently (issue 20) and every encoding a seller's file comes in loads
(issue 19, part 2). Each refusal names file, line and column and leaves the store as it was."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest

from adbudget.errors import InputError

HEADER = "date,market,channel,account,campaign,ad_group,creative,currency,spend,impressions,clicks,conversions,revenue\n"
TABLES = ("imports", "ad_daily", "orders", "touchpoints", "funnel_daily", "lift_tests", "fx_rates")


def _content(ws) -> dict[str, list]:
    return {t: ws.store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _ad_rows(ws) -> list[tuple]:
    return ws.store.con.execute(
        "SELECT date, market, channel, account, campaign, ad_group, creative, currency, spend, impressions, "
        "clicks, conversions, revenue, spend_base FROM ad_daily ORDER BY ALL").fetchall()


def _refused(ws, path, match: str, **kwargs) -> InputError:
    before = _content(ws)
    with pytest.raises(InputError, match=match) as info:
        ws.import_file(path, **kwargs)
    assert _content(ws) == before
    return info.value


# -- encodings -------------------------------------------------------------------------------
def _meta_zh_text(data_dir) -> str:
    return (data_dir / "meta_de_zh.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "gbk"])
def test_same_meta_export_in_every_encoding_imports_identical_rows(workspace, tmp_path, data_dir, encoding):
    text = _meta_zh_text(data_dir)
    reference = tmp_path / "ref.csv"
    reference.write_text(text, encoding="utf-8")
    other = tmp_path / f"meta_{encoding}.csv"
    if encoding.startswith("utf-16"):
        # Excel "Unicode text": UTF-16 LE, tab-separated (no BOM for the -le variant)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        other = tmp_path / f"meta_{encoding}.txt"
        other.write_bytes(frame.to_csv(sep="\t", index=False).encode(encoding))
    else:
        other.write_bytes(text.encode(encoding))
    workspace.import_file(reference, market="DE")
    expected = _ad_rows(workspace)
    assert [r[4] for r in expected] == ["DE 拉新", "DE 拉新"]
    workspace.store.con.execute("DELETE FROM ad_daily; DELETE FROM imports WHERE kind = 'ad_daily'")
    workspace.import_file(other, market="DE")
    assert _ad_rows(workspace) == expected


def test_big5_file_from_a_taiwan_team(workspace, tmp_path, data_dir):
    text = (data_dir / "meta_us.csv").read_text(encoding="utf-8-sig")
    text = text.replace("US | Prospecting | Video", "台灣 新客 影片").replace("Broad 18-44", "興趣 居家")
    path = tmp_path / "meta_big5.csv"
    path.write_bytes(text.encode("cp950"))
    workspace.import_file(path, market="US")
    names = sorted(set(workspace.ad_daily().campaign))
    assert names == ["US | Retargeting", "台灣 新客 影片"]
    assert sorted(set(workspace.ad_daily().ad_group)) == ["Visitors 30d", "興趣 居家"]


@pytest.mark.parametrize(("encoding", "cut", "label"), [
    ("gb18030", 1, "GB18030"), ("utf-8", 1, "UTF-8"), ("utf-16", 1, "UTF-16")])
def test_truncated_multibyte_file_is_located_and_changes_nothing(workspace, tmp_path, data_dir, encoding, cut, label):
    text = _meta_zh_text(data_dir).rstrip("\n") + ",,,\n2025-03-04,2025-03-04,DE 拉新"
    raw = text.encode(encoding)
    raw = raw[:-cut]  # the file stops inside the last character
    path = tmp_path / "cut.csv"
    path.write_bytes(raw)
    error = _refused(workspace, path, r"byte offset \d+", market="DE")
    assert str(error).startswith("cut.csv:4: ") and label in str(error)
    assert f"byte offset {len(raw) - (len('新'.encode(encoding)) - cut)}" in str(error) or encoding == "utf-16"


def test_undecodable_bytes_name_their_offset(workspace, tmp_path):
    path = tmp_path / "latin.csv"
    data = (HEADER + "2025-03-01,US,meta,a,Caf\xe9,G,X,USD,10,1,1,0,0\n").encode("latin-1")
    path.write_bytes(data)
    error = _refused(workspace, path, "byte offset")
    assert str(error).startswith(f"latin.csv:2: byte offset {data.index(0xE9)} (0xE9)")


def test_utf16_with_invalid_bytes_after_the_bom(workspace, tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(b"\xff\xfe" + "date\tcurrency\n".encode("utf-16-le") + b"\x00\xd8\x41\x00")
    _refused(workspace, path, "UTF-16")


# -- numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("cells", "bad_line", "value"), [
    (['"12.50"', '"1,5"'], 3, "'1,5'"),            # a lone decimal comma among points
    (['"12.50"', '"1.234,56"', '"7.25"'], 3, "'1.234,56'"),
    (['"1,50"', '"2,75"', '"12.50"'], 4, "'12.50'"),  # comma-majority file: the point is odd
])
def test_mixed_decimal_styles_are_refused_never_scaled(workspace, tmp_path, cells, bad_line, value):
    rows = "".join(f"2025-03-0{i + 1},US,meta,a,C,G,X,USD,{c},1,1,0,0\n" for i, c in enumerate(cells))
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + rows)
    error = _refused(workspace, path, "decimal")
    assert str(error).startswith(f"mixed.csv:{bad_line}: column 'spend': {value}")


def test_ambiguous_thousands_without_evidence_is_refused(workspace, tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("date,currency,per_base\n2025-03-05,EUR,\"0,925\"\n2025-03-06,GBP,\"1,234\"\n")
    # 0,925 shows a decimal comma, so 1,234 in the same column is 1.234: accepted as such
    workspace.import_file(path)
    rates = dict(workspace.store.con.execute(
        "SELECT currency, CAST(per_base AS DOUBLE) FROM fx_rates WHERE date >= '2025-03-05'").fetchall())
    assert rates == {"EUR": pytest.approx(0.925), "GBP": pytest.approx(1.234)}
    lone = tmp_path / "lone.csv"
    lone.write_text("date,currency,per_base\n2025-03-07,GBP,\"1,234\"\n")
    error = _refused(workspace, lone, "ambiguous")
    assert str(error).startswith("lone.csv:2: column 'per_base': '1,234': ambiguous")


def test_fx_rate_with_a_lone_decimal_comma_is_refused(workspace, tmp_path):
    path = tmp_path / "fx.csv"
    path.write_text("date,currency,per_base\n2025-03-05,EUR,0.93\n2025-03-06,EUR,\"0,94\"\n2025-03-07,EUR,0.95\n")
    _refused(workspace, path, r"fx.csv:3: column 'per_base': '0,94'")


def test_grouped_amounts_in_whole_currencies_still_load(workspace, data_dir):
    workspace.import_file(data_dir / "lazada_id.csv", market="ID")
    assert workspace.ad_daily().spend.tolist() == [180_000, 175_500]


# -- rows ------------------------------------------------------------------------------------
def test_short_row_is_refused_not_padded(workspace, tmp_path, data_dir):
    text = (data_dir / "meta_us.csv").read_text(encoding="utf-8-sig").splitlines()
    text[2] = ",".join(text[2].split(",")[:-2])  # two fields missing (revenue would become 0)
    path = tmp_path / "short.csv"
    path.write_text("\n".join(text) + "\n")
    _refused(workspace, path, r"short.csv:3: .*fields but the header has 10", market="US")


def test_platform_export_cut_mid_cell_is_refused(workspace, tmp_path, data_dir):
    lines = (data_dir / "meta_us.csv").read_text(encoding="utf-8-sig").splitlines()[:3]
    path = tmp_path / "meta_cut.csv"
    path.write_text("\n".join(lines)[:-4])  # "1,120.00" cut to "1,12": no final line break
    _refused(workspace, path, r"meta_cut.csv:3: .*cut off", market="US")
    # the same rows with their line break load; a cut in an unmapped last column (Shopee's ROAS) too
    whole = tmp_path / "meta_whole.csv"
    whole.write_text("\n".join(lines) + "\n")
    assert workspace.import_file(whole, market="US").inserted == 2
    shopee = tmp_path / "shopee_roas.csv"
    shopee.write_text((data_dir / "shopee_id.csv").read_text(encoding="utf-8").rstrip("\n")[:-2])
    assert workspace.import_file(shopee, market="ID").inserted == 2


def test_nul_bytes_and_huge_cells_are_located(workspace, tmp_path):
    nul = tmp_path / "nul.csv"
    nul.write_text(HEADER + "2025-03-01,US,meta,a,C\x00x,G,X,USD,10,1,1,0,0\n")
    _refused(workspace, nul, "nul.csv:2: .*NUL")
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "2025-03-01,US,meta,a," + "C" * 200_000 + ",G,X,USD,10,1,1,0,0\n")
    workspace.import_file(big)  # 200 KB is over csv's default 128 KiB limit and still a cell
    assert len(workspace.ad_daily().campaign.iloc[0]) == 200_000


def test_a_first_line_of_many_megabytes_is_not_called_empty(workspace, tmp_path):
    path = tmp_path / "oneline.csv"
    path.write_bytes(b"x" * (20 * 2**20))
    error = _refused(workspace, path, "oneline.csv")
    assert "empty" not in str(error)


# -- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "20250-01-01", "1899-12-31"])
def test_implausible_dates_are_refused(workspace, tmp_path, day):
    path = tmp_path / "dates.csv"
    path.write_text(HEADER + f"2025-03-01,US,meta,a,C,G,X,USD,10,1,1,0,0\n{day},US,meta,a,C,G,X,USD,10,1,1,0,0\n")
    error = _refused(workspace, path, "dates.csv:3: column 'date'")
    assert "window" in str(error) or "not a date" in str(error)


def test_far_future_dates_are_refused_and_the_window_is_configurable(workspace, tmp_path):
    far = (date.today() + timedelta(days=800)).isoformat()
    path = tmp_path / "future.csv"
    path.write_text(HEADER + f"{far},US,meta,a,C,G,X,USD,10,1,1,0,0\n")
    _refused(workspace, path, "window")
    settings = workspace.settings
    workspace.save_settings(settings.model_copy(update={
        "ingest": settings.ingest.model_copy(update={"latest_days_ahead": 1000})}))
    assert workspace.import_file(path).inserted == 1


@pytest.mark.parametrize(("stamp", "reason"), [
    ("2025-03-01T10:00:00+25:00", "UTC offset"), ("2025-03-01T10:00:00+14:60", "UTC offset"),
    ("-2025-03-01 10:00:00", "timestamp|window"), ("9999-12-31T00:00:00Z", "window"),
])
def test_implausible_timestamps_are_refused(workspace, tmp_path, stamp, reason):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,ordered_at,market,currency,revenue\n"
                    f"o1,c1,2025-03-01T10:00:00+01:00,US,USD,10\no2,c2,{stamp},US,USD,10\n")
    _refused(workspace, path, f"orders.csv:3: column 'ordered_at': .*({reason})")


# -- FX and overflow -------------------------------------------------------------------------
def test_fx_rate_of_1e_minus_10_is_refused(workspace, tmp_path):
    path = tmp_path / "fx.csv"
    path.write_text("date,currency,per_base\n2025-03-04,EUR,1e-10\n")
    _refused(workspace, path, r"fx.csv:2: column 'per_base': .*implausible FX rate")


def test_fx_jump_against_neighbours_names_both_dates(workspace, tmp_path):
    path = tmp_path / "fx.csv"
    path.write_text("date,currency,per_base\n2025-03-04,EUR,0.93\n2025-03-05,EUR,9.3\n2025-03-06,EUR,0.94\n")
    error = _refused(workspace, path, "jump")
    assert str(error).startswith("fx.csv:3: column 'per_base'")
    assert "2025-03-05" in str(error) and "2025-03-04" in str(error)
    # against a stored neighbour too (tests/data/fx_rates.csv has EUR 0.925 from 2025-03-03)
    one = tmp_path / "fx1.csv"
    one.write_text("date,currency,per_base\n2025-03-04,EUR,92.5\n")
    error = _refused(workspace, one, "jump")
    assert "2025-03-03" in str(error)


def test_amount_overflowing_after_fx_is_a_located_error(workspace, tmp_path):
    fx = tmp_path / "fx.csv"
    fx.write_text("date,currency,per_base\n2025-03-01,IDR,0.001\n")
    settings = workspace.settings
    workspace.save_settings(settings.model_copy(update={
        "ingest": settings.ingest.model_copy(update={"fx_max_jump": 1e9})}))
    workspace.import_file(fx)
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "2025-03-01,ID,meta,a,C,G,X,IDR,99999999999999,1,1,0,0\n")
    _refused(workspace, path, r"big.csv:2: column 'spend': converted to USD")


# -- Parquet ---------------------------------------------------------------------------------
def test_parquet_with_a_timestamp_date_column(workspace, tmp_path):
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2025-03-01", "2025-03-02"]), "market": ["US", "US"], "channel": ["meta", "meta"],
        "campaign": ["C", "C"], "currency": ["USD", "USD"], "spend": [10.5, 11.25]})
    path = tmp_path / "ads.parquet"
    frame.to_parquet(path)
    workspace.import_file(path)
    assert [str(d)[:10] for d in workspace.ad_daily().date] == ["2025-03-01", "2025-03-02"]
