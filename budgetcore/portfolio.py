"""Portfolio figures: one SQL pass for every contract's sums, then metrics per contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from budgetcore import metrics
from budgetcore.metrics import ZERO, ContractFigures, ContractInputs, Thresholds
from budgetcore.models import (
    BudgetLine,
    Contract,
    ContractMonth,
    Customer,
    Fixed,
    HourLine,
    MaterialLine,
    WorkOrder,
)
from budgetcore.storage import day_number


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows the portfolio to; empty tuples mean "all"."""

    customers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    account_managers: tuple[str, ...] = ()
    contract_numbers: tuple[str, ...] = ()
    renewal_within_days: int | None = None


def _actuals(as_of: dt.date):
    """Per contract: in-term labour, material, hours and periodic visits up to as_of.

    Whole months before as_of's month come from contract_months; as_of's own
    month is read from the lines (by the date indexes), so any as_of is exact.
    """
    first = as_of.replace(day=1)
    months = select(
        ContractMonth.contract_id.label("contract_id"),
        ContractMonth.labour.label("labour"),
        ContractMonth.material.label("material"),
        ContractMonth.hours.label("hours"),
        ContractMonth.visits.label("visits"),
    ).where(ContractMonth.in_term.is_(True), ContractMonth.month < first)

    def in_window(date_col):
        return and_(
            date_col >= first,
            date_col <= as_of,
            date_col >= Contract.start_date,
            date_col <= Contract.end_date,
        )

    hours = (
        select(WorkOrder.contract_id, HourLine.cost, literal(0), HourLine.hours, literal(0))
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(in_window(HourLine.date))
    )
    materials = (
        select(WorkOrder.contract_id, literal(0), MaterialLine.cost, literal(0), literal(0))
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(in_window(MaterialLine.date))
    )
    visits = (
        select(WorkOrder.contract_id, literal(0), literal(0), literal(0), literal(1))
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type == "periodic", in_window(WorkOrder.date))
    )
    src = union_all(months, hours, materials, visits).subquery("src")
    return (
        select(
            src.c.contract_id,
            type_coerce(func.sum(src.c.labour), Fixed()).label("labour"),
            type_coerce(func.sum(src.c.material), Fixed()).label("material"),
            type_coerce(func.sum(src.c.hours), Fixed()).label("hours"),
            func.sum(src.c.visits).label("visits"),
        )
        .group_by(src.c.contract_id)
        .subquery("actuals")
    )


def _budgets(as_of: dt.date):
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

    return (
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
        .subquery("budgets")
    )


def _outside_term():
    """Per contract: count and cost of lines dated outside the term (data quality)."""
    return (
        select(
            ContractMonth.contract_id,
            func.sum(ContractMonth.lines).label("lines"),
            type_coerce(func.sum(ContractMonth.labour + ContractMonth.material), Fixed()).label("cost"),
        )
        .where(ContractMonth.in_term.is_(False))
        .group_by(ContractMonth.contract_id)
        .subquery("outside")
    )


def contract_inputs(session: Session, as_of: dt.date, filters: Filters = Filters()) -> list[ContractInputs]:
    """Every contract's inputs at as_of, narrowed by the filters SQL can apply."""
    actuals, budgets, outside = _actuals(as_of), _budgets(as_of), _outside_term()
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
            Contract.contract_value,
            Contract.planned_visits,
            Contract.terminated_on,
            actuals.c.labour,
            actuals.c.material,
            actuals.c.hours,
            actuals.c.visits,
            budgets.c.lines,
            budgets.c.labour,
            budgets.c.material,
            budgets.c.other,
            budgets.c.hours,
            budgets.c.planned,
            outside.c.lines,
            outside.c.cost,
        )
        .join(Customer, Contract.customer_id == Customer.id)
        .outerjoin(actuals, actuals.c.contract_id == Contract.id)
        .outerjoin(budgets, budgets.c.contract_id == Contract.id)
        .outerjoin(outside, outside.c.contract_id == Contract.id)
        .order_by(Contract.contract_number)
    )
    if filters.customers:
        stmt = stmt.where(Customer.name.in_(filters.customers))
    if filters.types:
        stmt = stmt.where(Contract.type.in_(filters.types))
    if filters.account_managers:
        stmt = stmt.where(Contract.account_manager.in_(filters.account_managers))
    if filters.contract_numbers:
        stmt = stmt.where(Contract.contract_number.in_(filters.contract_numbers))
    return [_inputs(row) for row in session.execute(stmt)]


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
    result = [metrics.figures(i, as_of, thresholds) for i in contract_inputs(session, as_of, filters)]
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
