"""The portfolio's columns that do not depend on as_of, read by SQL or from the import's snapshot.

contract_columns: every contract's facts, maintained totals (contract_totals),
budget sums (contract_budgets) and every budget line's amount and days
(budget_periods); in_term_months: every contract's in-term months
(contract_months). Integers only: money in millionths, dates as day numbers.
save_column_snapshots stores them (snapshot.py) at the end of every import: whole, or
for the contracts it touched only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy import BigInteger, Integer, type_coerce
from sqlalchemy.orm import Session

from budgetcore.store import snapshot
from budgetcore.store.database import day_number, plain_rows
from budgetcore.store.models import (
    BudgetPeriod,
    Contract,
    ContractBudget,
    ContractMonth,
    ContractTotal,
    Customer,
)

TEXT = ("contract_number", "customer", "name", "type", "account_manager", "previous_contract", "renewed_by")
COUNTS = (
    "notice_period_days",
    "visits_done",
    "calls_done",
    "budget_lines",
    "outside_term_lines",
    "extra_unpriced",
)
OPTIONAL = (
    "contract_value",
    "planned_visits",
    "indexation_pct",
)  # integers that may be missing: a value and a mask
DATES = ("start_date", "end_date", "terminated_on")  # numpy datetime64[D]; NaT for a missing one

CONTRACT_COLUMNS = (
    "contract_id", "contract_number", "customer", "name", "type", "account_manager", "start_date",
    "end_date", "notice_period_days", "auto_renew", "contract_value", "planned_visits", "terminated_on",
    "previous_contract", "indexation_pct",
)  # fmt: skip
TOTAL_COLUMNS = (
    "labour", "material", "hours", "visits", "calls", "outside_term_lines", "outside_term_cost", "extra_cost",
    "extra_revenue", "extra_unpriced",
)  # fmt: skip
BUDGET_COLUMNS = ("budget_lines", "budget_labour", "budget_material", "budget_other", "budget_hours")


CONTRACTS = "contracts"  # the snapshots' names: the contracts' rows, their budget lines' rows
PERIODS = "periods"
MONTHS = "months"  # every contract's in-term months
PERIOD_COLUMNS = ("period_row", "period_amount", "period_first", "period_last")
CHUNK = 5000  # contract ids per IN list


def contract_columns(
    session: Session, numbers: Sequence[str] | None = None, ids: Collection[int] | None = None
) -> dict[str, np.ndarray]:
    """Every contract's columns that do not depend on as_of, in contract number order, by SQL:
    facts, maintained totals (contract_totals), budget sums (contract_budgets), and every
    budget line's row (its contract's position), amount and days (budget_periods).
    numbers: only these contracts (a page about one contract); ids: only these (at most CHUNK);
    else all."""
    t = ContractTotal
    if numbers is not None:
        chosen = sa.select(Contract.id).where(Contract.contract_number.in_(numbers))
    else:
        chosen = None if ids is None else sorted(ids)

    def scoped(stmt, contract_id):
        return stmt if chosen is None else stmt.where(contract_id.in_(chosen))

    contracts = plain_rows(
        session,
        scoped(
            sa.select(
                Contract.id,
                Contract.contract_number,
                Customer.name,
                Contract.name,
                Contract.type,
                Contract.account_manager,
                day_number(Contract.start_date),
                day_number(Contract.end_date),
                Contract.notice_period_days,
                type_coerce(Contract.auto_renew, Integer),
                type_coerce(Contract.contract_value, BigInteger),
                Contract.planned_visits,
                day_number(Contract.terminated_on),
                Contract.previous_contract,
                type_coerce(Contract.indexation_pct, BigInteger),
                *(type_coerce(c, BigInteger) for c in (t.labour, t.material, t.hours)),
                t.visits,
                t.calls,
                t.outside_lines,
                type_coerce(t.outside_cost, BigInteger),
                type_coerce(t.extra_cost, BigInteger),
                type_coerce(t.extra_revenue, BigInteger),
                t.extra_unpriced,
            )
            .join(Customer, Contract.customer_id == Customer.id)
            .outerjoin(t, t.contract_id == Contract.id),
            Contract.id,
        ),
    )
    columns = columns_from_rows(contracts, CONTRACT_COLUMNS + TOTAL_COLUMNS)
    rank = np.argsort(columns["contract_number"].astype(str), kind="stable")
    columns = {name: values[rank] for name, values in columns.items()}
    ids = columns["contract_id"]
    b = ContractBudget
    budget_sums = sa.select(
        b.contract_id,
        b.lines,
        *(type_coerce(c, BigInteger) for c in (b.labour, b.material, b.other, b.hours)),
    )
    columns |= placed(ids, plain_rows(session, scoped(budget_sums, b.contract_id)), BUDGET_COLUMNS)
    p = BudgetPeriod
    rows = plain_rows(
        session,
        scoped(
            sa.select(p.contract_id, type_coerce(p.amount, BigInteger), p.first_day, p.last_day),
            p.contract_id,
        ),
    )
    found = np.array(rows, dtype=np.int64).reshape(-1, 4)
    columns |= dict(zip(PERIOD_COLUMNS, found.T, strict=True))
    columns["period_row"] = positions(ids, columns["period_row"])
    return columns


def successors(session: Session, numbers: Sequence[str]) -> dict[str, str]:
    """Contract number -> the first (by number) contract that names it as its previous_contract,
    for these numbers that have one: what renews them."""
    found: dict[str, str] = {}
    for i in range(0, len(numbers), CHUNK):
        rows = plain_rows(
            session,
            sa.select(Contract.previous_contract, sa.func.min(Contract.contract_number))
            .where(Contract.previous_contract.in_(numbers[i : i + CHUNK]))
            .group_by(Contract.previous_contract),
        )
        found.update({str(previous): str(successor) for previous, successor in rows})
    return found


def archived_ids(session: Session) -> list[int]:
    """The ids of the archived contracts (they leave the portfolio; their rows stay)."""
    return [
        row[0] for row in plain_rows(session, sa.select(Contract.id).where(Contract.archived_on.is_not(None)))
    ]


def ids_of(numbers: Sequence[str]):
    """A subquery of the ids of the contracts with these numbers (a scope for other reads)."""
    return sa.select(Contract.id).where(Contract.contract_number.in_(numbers))


def portfolio_columns(session: Session) -> dict[str, np.ndarray]:
    """contract_columns() of every contract: from the snapshots, else by SQL."""
    contracts, periods = snapshot.load(session, CONTRACTS), snapshot.load(session, PERIODS)
    if contracts is None or periods is None:
        return contract_columns(session)
    columns = dict(contracts)
    columns["period_row"] = positions(columns["contract_id"], periods["contract_id"])
    columns |= {name: periods[name] for name in PERIOD_COLUMNS[1:]}
    return columns


SNAPSHOTS = (CONTRACTS, PERIODS, MONTHS)


def save_column_snapshots(session: Session, ids: Collection[int] | None = None) -> None:
    """Save contract_columns and in_term_months as the snapshots the readers prefer: of every
    contract (ids None), or the rows of these contracts as changes (snapshot.save_changes; the
    snapshots must be there: aggregates.save_snapshots decides)."""
    found = by_chunks(ids, lambda chunk: contract_columns(session, ids=chunk))
    periods = {name: found.pop(name) for name in PERIOD_COLUMNS}
    periods["contract_id"] = found["contract_id"][periods.pop("period_row")]
    months = by_chunks(ids, lambda chunk: _month_rows(session, chunk))
    if ids is not None:  # each chunk is in contract number order, not all of them together
        rank = np.argsort(found["contract_number"].astype(str), kind="stable")
        found = {name: values[rank] for name, values in found.items()}
    for name, columns, order in (
        (CONTRACTS, found, "contract_number"),
        (PERIODS, periods, None),
        (MONTHS, months, None),
    ):
        if ids is None:
            snapshot.save(session, name, columns)
        elif not snapshot.save_changes(session, name, columns, ids, "contract_id", order):
            raise RuntimeError(f"snapshot {name!r} has no base to change")


def by_chunks(
    ids: Collection[int] | None, read: Callable[[list[int] | None], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """read(None) for every contract, or read(chunk) per CHUNK of these ids, concatenated."""
    if ids is None:
        return read(None)
    ordered = sorted(ids)
    parts = [read(ordered[i : i + CHUNK]) for i in range(0, len(ordered), CHUNK)] or [read([])]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each wanted contract id stands in ids (every one of them is there)."""
    by_id = np.argsort(ids)
    return by_id[np.searchsorted(ids, wanted, sorter=by_id)]


def placed(ids: np.ndarray, rows: list, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Columns of rows (contract id first) aligned with ids; 0 where a contract has no row."""
    found = columns_from_rows(rows, ("contract_id", *names))
    where = positions(ids, found["contract_id"])
    result = {}
    for name in names:
        result[name] = np.zeros(len(ids), dtype=np.int64)
        result[name][where] = found[name]
    return result


def columns_from_rows(rows: Sequence[Sequence[object]], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Numpy columns from rows with money in integer millionths and dates as day numbers
    since 1970-01-01; a missing number is 0, a missing optional one (OPTIONAL)
    also False in has_<name>, a missing date NaT."""
    table = np.empty((len(rows), len(names)), dtype=object)  # one C pass over the rows
    if rows:
        table[:] = rows
    columns: dict[str, np.ndarray] = {}
    numbers = [j for j, name in enumerate(names) if name not in TEXT and name not in DATES]
    block = table[:, numbers]
    missing = np.equal(block, None)
    values = np.where(missing, 0, block).astype(np.int64)  # every integer column in one pass
    for k, j in enumerate(numbers):
        name = names[j]
        columns[name] = values[:, k].astype(bool) if name == "auto_renew" else values[:, k].copy()
        if name in OPTIONAL:
            columns[f"has_{name}"] = ~missing[:, k]
    for j, name in enumerate(names):
        if name in TEXT:
            columns[name] = table[:, j].copy()
        elif name in DATES:
            # day numbers; int64's minimum is datetime64's NaT, for a missing date
            days = np.where(np.equal(table[:, j], None), np.iinfo(np.int64).min, table[:, j])
            columns[name] = days.astype(np.int64).view("datetime64[D]")
    return columns


@dataclass(frozen=True, eq=False)
class ContractMonths:
    """Rows of (contract id, month, labour, material, lines); money in int64 millionths,
    month as datetime64[M]."""

    contract_id: np.ndarray
    month: np.ndarray
    labour: np.ndarray
    material: np.ndarray
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.contract_id)


def month_columns(rows: Sequence[tuple[int, ...]]) -> ContractMonths:
    """From rows of (contract id, day number of the month's first day, labour, material, lines)."""
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    month = table[:, 1].astype("datetime64[D]").astype("datetime64[M]")
    return ContractMonths(table[:, 0], month, table[:, 2], table[:, 3], table[:, 4])


def in_term_months(session: Session) -> ContractMonths:
    """Every contract's in-term months (independent of as_of): the import's snapshot, else SQL."""
    stored = snapshot.load(session, MONTHS)
    if stored is not None:
        return ContractMonths(**stored)
    return _in_term_months(session)


def _in_term_months(session: Session) -> ContractMonths:
    return ContractMonths(**_month_rows(session, None))


def _month_rows(session: Session, ids: Sequence[int] | None) -> dict[str, np.ndarray]:
    """The in-term contract_months of these contracts (None: all), as ContractMonths' columns."""
    m = ContractMonth
    stmt = sa.select(
        m.contract_id,
        day_number(m.month),
        type_coerce(m.labour, BigInteger),
        type_coerce(m.material, BigInteger),
        m.lines,
    ).where(m.in_term.is_(True))
    if ids is not None:
        stmt = stmt.where(m.contract_id.in_(ids))
    months = month_columns(plain_rows(session, stmt))
    return {f.name: getattr(months, f.name) for f in dataclasses.fields(months)}
