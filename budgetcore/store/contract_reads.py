"""The rows of contract pages: budget lines, cost per month, work orders, hours, materials, data checks.

Every query of the contract page, the review pack's pages, the variance per period and the
contracts' findings. Each reads any number of contracts in one statement and returns their
plain rows (tuples of stored values: money as Decimal EUR, or integer millionths where the
caller computes in integers) grouped by contract (by id, or by number where the caller has
numbers), so that a page built for one contract and a pack's hundred pages are built from the
same rows; figures/contract_detail.py and figures/variance.py shape them. The cost window
(docs/metrics.md) is in_window: a line counts when dated from its contract's start date
through min(as_of, end date), both days included.

A caller passes the contracts of one page or one pack (at most a few hundred: reports.DETAILED);
each statement's IN list holds their ids or numbers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
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


def _grouped(rows: Iterable[Sequence[object]]) -> dict:
    """Rows whose first value is their contract (id or number) as {contract: [the rest of each
    row, in the order read]}."""
    found: dict = defaultdict(list)
    for key, *rest in rows:
        found[key].append(tuple(rest))
    return dict(found)


def _as_date(value: dt.date | str) -> dt.date:
    # a computed date (month_start, coalesce) comes back as text on SQLite
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


class ContractTerm(NamedTuple):
    """The stored row of one contract that its page's reads need."""

    id: int
    start_date: dt.date
    end_date: dt.date
    terminated_on: dt.date | None


def contract_terms(session: Session, numbers: Sequence[str]) -> dict[str, ContractTerm]:
    """The contracts' ids, terms and termination dates by number; an unknown number is left out."""
    rows = session.execute(
        select(
            Contract.contract_number,
            Contract.id,
            Contract.start_date,
            Contract.end_date,
            Contract.terminated_on,
        ).where(Contract.contract_number.in_(list(numbers)))
    )
    return {number: ContractTerm(*rest) for number, *rest in rows}


def previous_numbers(session: Session, numbers: Sequence[str]) -> dict[str, str]:
    """The previous_contract each of these contracts names, by number (those naming none left out)."""
    rows = session.execute(
        select(Contract.contract_number, Contract.previous_contract).where(
            Contract.contract_number.in_(list(numbers)), Contract.previous_contract.is_not(None)
        )
    )
    return {number: previous for number, previous in rows if previous}


def numbers_ignoring_case(session: Session, contract_number: str) -> list[str]:
    """The stored contract numbers equal to this one when case is ignored."""
    return list(
        session.scalars(
            select(Contract.contract_number).where(
                func.lower(Contract.contract_number) == contract_number.lower()
            )
        ).all()
    )


def period_lines(session: Session, numbers: Sequence[str]) -> dict[str, np.ndarray]:
    """Per contract number, its budget lines as rows of (amount in millionths, first day, last
    day as day numbers) of their periods (budget_periods: resolved against the term), shape
    (n, 3); a contract without budget lines is left out."""
    rows = session.execute(
        select(
            Contract.contract_number,
            type_coerce(BudgetPeriod.amount, BigInteger),
            BudgetPeriod.first_day,
            BudgetPeriod.last_day,
        )
        .join(Contract, BudgetPeriod.contract_id == Contract.id)
        .where(Contract.contract_number.in_(list(numbers)))
    )
    return {
        number: np.array([(int(a), int(first), int(last)) for a, first, last in lines], dtype=np.int64)
        for number, lines in _grouped(rows).items()
    }


def in_term_month_cost(session: Session, numbers: Sequence[str]) -> dict[str, dict[dt.date, int]]:
    """Per contract number, its in-term labour + material per month (first day -> millionths),
    from the maintained contract_months; a contract without such months is left out."""
    rows = session.execute(
        select(
            Contract.contract_number,
            ContractMonth.month,
            func.sum(
                type_coerce(ContractMonth.labour, BigInteger)
                + type_coerce(ContractMonth.material, BigInteger)
            ),
        )
        .join(Contract, ContractMonth.contract_id == Contract.id)
        .where(Contract.contract_number.in_(list(numbers)), ContractMonth.in_term.is_(True))
        .group_by(Contract.contract_number, ContractMonth.month)
    )
    return {
        number: {_as_date(month): int(cost or 0) for month, cost in months}
        for number, months in _grouped(rows).items()
    }


def budget_period_rows(session: Session, ids: Sequence[int]) -> dict[int, list[tuple]]:
    """Per contract id, (category, amount EUR, hours, first day, last day as day numbers) of every
    budget line with its period as storage resolved it, by category and period."""
    p = BudgetPeriod
    return _grouped(
        session.execute(
            select(BudgetLine.contract_id, BudgetLine.category, BudgetLine.amount, BudgetLine.hours,
                   p.first_day, p.last_day)
            .join(p, p.budget_line_id == BudgetLine.id)
            .where(BudgetLine.contract_id.in_(list(ids)))
            .order_by(BudgetLine.contract_id, BudgetLine.category, BudgetLine.period_key)
        )
    )  # fmt: skip


def in_window(date_col, as_of: dt.date):
    """The cost window as a SQL condition: dated from the contract's start date through
    min(as_of, its end date), both included (the statement must join contracts)."""
    return and_(date_col >= Contract.start_date, date_col <= Contract.end_date, date_col <= as_of)


def _cost_lines(ids: Sequence[int], covered_only: bool = False):
    """(contract id, date, labour, material) of every cost line on the contracts' work orders
    (covered_only: of the covered ones, the budget's; docs/metrics.md, Scope)."""
    scope = (WorkOrder.contract_id.in_(list(ids)), *((covered(),) if covered_only else ()))
    hours = (
        select(
            WorkOrder.contract_id.label("contract_id"),
            HourLine.date.label("date"),
            HourLine.cost.label("labour"),
            literal(0).label("material"),
        )
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .where(*scope)
    )
    materials = (
        select(WorkOrder.contract_id, MaterialLine.date, literal(0), MaterialLine.cost)
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .where(*scope)
    )
    return union_all(hours, materials).subquery("lines")


def covered_cost_by_month(session: Session, c: ContractTerm, as_of: dt.date) -> dict[dt.date, Decimal]:
    """The covered cost (labour + material, EUR) per month (its first day) of one contract's lines
    in the cost window (its burn-up); as_of's month holds only the lines up to as_of."""
    lines = _cost_lines([c.id], covered_only=True)
    month = month_start(lines.c.date).label("month")
    return {
        _as_date(m): cost or ZERO
        for m, cost in session.execute(
            select(month, type_coerce(func.sum(lines.c.labour + lines.c.material), Fixed()))
            .where(lines.c.date >= c.start_date, lines.c.date <= min(as_of, c.end_date))
            .group_by(month)
        )
    }


def work_order_rows(session: Session, ids: Sequence[int], as_of: dt.date) -> dict[int, list[tuple]]:
    """Per contract id, (number, date, type, status, description, hours, labour EUR, material
    EUR, billed on top, revenue EUR, lines without a sales price) of its work orders dated on or
    before as_of, newest first; sums None where a work order has no such lines."""
    scope = WorkOrder.contract_id.in_(list(ids))

    def lines(model, *sums):
        return (
            select(
                model.work_order_id.label("wo"),
                *sums,
                func.sum(func.coalesce(model.revenue, 0)).label("revenue"),
                func.sum(case((model.revenue.is_(None), 1), else_=0)).label("unpriced"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .where(scope)
            .group_by(model.work_order_id)
            .subquery()
        )

    hours = lines(HourLine, func.sum(HourLine.hours).label("hours"), func.sum(HourLine.cost).label("labour"))
    materials = lines(MaterialLine, func.sum(MaterialLine.cost).label("material"))
    rows = session.execute(
        select(
            WorkOrder.contract_id,
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
        .where(scope, WorkOrder.date <= as_of)
        .order_by(WorkOrder.contract_id, WorkOrder.date.desc(), WorkOrder.work_order_number.desc())
    )
    return _grouped(rows)


def extra_month_rows(session: Session, ids: Sequence[int], as_of: dt.date) -> dict[int, list[tuple]]:
    """Per contract id, (month's first day, work orders, cost EUR, revenue EUR) of its lines
    billed on top in the cost window, per month, oldest first."""

    def part(model):
        return (
            select(
                WorkOrder.contract_id.label("contract_id"),
                model.date.label("date"),
                WorkOrder.id.label("wo"),
                model.cost.label("cost"),
                func.coalesce(model.revenue, 0).label("revenue"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .join(Contract, WorkOrder.contract_id == Contract.id)
            .where(WorkOrder.contract_id.in_(list(ids)), billed_on_top(), in_window(model.date, as_of))
        )

    lines = union_all(part(HourLine), part(MaterialLine)).subquery("lines")
    month = month_start(lines.c.date).label("month")
    rows = session.execute(
        select(
            lines.c.contract_id,
            month,
            func.count(func.distinct(lines.c.wo)),
            type_coerce(func.sum(lines.c.cost), Fixed()),
            type_coerce(func.sum(lines.c.revenue), Fixed()),
        )
        .group_by(lines.c.contract_id, month)
        .order_by(lines.c.contract_id, month)
    )
    return _grouped((c, _as_date(m), n, cost, revenue) for c, m, n, cost, revenue in rows)


def hours_rows(session: Session, ids: Sequence[int], as_of: dt.date) -> dict[int, list[tuple]]:
    """Per contract id, (employee, hour type, hours, cost EUR) of its covered hour lines in the
    cost window, per employee and hour type, most cost first."""
    cost = type_coerce(func.sum(HourLine.cost), Fixed())
    rows = session.execute(
        select(
            WorkOrder.contract_id,
            HourLine.employee,
            HourLine.hour_type,
            type_coerce(func.sum(HourLine.hours), Fixed()),
            cost,
        )
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.contract_id.in_(list(ids)), covered(), in_window(HourLine.date, as_of))
        .group_by(WorkOrder.contract_id, HourLine.employee, HourLine.hour_type)
        .order_by(WorkOrder.contract_id, cost.desc(), HourLine.employee, HourLine.hour_type)
    )
    return _grouped(rows)


def material_rows(session: Session, ids: Sequence[int], as_of: dt.date) -> dict[int, list[tuple]]:
    """Per contract id, (article code, a description, quantity, cost EUR) of its covered material
    lines in the cost window, per article code, most cost first."""
    cost = type_coerce(func.sum(MaterialLine.cost), Fixed())
    rows = session.execute(
        select(
            WorkOrder.contract_id,
            MaterialLine.article_code,
            func.min(MaterialLine.description),
            type_coerce(func.sum(MaterialLine.quantity), Fixed()),
            cost,
        )
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.contract_id.in_(list(ids)), covered(), in_window(MaterialLine.date, as_of))
        .group_by(WorkOrder.contract_id, MaterialLine.article_code)
        .order_by(WorkOrder.contract_id, cost.desc(), MaterialLine.article_code)
    )
    return _grouped(rows)


class LineChecks(NamedTuple):
    """Counts (and cost, EUR, where it says) of the contract's lines that look wrong or incomplete."""

    outside: tuple[int, Decimal] = (0, ZERO)  # cost lines dated outside the term
    after_termination: tuple[int, Decimal] = (0, ZERO)  # cost lines after the termination date
    zero_rate: int = 0  # hour lines with a zero cost rate
    zero_cost: int = 0  # material lines with a zero unit cost
    empty: int = 0  # work orders without hour or material lines
    unpriced: int = 0  # lines billed on top without a sales price


def line_checks(session: Session, ids: Sequence[int]) -> dict[int, LineChecks]:
    """Per contract id, the counts behind its data findings, independent of as_of, in one
    statement: each line of the contracts' work orders, and each work order without lines, as a
    row flagged by the checks it fails, summed per contract. A contract with no work orders is
    left out (every count 0)."""
    chosen = WorkOrder.contract_id.in_(list(ids))
    billed = billed_on_top()
    one, zero = literal(1), literal(0)

    def lines(model, zero_rate, zero_cost):
        return (
            select(
                WorkOrder.contract_id.label("contract_id"),
                model.date.label("date"),
                model.cost.label("cost"),
                one.label("line"),
                (zero if zero_rate is None else case((zero_rate, 1), else_=0)).label("zero_rate"),
                (zero if zero_cost is None else case((zero_cost, 1), else_=0)).label("zero_cost"),
                case((and_(billed, model.revenue.is_(None)), 1), else_=0).label("unpriced"),
                zero.label("empty"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .where(chosen)
        )

    has_hours = select(HourLine.id).where(HourLine.work_order_id == WorkOrder.id).exists()
    has_materials = select(MaterialLine.id).where(MaterialLine.work_order_id == WorkOrder.id).exists()
    empty = select(WorkOrder.contract_id, WorkOrder.date, zero, zero, zero, zero, zero, one).where(
        chosen, not_(has_hours), not_(has_materials)
    )
    src = union_all(
        lines(HourLine, HourLine.cost_rate == 0, None),
        lines(MaterialLine, None, MaterialLine.unit_cost == 0),
        empty,
    ).subquery("checks")
    date, is_line = src.c.date, src.c.line == 1
    outside = and_(is_line, or_(date < Contract.start_date, date > Contract.end_date))
    after = and_(is_line, Contract.terminated_on.is_not(None), date > Contract.terminated_on,
                 date <= Contract.end_date)  # fmt: skip
    rows = session.execute(
        select(
            src.c.contract_id,
            func.sum(case((outside, 1), else_=0)),
            type_coerce(func.sum(case((outside, src.c.cost), else_=0)), Fixed()),
            func.sum(case((after, 1), else_=0)),
            type_coerce(func.sum(case((after, src.c.cost), else_=0)), Fixed()),
            func.sum(src.c.zero_rate),
            func.sum(src.c.zero_cost),
            func.sum(src.c.empty),
            func.sum(src.c.unpriced),
        )
        .join(Contract, src.c.contract_id == Contract.id)
        .group_by(src.c.contract_id)
    )
    return {
        c: LineChecks(
            (int(n_out), out or ZERO),
            (int(n_after), after_cost or ZERO),
            int(zero_rate),
            int(zero_cost),
            int(n_empty),
            int(unpriced),
        )
        for c, n_out, out, n_after, after_cost, zero_rate, zero_cost, n_empty, unpriced in rows
    }
