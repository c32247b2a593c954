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


_QUOTED = (",", '"', "\n")  # what makes the csv module quote a field (a \r is written as \n)


def csv_texts(values: np.ndarray) -> list[str]:
    """csv_cell of every text in a column (None: empty), quoted as the csv module would:
    a column at a time, for tables of hundreds of thousands of rows."""
    texts = np.array(
        ["" if v is None else str(v) for v in values] if values.dtype == object else values, dtype=str
    )
    if not len(texts):
        return []
    odd = np.zeros(len(texts), dtype=bool)  # a formula start, a \r, or something to quote
    for start in FORMULA_START:
        odd |= np.strings.startswith(texts, start)
    for mark in (*_QUOTED, "\r"):
        odd |= np.strings.find(texts, mark) >= 0
    result = texts.tolist()
    for i in np.flatnonzero(odd):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([_guarded(result[i])])
        result[i] = out.getvalue()[:-1]
    return result
