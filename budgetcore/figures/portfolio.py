"""Portfolio figures: one SQL pass for every contract's sums, then metrics per contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from budgetcore.figures import metrics
from budgetcore.figures.metrics import ZERO, ContractFigures, ContractInputs, Thresholds
from budgetcore.store.database import day_number
from budgetcore.store.models import (
    UNIT,
    BudgetLine,
    Contract,
    ContractMonth,
    ContractTotal,
    Customer,
    Fixed,
    HourLine,
    MaterialLine,
    WorkOrder,
)


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows the portfolio to; empty tuples mean "all"."""

    customers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    account_managers: tuple[str, ...] = ()
    contract_numbers: tuple[str, ...] = ()
    renewal_within_days: int | None = None


def _scope(filters: Filters):
    """The ids of the contracts the SQL filters keep, pushed into every aggregate; None: all.

    With it one contract's figures (the detail page) read that contract's rows only.
    """
    if not (filters.customers or filters.types or filters.account_managers or filters.contract_numbers):
        return None
    stmt = select(Contract.id).join(Customer, Contract.customer_id == Customer.id)
    return _narrowed(stmt, filters)


def _narrowed(stmt, filters: Filters):
    if filters.customers:
        stmt = stmt.where(Customer.name.in_(filters.customers))
    if filters.types:
        stmt = stmt.where(Contract.type.in_(filters.types))
    if filters.account_managers:
        stmt = stmt.where(Contract.account_manager.in_(filters.account_managers))
    if filters.contract_numbers:
        stmt = stmt.where(Contract.contract_number.in_(filters.contract_numbers))
    return stmt


def _counts_after(session: Session, as_of: dt.date) -> bool:
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


def _actuals(as_of: dt.date, after: bool, scope=None):
    """Per contract: in-term labour, material, hours and periodic visits on one side of as_of.

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
        return and_(side, date_col >= Contract.start_date, date_col <= Contract.end_date)

    def scoped(stmt):
        return stmt if scope is None else stmt.where(WorkOrder.contract_id.in_(scope))

    hours = scoped(
        select(WorkOrder.contract_id, HourLine.cost, literal(0), HourLine.hours, literal(0))
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(in_window(HourLine.date))
    )
    materials = scoped(
        select(WorkOrder.contract_id, literal(0), MaterialLine.cost, literal(0), literal(0))
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(in_window(MaterialLine.date))
    )
    visits = scoped(
        select(WorkOrder.contract_id, literal(0), literal(0), literal(0), literal(1))
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type == "periodic", in_window(WorkOrder.date))
    )
    src = union_all(months, hours, materials, visits).subquery("src")
    return (
        select(
            src.c.contract_id,
            func.sum(src.c.labour).label("labour"),
            func.sum(src.c.material).label("material"),
            func.sum(src.c.hours).label("hours"),
            func.sum(src.c.visits).label("visits"),
        )
        .group_by(src.c.contract_id)
        .subquery("actuals")
    )


def _budgets(as_of: dt.date, scope=None):
    """Per contract: budget line count, totals per category, hours and planned to date.

    Planned to date is amount x days done / period days in integer millionths of
    a euro, truncated per line: at most 1e-6 EUR per line from the exact value.
    """
    start = func.coalesce(BudgetLine.period_start, Contract.start_date)
    end = func.coalesce(BudgetLine.period_end, Contract.end_date)
    period_days = day_number(end) - day_number(start) + 1
    done = day_number(literal(as_of)) - day_number(start) + 1
    done_clamped = case((done < 0, 0), (done > period_days, period_days), else_=done)
    # // is integer division on both engines; / would be float division on SQLite
    # (rounded, not truncated) and NUMERIC on PostgreSQL, so the engines would differ
    planned = type_coerce(BudgetLine.amount, Fixed()) * done_clamped // period_days

    def category(name: str):
        return type_coerce(func.sum(case((BudgetLine.category == name, BudgetLine.amount), else_=0)), Fixed())

    stmt = (
        select(
            BudgetLine.contract_id,
            func.count().label("lines"),
            category("labour").label("labour"),
            category("material").label("material"),
            category("other").label("other"),
            type_coerce(func.sum(func.coalesce(BudgetLine.hours, 0)), Fixed()).label("hours"),
            type_coerce(func.sum(planned), Fixed()).label("planned"),
        )
        .join(Contract, BudgetLine.contract_id == Contract.id)
        .group_by(BudgetLine.contract_id)
    )
    if scope is not None:
        stmt = stmt.where(BudgetLine.contract_id.in_(scope))
    return stmt.subquery("budgets")


def _budgets_raw(as_of: dt.date, scope=None):
    """_budgets with the same figures, cheaper per line, as raw integer millionths.

    A line whose period ended by as_of contributes its amount and one that starts
    after as_of nothing, decided by comparing dates; only a line running at as_of
    needs day numbers (its done days lie within 1 .. period days, so the clamp is
    moot), with as_of's day number computed once in Python. Anything else (a
    period ending before it starts, which the importer refuses) takes _budgets'
    own expression. Sums are cast to BIGINT so that PostgreSQL returns ints, not
    NUMERIC; the columns are raw (no Fixed), _raw_inputs makes the Decimals.
    """
    start = func.coalesce(BudgetLine.period_start, Contract.start_date)
    end = func.coalesce(BudgetLine.period_end, Contract.end_date)
    amount = type_coerce(BudgetLine.amount, BigInteger)
    as_of_day = (as_of - _EPOCH).days
    period_days = day_number(end) - day_number(start) + 1
    done = literal(as_of_day) - day_number(start) + 1
    done_clamped = case((done < 0, 0), (done > period_days, period_days), else_=done)
    planned = case(
        (and_(start <= end, end <= as_of), amount),
        (and_(start <= end, start > as_of), 0),
        (and_(start <= as_of, as_of < end), amount * done // period_days),
        else_=amount * done_clamped // period_days,
    )

    def total(value):
        return cast(func.sum(value), BigInteger)

    def category(name: str):
        return total(case((BudgetLine.category == name, amount), else_=0))

    stmt = (
        select(
            BudgetLine.contract_id,
            func.count().label("lines"),
            category("labour").label("labour"),
            category("material").label("material"),
            category("other").label("other"),
            total(func.coalesce(type_coerce(BudgetLine.hours, BigInteger), 0)).label("hours"),
            total(planned).label("planned"),
        )
        .join(Contract, BudgetLine.contract_id == Contract.id)
        .group_by(BudgetLine.contract_id)
    )
    if scope is not None:
        stmt = stmt.where(BudgetLine.contract_id.in_(scope))
    return stmt.subquery("budgets")


def _inputs_statement(session: Session, as_of: dt.date, filters: Filters, raw: bool):
    """The one statement behind every contract's inputs.

    raw=False: money through Fixed (a Decimal per value, by SQLAlchemy) and
    planned to date by _budgets: the straightforward reading, kept as the
    reference the fast path is tested against. raw=True: integer millionths and
    _budgets_raw, for _raw_inputs.
    """
    scope = budget_scope = _scope(filters)
    window = None
    if raw and filters.renewal_within_days is not None:
        # the renewals list: read only contracts in the window. Not pushed into the
        # actuals, whose line parts would then read every line of those contracts
        # (by work order) instead of as_of's month (by date)
        window = _renewal_window(as_of, filters.renewal_within_days)
        budget_scope = select(Contract.id).where(window) if scope is None else scope.where(window)
    after = _counts_after(session, as_of)
    part, totals = _actuals(as_of, after, scope), ContractTotal
    budgets = _budgets_raw(as_of, budget_scope) if raw else _budgets(as_of, scope)

    def actual(total_col, part_col, money: bool = True):
        value = func.coalesce(total_col, 0) - func.coalesce(part_col, 0) if after else part_col
        if raw:
            return cast(value, BigInteger)
        return type_coerce(value, Fixed()) if money else value

    def units(col):
        return type_coerce(col, BigInteger) if raw else col

    stmt = (
        select(
            Contract.contract_number,
            Customer.name,
            Contract.name,
            Contract.type,
            Contract.account_manager,
            Contract.start_date,
            Contract.end_date,
            Contract.notice_period_days,
            Contract.auto_renew,
            units(Contract.contract_value),
            Contract.planned_visits,
            Contract.terminated_on,
            actual(totals.labour, part.c.labour),
            actual(totals.material, part.c.material),
            actual(totals.hours, part.c.hours),
            actual(totals.visits, part.c.visits, money=False),
            budgets.c.lines,
            budgets.c.labour,
            budgets.c.material,
            budgets.c.other,
            budgets.c.hours,
            budgets.c.planned,
            totals.outside_lines,
            units(totals.outside_cost),
        )
        .join(Customer, Contract.customer_id == Customer.id)
        .outerjoin(totals, totals.contract_id == Contract.id)
        .outerjoin(part, part.c.contract_id == Contract.id)
        .outerjoin(budgets, budgets.c.contract_id == Contract.id)
        .order_by(Contract.contract_number)
    )
    if window is not None:
        stmt = stmt.where(window)
    if not filters.contract_numbers:  # issue 11: archived contracts leave the portfolio; a named one reads
        stmt = stmt.where(Contract.archived_on.is_(None))
    return _narrowed(stmt, filters)


def _renewal_window(as_of: dt.date, within_days: int):
    """metrics.approaches_renewal in SQL: not terminated, end date or notice deadline in the window.

    The renewals list reads only these contracts; _filtered still applies the
    rule itself afterwards, so this only spares the rest.
    """
    first = (as_of - _EPOCH).days
    last = (as_of + dt.timedelta(days=within_days) - _EPOCH).days
    end = day_number(Contract.end_date)
    deadline = end - func.coalesce(Contract.notice_period_days, 0)
    return and_(
        Contract.terminated_on.is_(None),
        or_(end.between(first, last), deadline.between(first, last)),
    )


def contract_inputs(session: Session, as_of: dt.date, filters: Filters = Filters()) -> list[ContractInputs]:
    """Every contract's inputs at as_of, narrowed by the filters SQL can apply.

    Reads one contract_totals row per contract plus the maintained months and
    lines on the cheaper side of as_of (see _counts_after), never all lines.
    Money comes back as integer millionths and becomes Decimal in _raw_inputs;
    the result equals _reference_inputs' (tests/test_portfolio_fast.py).
    """
    # Core rows, not ORM loading: a portfolio of 175,000 contracts is a plain table read
    rows = session.connection().execute(_inputs_statement(session, as_of, filters, raw=True))
    return _raw_inputs(rows)


def _reference_inputs(session: Session, as_of: dt.date, filters: Filters = Filters()) -> list[ContractInputs]:
    """contract_inputs the straightforward way (Fixed per value, _budgets): the yardstick of the tests."""
    rows = session.connection().execute(_inputs_statement(session, as_of, filters, raw=False))
    return [_inputs(row) for row in rows]


_EPOCH = dt.date(1970, 1, 1)


def _raw_inputs(rows) -> list[ContractInputs]:
    """ContractInputs from rows of integer millionths, equal to _inputs' from Fixed rows.

    from_units(n) is Decimal(n) scaled to exponent -6 (0 too: 0E-6), and _inputs
    turns a 0 or missing sum into ZERO (`value or ZERO`); both kept exactly.
    """
    unit, zero, make, dec = UNIT, ZERO, ContractInputs, Decimal
    result = []
    append = result.append
    for (number, customer, name, ctype, manager, start, end, notice, auto_renew, value, visits_planned,
         terminated, labour, material, hours, visits, b_lines, b_labour, b_material, b_other, b_hours,
         planned, out_lines, out_cost) in rows:  # fmt: skip
        append(
            make(
                number,
                customer,
                name,
                ctype,
                manager,
                start,
                end,
                notice or 0,
                bool(auto_renew),
                None if value is None else dec(value) * unit,
                visits_planned,
                terminated,
                dec(labour) * unit if labour else zero,
                dec(material) * unit if material else zero,
                dec(hours) * unit if hours else zero,
                int(visits or 0),
                int(b_lines or 0),
                dec(b_labour) * unit if b_labour else zero,
                dec(b_material) * unit if b_material else zero,
                dec(b_other) * unit if b_other else zero,
                dec(b_hours) * unit if b_hours else zero,
                dec(planned) * unit if planned else zero,
                int(out_lines or 0),
                dec(out_cost) * unit if out_cost else zero,
            )
        )
    return result


def _inputs(row) -> ContractInputs:
    (number, customer, name, ctype, manager, start, end, notice, auto_renew, value, visits_planned,
     terminated, labour, material, hours, visits, b_lines, b_labour, b_material, b_other, b_hours,
     planned, out_lines, out_cost) = row  # fmt: skip
    return ContractInputs(
        contract_number=number,
        customer=customer,
        name=name,
        type=ctype,
        account_manager=manager,
        start_date=start,
        end_date=end,
        notice_period_days=notice or 0,
        auto_renew=bool(auto_renew),
        contract_value=value,
        planned_visits=visits_planned,
        terminated_on=terminated,
        actual_labour=labour or ZERO,
        actual_material=material or ZERO,
        actual_hours=hours or ZERO,
        visits_done=int(visits or 0),
        budget_lines=int(b_lines or 0),
        budget_labour=b_labour or ZERO,
        budget_material=b_material or ZERO,
        budget_other=b_other or ZERO,
        budget_hours=b_hours or ZERO,
        planned_to_date=planned or ZERO,
        outside_term_lines=int(out_lines or 0),
        outside_term_cost=out_cost or ZERO,
    )


def portfolio(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    filters: Filters = Filters(),
) -> list[ContractFigures]:
    """Figures for every contract that passes the filters, in contract number order."""
    result = metrics.figures_all(contract_inputs(session, as_of, filters), as_of, thresholds)
    return _filtered(result, as_of, filters)


def _reference_portfolio(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    filters: Filters = Filters(),
) -> list[ContractFigures]:
    """portfolio() the straightforward way: metrics.figures over _reference_inputs (for the tests)."""
    result = [metrics.figures(i, as_of, thresholds) for i in _reference_inputs(session, as_of, filters)]
    return _filtered(result, as_of, filters)


def _filtered(result: list[ContractFigures], as_of: dt.date, filters: Filters) -> list[ContractFigures]:
    """The filters only figures can apply: status and the renewal window."""
    if filters.statuses:
        result = [f for f in result if f.status in filters.statuses]
    if filters.renewal_within_days is not None:
        window = filters.renewal_within_days
        result = [
            f
            for f in result
            if metrics.approaches_renewal(
                f.inputs.end_date, f.notice_deadline, f.inputs.terminated_on, as_of, window
            )
        ]
    return result


def renewals(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    within_days: int | None = None,
    filters: Filters = Filters(),
) -> list[ContractFigures]:
    """Contracts approaching renewal within the window, soonest deadline first."""
    window = thresholds.renewal_window_days if within_days is None else within_days
    chosen = portfolio(
        session, as_of, thresholds, Filters(**{**filters.__dict__, "renewal_within_days": window})
    )
    return sorted(
        chosen,
        key=lambda f: (
            metrics.next_deadline(f.inputs.end_date, f.notice_deadline, as_of),
            f.contract_number,
        ),
    )


SUMMARY_COLUMNS = (
    "contract_number",
    "customer",
    "status",
    "budget_total",
    "actual_labour",
    "actual_material",
    "actual_total",
    "consumed_pct",
    "elapsed_pct",
    "burn_index",
    "forecast_total",
    "forecast_method",
    "margin",
    "end_date",
    "notice_deadline",
    "days_to_end",
)


def summary_row(f: ContractFigures) -> dict[str, object]:
    """One contract as the CLI and exports show it: money in cents, fractions to 4 places."""
    return {
        "contract_number": f.contract_number,
        "customer": f.inputs.customer,
        "status": f.status,
        "budget_total": metrics.money(f.budget_total),
        "actual_labour": metrics.money(f.inputs.actual_labour),
        "actual_material": metrics.money(f.inputs.actual_material),
        "actual_total": metrics.money(f.actual_total),
        "consumed_pct": metrics.fraction(f.consumed),
        "elapsed_pct": metrics.fraction(f.elapsed),
        "burn_index": metrics.fraction(f.burn_index),
        "forecast_total": metrics.money(f.forecast.total),
        "forecast_method": f.forecast.method,
        "margin": metrics.money(f.margin),
        "end_date": f.inputs.end_date,
        "notice_deadline": f.notice_deadline,
        "days_to_end": f.days_to_end,
    }


def total(values: list[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)
