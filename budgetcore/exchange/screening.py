"""The import's rules across rows and files, a chunk at a time: which rows are certainly clean.

A screen never words a problem. It marks the rows that would pass
validation.check without an error or a finding; every other row goes through
validation.RowValidator in row order, which records exactly today's messages
and keeps the state (known keys, terms, duplicates) the rules read. Clean
rows are handed on together, and their state is recorded in bulk.

Contracts and budgets (a few percent of the rows) only have their cells
converted a column at a time; their records then take the row-wise rules.
Work orders and hour and material lines, the bulk of an import, are screened
as whole columns and leave as writer Batches.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from budgetcore.exchange.columnar import UNITS, Chunk, Converted
from budgetcore.exchange.formats import MAX_LINE_COST
from budgetcore.exchange.writer import BATCH_COLUMNS, SALES_PRICE, Batch, Writer

if TYPE_CHECKING:
    from budgetcore.exchange.validation import RowValidator

_EPOCH = dt.date(1970, 1, 1)
_MISSING = object()
_ANY_DAY = (np.iinfo(np.int64).min, np.iinfo(np.int64).max)  # the bounds of a line without a known term
_LINE_COST_UNITS = int(MAX_LINE_COST) * UNITS * UNITS  # |quantity x rate| in 1e-12 units
_EXACT_PRODUCT = 9.0e18  # below this (as a float) the product of two millionths fits int64
_SCREENED = {"work_orders", "hours", "materials"}


def validate(chunk: Chunk, validator: RowValidator) -> Iterator[dict[str, object] | Batch]:
    """The valid rows of one chunk, records and Batches, in the order the writer may take them."""
    converted = chunk.converted  # columnar.read converted the mapped columns
    assert converted is not None
    ok = ~chunk.odd
    for column in converted.values():
        ok &= column.ok
    if validator.entity in _SCREENED and ok.all():
        clean = _SCREENS[validator.entity](converted, validator, chunk)
        others = {i: _row(chunk, validator, i) for i in np.flatnonzero(~clean).tolist()}
        records = {i: record for i, record in others.items() if record is not None}
        if clean.any() or records:
            yield _batch(validator.entity, converted, clean, records)
        return
    yield from _records(chunk, validator, converted, ok)


def _row(chunk: Chunk, validator: RowValidator, index: int) -> dict[str, object] | None:
    """Row index of the chunk through the row-wise path (a blank row is skipped, as csv_rows does)."""
    cells = chunk.cells(index)
    if not any(c.strip() for c in cells):  # type: ignore[union-attr]
        return None
    return validator.row(chunk.first_row + index, cells)


def _records(
    chunk: Chunk, validator: RowValidator, converted: dict[str, Converted], ok: np.ndarray
) -> Iterator[dict[str, object]]:
    """Row by row in order: converted values where the cells were fine, parse_value elsewhere."""
    names = list(converted)
    values = [converted[n].values() for n in names]
    for index, fine in enumerate(ok.tolist()):
        if fine:
            record = validator.accept(
                chunk.first_row + index, dict(zip(names, (v[index] for v in values), strict=True))
            )
        else:
            record = _row(chunk, validator, index)
        if record is not None:
            yield record


def _batch(
    entity: str, converted: dict[str, Converted], clean: np.ndarray, records: dict[int, dict[str, object]]
) -> Batch:
    """The clean rows, and the records the row-wise path made of others, in the order of the file."""
    keep = clean.copy()
    keep[list(records)] = True
    spliced = Writer.batch_of(entity, list(records.values())).columns
    columns: dict[str, list] = {}
    for name in BATCH_COLUMNS[entity]:
        if name == "cost":
            values = line_cost(converted, entity).tolist()
        elif name == "revenue":
            values = line_revenue(converted, entity)
        elif name in converted:
            values = converted[name].stored()
        else:  # an optional column the file does not have
            values = [None] * len(clean)
        for index, value in zip(records, spliced[name], strict=True):
            values[index] = value
        columns[name] = values if keep.all() else list(itertools.compress(values, keep.tolist()))
    return Batch(entity, columns)


# -- the screens ---------------------------------------------------------------


def _unique_keys(strings: pa.Array) -> tuple[list[str], np.ndarray]:
    """The distinct values and, per row, the index of its value among them."""
    distinct = pc.unique(strings)
    return distinct.to_pylist(), pc.index_in(strings, value_set=distinct).to_numpy()


def _work_orders(converted: dict[str, Converted], validator: RowValidator, chunk: Chunk) -> np.ndarray:
    """Clean: a unique new number under a known contract (else a duplicate, an unknown contract or a finding)."""
    known = validator.known
    numbers = converted["work_order_number"].strings
    distinct, index = _unique_keys(numbers)
    clean = np.bincount(index, minlength=len(distinct))[index] == 1
    seen = known.seen["work_orders"]
    clean &= np.array([n not in seen for n in distinct], dtype=bool)[index]
    if "contract_number" in converted:
        contracts = converted["contract_number"]
        names, where = _unique_keys(contracts.strings)
        known.contract_terms.prefetch(names)
        listed = np.array([bool(n) and known.contract_known(n) for n in names], dtype=bool)
        clean &= listed[where]
        contract_numbers = [names[j] for j in where.tolist()]  # one str per contract, not per row: memory
    else:
        clean[:] = False  # every work order is "not under a contract": a finding per row
        contract_numbers = []
    rows = np.flatnonzero(clean).tolist()
    number_list = numbers.to_pylist()
    file = validator.table.file
    known.work_orders.update((number_list[i], contract_numbers[i]) for i in rows)
    seen.update((number_list[i], (file, chunk.first_row + i)) for i in rows)
    return clean


def _lines(converted: dict[str, Converted], validator: RowValidator, chunk: Chunk) -> np.ndarray:
    """Clean: a known work order, a cost below the limit, a rate above zero, dated in its contract's term."""
    known = validator.known
    quantity, rate = _QUANTITY_RATE[validator.entity]
    distinct, index = _unique_keys(converted["work_order_number"].strings)
    contracts = known.work_orders.get_many(distinct, _MISSING)
    listed = np.array(
        [c is not _MISSING or known.work_order_known(n) for n, c in zip(distinct, contracts, strict=True)],
        dtype=bool,
    )
    # each contract's term once, as day numbers; "" stands for no contract (no term)
    names = list({c or "" for c in contracts if c is not _MISSING})
    days_of = {
        name: ((term[0] - _EPOCH).days, (term[1] - _EPOCH).days)  # type: ignore[index]
        for name, term in zip(names, known.contract_terms.get_many(names), strict=True)
        if term is not None
    }
    bounds = [_ANY_DAY if c is _MISSING else days_of.get(c or "", _ANY_DAY) for c in contracts]  # type: ignore[arg-type]
    first, last = np.array(bounds, dtype=np.int64).reshape(-1, 2).T
    days = converted["date"].days
    q, r = converted[quantity].units, converted[rate].units
    clean = listed[index] & (first[index] <= days) & (days <= last[index])
    clean &= np.abs(q.astype(float)) * np.abs(r.astype(float)) < _EXACT_PRODUCT  # else exact, row-wise
    price = converted.get(SALES_PRICE[validator.entity])
    if price is not None:  # the revenue likewise
        clean &= np.abs(q.astype(float)) * np.abs(price.units.astype(float)) < _EXACT_PRODUCT
    clean &= q >= 0  # a negative line must be a declared credit: validation.check says so
    if "credit" in converted:  # a declared credit must be negative: likewise
        clean &= ~np.array([bool(w) for w in converted["credit"].values()], dtype=bool)
    return clean & (r != 0)


def line_cost(converted: dict[str, Converted], entity: str) -> np.ndarray:
    """quantity x rate in millionths, rounded half to even: writer.Writer.line_cost in int64 (exact here)."""
    quantity, rate = _QUANTITY_RATE[entity]
    whole, rest = np.divmod(converted[quantity].units * converted[rate].units, UNITS)
    return whole + ((rest > UNITS // 2) | ((rest == UNITS // 2) & (whole % 2 == 1)))


def line_revenue(converted: dict[str, Converted], entity: str) -> list[int | None]:
    """quantity x sales price in millionths (as line_cost), None where the line has no sales price."""
    quantity, _ = _QUANTITY_RATE[entity]
    price = converted.get(SALES_PRICE[entity])
    if price is None:
        return [None] * len(converted[quantity].units)
    whole, rest = np.divmod(converted[quantity].units * price.units, UNITS)
    revenue = whole + ((rest > UNITS // 2) | ((rest == UNITS // 2) & (whole % 2 == 1)))
    return [None if e else v for v, e in zip(revenue.tolist(), price.empty.tolist(), strict=True)]


_QUANTITY_RATE = {"hours": ("hours", "cost_rate"), "materials": ("quantity", "unit_cost")}
_SCREENS = {"work_orders": _work_orders, "hours": _lines, "materials": _lines}
assert _LINE_COST_UNITS > _EXACT_PRODUCT  # a product that fits int64 is below the line cost limit
