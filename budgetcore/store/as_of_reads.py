"""What depends on as_of in the actuals, read by SQL: the lines and months on one side of it.

contract_totals holds every contract's in-term sums; the actuals at as_of are those totals
minus what lies after as_of, or the sums of what lies through it, whichever side holds fewer
maintained months (totals_minus_after). The cost window is the rule of docs/metrics.md: a line
counts when dated from the start date through min(as_of, end date), both days included;
contract_months carries it as its in_term flag (aggregates.in_term), the lines of as_of's own
month are read by date. The caller decides which side of as_of's own month to read
(figures/summary.own_month_after) and passes it as after.

figures/frame.py (the engine's actuals), figures/summary.py (actuals per month of a set of
contracts) and figures/months.py (as_of's own month per contract) shape these rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from budgetcore.clock import next_month
from budgetcore.store.aggregates import billed_on_top, covered, in_term, split
from budgetcore.store.columns import ids_of
from budgetcore.store.database import integer_select, one_of, plain_rows
from budgetcore.store.models import (
    Contract,
    ContractMonth,
    Fixed,
    HourLine,
    MaterialLine,
    PortfolioMonth,
    WorkOrder,
)

FAR_SIDE_COLUMNS = (
    "labour",
    "material",
    "hours",
    "visits",
    "calls",
    "extra_cost",
    "extra_revenue",
    "extra_unpriced",
)


def totals_minus_after(session: Session, as_of: dt.date) -> bool:
    """Whether to read actuals as totals minus what lies after as_of (else: sum what lies before).

    Both give the same figures; the side with fewer maintained months is read.
    The portfolio at today has almost nothing after it.
    """
    first = as_of.replace(day=1)
    # two statements: SQLite answers a lone min() or max() from the index, both together by a scan
    low = session.scalar(select(func.min(ContractMonth.month)))
    high = session.scalar(select(func.max(ContractMonth.month)))
    if low is None or high is None:
        return True
    return (high - first) <= (first - low)


def far_side_rows(
    session: Session, as_of: dt.date, after: bool, numbers: Sequence[str] | None = None
) -> list[tuple[int, ...]]:
    """Per contract (of these numbers, None: every one), as integer rows (contract_id, then
    FAR_SIDE_COLUMNS): in-term labour, material, hours, periodic visits and corrective work
    orders (calls) of covered work, and the cost, revenue and lines without a sales price of
    work billed on top, on one side of as_of; money in millionths.

    after=False: everything from the start of the term through as_of, the actuals
    themselves. after=True: everything in the term dated after as_of, which
    contract_totals minus this gives the actuals. Whole months come from
    contract_months; as_of's own month is read from the lines (by their date
    index), so any as_of, also one in the middle of a month, is exact.
    """
    parameters = {"as_of": as_of, "first": as_of.replace(day=1), "next_first": next_month(as_of)}
    if numbers is not None:
        parameters["numbers"] = list(numbers)
    return plain_rows(session, _far_side_statement(after, numbers is not None), parameters)


@functools.cache
def _far_side_statement(after: bool, scoped: bool) -> Select:
    """far_side_rows' statement, built once per shape (SQLAlchemy builds a statement this size
    in a few milliseconds): as_of, first (its month's first day), next_first and the numbers
    are parameters."""
    as_of, first, next_first = (bindparam(name, type_=Date) for name in ("as_of", "first", "next_first"))
    scope = ids_of(bindparam("numbers", expanding=True)) if scoped else None
    months = select(
        ContractMonth.contract_id.label("contract_id"),
        *(getattr(ContractMonth, name).label(name) for name in FAR_SIDE_COLUMNS),
    ).where(
        ContractMonth.in_term.is_(True),
        ContractMonth.month >= next_first if after else ContractMonth.month < first,
    )
    if scope is not None:
        months = months.where(ContractMonth.contract_id.in_(scope))

    def in_window(date_col):
        side = (
            and_(date_col > as_of, date_col < next_first)
            if after
            else and_(date_col >= first, date_col <= as_of)
        )
        return and_(side, in_term(date_col))

    def scoped(stmt):
        return stmt if scope is None else stmt.where(WorkOrder.contract_id.in_(scope))

    billed = billed_on_top()

    def line(model, labour: bool):
        cost = split(billed, model.cost, True)
        zero = literal(0)
        return scoped(
            select(
                WorkOrder.contract_id,
                cost if labour else zero,
                zero if labour else cost,
                split(billed, model.hours, True) if labour else zero,
                zero,
                zero,
                split(billed, model.cost, False),
                split(billed, func.coalesce(model.revenue, 0), False),
                split(billed, case((model.revenue.is_(None), 1), else_=0), False),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .join(Contract, WorkOrder.contract_id == Contract.id)
            .where(in_window(model.date))
        )

    zero = literal(0)
    periodic = WorkOrder.type == "periodic"
    visits = scoped(  # covered periodic work orders count as visits, corrective ones as calls
        select(
            WorkOrder.contract_id,
            zero,
            zero,
            zero,
            case((periodic, 1), else_=0),
            case((periodic, 0), else_=1),
            zero,
            zero,
            zero,
        )
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type.in_(("periodic", "corrective")), covered(), in_window(WorkOrder.date))
    )
    src = union_all(months, line(HourLine, True), line(MaterialLine, False), visits).subquery("src")
    grouped = (
        select(src.c.contract_id, *(func.sum(src.c[name]).label(name) for name in FAR_SIDE_COLUMNS))
        .group_by(src.c.contract_id)
        .subquery("actuals")
    )
    return integer_select(grouped)


def _month_lines(as_of: dt.date, after: bool, *keys):
    """The in-term hour and material lines of covered work orders (the budget's; Scope in
    docs/metrics.md) of as_of's month on one side of as_of, one SELECT each: (keys, labour,
    material, lines), money in millionths; the lines after as_of negated (and counted -1), to
    subtract from the month's sum. keys: labelled columns of work_orders or contracts, or
    literals (as_of's month, _month_key)."""
    first = as_of.replace(day=1)
    next_first = next_month(as_of)

    def part(line, labour: bool):
        cost = type_coerce(-line.cost if after else line.cost, BigInteger)
        zero = literal(0, BigInteger)
        side = (
            and_(line.date > as_of, line.date < next_first)
            if after
            else and_(line.date >= first, line.date <= as_of)
        )
        return (
            select(
                *keys,
                (cost if labour else zero).label("labour"),
                (zero if labour else cost).label("material"),
                literal(-1 if after else 1).label("lines"),
            )
            .join(WorkOrder, line.work_order_id == WorkOrder.id)
            .join(Contract, WorkOrder.contract_id == Contract.id)
            .where(side, in_term(line.date), covered())
        )

    return part(HourLine, True), part(MaterialLine, False)


def _month_key(as_of: dt.date):
    """as_of's month's first day as the month column of _month_lines."""
    return literal(as_of.replace(day=1), Date).label("month")


def own_month_rows(session: Session, as_of: dt.date, after: bool) -> list[tuple[int, int, int, int]]:
    """Per contract, (contract_id, labour, material, lines) of the in-term covered lines of
    as_of's month on one side of as_of (after: the lines after as_of, negated and counted -1;
    else the lines through as_of), money in integer millionths."""
    src = union_all(*_month_lines(as_of, after, WorkOrder.contract_id.label("contract_id"))).subquery("src")
    grouped = select(
        src.c.contract_id, func.sum(src.c.labour), func.sum(src.c.material), func.sum(src.c.lines)
    ).group_by(src.c.contract_id)
    # PostgreSQL sums BIGINT to NUMERIC: int() makes every engine's sums integers
    return [(c, int(lab), int(mat), int(n)) for c, lab, mat, n in plain_rows(session, grouped)]


def monthly_rows(
    session: Session, as_of: dt.date, after: bool, contract_numbers: Sequence[str] | None = None
) -> list[tuple[dt.date, Decimal | None, Decimal | None, int]]:
    """(month's first day, labour EUR, material EUR, lines) per month, in term and through
    as_of, summed over the contracts of these numbers (None: every contract), oldest first.

    Whole months before as_of's month come from contract_months (every contract: the
    maintained portfolio_months); as_of's own month from the lines on the side after says
    (after: its maintained sum minus the lines after as_of, lines counted -1 each).
    """
    first = as_of.replace(day=1)

    def chosen(stmt):
        if contract_numbers is None:
            return stmt
        return stmt.where(one_of(session, Contract.contract_number, contract_numbers))

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
    src = union_all(
        months, *(chosen(part) for part in _month_lines(as_of, after, _month_key(as_of)))
    ).subquery("src")
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
    return [(_date(m), lab, mat, lines) for m, lab, mat, lines in rows]


def monthly_rows_by_contract(
    session: Session, as_of: dt.date, after: bool, contract_numbers: Sequence[str]
) -> dict[str, list[tuple[dt.date, Decimal | None, Decimal | None, int]]]:
    """monthly_rows of each of these contracts alone, in one statement: per contract number,
    (month's first day, labour EUR, material EUR, lines) per month, oldest first; a contract
    with no month left out."""
    m, number = ContractMonth, Contract.contract_number.label("number")
    first = as_of.replace(day=1)
    chosen = one_of(session, Contract.contract_number, contract_numbers)
    months = (
        select(
            number, m.month.label("month"), m.labour.label("labour"), m.material.label("material"), m.lines
        )
        .join(Contract, m.contract_id == Contract.id)
        .where(chosen, m.in_term.is_(True), m.month <= first if after else m.month < first)
    )
    lines = (part.where(chosen) for part in _month_lines(as_of, after, number, _month_key(as_of)))
    src = union_all(months, *lines).subquery("src")
    rows = session.execute(
        select(
            src.c.number,
            src.c.month,
            type_coerce(func.sum(src.c.labour), Fixed()),
            type_coerce(func.sum(src.c.material), Fixed()),
            func.sum(src.c.lines),
        )
        .group_by(src.c.number, src.c.month)
        .order_by(src.c.number, src.c.month)
    )
    found: dict[str, list] = {}
    for n, month, lab, mat, count in rows:
        found.setdefault(n, []).append((_date(month), lab, mat, count))
    return found


def _date(value: dt.date | str) -> dt.date:
    # SQLite returns the computed month as text
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
