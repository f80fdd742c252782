"""The sellers of an agency folder: every sub-folder that is a workspace, picked by name/glob."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from adbudget.config.settings import SETTINGS_FILE
from adbudget.errors import UsageError
from adbudget.i18n import t


@dataclass(frozen=True)
class Seller:
    """One seller: its name (the folder's) and its workspace folder."""

    name: str
    path: Path


def find_sellers(root: Path | str, select: list[str] | None = None) -> list[Seller]:
    """The workspaces directly below ``root`` (sorted by name), or those whose name matches one
    of ``select`` (exact names or shell globs such as ``shop-*``). A pattern that matches
    nothing is an error (a typo must not silently run fewer sellers); so is an empty folder."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(t("agency.error.no_folder", path=str(root)))
    found = sorted((Seller(p.name, p) for p in root.iterdir()
                    if p.is_dir() and (p / SETTINGS_FILE).exists()), key=lambda s: s.name)
    if not found:
        raise UsageError(t("agency.error.no_sellers", path=str(root)))
    if not select:
        return found
    patterns = [p.strip() for item in select for p in item.split(",") if p.strip()]
    missing = [p for p in patterns if not any(fnmatch.fnmatchcase(s.name, p) for s in found)]
    if missing:
        raise UsageError(t("agency.error.no_match", patterns=", ".join(missing),
                           names=", ".join(s.name for s in found[:20])))
    return [s for s in found if any(fnmatch.fnmatchcase(s.name, p) for p in patterns)]
