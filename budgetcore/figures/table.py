"""The summary table: one row per contract as `summary` and `renewals` print it, from the engine's columns.

Money in cents as plain decimals (1234.56), fractions to 4 places (0.8734),
dates ISO, empty where undefined; text guarded against formulas (cells.py).
csv_text builds the whole CSV a column at a time (what the command line writes
for 175,000 contracts); rows gives the same values as dicts (JSON, the table
format, exports). Both print frame.summary_row's values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from budgetcore import cells, i18n
from budgetcore.figures import frame
from budgetcore.figures.frame import SHOWN, SUMMARY_COLUMNS, PortfolioFrame
from budgetcore.figures.metrics import STATUSES


def rows(
    chosen: PortfolioFrame, positions: Sequence[int] | np.ndarray | None = None
) -> list[dict[str, object]]:
    """The rows at these positions (all, in order, by default) as dicts of SUMMARY_COLUMNS."""
    wanted = range(len(chosen)) if positions is None else positions
    return [frame.summary_row(chosen, int(i)) for i in wanted]


def _decimals(c: dict[str, np.ndarray], name: str, places: int, rows: np.ndarray) -> np.ndarray:
    """The cells of the integers in column name (cents or ten-thousandths) as decimal texts,
    empty where undefined (cells.decimal_cells)."""
    has = c.get(f"has_{name}")
    return cells.decimal_cells(
        c[name][rows], places, c[f"neg_{name}"][rows], None if has is None else has[rows]
    )


def _words(words: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """The cells of a column of a few words (statuses, methods) by their codes."""
    return cells.text_cells(list(words))[:, codes]


def csv_text(chosen: PortfolioFrame, positions: np.ndarray | None = None) -> str:
    """The CSV the command line prints: a header, then the rows at these positions (all, in order).

    Written a column at a time from the engine's integers (cells.csv_bytes): no Python object
    per figure; a text holding a NUL character, which no import lets in, is written by the
    csv module instead."""
    rows_ = np.arange(len(chosen)) if positions is None else np.asarray(positions, dtype=np.int64)
    if not len(rows_):
        return ",".join(SUMMARY_COLUMNS) + "\n"
    c = chosen.columns
    texts = {name: cells.csv_texts(c[name][rows_]) for name in ("contract_number", "customer")}
    if any(cells.has_nul(column) for column in texts.values()):
        return cells.csv_text(SUMMARY_COLUMNS, [frame.summary_row(chosen, int(i)).values() for i in rows_])
    methods = frame.method_names(chosen, rows_)
    named = list(dict.fromkeys(methods))
    codes = {name: i for i, name in enumerate(named)}
    fields = {
        "contract_number": cells.text_cells(texts["contract_number"]),
        "customer": cells.text_cells(texts["customer"]),
        "status": _words(STATUSES, c["status"][rows_]),
        "forecast_method": _words(named, np.array([codes[m] for m in methods], dtype=np.int64)),
        "end_date": cells.date_cells(c["end_date"][rows_]),
        "notice_deadline": cells.date_cells(c["notice_deadline"][rows_]),
        "days_to_end": cells.decimal_cells(c["days_to_end"][rows_], 0),
    }
    for column, (name, places) in SHOWN.items():
        fields[column] = _decimals(c, name, places, rows_)
    return cells.csv_bytes(SUMMARY_COLUMNS, [fields[column] for column in SUMMARY_COLUMNS]).decode()


# renewals --format csv|json and the Renewals page's CSV: the summary, then the advice
# (frame.advice_row), its reason and the decision
RENEWAL_COLUMNS = (*SUMMARY_COLUMNS, *frame.ADVICE_COLUMNS, "reason", "decision")


def renewal_rows(
    chosen: PortfolioFrame,
    positions: Sequence[int] | np.ndarray,
    decided: dict[str, str],
    lang: str = i18n.DEFAULT_LANGUAGE,
    currency: str = "EUR",
) -> list[dict[str, object]]:
    """The rows at these positions as dicts of RENEWAL_COLUMNS; decided: contract number -> the
    current decision's action ('' without one); the reason in lang with money in currency."""
    found = []
    every = chosen.figures(positions)
    for i, f in zip(positions, every, strict=True):
        row = frame.summary_row(chosen, int(i)) | frame.advice_row(chosen, int(i))
        row["reason"] = f.suggestion.text(lang, currency)[1]
        row["decision"] = decided.get(str(row["contract_number"]), "")
        found.append(row)
    return found


def renewals_csv(
    chosen: PortfolioFrame,
    positions: np.ndarray,
    decided: dict[str, str],
    lang: str = i18n.DEFAULT_LANGUAGE,
    currency: str = "EUR",
) -> str:
    """The CSV of `renewals` and of the Renewals page: csv_text's columns, then the advice, its
    reason (in lang, money in currency) and the decision."""
    extra = [c for c in RENEWAL_COLUMNS if c not in SUMMARY_COLUMNS]
    lines = csv_text(chosen, positions).rstrip("\n").split("\n")
    header, body = lines[0], lines[1:]
    rows_ = renewal_rows(chosen, positions, decided, lang, currency)
    tails = cells.csv_text(extra, [[r[c] for c in extra] for r in rows_]).rstrip("\r\n").splitlines()
    return (
        "\n".join([header + "," + tails[0], *(b + "," + t for b, t in zip(body, tails[1:], strict=True))])
        + "\n"
    )
