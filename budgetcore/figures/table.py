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


def _decimals(c: dict[str, np.ndarray], name: str, places: int, rows: np.ndarray) -> list[str]:
    """The integers in column name (cents or ten-thousandths) as decimal texts, empty where undefined.

    Below 2^45 units the nearest float64 to value / 10^places formats back to exactly
    those digits ("-0.00" for a value that rounds to zero from below); larger values
    are written from their integers.
    """
    values = c[name][rows]
    negative = c[f"neg_{name}"][rows]
    unit = 10**places
    if len(values) and np.abs(values).max() < 2**45:
        scaled = values / unit
        scaled = np.where(negative & (values == 0), -0.0, scaled)
        texts = list(map(f"{{:.{places}f}}".format, scaled.tolist()))
    else:
        texts = [
            ("-" if neg else "") + f"{abs(v) // unit}.{abs(v) % unit:0{places}d}"
            for v, neg in zip(values.tolist(), negative.tolist(), strict=True)
        ]
    has = c.get(f"has_{name}")
    if has is not None:
        for i in np.flatnonzero(~has[rows]):
            texts[i] = ""
    return texts


def csv_text(chosen: PortfolioFrame, positions: np.ndarray | None = None) -> str:
    """The CSV the command line prints: a header, then the rows at these positions (all, in order)."""
    rows_ = np.arange(len(chosen)) if positions is None else np.asarray(positions, dtype=np.int64)
    header = ",".join(SUMMARY_COLUMNS) + "\n"
    if not len(rows_):
        return header
    c = chosen.columns
    fields = {
        "contract_number": cells.csv_texts(c["contract_number"][rows_]),
        "customer": cells.csv_texts(c["customer"][rows_]),
        "status": np.asarray(STATUSES)[c["status"][rows_]].tolist(),
        "forecast_method": frame.method_names(chosen, rows_),
        "end_date": c["end_date"][rows_].astype(str).tolist(),
        "notice_deadline": c["notice_deadline"][rows_].astype(str).tolist(),
        "days_to_end": list(map(str, c["days_to_end"][rows_].tolist())),
    }
    for column, (name, places) in SHOWN.items():
        fields[column] = _decimals(c, name, places, rows_)
    columns = [fields[column] for column in SUMMARY_COLUMNS]
    return header + "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


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
