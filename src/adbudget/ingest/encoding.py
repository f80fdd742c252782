"""Bytes to text for every encoding a seller's export comes in, without being told which.

Order of trial (documented in docs/ingest.md):

1. a byte-order mark decides: UTF-8-BOM, UTF-16 LE/BE (Excel "Unicode text");
2. UTF-16 without a BOM, when every other byte of the start is zero;
3. strict UTF-8 (ASCII included);
4. otherwise the Chinese legacy code pages Excel writes on Windows: GB18030 (a superset of
   GBK and GB2312, mainland China) and Big5 (cp950, Taiwan and Hong Kong). Both decode many
   byte strings, so each decoding is scored by the share of its non-ASCII characters that are
   *common* characters of that encoding (GB2312 hanzi and CJK punctuation for GB18030, Big5
   level-1 hanzi and symbols for Big5). Real text scores near 1; the same bytes read in the
   wrong code page score about 0.4-0.6. The better score wins if it reaches ``MIN_SCORE``.

Anything else is refused with the byte offset (and line) of the first undecodable byte. A file
cut inside a multi-byte character says so. A general-purpose detector (charset-normalizer)
was not used: on exports that are mostly ASCII with a few Chinese names it guesses between
dozens of code pages, where this trial only has to tell four apart.
"""

from __future__ import annotations

import codecs
from collections import Counter

from adbudget.errors import InputError
from adbudget.i18n import t

MIN_SCORE = 0.8
_LEGACY = ("gb18030", "cp950")
_NAMES = {"gb18030": "GB18030", "cp950": "Big5"}


def _line_at(data: bytes, offset: int, newline: bytes = b"\n") -> int:
    return data[:offset].count(newline) + 1


def _bad_bytes(data: bytes, file: str, offset: int, encoding: str, newline: bytes = b"\n",
               truncated: bool = False) -> InputError:
    line = _line_at(data, offset, newline)
    key = "ingest.decode.truncated" if truncated else "ingest.decode.invalid"
    return InputError(t(key, encoding=encoding, offset=offset, byte=f"0x{data[offset]:02X}"
                        if offset < len(data) else "EOF"), file=file, line=line)


def _utf16(data: bytes, file: str, codec: str, start: int) -> str:
    body = data[start:]
    newline = "\n".encode(codec)
    if len(body) % 2:
        raise _bad_bytes(data, file, len(data) - 1, "UTF-16", newline, truncated=True)
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise _bad_bytes(data, file, start + exc.start, "UTF-16", newline,
                         truncated=exc.end >= len(body)) from None


def _score(text: str, codec: str) -> float:
    """Share of non-ASCII characters that are common characters of *codec*."""
    counts = Counter(ch for ch in text if ord(ch) > 0x7F)
    total = sum(counts.values())
    if not total:
        return 1.0
    return sum(n for ch, n in counts.items() if _is_common(ch, codec)) / total


def _is_common(ch: str, codec: str) -> bool:
    try:
        if codec == "gb18030":
            raw = ch.encode("gb2312")
            # GB2312 rows 0xA1-0xA3 (punctuation, full-width forms) and 0xB0-0xF7 (hanzi)
            return len(raw) == 2 and (0xA1 <= raw[0] <= 0xA3 or 0xB0 <= raw[0] <= 0xF7)
        raw = ch.encode("cp950")
        # Big5 0xA1-0xA3 (symbols) and 0xA4-0xC6 (level-1, frequently used hanzi)
        return len(raw) == 2 and 0xA1 <= raw[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def decode_bytes(data: bytes, file: str) -> str:
    """Bytes of a text export to str (see the module docstring for the order of trial)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad_bytes(data, file, 3 + exc.start, "UTF-8",
                             truncated=exc.end >= len(data) - 3) from None
    if data.startswith(codecs.BOM_UTF16_LE):
        return _utf16(data, file, "utf-16-le", 2)
    if data.startswith(codecs.BOM_UTF16_BE):
        return _utf16(data, file, "utf-16-be", 2)
    head = data[:4096]
    half = len(head) // 2
    odd, even = head[1::2].count(0), head[0::2].count(0)  # ASCII in UTF-16 LE: a zero every odd byte
    if half > 2 and odd > half // 5 and even < half // 20:
        return _utf16(data, file, "utf-16-le", 0)
    if half > 2 and even > half // 5 and odd < half // 20:
        return _utf16(data, file, "utf-16-be", 0)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if utf8_error.end >= len(data) and utf8_error.reason == "unexpected end of data":
        # valid UTF-8 up to a character cut in half at the very end: a truncated file
        raise _bad_bytes(data, file, utf8_error.start, "UTF-8", truncated=True)
    best: tuple[float, str, str] | None = None
    cut: tuple[str, int] | None = None
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            if exc.end >= len(data) and _score(data[:exc.start].decode(codec, "replace"), codec) >= MIN_SCORE:
                cut = cut or (codec, exc.start)
            continue
        score = _score(text, codec)
        if best is None or score > best[0]:
            best = (score, codec, text)
    if best is not None and best[0] >= MIN_SCORE:
        return best[2]
    if cut is not None:
        raise _bad_bytes(data, file, cut[1], _NAMES[cut[0]], truncated=True)
    raise _bad_bytes(data, file, utf8_error.start, "UTF-8 / UTF-16 / GB18030 / Big5")


__all__ = ["MIN_SCORE", "decode_bytes"]
