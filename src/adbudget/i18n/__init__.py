"""Translation layer: every user-facing string goes through :func:`t` (English and Chinese).

Catalogs are TOML files, one per area, in ``i18n/<lang>/<area>.toml``. Keys are flat,
prefixed by the area (``core.status.title``). Values use ``str.format`` placeholders.
A test checks that every English key exists in Chinese with the same placeholders.
"""

from __future__ import annotations

import contextvars
import tomllib
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh")
_current = contextvars.ContextVar("adbudget_lang", default="en")


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, merged from every area file."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    out: dict[str, str] = {}
    folder = resources.files("adbudget.i18n").joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            _flatten("", tomllib.loads(entry.read_text(encoding="utf-8")), out)
    return out


def set_language(lang: str) -> None:
    """Choose the language for this context (CLI process, web request)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
    _current.set(lang)


def get_language() -> str:
    return _current.get()


def t(key: str, lang: str | None = None, **values: object) -> str:
    """Translate *key* into the current (or given) language, filling ``{placeholders}``.

    Falls back to English, then to the key itself, so a missing translation never crashes.
    """
    lang = lang or _current.get()
    text = catalog(lang).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


__all__ = ["LANGUAGES", "catalog", "get_language", "set_language", "t"]
