"""Cells for spreadsheets: the one rule that keeps imported text from becoming a formula.

A spreadsheet runs a cell that starts with = + - @ (and, in some, a tab or a
carriage return before one) as a formula: `=HYPERLINK(...)`, `@SUM(A1)`,
`-2+3`. Every CSV the app and the command line write, and every text cell of
the review workbook, follows formula_like(); our own numbers and dates are
written as numbers, never prefixed, so a negative margin stays a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

import numpy as np

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read text as a formula."""
    return text.startswith(FORMULA_START)


def _guarded(text: str) -> str:
    guarded = "'" + text if formula_like(text) else text
    # the csv module quotes a cell holding the line terminator (\n) but not a lone \r: a line
    # break inside a cell is written as \n, so the cell is quoted and stays one cell
    return guarded.replace("\r\n", "\n").replace("\r", "\n")


def csv_cell(value: object) -> str:
    """One CSV cell: text that could be a formula gets a leading apostrophe (Excel's
    'this is text' mark); None is empty; dates are ISO; numbers are written as they
    are (the caller rounds them as they are shown: money to cents, fractions to 4 places)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _guarded(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",") -> str:
    """A whole CSV (header and rows, one line each), every cell through csv_cell()."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


_ODD = re.compile(r'^[=+\-@\t\r]|[,"\n\r]')  # a formula start, or what the csv module quotes
_QUOTED_MARKS = (",", '"', "\n", "\r")  # what the csv module quotes a cell for


def formula_starts(joined: str) -> list[int]:
    """Where texts joined by NULs start with what a spreadsheet reads as a formula (formula_like):
    the positions of those first characters, found by str.find (in C), not text by text."""
    found = [0] if joined.startswith(FORMULA_START) else []
    for start in FORMULA_START:
        at = joined.find("\x00" + start)
        while at >= 0:
            found.append(at + 1)
            at = joined.find("\x00" + start, at + 1)
    return found


def csv_texts(values: np.ndarray) -> list[str]:
    """csv_cell of every text in a column (None: empty), quoted as the csv module would:
    a column at a time, for tables of hundreds of thousands of rows."""
    texts = values.tolist()
    try:
        joined = "\x00".join(texts)
    except TypeError:  # a None or a number among them
        texts = ["" if v is None else str(v) for v in texts]
        joined = "\x00".join(texts)
    found = formula_starts(joined)
    for mark in _QUOTED_MARKS:  # str.find runs in C: a few passes over the column, not one per text
        at = joined.find(mark)
        while at >= 0:
            found.append(at)
            at = joined.find(mark, at + 1)
    if not found:
        return texts
    starts = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1) - 1
    starts = np.concatenate([[0], starts[:-1] + 1])
    for i in dict.fromkeys(np.searchsorted(starts, found, side="right").tolist()):
        text = texts[i - 1]  # a candidate: the search saw it through the joins; check it alone
        if _ODD.search(text):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow([_guarded(text)])
            texts[i - 1] = out.getvalue()[:-1]
    return texts


# -- a whole CSV from columns, written as bytes a column at a time ---------------------------
#
# Each column becomes a matrix of bytes, one column of the matrix per CSV row (so numpy fills
# each byte position of every row at once) and as many rows as its widest cell has bytes, the
# bytes that are not part of a cell (the padding) set to 0; the CSV is the columns stacked with
# the commas and newlines, read row after row, every 0 byte dropped. numpy and bytes.replace do
# it in C, without a Python string per cell. A text holding a NUL cannot be written this way
# (has_nul): its caller writes the CSV cell by cell instead.

PAD = 0


def has_nul(texts: Sequence[str]) -> bool:
    """Whether any text holds a NUL character, which cell matrices use as their padding."""
    return "\0" in "".join(texts)


def text_cells(texts: Sequence[str] | np.ndarray) -> np.ndarray:
    """The cells of texts that are CSV fields already (csv_texts, or words that need no
    quoting), as a byte matrix (bytes x rows) padded with PAD; no text may hold a NUL."""
    if isinstance(texts, np.ndarray) and texts.dtype.kind == "S":
        encoded = texts
    elif "".join(texts).isascii():
        encoded = np.array(texts, dtype=bytes)  # numpy encodes ASCII itself
    else:
        encoded = np.array([t.encode() for t in texts], dtype=bytes)
    if not len(encoded) or encoded.dtype.itemsize == 0:
        return np.zeros((0, len(encoded)), np.uint8)
    return encoded.view(np.uint8).reshape(len(encoded), encoded.dtype.itemsize).T


def date_cells(days: np.ndarray) -> np.ndarray:
    """The cells of dates (datetime64[D]) as ISO texts, 2026-06-30 (NaT as NaT), as a byte
    matrix (bytes x rows); years 1000 to 9999."""
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    parts = (
        years.astype(np.int64) + 1970,
        months.astype(np.int64) - years.astype("datetime64[M]").astype(np.int64) + 1,
        (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )
    matrix = np.empty((10, len(days)), dtype=np.uint8)
    matrix[4] = matrix[7] = ord("-")
    for number, (first, width) in zip(parts, ((0, 4), (5, 2), (8, 2)), strict=True):
        rest = np.where(np.isnat(days), 0, number)
        for k in range(first + width - 1, first - 1, -1):
            matrix[k] = rest % 10 + ord("0")
            rest //= 10
    missing = np.isnat(days)
    if missing.any():
        matrix[:, missing] = PAD
        matrix[:3, missing] = np.frombuffer(b"NaT", np.uint8)[:, None]
    return matrix


def decimal_cells(values: np.ndarray, places: int, negative: np.ndarray | None = None,
                  present: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """The cells of exact integers in units of 10^-places (cents: places 2) as plain decimals,
    1234.56, -0.05, 0.0000, as a byte matrix (bytes x rows) padded with PAD. negative marks a
    value that rounded to zero from below ("-0.00"); where present is False the cell is empty.
    Exact for every int64."""
    values = np.asarray(values, dtype=np.int64)
    rows = len(values)
    magnitude = np.abs(values).astype(np.uint64)  # int64's minimum wraps to 2^63, its magnitude
    width = max(len(str(int(magnitude.max()))) if rows else 1, places + 1)
    sign = values < 0 if negative is None else (values < 0) | np.asarray(negative, dtype=bool)
    point = 1 if places else 0
    matrix = np.empty((1 + width + point, rows), dtype=np.uint8)
    matrix[0] = np.where(sign, ord("-"), PAD)
    rest = magnitude.copy()
    integer_end = 1 + width - places
    for k in range(width - 1, -1, -1):
        matrix[1 + k + (point if k >= width - places else 0)] = rest % 10 + ord("0")
        rest //= 10
    if point:
        matrix[integer_end] = ord(".")
    # the integer part from its first digit not 0, keeping the last (0.05)
    leading = np.ones(rows, dtype=bool)
    for k in range(1, integer_end - 1):
        leading &= matrix[k] == ord("0")
        matrix[k][leading] = PAD
    if present is not None:
        matrix[:, ~np.asarray(present, dtype=bool)] = PAD
    return matrix


ROWS_AT_ONCE = 8192  # rows turned from columns into lines at once: a block that stays in cache


def csv_bytes(header: Sequence[str], columns: Sequence[np.ndarray]) -> bytes:
    """The CSV of these cell matrices (UTF-8): the header, then one line per row, the cells
    joined by commas, each line ending in a newline."""
    rows = columns[0].shape[1] if columns else 0
    comma = np.full((1, rows), ord(","), np.uint8)
    parts: list[np.ndarray] = []
    for i, column in enumerate(columns):
        parts += [comma, column] if i else [column]
    parts.append(np.full((1, rows), ord("\n"), np.uint8))
    body = [(",".join(header) + "\n").encode()]
    for start in range(0, rows, ROWS_AT_ONCE):
        block = np.vstack([part[:, start : start + ROWS_AT_ONCE] for part in parts])
        body.append(np.ascontiguousarray(block.T).tobytes().replace(b"\0", b""))
    return b"".join(body)
