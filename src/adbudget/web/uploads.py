"""Uploads: a server-made name, bytes held in memory, a dry-run preview, then commit.

The client's file name is only used (sanitised) for display and to pick the parser by
extension; nothing is ever written to a path the client chooses.
"""

from __future__ import annotations

import inspect
import re
import tempfile
from pathlib import Path
from typing import Any

from adbudget.errors import InputError
from adbudget.i18n import t
from adbudget.web.state import PendingUpload

SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")


def safe_name(filename: str | None, lang: str = "en") -> str:
    """Base name only, ASCII letters/digits/._- kept, known extension required."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload.csv"
    suffix = Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(t("web.import.bad_type", lang, allowed=", ".join(SUFFIXES)),
                         file=base)
    stem = Path(base).stem[:80] or "upload"
    return f"{stem}{suffix}"


def run_import(ws: Any, upload: PendingUpload, dry_run: bool) -> Any:
    """Call ``ws.import_file`` on the upload: from memory when it accepts ``data``, else from a
    file in a fresh private temporary folder that is removed right after."""
    params = inspect.signature(ws.import_file).parameters
    kwargs: dict[str, Any] = {"source": upload.source, "market": upload.market, "dry_run": dry_run}
    if "data" in params:
        kwargs["data"] = upload.data
        if "name" in params:
            kwargs["name"] = upload.name
        return ws.import_file(upload.name, **kwargs)
    with tempfile.TemporaryDirectory(prefix="adbudget-upload-") as folder:
        path = Path(folder) / upload.name
        path.write_bytes(upload.data)
        return ws.import_file(path, **kwargs)


def error_lines(exc: InputError) -> list[dict[str, Any]]:
    """An import error as rows for the page: file, line, column, reason."""
    return [{"file": exc.file, "line": exc.line, "column": exc.column, "reason": exc.reason,
             "message": str(exc)}]
