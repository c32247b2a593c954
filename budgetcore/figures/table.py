"""The summary table: one row per contract as `summary` and `renewals` print it, from the engine's columns.

Money in cents as plain decimals (1234.56), fractions to 4 places (0.8734),
dates ISO, empty where undefined; text guarded against formulas (cells.py).
csv_text builds the whole CSV a column at a time (what the command line writes
for 175,000 contracts); rows gives the same values as dicts (JSON, the table
format, exports). Both print frame.summary_row's values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from budgetcore.cells import safe_texts
from budgetcore.figures import frame
from budgetcore.figures.frame import METHODS, SHOWN, SUMMARY_COLUMNS, PortfolioFrame
from budgetcore.figures.metrics import STATUSES

_TWO = np.array([f".{n:02d}" for n in range(100)])
_FOUR = np.array([f".{n:04d}" for n in range(10_000)])
_QUOTED = (",", '"', "\r", "\n")  # what makes the csv module quote a field


def rows(
    chosen: PortfolioFrame, positions: Sequence[int] | np.ndarray | None = None
) -> list[dict[str, object]]:
    """The rows at these positions (all, in order, by default) as dicts of SUMMARY_COLUMNS."""
    wanted = range(len(chosen)) if positions is None else positions
    return [frame.summary_row(chosen, int(i)) for i in wanted]


def _decimals(c: dict[str, np.ndarray], name: str, places: int, rows: np.ndarray) -> np.ndarray:
    """The integers in column name (cents or ten-thousandths) as decimal texts, empty where undefined."""
    values = c[name][rows]
    negative = c[f"neg_{name}"][rows]
    magnitude = np.where(negative, -values, values)
    unit = 10**places
    whole = (magnitude // unit).astype(str)
    part = (magnitude % unit).astype(np.int64)
    text = np.strings.add(whole, (_TWO if places == 2 else _FOUR)[part])
    text = np.where(negative, np.strings.add("-", text), text)
    has = c.get(f"has_{name}")
    return text if has is None else np.where(has[rows], text, "")


def _text(values: np.ndarray) -> np.ndarray:
    """Imported text as CSV fields: guarded against formulas, quoted where csv would quote."""
    texts = safe_texts(values)
    if not len(texts):
        return texts
    quote = np.zeros(len(texts), dtype=bool)
    for mark in _QUOTED:
        quote |= np.strings.find(texts, mark) >= 0
    if quote.any():
        texts = texts.astype(object)
        for i in np.flatnonzero(quote):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow([texts[i]])
            texts[i] = out.getvalue()[:-1]
    return texts.astype(str)


def csv_text(chosen: PortfolioFrame, positions: np.ndarray | None = None) -> str:
    """The CSV the command line prints: a header, then the rows at these positions (all, in order)."""
    rows_ = np.arange(len(chosen)) if positions is None else np.asarray(positions, dtype=np.int64)
    header = ",".join(SUMMARY_COLUMNS) + "\n"
    if not len(rows_):
        return header
    c = chosen.columns
    fields = {
        "contract_number": _text(c["contract_number"][rows_]),
        "customer": _text(c["customer"][rows_]),
        "status": np.asarray(STATUSES)[c["status"][rows_]],
        "forecast_method": np.asarray(METHODS)[c["method"][rows_]],
        "end_date": c["end_date"][rows_].astype(str),
        "notice_deadline": c["notice_deadline"][rows_].astype(str),
        "days_to_end": c["days_to_end"][rows_].astype(str),
    }
    for column, (name, places) in SHOWN.items():
        fields[column] = _decimals(c, name, places, rows_)
    lines = fields[SUMMARY_COLUMNS[0]]
    for column in SUMMARY_COLUMNS[1:]:
        lines = np.strings.add(np.strings.add(lines, ","), fields[column])
    return header + "\n".join(lines.tolist()) + "\n"
