"""One contract's rows for its page: budget lines, cost per month, work orders, hours, materials, data checks.

Every query of the contract page, the variance per period and the contract's findings, by
contract number or id. Each returns plain rows (tuples of stored values: money as Decimal EUR,
or integer millionths where the caller computes in integers); figures/contract_detail.py and
figures/variance.py shape them. The cost window (docs/metrics.md) is in_window: a line counts
when dated from the start date through min(as_of, end date), both days included.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import numpy as np
from sqlalchemy import BigInteger, and_, case, func, literal, not_, or_, select, type_coerce, union_all
from sqlalchemy.orm import Session

from budgetcore.store.aggregates import billed_on_top, covered
from budgetcore.store.database import month_start
from budgetcore.store.models import (
    BudgetLine,
    BudgetPeriod,
    Contract,
    ContractMonth,
    Fixed,
    HourLine,
    MaterialLine,
    WorkOrder,
)

ZERO = Decimal(0)


def _contract_id(contract_number: str):
    return select(Contract.id).where(Contract.contract_number == contract_number).scalar_subquery()


def period_lines(session: Session, contract_number: str) -> np.ndarray:
    """The contract's budget lines as rows of (amount in millionths, first day, last day as day
    numbers) of their periods (budget_periods: resolved against the term), shape (n, 3)."""
    rows = session.execute(
        select(
            type_coerce(BudgetPeriod.amount, BigInteger),
            BudgetPeriod.first_day,
            BudgetPeriod.last_day,
        ).where(BudgetPeriod.contract_id == _contract_id(contract_number))
    )
    return np.array([(int(a), int(first), int(last)) for a, first, last in rows], dtype=np.int64).reshape(
        -1, 3
    )


def in_term_month_cost(session: Session, contract_number: str) -> dict[dt.date, int]:
    """The contract's in-term labour + material per month (first day -> millionths), from the
    maintained contract_months."""
    rows = session.execute(
        select(
            ContractMonth.month,
            func.sum(
                type_coerce(ContractMonth.labour, BigInteger)
                + type_coerce(ContractMonth.material, BigInteger)
            ),
        )
        .where(ContractMonth.contract_id == _contract_id(contract_number), ContractMonth.in_term.is_(True))
        .group_by(ContractMonth.month)
    )
    return {
        month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10]): int(cost or 0)
        for month, cost in rows
    }


class ContractTerm(NamedTuple):
    """The stored row of one contract that its page's reads need."""

    id: int
    start_date: dt.date
    end_date: dt.date
    terminated_on: dt.date | None


def contract_term(session: Session, contract_number: str) -> ContractTerm | None:
    """The contract's id, term and termination date; None when the number is unknown."""
    row = session.execute(
        select(Contract.id, Contract.start_date, Contract.end_date, Contract.terminated_on).where(
            Contract.contract_number == contract_number
        )
    ).first()
    return None if row is None else ContractTerm(*row)


def previous_number(session: Session, contract_number: str) -> str | None:
    """The previous_contract a contract names, or None."""
    return (
        session.scalar(select(Contract.previous_contract).where(Contract.contract_number == contract_number))
        or None
    )


def numbers_ignoring_case(session: Session, contract_number: str) -> list[str]:
    """The stored contract numbers equal to this one when case is ignored."""
    return list(
        session.scalars(
            select(Contract.contract_number).where(
                func.lower(Contract.contract_number) == contract_number.lower()
            )
        ).all()
    )


def budget_period_rows(session: Session, contract_number: str) -> list[tuple]:
    """(category, amount EUR, hours, first day, last day as day numbers) of every budget line with
    its period as storage resolved it, by category and period."""
    p = BudgetPeriod
    return [
        tuple(row)
        for row in session.execute(
            select(BudgetLine.category, BudgetLine.amount, BudgetLine.hours, p.first_day, p.last_day)
            .join(p, p.budget_line_id == BudgetLine.id)
            .join(Contract, BudgetLine.contract_id == Contract.id)
            .where(Contract.contract_number == contract_number)
            .order_by(BudgetLine.category, BudgetLine.period_key)
        )
    ]


def _as_date(value: dt.date | str) -> dt.date:
    # coalesce() of two DATE columns comes back as text on SQLite
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def in_window(date_col, start: dt.date, end: dt.date, as_of: dt.date):
    """The cost window as a SQL condition: dated from start through min(as_of, end), both included."""
    return and_(date_col >= start, date_col <= min(as_of, end))


def _cost_lines(contract_id: int, covered_only: bool = False):
    """(date, labour, material) of every cost line on the contract's work orders (covered_only:
    of the covered ones, the budget's; docs/metrics.md, Scope)."""
    scope = (WorkOrder.contract_id == contract_id, *((covered(),) if covered_only else ()))
    hours = (
        select(HourLine.date.label("date"), HourLine.cost.label("labour"), literal(0).label("material"))
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .where(*scope)
    )
    materials = (
        select(MaterialLine.date, literal(0), MaterialLine.cost)
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .where(*scope)
    )
    return union_all(hours, materials).subquery("lines")


def covered_cost_by_month(session: Session, c: ContractTerm, as_of: dt.date) -> dict[dt.date, Decimal]:
    """The covered cost (labour + material, EUR) per month (its first day) of the lines in the
    cost window; as_of's month holds only the lines up to as_of."""
    lines = _cost_lines(c.id, covered_only=True)
    month = month_start(lines.c.date).label("month")
    return {
        _as_date(m): cost or ZERO
        for m, cost in session.execute(
            select(month, type_coerce(func.sum(lines.c.labour + lines.c.material), Fixed()))
            .where(lines.c.date >= c.start_date, lines.c.date <= min(as_of, c.end_date))
            .group_by(month)
        )
    }


def work_order_rows(session: Session, c: ContractTerm, as_of: dt.date) -> list[tuple]:
    """(number, date, type, status, description, hours, labour EUR, material EUR, billed on top,
    revenue EUR, lines without a sales price) of the work orders dated on or before as_of,
    newest first; sums None where a work order has no such lines."""

    def lines(model, *sums):
        return (
            select(
                model.work_order_id.label("wo"),
                *sums,
                func.sum(func.coalesce(model.revenue, 0)).label("revenue"),
                func.sum(case((model.revenue.is_(None), 1), else_=0)).label("unpriced"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .where(WorkOrder.contract_id == c.id)
            .group_by(model.work_order_id)
            .subquery()
        )

    hours = lines(HourLine, func.sum(HourLine.hours).label("hours"), func.sum(HourLine.cost).label("labour"))
    materials = lines(MaterialLine, func.sum(MaterialLine.cost).label("material"))
    rows = session.execute(
        select(
            WorkOrder.work_order_number,
            WorkOrder.date,
            WorkOrder.type,
            WorkOrder.status,
            WorkOrder.description,
            type_coerce(hours.c.hours, Fixed()),
            type_coerce(hours.c.labour, Fixed()),
            type_coerce(materials.c.material, Fixed()),
            billed_on_top(),
            type_coerce(func.coalesce(hours.c.revenue, 0) + func.coalesce(materials.c.revenue, 0), Fixed()),
            func.coalesce(hours.c.unpriced, 0) + func.coalesce(materials.c.unpriced, 0),
        )
        .outerjoin(hours, hours.c.wo == WorkOrder.id)
        .outerjoin(materials, materials.c.wo == WorkOrder.id)
        .where(WorkOrder.contract_id == c.id, WorkOrder.date <= as_of)
        .order_by(WorkOrder.date.desc(), WorkOrder.work_order_number.desc())
    )
    return [tuple(row) for row in rows]


def extra_month_rows(session: Session, c: ContractTerm, as_of: dt.date) -> list[tuple]:
    """(month's first day, work orders, cost EUR, revenue EUR) of the lines billed on top in the
    cost window, per month, oldest first."""

    def part(model):
        return (
            select(
                model.date.label("date"),
                WorkOrder.id.label("wo"),
                model.cost.label("cost"),
                func.coalesce(model.revenue, 0).label("revenue"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .where(
                WorkOrder.contract_id == c.id,
                billed_on_top(),
                in_window(model.date, c.start_date, c.end_date, as_of),
            )
        )

    lines = union_all(part(HourLine), part(MaterialLine)).subquery("lines")
    month = month_start(lines.c.date).label("month")
    rows = session.execute(
        select(
            month,
            func.count(func.distinct(lines.c.wo)),
            type_coerce(func.sum(lines.c.cost), Fixed()),
            type_coerce(func.sum(lines.c.revenue), Fixed()),
        )
        .group_by(month)
        .order_by(month)
    )
    return [(_as_date(m), n, cost, revenue) for m, n, cost, revenue in rows]


def hours_rows(session: Session, c: ContractTerm, as_of: dt.date) -> list[tuple]:
    """(employee, hour type, hours, cost EUR) of the covered hour lines in the cost window, per
    employee and hour type, most cost first."""
    cost = type_coerce(func.sum(HourLine.cost), Fixed())
    rows = session.execute(
        select(HourLine.employee, HourLine.hour_type, type_coerce(func.sum(HourLine.hours), Fixed()), cost)
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .where(
            WorkOrder.contract_id == c.id,
            covered(),
            in_window(HourLine.date, c.start_date, c.end_date, as_of),
        )
        .group_by(HourLine.employee, HourLine.hour_type)
        .order_by(cost.desc(), HourLine.employee, HourLine.hour_type)
    )
    return [tuple(row) for row in rows]


def material_rows(session: Session, c: ContractTerm, as_of: dt.date) -> list[tuple]:
    """(article code, a description, quantity, cost EUR) of the covered material lines in the cost
    window, per article code, most cost first."""
    cost = type_coerce(func.sum(MaterialLine.cost), Fixed())
    rows = session.execute(
        select(
            MaterialLine.article_code,
            func.min(MaterialLine.description),
            type_coerce(func.sum(MaterialLine.quantity), Fixed()),
            cost,
        )
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .where(
            WorkOrder.contract_id == c.id,
            covered(),
            in_window(MaterialLine.date, c.start_date, c.end_date, as_of),
        )
        .group_by(MaterialLine.article_code)
        .order_by(cost.desc(), MaterialLine.article_code)
    )
    return [tuple(row) for row in rows]


class LineChecks(NamedTuple):
    """Counts (and cost, EUR, where it says) of the contract's lines that look wrong or incomplete."""

    outside: tuple[int, Decimal]  # cost lines dated outside the term
    after_termination: tuple[int, Decimal]  # cost lines after the termination date (0 when none)
    zero_rate: int  # hour lines with a zero cost rate
    zero_cost: int  # material lines with a zero unit cost
    empty: int  # work orders without hour or material lines
    unpriced: int  # lines billed on top without a sales price


def line_checks(session: Session, c: ContractTerm) -> LineChecks:
    """The counts behind the contract's data findings, independent of as_of."""
    lines = _cost_lines(c.id)
    cost = type_coerce(func.sum(lines.c.labour + lines.c.material), Fixed())
    outside = session.execute(
        select(func.count(), cost).where(or_(lines.c.date < c.start_date, lines.c.date > c.end_date))
    ).one()
    after = (0, ZERO)
    if c.terminated_on is not None:
        after = session.execute(
            select(func.count(), cost).where(lines.c.date > c.terminated_on, lines.c.date <= c.end_date)
        ).one()
    zero_rate = session.scalar(
        select(func.count())
        .select_from(HourLine)
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .where(WorkOrder.contract_id == c.id, HourLine.cost_rate == 0)
    )
    zero_cost = session.scalar(
        select(func.count())
        .select_from(MaterialLine)
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .where(WorkOrder.contract_id == c.id, MaterialLine.unit_cost == 0)
    )
    has_hours = select(HourLine.id).where(HourLine.work_order_id == WorkOrder.id).exists()
    has_materials = select(MaterialLine.id).where(MaterialLine.work_order_id == WorkOrder.id).exists()
    empty = session.scalar(
        select(func.count())
        .select_from(WorkOrder)
        .where(WorkOrder.contract_id == c.id, not_(has_hours), not_(has_materials))
    )
    unpriced = sum(
        session.scalar(
            select(func.count())
            .select_from(model)
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .where(WorkOrder.contract_id == c.id, billed_on_top(), model.revenue.is_(None))
        )
        or 0
        for model in (HourLine, MaterialLine)
    )
    return LineChecks(
        (outside[0], outside[1] or ZERO),
        (after[0], after[1] or ZERO),
        zero_rate or 0,
        zero_cost or 0,
        empty or 0,
        unpriced,
    )
