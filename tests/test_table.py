"""The summary table: the column-wise CSV is what the csv module writes from the same rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from budgetcore import cells
from budgetcore.figures import frame, table
from budgetcore.figures.frame import SUMMARY_COLUMNS
from budgetcore.figures.metrics import ContractInputs

D = Decimal
BASE = ContractInputs(
    contract_number="K-1", customer="Alpha", name=None, type="preventive", account_manager=None,
    start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), notice_period_days=30, auto_renew=False,
    contract_value=D("1000"), planned_visits=None, terminated_on=None, actual_labour=D("0"),
    actual_material=D("0"), actual_hours=D("0"), visits_done=0, budget_lines=1, budget_labour=D("1000"),
    budget_material=D("0"), budget_other=D("0"), budget_hours=D("0"), planned_to_date=D("500"),
)  # fmt: skip
CASES = [
    {},
    {"contract_number": "K,2", "customer": 'He said "hi"'},
    {"contract_number": "=HYPERLINK(1)", "customer": "line\nbreak"},
    {"contract_number": "+31", "customer": "-2+3", "actual_labour": D("-0.004")},  # -0.00
    {"contract_number": "@SUM(A1)", "customer": "\ttab", "actual_labour": D("1234567.895")},
    {"contract_number": "K-6", "customer": "cr\rhere", "budget_lines": 0, "contract_value": None},
    {"contract_number": "K-7", "customer": "Ça va, €", "actual_material": D("999999999.995")},
]


def _expected(chosen: frame.PortfolioFrame, positions=None) -> str:
    """The same rows cell by cell through cells.csv_text (the csv module)."""
    rows = table.rows(chosen, positions)
    return cells.csv_text(SUMMARY_COLUMNS, [[row[c] for c in SUMMARY_COLUMNS] for row in rows])


def test_csv_text_is_what_the_csv_module_writes() -> None:
    inputs = [dataclasses.replace(BASE, **changes) for changes in CASES]
    chosen = frame.from_inputs(inputs, dt.date(2026, 6, 30))
    text = table.csv_text(chosen)
    assert text == _expected(chosen)
    assert "'=HYPERLINK(1)" in text and ",-0.00," in text  # guarded; a tiny credit prints as -0.00
    order = [3, 0, 6]
    assert table.csv_text(chosen, order) == _expected(chosen, order)
    assert table.csv_text(chosen, []) == ",".join(SUMMARY_COLUMNS) + "\n"


def test_a_text_holding_a_nul_is_written_by_the_csv_module() -> None:
    # no import lets a NUL in (it is the cell matrices' padding); a database changed by hand might
    inputs = [BASE, dataclasses.replace(BASE, contract_number="K-2", customer="nul\x00here")]
    chosen = frame.from_inputs(inputs, dt.date(2026, 6, 30))
    assert table.csv_text(chosen) == _expected(chosen)
    assert "nul\x00here" in table.csv_text(chosen)


@pytest.mark.parametrize("places", [0, 2, 4])
@pytest.mark.parametrize(
    "value, negative",
    [(0, False), (0, True), (5, False), (-5, True), (99, False), (100, False), (-100, True),
     (123456789012, False), (-(2**63) + 1, True), (2**63 - 1, False), (-(2**63), True)],
)  # fmt: skip
def test_decimal_cells_write_each_integer_exactly(value: int, negative: bool, places: int) -> None:
    unit = 10**places
    whole, part = divmod(abs(value), unit)
    expected = ("-" if negative else "") + (f"{whole}.{part:0{places}d}" if places else str(whole))
    matrix = cells.decimal_cells(np.array([value, 7], dtype=np.int64), places, np.array([negative, False]))
    assert cells.csv_bytes(["x"], [matrix]).decode().split("\n")[1] == expected
    empty = cells.decimal_cells(np.array([value]), places, present=np.array([False]))
    assert cells.csv_bytes(["x"], [empty]) == b"x\n\n"


def test_date_cells_write_every_day_as_numpy_does() -> None:
    days = np.concatenate(
        [
            np.arange(np.datetime64("1900-01-01"), np.datetime64("2200-01-01")),
            np.array(["NaT"], "datetime64[D]"),
        ]
    )
    lines = cells.csv_bytes(["day"], [cells.date_cells(days)]).decode().split("\n")[1:-1]
    assert lines == days.astype(str).tolist()
