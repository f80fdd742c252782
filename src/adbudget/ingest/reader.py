"""Read any supported file into a table of strings with the source line of every row.

Handles UTF-8 (with or without BOM), UTF-16 ("CSV for Excel"), comma / semicolon / tab
delimiters, preamble lines before the header (Google Ads, Shopee), XLSX and Parquet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from adbudget.errors import InputError

PREAMBLE_MAX = 12  # header must be within the first lines


@dataclass
class RawTable:
    """Header cells, rows as strings, and the 1-based source line of each row."""

    file: str
    header: list[str]
    rows: pd.DataFrame  # columns = header (deduplicated), all str; '' for empty
    lines: pd.Series  # int, 1-based line (or spreadsheet row) of each row
    preamble: list[str]  # lines before the header (report titles, date ranges)


def decode_bytes(data: bytes, file: str) -> str:
    """Bytes to text: BOMs first, then UTF-8, then a clear error."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    # UTF-16 without BOM: every other byte zero in the first bytes
    head = data[:200]
    if len(head) > 4 and head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("not UTF-8 or UTF-16 text (save the export as UTF-8 CSV)",
                         file=file, line=line) from None


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the candidate header lines most consistently."""
    best, best_score = ",", -1
    for delim in (",", "\t", ";", "|"):
        counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines if ln.strip()]
        if not counts:
            continue
        score = max(counts)
        if score > best_score and score > 1:
            best, best_score = delim, score
    return best


def find_header(rows: list[list[str]], known: set[str]) -> int:
    """Index of the first row that looks like a header (shares the most known column names)."""
    best, best_hits = 0, 0
    for i, row in enumerate(rows[:PREAMBLE_MAX]):
        cells = {normalize_header(c) for c in row}
        hits = len(cells & known)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def normalize_header(cell: str) -> str:
    """Header cell as matched by importers: trimmed, BOM-free, case kept (trailing space is dropped)."""
    return cell.replace("\ufeff", "").strip()


def read_text_table(text: str, file: str, known: set[str]) -> RawTable:
    """Parse delimited text, finding the header among preamble lines."""
    all_lines = text.splitlines()
    probe = [ln for ln in all_lines[:PREAMBLE_MAX + 2]]
    delim = sniff_delimiter(probe)
    head_rows = list(csv.reader(probe, delimiter=delim))
    header_index = find_header(head_rows, known)
    preamble = all_lines[:header_index]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    records: list[list[str]] = []
    line_numbers: list[int] = []
    header: list[str] | None = None
    try:
        rows_iter = list(reader)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", file=file, line=reader.line_num) from None
    line_ends = _line_ends(text)
    for index, row in enumerate(rows_iter):
        line = line_ends[index] if index < len(line_ends) else index + 1
        if index < header_index:
            continue
        if header is None:
            header = [normalize_header(c) for c in row]
            continue
        if not any(cell.strip() for cell in row):
            continue
        records.append(row)
        line_numbers.append(line)
    if header is None:
        raise InputError("the file is empty (no header row)", file=file)
    return _to_raw(file, header, records, line_numbers, preamble)


def _line_ends(text: str) -> list[int]:
    """1-based starting physical line of each CSV record (quoted fields may span lines)."""
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 1
    try:
        for _ in reader:
            starts.append(line)
            line = reader.line_num + 1
    except csv.Error:
        pass
    return starts


def _to_raw(file: str, header: list[str], records: list[list[str]], line_numbers: list[int],
            preamble: list[str]) -> RawTable:
    width = len(header)
    fixed = []
    for row, line in zip(records, line_numbers, strict=True):
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise InputError(f"{len(row)} fields but the header has {width}", file=file, line=line)
        fixed.append((row + [""] * width)[:width])
    names = _dedupe(header)
    frame = pd.DataFrame(fixed, columns=names, dtype=object) if fixed else pd.DataFrame(columns=names)
    frame = frame.fillna("").astype(str)
    return RawTable(file, names, frame, pd.Series(line_numbers, dtype="int64"), preamble)


def _dedupe(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in header:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def read_xlsx(source: Path | io.BytesIO, name: str, known: set[str]) -> RawTable:
    """First sheet of a workbook; line numbers are spreadsheet row numbers."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(f"not a readable XLSX workbook ({exc.__class__.__name__})", file=name) from None
    sheet = book.worksheets[0]
    rows = [["" if v is None else _cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    header_index = find_header(rows, known)
    header = [normalize_header(c) for c in rows[header_index]] if rows else []
    if not header:
        raise InputError("the workbook is empty", file=name)
    records, numbers = [], []
    for i, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if any(str(c).strip() for c in row):
            records.append(row)
            numbers.append(i)
    preamble = [",".join(r) for r in rows[:header_index]]
    return _to_raw(name, header, records, numbers, preamble)


def _cell_text(value: object) -> str:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_parquet(source: Path | io.BytesIO, name: str) -> RawTable:
    """Parquet with canonical column names; values turned into strings for one validation path."""
    try:
        frame = pd.read_parquet(source)
    except Exception as exc:  # pyarrow errors vary
        raise InputError(f"not a readable Parquet file ({exc.__class__.__name__})", file=name) from None
    header = [str(c) for c in frame.columns]
    out = pd.DataFrame({c: _series_text(frame[c]) for c in frame.columns})
    lines = pd.Series(range(1, len(frame) + 1), dtype="int64")
    return RawTable(name, header, out, lines, [])


def _series_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("")
    return series.astype(object).where(series.notna(), "").astype(str)


def read_file(path: Path, known: set[str], data: bytes | None = None) -> RawTable:
    """Read *path* (or the given bytes, named like *path*) into a RawTable."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(io.BytesIO(data) if data is not None else path, path.name, known)
    if suffix == ".parquet":
        return read_parquet(io.BytesIO(data) if data is not None else path, path.name)
    raw = data if data is not None else path.read_bytes()
    return read_text_table(decode_bytes(raw, path.name), path.name, known)
