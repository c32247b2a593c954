"""A contract's life after import: the demo's marks and its removal, archive, restore and delete.

Each write runs in the caller's transaction (store/writes.write: the write lock, the
data version's bump), passes access.require() first and records itself in the audit
trail (access.record), then rebuilds what it changed through aggregates' public
functions. The snapshots hold every contract, archived or not (frame.read leaves the
archived out): archiving needs only the data version's bump. Deleting follows every foreign key to a contract or a
work order in the model, so a table added later (e.g. renewal decisions) is
emptied of a deleted contract's rows without a change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Select, Table, delete, exists, func, select, update
from sqlalchemy.orm import Session

from budgetcore import clock
from budgetcore.store import access, aggregates
from budgetcore.store.access import Actor
from budgetcore.store.models import Base, Contract, Customer, ImportLog, WorkOrder

CHUNK = 5000  # numbers per IN list


class UnknownContractError(LookupError):
    """No contract has the number given; the message names it."""


# --- the demo's marks ---------------------------------------------------------------------------


def mark_demo(
    session: Session, contract_numbers: Collection[str], work_order_numbers: Collection[str]
) -> None:
    """Mark these contracts and (loose) work orders as the demo's: exactly the rows it generated."""
    for model, key, values in (
        (Contract, Contract.contract_number, list(contract_numbers)),
        (WorkOrder, WorkOrder.work_order_number, list(work_order_numbers)),
    ):
        for i in range(0, len(values), CHUNK):
            session.execute(update(model).where(key.in_(values[i : i + CHUNK])).values(demo=True))


def unmark_demo(session: Session, contract_numbers: Collection[str]) -> int:
    """A real import wrote these contracts: those that were the demo's are real data now; how many."""
    values, changed = list(contract_numbers), 0
    for i in range(0, len(values), CHUNK):
        result = session.execute(
            update(Contract)
            .where(Contract.contract_number.in_(values[i : i + CHUNK]), Contract.demo.is_(True))
            .values(demo=False)
        )
        changed += result.rowcount or 0
    return changed


def demo_contracts(session: Session) -> int:
    """How many of the contracts are the demo's."""
    return session.scalar(select(func.count()).select_from(Contract).where(Contract.demo.is_(True))) or 0


def remove_demo(session: Session, actor: Actor, *, rebuild: bool = True) -> dict[str, int]:
    """Delete every demo row (its contracts with all their lines, its loose work orders, the
    customers left without a contract); rows deleted per table. rebuild=False leaves the
    aggregates to the caller (an import replacing the demo rebuilds them once itself)."""
    access.require(session, actor, "demo")
    counts = _delete_rows(session, WorkOrder.__table__, select(WorkOrder.id).where(WorkOrder.demo.is_(True)))
    for table, n in _delete_rows(
        session, Contract.__table__, select(Contract.id).where(Contract.demo.is_(True))
    ).items():
        counts[table] = counts.get(table, 0) + n
    counts["customers"] = _delete_lonely_customers(session)
    # the import log describes the data's imports: the demo's no longer describes any (the audit trail keeps it)
    counts["import_log"] = session.execute(delete(ImportLog).where(ImportLog.source == "demo")).rowcount or 0
    access.record(session, actor, "demo-remove", "", **{k: v for k, v in counts.items() if v})
    if rebuild:
        aggregates.rebuild(session)
    return counts


# --- archive, restore, delete -------------------------------------------------------------------


def _contract(session: Session, number: str) -> Contract:
    found = session.scalar(select(Contract).where(Contract.contract_number == number))
    if found is None:
        raise UnknownContractError(f"no contract {number!r}")
    return found


def archived_on(session: Session, number: str) -> dt.date | None:
    """When the contract was archived, or None when it is not (UnknownContractError when unknown)."""
    return _contract(session, number).archived_on


def archived_count(session: Session) -> int:
    return (
        session.scalar(select(func.count()).select_from(Contract).where(Contract.archived_on.is_not(None)))
        or 0
    )


def archive(session: Session, actor: Actor, number: str, on: dt.date | None = None) -> bool:
    """Take the contract out of the overview, the renewals and every portfolio figure; its
    lines and history stay, and restore() brings it back. False when it was archived already."""
    access.require(session, actor, "archive")
    contract = _contract(session, number)
    if contract.archived_on is not None:
        return False
    contract.archived_on = on or clock.today()
    access.record(session, actor, "archive", number, archived_on=contract.archived_on.isoformat())
    return True


def restore(session: Session, actor: Actor, number: str) -> bool:
    """Bring an archived contract back into the portfolio; False when it was not archived."""
    access.require(session, actor, "archive")
    contract = _contract(session, number)
    if contract.archived_on is None:
        return False
    old = contract.archived_on
    contract.archived_on = None
    access.record(session, actor, "restore", number, archived_on=old.isoformat())
    return True


def delete_contract(session: Session, actor: Actor, number: str) -> dict[str, int]:
    """Delete the contract with all its budget lines, work orders and their hour and material
    lines (and its customer when it has no other contract); rows deleted per table."""
    access.require(session, actor, "delete")
    contract = _contract(session, number)
    aggregates.forget(session, [contract.id])
    counts = _delete_rows(session, Contract.__table__, select(Contract.id).where(Contract.id == contract.id))
    counts["customers"] = _delete_lonely_customers(session)
    access.record(session, actor, "delete", number, **{k: v for k, v in counts.items() if v})
    aggregates.rebuild(session, [contract.id])
    return counts


# --- deleting along the foreign keys --------------------------------------------------------------


def _dependants(table: Table) -> list[tuple[Table, str]]:
    """Every (table, column) of the model whose column refers to table's primary key."""
    found = []
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                found.append((other, key.parent.name))
    return found


def _delete_rows(session: Session, table: Table, ids: Select) -> dict[str, int]:
    """Delete the rows of table whose id ids selects, after every row that refers to them
    (depth first along the foreign keys); rows deleted per table."""
    counts: dict[str, int] = {}
    for child, column in _dependants(table):
        if child is table:
            continue
        if _dependants(child):
            (pk,) = child.primary_key.columns
            deeper = _delete_rows(session, child, select(pk).where(child.c[column].in_(ids)))
            for name, n in deeper.items():
                counts[name] = counts.get(name, 0) + n
        else:
            result = session.execute(delete(child).where(child.c[column].in_(ids)))
            counts[child.name] = counts.get(child.name, 0) + (result.rowcount or 0)
    # the ids as a list first: a DELETE whose WHERE selects from its own table is refused by some engines
    chosen = list(session.scalars(ids))
    (pk,) = table.primary_key.columns
    n = 0
    for i in range(0, len(chosen), CHUNK):
        n += session.execute(delete(table).where(pk.in_(chosen[i : i + CHUNK]))).rowcount or 0
    counts[table.name] = counts.get(table.name, 0) + n
    return counts


def _delete_lonely_customers(session: Session) -> int:
    result = session.execute(delete(Customer).where(~exists().where(Contract.customer_id == Customer.id)))
    return result.rowcount or 0
