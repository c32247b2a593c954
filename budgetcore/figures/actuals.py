"""What depends on as_of in every contract's actuals: the lines and months on one side of it, by SQL.

contract_totals holds every contract's in-term sums; the actuals at as_of are
those totals minus what lies after as_of, or the sums of what lies through it,
whichever side holds fewer maintained months (reads_after). The cost window
is the rule of docs/metrics.md: a line counts when dated from the start date
through min(as_of, end date), both days included; contract_months carries it
as its in_term flag, the lines of as_of's own month are read by date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from budgetcore.store.aggregates import billed_on_top, covered, in_term, split
from budgetcore.store.models import Contract, ContractMonth, HourLine, MaterialLine, WorkOrder


def reads_after(session: Session, as_of: dt.date) -> bool:
    """Whether to read actuals as totals minus what lies after as_of (else: sum what lies before).

    Both give the same figures; the side with fewer maintained months is read.
    The portfolio at today has almost nothing after it.
    """
    first = as_of.replace(day=1)
    low = session.scalar(select(func.min(ContractMonth.month)))
    high = session.scalar(select(func.max(ContractMonth.month)))
    if low is None or high is None:
        return True
    return (high - first) <= (first - low)


def far_side(as_of: dt.date, after: bool, scope=None):
    """Per contract: in-term labour, material, hours, periodic visits and corrective work orders
    (calls) of covered work, and the
    cost, revenue and lines without a sales price of work billed on top (extra_cost,
    extra_revenue, extra_unpriced), on one side of as_of (a subquery).

    after=False: everything from the start of the term through as_of, the actuals
    themselves. after=True: everything in the term dated after as_of, which
    contract_totals minus this gives the actuals. Whole months come from
    contract_months; as_of's own month is read from the lines (by their date
    index), so any as_of, also one in the middle of a month, is exact.
    """
    first = as_of.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    months = select(
        ContractMonth.contract_id.label("contract_id"),
        ContractMonth.labour.label("labour"),
        ContractMonth.material.label("material"),
        ContractMonth.hours.label("hours"),
        ContractMonth.visits.label("visits"),
        ContractMonth.calls.label("calls"),
        ContractMonth.extra_cost.label("extra_cost"),
        ContractMonth.extra_revenue.label("extra_revenue"),
        ContractMonth.extra_unpriced.label("extra_unpriced"),
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
    return (
        select(
            src.c.contract_id,
            func.sum(src.c.labour).label("labour"),
            func.sum(src.c.material).label("material"),
            func.sum(src.c.hours).label("hours"),
            func.sum(src.c.visits).label("visits"),
            func.sum(src.c.calls).label("calls"),
            func.sum(src.c.extra_cost).label("extra_cost"),
            func.sum(src.c.extra_revenue).label("extra_revenue"),
            func.sum(src.c.extra_unpriced).label("extra_unpriced"),
        )
        .group_by(src.c.contract_id)
        .subquery("actuals")
    )
