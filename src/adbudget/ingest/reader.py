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
from adbudget.i18n import t
from adbudget.ingest.encoding import decode_bytes

PREAMBLE_MAX = 12  # header must be within the first lines
MAX_CELL = 16 * 2**20  # a cell longer than this is refused as malformed (csv's default is 128 KiB)
csv.field_size_limit(MAX_CELL)


@dataclass
class RawTable:
    """Header cells, rows as strings, and the 1-based source line of each row."""

    file: str
    header: list[str]
    rows: pd.DataFrame  # columns = header (deduplicated), all str; '' for empty
    lines: pd.Series  # int, 1-based line (or spreadsheet row) of each row
    preamble: list[str]  # lines before the header (report titles, date ranges)
    # text files only: the last record has no line break after it (a file cut mid-write looks so)
    unterminated: bool = False


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the candidate header lines most consistently."""
    best, best_score = ",", -1
    for delim in (",", "\t", ";", "|"):
        try:
            counts = [len(next(csv.reader([ln], delimiter=delim))) for ln in lines if ln.strip()]
        except csv.Error:  # an over-long or broken cell: this delimiter cannot be judged here
            continue
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
    """Parse delimited text, finding the header among preamble lines.

    Rows with fewer cells than the header, NUL characters and cells over ``MAX_CELL`` are
    refused with their line; rows with more cells are refused unless the extra ones are empty
    (trailing delimiters).
    """
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(t("ingest.read.nul"), file=file, line=text.count("\n", 0, nul) + 1)
    all_lines = text.splitlines()
    if not all_lines or not any(ln.strip() for ln in all_lines[:PREAMBLE_MAX + 2]):
        raise InputError(t("ingest.read.empty"), file=file)
    probe = [ln for ln in all_lines[:PREAMBLE_MAX + 2]]
    delim = sniff_delimiter(probe)
    try:
        head_rows = list(csv.reader(probe, delimiter=delim))
    except csv.Error as exc:
        raise InputError(t("ingest.read.malformed", reason=str(exc)), file=file, line=1) from None
    header_index = find_header(head_rows, known)
    preamble = all_lines[:header_index]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    records: list[list[str]] = []
    line_numbers: list[int] = []
    header: list[str] | None = None
    try:
        rows_iter = list(reader)
    except csv.Error as exc:
        raise InputError(t("ingest.read.malformed", reason=str(exc)), file=file,
                         line=reader.line_num) from None
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
        raise InputError(t("ingest.read.empty"), file=file)
    raw = _to_raw(file, header, records, line_numbers, preamble)
    raw.unterminated = bool(records) and not text.endswith(("\n", "\r"))
    return raw


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
            preamble: list[str], pad: bool = False) -> RawTable:
    width = len(header)
    fixed = []
    for row, line in zip(records, line_numbers, strict=True):
        if len(row) > width and any(c.strip() for c in row[width:]):
            raise InputError(t("ingest.read.long_row", n=len(row), width=width), file=file, line=line)
        if len(row) < width and not pad:
            raise InputError(t("ingest.read.short_row", n=len(row), width=width), file=file, line=line)
        fixed.append((row + [""] * (width - len(row)))[:width])
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
        try:
            sheet = book.worksheets[0]
            rows = [["" if v is None else _cell_text(v) for v in row]
                    for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl, zipfile and lxml raise many types for broken files
        raise InputError(f"not a readable XLSX workbook ({exc.__class__.__name__})", file=name) from None
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
    raw = _to_raw(name, header, records, numbers, preamble, pad=True)  # sheets drop empty trailing cells
    _refuse_nul(raw)
    return raw


def _refuse_nul(raw: RawTable) -> None:
    """NUL characters are never data (a binary or damaged file): refuse the first one."""
    for column in raw.rows.columns:
        hit = raw.rows[column].str.contains("\x00", regex=False)
        if hit.any():
            line = int(raw.lines[hit.to_numpy()].iloc[0])
            raise InputError(t("ingest.read.nul"), file=raw.file, line=line, column=column)


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
    header = _dedupe([normalize_header(str(c)) for c in frame.columns])
    try:
        out = pd.DataFrame({h: _series_text(frame.iloc[:, i]) for i, h in enumerate(header)})
    except (TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"not a readable Parquet file ({exc.__class__.__name__})", file=name) from None
    lines = pd.Series(range(1, len(frame) + 1), dtype="int64")
    raw = RawTable(name, header, out, lines, [])
    _refuse_nul(raw)
    return raw


def _series_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        valid = series.dropna()
        # a timestamp column holding whole days is a date column (how pandas writes dates)
        if len(valid) and (valid == valid.dt.normalize()).all():
            return series.dt.strftime("%Y-%m-%d").fillna("")
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
