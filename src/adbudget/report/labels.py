"""Words rendered at display time: channel and bucket names, plan reasons and notes, decisions.

Plans store each line's reason as a key with arguments (``reason_key``, ``reason_args``), so a
plan made in Chinese reads in English on the English page and back. Older plans and plan
notes kept only the text of the language they were made in: :func:`retranslate` recognises
such a text as one of the catalogue's messages (in either language), recovers its arguments
and renders that message in the page's language. Text that matches no message (a rule's own
message written by the seller, a campaign name) is returned unchanged: it is the user's.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import cache
from typing import Any

from adbudget.i18n import LANGUAGES, catalog, t

# stored text that may need re-rendering, by the catalogue prefix of its messages
NOTE_PREFIXES = ("plan.", "report.plan.", "rules.", "response.notice.", "experiments.")


_GROUPS = {"action": "rules.action"}
# reason arguments stored as codes (a CPM's source): shown by name
_ARG_WORDS = ("source",)


def channel(code: Any, lang: str) -> str:
    """A channel's display name (``google_search`` → Google Search / 谷歌搜索)."""
    code = str(code or "")
    key = f"web.channel.{code}"
    text = t(key, lang)
    return code.replace("_", " ") if text == key else text


def bucket(code: Any, lang: str) -> str:
    key = f"report.bucket.{code}"
    text = t(key, lang)
    return str(code) if text == key else text


def word(group: str, code: Any, lang: str) -> str:
    """A slug from a known group (decision, action, status, objective…) in the language."""
    key = f"{_GROUPS.get(group, 'web.' + group)}.{code}"
    text = t(key, lang)
    return str(code) if text == key else text


def line_label(market: Any, channel_code: Any, lang: str, bucket_code: Any = None) -> str:
    """``US · Meta · performance`` — the bucket keeps lines of one channel apart."""
    parts = [str(market), channel(channel_code, lang)]
    if bucket_code and bucket_code != channel_code:
        parts.append(bucket(bucket_code, lang))
    return " · ".join(parts)


def plan_line_label(rec: dict[str, Any], lang: str) -> str:
    """A plan line's label: market · channel · bucket, and a test line's arm (several arms of
    one test share market, channel and bucket)."""
    text = line_label(rec.get("market"), rec.get("channel"), lang, rec.get("bucket"))
    arm = (rec.get("reason_args") or {}).get("arm") if isinstance(rec.get("reason_args"), dict) \
        else None
    return f"{text} · {arm}" if arm else text


def unique(names: list[str]) -> list[str]:
    """*names* with repeats numbered (``A``, ``A (2)``), so chart categories never merge."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _fmt_args(args: dict[str, Any], lang: str) -> dict[str, Any]:
    """The planner's own argument formatting (floats to 2 decimals, saturation whole, lists of
    trigger codes by name), done in the page's language."""
    out: dict[str, Any] = {}
    for k, v in (args or {}).items():
        if isinstance(v, float):
            out[k] = f"{v:.2f}" if k != "sat" else f"{v:.0f}"
        elif v is None:
            out[k] = "-"
        elif isinstance(v, list):
            out[k] = ", ".join(t(f"plan.trigger.{x}", lang) for x in v)
        elif k in _ARG_WORDS and t(f"web.arg.{k}_{v}", lang) != f"web.arg.{k}_{v}":
            out[k] = t(f"web.arg.{k}_{v}", lang)
        else:
            out[k] = retranslate(str(v), lang)
    return out


def reason(rec: dict[str, Any], lang: str) -> str:
    """A plan line's reason in *lang* (from its key and arguments when stored)."""
    key = rec.get("reason_key")
    if key:
        return t(str(key), lang, **_fmt_args(rec.get("reason_args") or {}, lang))
    return retranslate(str(rec.get("reason") or ""), lang)


@cache
def _patterns(prefixes: tuple[str, ...]) -> list[tuple[re.Pattern[str], str, list[str]]]:
    """Regexes for every message under *prefixes*, in every language, longest first."""
    out = []
    for lg in LANGUAGES:
        for key, text in catalog(lg).items():
            if not key.startswith(prefixes):
                continue
            names: list[str] = []
            parts = []
            try:
                parsed = list(string.Formatter().parse(text))
            except ValueError:
                continue
            for literal, field, _, _ in parsed:
                parts.append(re.escape(literal))
                if field is not None:
                    if not field.isidentifier() or field in names:
                        parts.append("(?:.+?)")
                        continue
                    names.append(field)
                    parts.append(f"(?P<{field}>.+?)")
            literal_len = sum(len(lit) for lit, *_ in parsed)
            if literal_len < 6:  # "{a} {b}" would match any text
                continue
            out.append((re.compile("^" + "".join(parts) + "$", re.S), key, names))
    out.sort(key=lambda p: -len(p[0].pattern))
    return out


def retranslate(text: str, lang: str, prefixes: Iterable[str] = NOTE_PREFIXES) -> str:
    """*text* rendered in *lang* when it is a known message of another language, else as is."""
    if not text or lang not in LANGUAGES:
        return text
    own = catalog(lang)
    for pattern, key, names in _patterns(tuple(prefixes)):
        m = pattern.match(text)
        if m is None:
            continue
        if own.get(key) is None:
            return text
        values = {n: _value(m.group(n), lang) for n in names}
        return t(key, lang, **values) if values else own[key]
    return text


_LINE = re.compile(r"^([A-Z]{2})/([a-z_]+)$")


def _value(v: str, lang: str) -> str:
    """A recovered argument in the page's language: ``DE/google_search`` → DE · Google Search."""
    m = _LINE.match(v)
    return line_label(m.group(1), m.group(2), lang) if m else v


def user_markup(key: str, lang: str, user: dict[str, Any], **values: Any) -> Any:
    """A message whose *user* arguments (rule, campaign, workspace names the seller wrote) are
    marked ``translate="no"``; every argument is escaped; returns safe markup."""
    from markupsafe import Markup, escape

    vals: dict[str, Any] = {k: v for k, v in values.items()}
    vals.update({k: Markup('<span translate="no">{}</span>').format(v) for k, v in user.items()})
    text = catalog(lang).get(key) or catalog("en").get(key, key)
    return Markup(escape(text)).format(**vals)


def notes(items: Iterable[Any], lang: str) -> list[str]:
    return [retranslate(str(n), lang) for n in items or []]


def metric_text(key: str, value: Any, lang: str) -> str:
    """``roas:last_7d`` 7.8 → "ROAS, last 7 days 7.80" (names from the glossary, any window)."""
    if not re.fullmatch(r"[a-z_]+(:[a-z_0-9]+)?", str(key)):  # not a metric name: as given
        return f"{key} {value}".strip()
    metric, _, window = str(key).partition(":")
    name = word("metric", metric, lang)
    m = re.fullmatch(r"last_(\d+)d", window)
    if m:
        name = t("web.metric_window.last", lang, metric=name, n=m.group(1))
    elif window:
        name = t("web.metric_window.other", lang, metric=name,
                 window=word("window_name", window, lang))
    shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return f"{name} {shown}".strip()
