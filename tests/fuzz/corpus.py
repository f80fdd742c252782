"""A seeded mutation corpus over every import format (issue 20).

Each base file is one of the samples in ``tests/data`` (14 CSV/TSV formats and margins, the
UTF-16 Google Ads "CSV for Excel" included) or one made here (TikTok XLSX, canonical Parquet).
A mutation is a named function of (text or bytes, random generator); its *class* says what an
import of the result may do:

- ``refuse``: must be refused (a short or long row, a NUL, an impossible date, a rate of 1e-10);
- ``same``: the cells still mean the same values (another encoding, a decimal comma in a
  decimal-comma-free column written the other way, CRLF line ends): either refused or loaded
  to exactly the rows of the original, never to other values;
- ``any``: random damage (bytes cut, flipped, inserted; quotes; odd numbers and names):
  loaded or refused, never a traceback; a refusal leaves the store as it was.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

# file -> --market for exports without a country column
MARKET = {"meta_us.csv": "US", "meta_de_zh.csv": "DE", "google_ads_us.csv": "US", "google_ads_gb_excel.csv": "GB",
          "tiktok_id.csv": "ID", "amazon_sp_us.csv": "US", "shopee_id.csv": "ID", "lazada_id.csv": "ID",
          "tiktok_id.xlsx": "ID"}
DATE_HEADERS = ("date", "Day", "Date", "By Day", "报告开始日期", "Reporting starts", "start_date", "ordered_at", "ts")
TEXT_FORMATS = ("ad_daily_generic.csv", "amazon_sp_us.csv", "funnel_daily.csv", "fx_rates.csv",
                "google_ads_gb_excel.csv", "google_ads_us.csv", "lazada_id.csv", "lift_tests.csv", "margins.csv",
                "meta_de_zh.csv", "meta_us.csv", "orders.csv", "shopee_id.csv", "tiktok_id.csv", "touchpoints.csv")


@dataclass(frozen=True)
class Case:
    """One mutated file: its name (the extension picks the reader), bytes and what may happen."""

    base: str
    kind: str
    expect: str  # refuse | same | any
    name: str
    data: bytes


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xff\xfe"):
        return data.decode("utf-16"), "utf-16"
    return data.decode("utf-8-sig"), "utf-8"


def _lines(text: str) -> tuple[list[str], str]:
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.split(newline), newline


def _delim(line: str) -> str:
    return "\t" if line.count("\t") > line.count(",") else ","


def _header_index(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        cells = [c.strip().strip('"') for c in re.split(r"[\t,]", line)]
        if any(c in DATE_HEADERS or c in ("market", "order_id", "user_id", "test_id", "Campaign") for c in cells):
            return i
    return 0


def _data_rows(lines: list[str]) -> list[int]:
    head = _header_index(lines)
    return [i for i in range(head + 1, len(lines)) if lines[i].strip() and not lines[i].lower().startswith(("total", '"total'))]


def _split(line: str, delim: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=delim))


def _join(cells: list[str], delim: str) -> str:
    import csv

    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator="").writerow(cells)
    return buf.getvalue()


# -- mutations on text (refuse) ---------------------------------------------------------------
def drop_field(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    rows = _data_rows(lines)
    if not rows:
        return None
    i = rng.choice(rows)
    delim = _delim(lines[_header_index(lines)])
    cells = _split(lines[i], delim)
    if len(cells) < 2:
        return None
    cells.pop(rng.randrange(len(cells)))
    lines[i] = _join(cells, delim)
    return nl.join(lines)


def add_field(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    rows = _data_rows(lines)
    if not rows:
        return None
    i = rng.choice(rows)
    lines[i] = lines[i] + _delim(lines[_header_index(lines)]) + "extra"
    return nl.join(lines)


def nul(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    rows = _data_rows(lines)
    if not rows:
        return None
    i = rng.choice(rows)
    at = rng.randrange(len(lines[i]) + 1)
    lines[i] = lines[i][:at] + "\x00" + lines[i][at:]
    return nl.join(lines)


def bad_date(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    head = _header_index(lines)
    delim = _delim(lines[head])
    header = [c.strip().lstrip("\ufeff") for c in _split(lines[head], delim)]
    cols = [j for j, h in enumerate(header) if h in DATE_HEADERS]
    rows = _data_rows(lines)
    if not cols or not rows:
        return None
    i, j = rng.choice(rows), cols[0]
    cells = _split(lines[i], delim)
    if j >= len(cells):
        return None
    timestamp = "T" in cells[j] or ":" in cells[j]
    cells[j] = rng.choice(["9999-12-31", "0001-01-01", "20250-01-01", "1899-12-31"])
    if timestamp:
        cells[j] = rng.choice(["9999-12-31T00:00:00Z", "2025-03-01T10:00:00+25:00", "0001-01-01T00:00:00Z"])
    lines[i] = _join(cells, delim)
    return nl.join(lines)


# -- mutations on text (same values) ---------------------------------------------------------
def crlf(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    return "\r\n".join(lines) if nl == "\n" else "\n".join(lines)


def quote_all(text: str, rng: random.Random) -> str | None:
    lines, nl = _lines(text)
    head = _header_index(lines)
    delim = _delim(lines[head])
    out = lines[:head]
    for line in lines[head:]:
        out.append(delim.join('"' + c.replace('"', '""') + '"' for c in _split(line, delim)) if line else line)
    return nl.join(out)


# -- mutations on text (anything) ------------------------------------------------------------
def _cell_mutation(values: list[str]) -> Callable[[str, random.Random], str | None]:
    def mutate(text: str, rng: random.Random) -> str | None:
        lines, nl = _lines(text)
        head = _header_index(lines)
        delim = _delim(lines[head])
        rows = _data_rows(lines)
        if not rows:
            return None
        i = rng.choice(rows)
        cells = _split(lines[i], delim)
        cells[rng.randrange(len(cells))] = rng.choice(values)
        lines[i] = _join(cells, delim)
        return nl.join(lines)
    return mutate


odd_number = _cell_mutation(["1e400", "-1e400", "NaN", "inf", "-0", "1,5", "1.234,56", "12.50", "1,234",
                             "99999999999999999999", "0.0000000001", "1e-10", "--", "1 234,5", "(12.50)", "１２"])
odd_text = _cell_mutation(["US_[/red]markup[bold]", '=HYPERLINK("http://x")', "@SUM(1)", "+1", "-cmd", "",
                           "名字 🚀", "a\nb", "'", '"', "\\", "x" * 5000, "\u202e\u200b"])
odd_date = _cell_mutation(["2025-02-30", "2025-13-01", "-2025-01-01", "2025-03-01T10:00:00+14:60", "today",
                           "01/02/2025", "2025-03-01 25:00:00", "1970-01-01"])


def truncate(data: bytes, rng: random.Random) -> bytes | None:
    return data[: rng.randrange(1, max(2, len(data)))]


def flip_byte(data: bytes, rng: random.Random) -> bytes | None:
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]


def insert_byte(data: bytes, rng: random.Random) -> bytes | None:
    at = rng.randrange(len(data) + 1)
    return data[:at] + bytes([rng.randrange(256)]) + data[at:]


def delete_byte(data: bytes, rng: random.Random) -> bytes | None:
    at = rng.randrange(len(data))
    return data[:at] + data[at + 1:]


def dup_line(data: bytes, rng: random.Random) -> bytes | None:
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    return b"\n".join(lines[:at + 1] + [lines[at]] + lines[at + 1:])


def stray_quote(data: bytes, rng: random.Random) -> bytes | None:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b'"' + data[at:]


TEXT_MUTATIONS: dict[str, tuple[str, Callable]] = {
    "drop_field": ("refuse", drop_field), "add_field": ("refuse", add_field), "nul": ("refuse", nul),
    "bad_date": ("refuse", bad_date), "crlf": ("same", crlf), "quote_all": ("same", quote_all),
    "odd_number": ("any", odd_number), "odd_text": ("any", odd_text), "odd_date": ("any", odd_date),
}
BYTE_MUTATIONS: dict[str, Callable] = {
    "truncate": truncate, "flip_byte": flip_byte, "insert_byte": insert_byte, "delete_byte": delete_byte,
    "dup_line": dup_line, "stray_quote": stray_quote,
}
ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def cases(base: str, seed: int, n: int) -> list[Case]:
    """*n* seeded mutations of one sample file."""
    rng = random.Random(f"{base}:{seed}")
    data = (DATA / base).read_bytes()
    text, encoding = _decode(data)
    out: list[Case] = []
    kinds = list(TEXT_MUTATIONS) + list(BYTE_MUTATIONS) + ["encoding", "empty"]
    for k in range(n):
        kind = kinds[k % len(kinds)] if k < len(kinds) else rng.choice(kinds)
        name = f"{Path(base).stem}_{kind}_{k}{Path(base).suffix}"
        if kind in TEXT_MUTATIONS:
            expect, fn = TEXT_MUTATIONS[kind]
            mutated = fn(text, rng)
            if mutated is None:
                continue
            out.append(Case(base, kind, expect, name, _encode(mutated, encoding)))
        elif kind in BYTE_MUTATIONS:
            mutated_bytes = BYTE_MUTATIONS[kind](data, rng)
            if mutated_bytes is not None:
                out.append(Case(base, kind, "any", name, mutated_bytes))
        elif kind == "encoding":
            enc = rng.choice(ENCODINGS)
            out.append(Case(base, kind, "same", name, _encode(text, enc)))
        else:
            out.append(Case(base, kind, "refuse", name, rng.choice([b"", b"\xef\xbb\xbf", b"\n\n", b"\xff\xfe"])))
    return out


def xlsx_bytes() -> bytes:
    """The TikTok sample as an XLSX workbook (TikTok Ads Manager offers XLSX downloads)."""
    import csv

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO((DATA / "tiktok_id.csv").read_text(encoding="utf-8"))):
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def parquet_bytes() -> bytes:
    """The canonical ad_daily sample as Parquet, dates as timestamps (how pandas writes them)."""
    import pandas as pd

    frame = pd.read_csv(DATA / "ad_daily_generic.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"])
    for column in ("spend", "revenue"):
        frame[column] = frame[column].astype(float)
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()


def binary_cases(seed: int, n: int) -> list[Case]:
    """Byte damage to the XLSX and Parquet files: refused or loaded, never a traceback."""
    rng = random.Random(f"binary:{seed}")
    out = []
    for base, suffix, data in (("tiktok_id.xlsx", ".xlsx", xlsx_bytes()), ("ad_daily.parquet", ".parquet", parquet_bytes())):
        out.append(Case(base, "original", "same", f"orig{suffix}", data))
        for k in range(n):
            kind = rng.choice(list(BYTE_MUTATIONS))
            mutated = BYTE_MUTATIONS[kind](data, rng)
            if mutated is not None:
                out.append(Case(base, kind, "any", f"{Path(base).stem}_{kind}_{k}{suffix}", mutated))
    return out
