"""What a cell we write may hold: the formula guard shared by every CSV and workbook the product writes.

A spreadsheet runs text starting with = + - @ (or a tab or carriage return) as
a formula, so imported text such as =HYPERLINK(...) would become live. Text
that starts so gets a leading apostrophe in CSV (the workbook writer marks the
cell as text with a quote prefix instead). Numbers and dates are ours, never
formulas, so a negative margin stays a number.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return text.startswith(FORMULA_START)


def safe_cell(value: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula; None is empty, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if starts_formula(text) else text


def safe_texts(values: np.ndarray) -> np.ndarray:
    """safe_cell of every text in a column (None: empty), as a numpy string array."""
    texts = np.array(
        ["" if v is None else str(v) for v in values] if values.dtype == object else values, dtype=str
    )
    if not len(texts):
        return texts
    guarded = np.zeros(len(texts), dtype=bool)
    for start in FORMULA_START:
        guarded |= np.strings.startswith(texts, start)
    return np.where(guarded, np.strings.add("'", texts), texts)
