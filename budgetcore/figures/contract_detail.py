"""One contract in depth: its figures, burn-up series, work orders, cost lines grouped, data quality.

A contract's page tables (PageTables: work orders, hours, materials, findings, work billed on
top per month) are built by one function, page_tables, from rows that store/contract_reads.py
reads for any number of contracts in one statement each: the contract page asks for one, a
review pack for all its pages at once, and both get the same tables. Cost windows follow
docs/metrics.md: a line counts when dated from start_date through min(as_of,
end_date), both days included; lines outside the term are reported as
findings, never dropped silently. Money is Decimal EUR, hours Decimal hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from budgetcore import clock
from budgetcore.figures import forecast, frame
from budgetcore.figures.calibration import Calibration
from budgetcore.figures.metrics import ZERO, ContractFigures, Filters, Thresholds, ratio
from budgetcore.i18n import N_
from budgetcore.store import columns, contract_reads
from budgetcore.store.contract_reads import ContractTerm, LineChecks
from budgetcore.store.database import EPOCH
from budgetcore.store.models import UNIT, Contract

CATEGORIES = ("labour", "material", "other")
NUMBER_LENGTH = Contract.__table__.c.contract_number.type.length  # characters a contract number has at most


def figures(
    session: Session,
    contract_number: str,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    picks: Calibration | None = None,
    rates: frame.CallRates | None = None,
) -> ContractFigures | None:
    """The contract's figures at as_of, the same as the portfolio shows; None if unknown.
    picks, rates: auto's picks and the portfolio's corrective work per type at as_of when the
    caller holds them (frame.load)."""
    if not contract_number:
        return None
    filters = Filters(contract_numbers=(contract_number,))
    found = frame.load(session, as_of, thresholds, filters, picks, rates)
    return found.figures()[0] if len(found) else None


@dataclass(frozen=True)
class BudgetPeriod:
    """One budget line with its period resolved against the term (both days included)."""

    category: str
    amount: Decimal
    hours: Decimal | None
    start: dt.date
    end: dt.date


def _budget_periods(rows: Sequence[tuple]) -> list[BudgetPeriod]:
    """A contract's budget_period_rows as BudgetPeriods (an empty period_start or period_end is
    the contract's term, as storage resolved it)."""
    day = dt.timedelta(days=1)
    return [BudgetPeriod(c, a, h, EPOCH + first * day, EPOCH + last * day) for c, a, h, first, last in rows]


@dataclass(frozen=True)
class BurnUpPoint:
    """Cumulative cost through day (EUR): actual (None after as_of) and planned to date."""

    day: dt.date
    actual: Decimal | None
    planned: Decimal


def burn_up(session: Session, contract_number: str, as_of: dt.date) -> list[BurnUpPoint]:
    """Month by month over the term: cumulative in-term actual cost and planned to date.

    Points fall on the day before the start (zero), each month end inside the
    term, the end date, and as_of when it lies inside the term.
    """
    contract = contract_reads.contract_terms(session, [contract_number]).get(contract_number)
    if contract is None:
        return []
    start, end = contract.start_date, contract.end_date
    # lines are cut at min(as_of, end), so the month of as_of holds only lines up to as_of
    monthly = contract_reads.covered_cost_by_month(session, contract, as_of)
    periods = columns.contract_columns(session, [contract_number])

    def planned(day: dt.date) -> Decimal:
        return Decimal(int(forecast.planned_to_date(periods, 1, (day - EPOCH).days)[0])) * UNIT

    days = [start - dt.timedelta(days=1)]
    day = clock.month_end(start)
    while day < end:
        days.append(day)
        day = clock.month_end(day + dt.timedelta(days=1))
    days.append(end)
    if start <= as_of < end and as_of not in days:
        days.append(as_of)
    days.sort()

    points = []
    for day in days:
        actual = None
        if day < start:
            actual = ZERO if as_of >= day else None
        elif day <= as_of:
            first = day.replace(day=1)
            actual = sum((cost for m, cost in monthly.items() if m <= first), ZERO)
        points.append(BurnUpPoint(day, actual, planned(day)))
    return points


@dataclass(frozen=True)
class CategoryRow:
    """Budget against actual for one category (EUR); actual 'other' is always 0 (no such lines)."""

    category: str
    budget: Decimal
    actual: Decimal

    @property
    def consumed(self) -> Decimal | None:
        """actual / budget (fraction; None at a budget of 0)."""
        return ratio(self.actual, self.budget)


def by_category(f: ContractFigures) -> list[CategoryRow]:
    """Budget vs actual per category, from the contract's figures."""
    i = f.inputs
    return [
        CategoryRow("labour", i.budget_labour, i.actual_labour),
        CategoryRow("material", i.budget_material, i.actual_material),
        CategoryRow("other", i.budget_other, ZERO),
    ]


@dataclass(frozen=True)
class WorkOrderRow:
    """One work order with the cost of its lines (EUR), whether it lies inside the term, and
    whether it is billed on top of the contract (else covered by it; docs/metrics.md, Scope)
    with the revenue of its lines (EUR) and how many of them have no sales price."""

    work_order_number: str
    date: dt.date
    type: str | None
    status: str | None
    description: str | None
    hours: Decimal
    labour: Decimal
    material: Decimal
    in_term: bool
    billed: bool = False
    revenue: Decimal = ZERO
    unpriced: int = 0

    @property
    def cost(self) -> Decimal:
        return self.labour + self.material


def _work_orders(c: ContractTerm, rows: Sequence[tuple]) -> list[WorkOrderRow]:
    """A contract's work_order_rows as WorkOrderRows (dated on or before as_of, newest first)."""
    return [
        WorkOrderRow(
            n,
            d,
            t,
            s,
            desc,
            h or ZERO,
            lab or ZERO,
            mat or ZERO,
            c.start_date <= d <= c.end_date,
            bool(billed),
            revenue or ZERO,
            int(unpriced or 0),
        )
        for n, d, t, s, desc, h, lab, mat, billed, revenue, unpriced in rows
    ]


@dataclass(frozen=True)
class ExtraMonth:
    """Work billed on top in one month of the cost window: its work orders (count), cost and
    revenue (EUR); month is the first day."""

    month: dt.date
    work_orders: int
    cost: Decimal
    revenue: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost


@dataclass(frozen=True)
class HoursRow:
    """Hours and their cost (EUR) of one employee and hour type, in the cost window."""

    employee: str | None
    hour_type: str | None
    hours: Decimal
    cost: Decimal


@dataclass(frozen=True)
class MaterialRow:
    """Quantity and cost (EUR) of one article in the cost window."""

    article_code: str | None
    description: str | None
    quantity: Decimal
    cost: Decimal


@dataclass(frozen=True)
class Finding:
    """A data-quality observation: an English message template, how many rows, and their cost (EUR)."""

    message: str
    count: int
    amount: Decimal | None = None


FINDINGS = {
    "outside": N_("cost lines dated outside the contract term (not counted)"),
    "after_termination": N_("cost lines dated after the termination date"),
    "zero_rate": N_("hour lines with a zero cost rate"),
    "zero_cost": N_("material lines with a zero unit cost"),
    "empty": N_("work orders without hour or material lines"),
    "no_budget": N_("no budget lines: the status cannot be judged"),
    "budget_period": N_("budget lines whose period lies outside the contract term"),
    "unpriced": N_("lines billed on top without a sales price (no revenue)"),
}


def _findings(c: ContractTerm, checks: LineChecks, periods: Sequence[BudgetPeriod]) -> list[Finding]:
    """What looks wrong or incomplete in a contract's data, independent of as_of: from its
    line_checks and its budget lines."""
    result: list[Finding] = []
    for name in ("outside", "after_termination"):
        count, amount = getattr(checks, name)
        if count:
            result.append(Finding(FINDINGS[name], count, amount))
    for name in ("zero_rate", "zero_cost", "empty", "unpriced"):
        if getattr(checks, name):
            result.append(Finding(FINDINGS[name], getattr(checks, name)))
    if not periods:
        result.append(Finding(FINDINGS["no_budget"], 0))
    stray = [p for p in periods if p.start < c.start_date or p.end > c.end_date]
    if stray:
        result.append(Finding(FINDINGS["budget_period"], len(stray), sum((p.amount for p in stray), ZERO)))
    return result


@dataclass(frozen=True)
class PageTables:
    """A contract's tables at as_of, the same on its page and in a review pack: its work orders
    dated on or before as_of (newest first, with their cost), the covered hours per employee and
    hour type and materials per article in the cost window (most cost first), the data-quality
    findings, and the work billed on top per month of the cost window (oldest first; their sums
    are the contract's extra_cost and extra_revenue)."""

    work_orders: list[WorkOrderRow]
    hours: list[HoursRow]
    materials: list[MaterialRow]
    findings: list[Finding]
    extra_months: list[ExtraMonth]


def page_tables(session: Session, contract_numbers: Sequence[str], as_of: dt.date) -> dict[str, PageTables]:
    """Each contract's PageTables at as_of, by contract number (an unknown number left out): one
    statement per kind of row for all of them, each contract's tables built from its own rows."""
    terms = contract_reads.contract_terms(session, contract_numbers)
    if not terms:
        return {}
    ids = [c.id for c in terms.values()]
    work = contract_reads.work_order_rows(session, ids, as_of)
    hours = contract_reads.hours_rows(session, ids, as_of)
    materials = contract_reads.material_rows(session, ids, as_of)
    extra = contract_reads.extra_month_rows(session, ids, as_of)
    checks = contract_reads.line_checks(session, ids)
    budgets = contract_reads.budget_period_rows(session, ids)
    return {
        number: PageTables(
            work_orders=_work_orders(c, work.get(c.id, ())),
            hours=[HoursRow(e, t, h or ZERO, cost or ZERO) for e, t, h, cost in hours.get(c.id, ())],
            materials=[
                MaterialRow(a, d, q or ZERO, cost or ZERO) for a, d, q, cost in materials.get(c.id, ())
            ],
            findings=_findings(c, checks.get(c.id, LineChecks()), _budget_periods(budgets.get(c.id, ()))),
            extra_months=[
                ExtraMonth(m, n, cost or ZERO, revenue or ZERO) for m, n, cost, revenue in extra.get(c.id, ())
            ],
        )
        for number, c in terms.items()
    }


@dataclass(frozen=True)
class Detail:
    """Everything the contract page shows, computed in one session."""

    figures: ContractFigures
    burn_up: list[BurnUpPoint]
    categories: list[CategoryRow]
    work_orders: list[WorkOrderRow]
    hours: list[HoursRow]
    materials: list[MaterialRow]
    findings: list[Finding]
    extra_months: list[ExtraMonth] = ()  # type: ignore[assignment]  # work billed on top, per month


def detail(
    session: Session,
    contract_number: str,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    picks: Calibration | None = None,
    rates: frame.CallRates | None = None,
) -> Detail | None:
    """The contract page's data at as_of; None when the contract number is unknown (matched
    exactly, else ignoring case when that finds exactly one contract). picks, rates: as figures()."""
    if "\x00" in contract_number or len(contract_number) > NUMBER_LENGTH:
        return None  # no stored number is like it, and PostgreSQL refuses a NUL in a text parameter
    f = figures(session, contract_number, as_of, thresholds, picks, rates)
    if f is None:  # 'ct-2024-00021' for CT-2024-00021: a lookup ignores case when one contract fits
        found = contract_reads.numbers_ignoring_case(session, contract_number)
        if len(found) != 1 or found[0] == contract_number:
            return None
        contract_number = found[0]
        f = figures(session, contract_number, as_of, thresholds, picks, rates)
        if f is None:
            return None
    tables = page_tables(session, [contract_number], as_of)[contract_number]
    return Detail(
        figures=f,
        burn_up=burn_up(session, contract_number, as_of),
        categories=by_category(f),
        work_orders=tables.work_orders,
        hours=tables.hours,
        materials=tables.materials,
        findings=tables.findings,
        extra_months=tables.extra_months,
    )
