"""Portfolio-level views beyond one row per contract: headline totals, actuals per month, filter choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import BigInteger, Date, and_, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from budgetcore.figures.metrics import ZERO
from budgetcore.store.aggregates import covered, in_term
from budgetcore.store.models import (
    Contract,
    ContractMonth,
    Customer,
    Fixed,
    HourLine,
    MaterialLine,
    PortfolioMonth,
    WorkOrder,
)


@dataclass(frozen=True)
class Headline:
    """Totals over a set of contracts (EUR). forecast and margin add up only the contracts
    where they are defined; with_value counts the contracts that have a contract value."""

    contracts: int
    budget_total: Decimal
    actual_total: Decimal
    forecast_total: Decimal
    margin: Decimal
    with_value: int
    statuses: dict[str, int] = field(default_factory=dict)
    # work billed on top (docs/metrics.md, Scope), beside the actuals: its cost and revenue,
    # and how many contracts are out of scope
    extra_cost: Decimal = ZERO
    extra_revenue: Decimal = ZERO
    out_of_scope: int = 0

    @property
    def extra_margin(self) -> Decimal:
        return self.extra_revenue - self.extra_cost

    @property
    def extra_share(self) -> Decimal | None:
        """Cost billed on top / all cost (covered + billed), None without cost."""
        every = self.actual_total + self.extra_cost
        return self.extra_cost / every if every else None


@dataclass(frozen=True)
class MonthActual:
    """In-term actual cost (EUR) of one calendar month; month is its first day."""

    month: dt.date
    labour: Decimal
    material: Decimal


CHUNK = 5000  # contract numbers per query at most: an IN list stays far below SQLite's and PostgreSQL's parameter limits


def monthly_actuals(
    session: Session, as_of: dt.date, contract_numbers: Sequence[str] | None = None
) -> list[MonthActual]:
    """Labour and material per month, in term and through as_of, summed over the contracts.

    contract_numbers None means every contract. Whole months before as_of's
    month come from contract_months; as_of's own month is read from the lines,
    as portfolio figures are, so the last bar ends exactly on as_of.
    """
    if contract_numbers is not None and len(contract_numbers) > CHUNK:
        # one IN list per chunk keeps under SQLite's bound-parameter limit; sums add up
        totals: dict[dt.date, MonthActual] = {}
        for i in range(0, len(contract_numbers), CHUNK):
            for m in monthly_actuals(session, as_of, contract_numbers[i : i + CHUNK]):
                seen = totals.get(m.month)
                totals[m.month] = (
                    m
                    if seen is None
                    else replace(seen, labour=seen.labour + m.labour, material=seen.material + m.material)
                )
        return [totals[month] for month in sorted(totals)]
    if contract_numbers is not None and not contract_numbers:
        return []
    first = as_of.replace(day=1)

    def chosen(stmt):
        if contract_numbers is None:
            return stmt
        return stmt.where(Contract.contract_number.in_(list(contract_numbers)))

    after = reads_after(as_of)
    if contract_numbers is None:  # every contract: the maintained sums per month
        p = PortfolioMonth
        months = select(p.month, p.labour, p.material, p.lines).where(
            p.month <= first if after else p.month < first
        )
    else:
        m = ContractMonth
        months = chosen(
            select(m.month.label("month"), m.labour.label("labour"), m.material.label("material"), m.lines)
            .join(Contract, m.contract_id == Contract.id)
            .where(m.in_term.is_(True), m.month <= first if after else m.month < first)
        )
    src = union_all(months, *(chosen(part) for part in month_lines(as_of, after, month=True))).subquery("src")
    rows = session.execute(
        select(
            src.c.month,
            type_coerce(func.sum(src.c.labour), Fixed()),
            type_coerce(func.sum(src.c.material), Fixed()),
            func.sum(src.c.lines),
        )
        .group_by(src.c.month)
        .order_by(src.c.month)
    )
    # as_of's month shows when it has lines through as_of, whichever side was read
    return [
        MonthActual(month, lab or ZERO, mat or ZERO)
        for month, lab, mat, lines in ((_date(m), lab, mat, lines) for m, lab, mat, lines in rows)
        if month != first or lines > 0
    ]


def reads_after(as_of: dt.date) -> bool:
    """Whether as_of's own month is read as its maintained sum minus the lines dated after
    as_of (else as the lines dated through as_of): the side with fewer days, both exact."""
    next_first = (as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return (next_first - as_of).days - 1 < as_of.day


def month_lines(as_of: dt.date, after: bool, month: bool = False):
    """The in-term hour and material lines of covered work orders (the budget's; Scope in
    docs/metrics.md) of as_of's month on one side of as_of, one SELECT
    each: (contract_id or, month=True, the month's first day; labour; material; lines), money
    in millionths; the lines after as_of negated (and counted -1), to subtract from the
    month's sum."""
    first = as_of.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)

    def part(line, labour: bool):
        cost = type_coerce(-line.cost if after else line.cost, BigInteger)
        zero = literal(0, BigInteger)
        side = (
            and_(line.date > as_of, line.date < next_first)
            if after
            else and_(line.date >= first, line.date <= as_of)
        )
        key = literal(first, Date) if month else WorkOrder.contract_id
        return (
            select(
                key.label("month" if month else "contract_id"),
                (cost if labour else zero).label("labour"),
                (zero if labour else cost).label("material"),
                literal(-1 if after else 1).label("lines"),
            )
            .join(WorkOrder, line.work_order_id == WorkOrder.id)
            .join(Contract, WorkOrder.contract_id == Contract.id)
            .where(side, in_term(line.date), covered())
        )

    return part(HourLine, True), part(MaterialLine, False)


def _date(value: dt.date | str) -> dt.date:
    # SQLite returns the computed month as text
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Choices:
    """The values the sidebar filters offer, each sorted."""

    customers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    account_managers: tuple[str, ...] = ()


def filter_choices(session: Session) -> Choices:
    """Distinct customers (with a contract), contract types and account managers."""
    customers = session.scalars(
        select(Customer.name)
        .join(Contract, Contract.customer_id == Customer.id)
        .distinct()
        .order_by(Customer.name)
    )
    types = session.scalars(
        select(Contract.type).where(Contract.type.is_not(None)).distinct().order_by(Contract.type)
    )
    managers = session.scalars(
        select(Contract.account_manager)
        .where(Contract.account_manager.is_not(None))
        .distinct()
        .order_by(Contract.account_manager)
    )
    return Choices(tuple(customers), tuple(types), tuple(managers))
