"""Reader for ChannelAttribution's aggregated path tables (``adbudget attribute --paths``).

Columns: ``path`` (channels joined by ``>``, usually ``" > "``), ``total_conversions``,
optional ``total_conversion_value`` and ``total_null``. Separated by ``;`` (the package's own
example file) or ``,``; any encoding :func:`adbudget.ingest.encoding.decode_bytes` reads.
Returns the table in the layout :class:`adbudget.attribution.PathTable` reads, with ``total_conversion_value`` and
``total_null`` filled with 0 when absent.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from adbudget.errors import InputError
from adbudget.ingest.encoding import decode_bytes

REQUIRED = ("path", "total_conversions")
NUMERIC = ("total_conversions", "total_conversion_value", "total_null")


def read_path_table(path: Path | str) -> pd.DataFrame:
    """Read and validate a ChannelAttribution path table from a CSV file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=str(path)) from None
    # the same encodings as every import (UTF-8/BOM, UTF-16, GB18030, Big5), located errors
    return parse_path_table(decode_bytes(data, str(path)), str(path))


def parse_path_table(text: str, name: str = "<paths>") -> pd.DataFrame:
    """Parse the text of a path table (``;`` or ``,`` separated)."""
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise InputError("empty file", file=name)
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype={"path": "string"},
                         quoting=csv.QUOTE_MINIMAL, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"not a readable CSV table: {str(exc).splitlines()[0]}", file=name) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    for col in REQUIRED:
        if col not in df.columns:
            raise InputError(
                f"missing column '{col}'; a path table needs path, total_conversions "
                f"[, total_conversion_value, total_null]", file=name, column=col,
            )
    for col in NUMERIC:
        if col not in df.columns:
            df[col] = 0.0
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
            raise InputError(f"not a number: {df[col][bad].iloc[0]!r}", file=name, line=line,
                             column=col)
        if (values < 0).any():
            line = int((values < 0).to_numpy().nonzero()[0][0]) + 2
            raise InputError("must not be negative", file=name, line=line, column=col)
        df[col] = values.fillna(0.0).astype(float)
    df["path"] = df["path"].fillna("").astype(str).str.strip()
    empty = df["path"] == ""
    if empty.any():
        line = int(empty.to_numpy().nonzero()[0][0]) + 2
        raise InputError("empty path", file=name, line=line, column="path")
    return df[["path", *NUMERIC]].reset_index(drop=True)


__all__ = ["parse_path_table", "read_path_table"]
