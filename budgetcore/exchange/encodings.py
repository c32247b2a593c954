"""The encoding of a CSV file: decided once for the whole file, from every byte.

UTF-8 or Windows-1252 (what Dutch exports write), UTF-16 with or without a BOM.
A file that mixes UTF-8 and Windows-1252 is refused rather than read with one
of them, which would store `cafÃ©` for café. Also decode_utf8 and mended, which read a stray
byte in UTF-8 text as Windows-1252 (the columnar reader's UTF-8 chunks, the row reader).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import IO

from budgetcore.i18n import N_

MIXED = N_(
    "mixed encodings: line {line} is written in {other}, line {first} in {encoding}; save the file in one encoding"
)
MESSAGES = (MIXED,)


class MixedEncodingError(ValueError):
    """A file in two encodings: an English message template and its values, for translation."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(template.format(**self.params))


# A byte that is not UTF-8 in an otherwise UTF-8 file is read as Windows-1252. Python's own
# "surrogateescape" handler keeps such a byte as the lone surrogate U+DC80..U+DCFF (no handler of
# ours registered for the whole process); mended() then writes it as Windows-1252 does.
UTF8_ERRORS = "surrogateescape"
_CP1252_OF_ESCAPED = {0xDC00 + b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0x100)}


def mended(text: str) -> str:
    """text decoded as UTF-8 with UTF8_ERRORS, its escaped bytes read as Windows-1252."""
    return text if text.isascii() else text.translate(_CP1252_OF_ESCAPED)


def decode_utf8(data: bytes) -> str:
    """data as UTF-8, a byte that is not UTF-8 read as Windows-1252 (as cp1252, errors="replace")."""
    return mended(data.decode("utf-8", UTF8_ERRORS))


def detect_encoding(sample: bytes) -> str:
    """From a file's first bytes: utf-8-sig with a BOM, utf-16 with its BOM, utf-16-le/-be
    without one (every other byte NUL), utf-8 when the sample decodes, else cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and even.count(0) + odd.count(0) >= len(sample) // 3:  # text has no NULs
        return "utf-16-be" if even.count(0) > odd.count(0) else "utf-16-le"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4 and exc.reason == "unexpected end of data":
            return "utf-8"  # a character cut at the sample's end
        return "cp1252"


# a character of two to four bytes as UTF-8 writes it: in a Windows-1252 file, text written
# as UTF-8 (cafÃ© where café was meant)
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_BLOCK = 8 << 20  # bytes read at a time to decide the encoding


def _lines(stream: IO[bytes], first: bytes = b"") -> Iterator[bytes]:
    """The rest of stream in blocks of whole lines (a character never spans a line break)."""
    carry = first
    while True:
        block = stream.read(_BLOCK)
        data = carry + block
        if not block:
            if data:
                yield data
            return
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]


def _first_non_ascii(data: bytes, line: int, end: int) -> int:
    """The line number of data's first byte above 127 before end (data starts on line); 0 if none."""
    if end == len(data) and data.isascii():  # most exports: one C pass, no regex
        return 0
    found = _NON_ASCII.search(data, 0, end)
    return line + data.count(b"\n", 0, found.start()) if found else 0


def decide_encoding(stream: IO[bytes]) -> str:
    """The one encoding of a whole file, checked on every byte (stream seekable, left where it was).

    A BOM decides (UTF-8, UTF-16), as do NULs in every other byte (UTF-16 without a BOM);
    otherwise UTF-8 when every byte decodes as UTF-8, else Windows-1252. A file that mixes
    the two raises MixedEncodingError naming the first line not in the encoding of the lines
    before it (lines count from 1, the header's).
    """
    start = stream.tell()
    try:
        guess = detect_encoding(stream.read(65536))
        if guess.startswith("utf-16"):
            return guess
        stream.seek(start)
        line, first_utf8, blocks = 1, 0, _lines(stream)
        for data in blocks:
            end = _utf8_end(data)
            first_utf8 = first_utf8 or _first_non_ascii(data, line, end)
            if end == len(data):
                line += data.count(b"\n")
                continue
            bad = line + data.count(b"\n", 0, end)  # the first line that is not UTF-8
            if first_utf8:
                raise MixedEncodingError(
                    MIXED, line=bad, other="Windows-1252", first=first_utf8, encoding="UTF-8"
                )
            line = bad
            for part in (data[data.rfind(b"\n", 0, end) + 1 :], *blocks):  # Windows-1252 from here on
                found = _UTF8_SEQUENCE.search(part)
                if found:
                    at = line + part.count(b"\n", 0, found.start())
                    raise MixedEncodingError(
                        MIXED, line=at, other="UTF-8", first=bad, encoding="Windows-1252"
                    )
                line += part.count(b"\n")
            return "cp1252"
        return guess if guess == "utf-8-sig" else "utf-8"
    finally:
        stream.seek(start)


def _utf8_end(data: bytes) -> int:
    """How many of data's first bytes decode as UTF-8 (all of them: len(data))."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)
