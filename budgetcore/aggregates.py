"""The contract_months aggregate: per contract, month and in/out of term, kept equal to the lines."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, delete, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from budgetcore.models import Contract, ContractMonth, HourLine, MaterialLine, WorkOrder
from budgetcore.storage import month_start


def _sources(contract_ids: Collection[int] | None):
    """One SELECT per kind of source row, each shaped like a contract_months row."""

    def in_term(date_col):
        return and_(date_col >= Contract.start_date, date_col <= Contract.end_date)

    def scoped(stmt):
        return stmt if contract_ids is None else stmt.where(WorkOrder.contract_id.in_(contract_ids))

    hours = scoped(
        select(
            WorkOrder.contract_id.label("contract_id"),
            month_start(HourLine.date).label("month"),
            in_term(HourLine.date).label("in_term"),
            HourLine.cost.label("labour"),
            literal(0).label("material"),
            HourLine.hours.label("hours"),
            literal(1).label("lines"),
            literal(0).label("visits"),
        )
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
    )
    materials = scoped(
        select(
            WorkOrder.contract_id,
            month_start(MaterialLine.date),
            in_term(MaterialLine.date),
            literal(0),
            MaterialLine.cost,
            literal(0),
            literal(1),
            literal(0),
        )
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
    )
    visits = scoped(
        select(
            WorkOrder.contract_id,
            month_start(WorkOrder.date),
            in_term(WorkOrder.date),
            literal(0),
            literal(0),
            literal(0),
            literal(0),
            literal(1),
        )
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type == "periodic")
    )
    return union_all(hours, materials, visits).subquery("src")


def rebuild(session: Session, contract_ids: Collection[int] | None = None) -> None:
    """Recompute contract_months for these contracts (None: all) from their lines, in SQL.

    Runs inside the caller's transaction, so an import and its aggregates
    commit or roll back together.
    """
    ids = None if contract_ids is None else sorted(set(contract_ids))
    if ids is not None and not ids:
        return
    chunks = [None] if ids is None else [ids[i : i + 5000] for i in range(0, len(ids), 5000)]
    for chunk in chunks:
        stmt = delete(ContractMonth)
        if chunk is not None:
            stmt = stmt.where(ContractMonth.contract_id.in_(chunk))
        session.execute(stmt)
        src = _sources(chunk)
        grouped = select(
            src.c.contract_id,
            src.c.month,
            src.c.in_term,
            func.sum(src.c.labour),
            func.sum(src.c.material),
            func.sum(src.c.hours),
            func.sum(src.c.lines),
            func.sum(src.c.visits),
        ).group_by(src.c.contract_id, src.c.month, src.c.in_term)
        session.execute(
            insert(ContractMonth).from_select(
                ["contract_id", "month", "in_term", "labour", "material", "hours", "lines", "visits"],
                grouped,
            )
        )
