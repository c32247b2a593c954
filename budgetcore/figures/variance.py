"""Variance per period: one contract's budget against its actual cost per month, quarter or year of its term.

Periods are counted from the term's start: a quarter of the term is three
calendar months from the start month, a year twelve; the first period begins
on start_date, the last ends on end_date (both days included), so periods
follow the maintained contract_months rows.

- Budget of a period: planned to date at the period's last day minus planned
  to date at the day before its first, both by forecast.line_shares (the
  portfolio's own rule, docs/metrics.md: per budget line amount x days of its
  period on or before a day / days of its period, in whole millionths
  truncated toward zero), so a phased budget is honoured and the periods add
  up to the budget total.
- Actual of a closed period (its last day before as_of): the in-term labour
  and material of its months, SQL sums over contract_months.
- The running period (holding as_of) compares its planned to date (its budget
  up to as_of, not its whole budget: a week into a quarter, a week's worth)
  with the actual total to date (the contract's figures) minus the closed
  periods', so closed plus running equal the actual total and planned to date
  exactly. The pages say so (term_rows.variance_rows, running_note).
- Periods after as_of are 'not started': a budget and no actual.

Variance = actual - budget (EUR; above 0 spends more than budgeted), and as a
fraction of the budget (None at a budget of 0). Everything is integer
millionths until the Decimals it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from budgetcore.figures import forecast
from budgetcore.figures.metrics import ContractFigures
from budgetcore.store.models import UNIT, BudgetPeriod, Contract, ContractMonth, to_units

GRAINS = {"month": 1, "quarter": 3, "year": 12}
CLOSED, RUNNING, NOT_STARTED = "closed", "running", "not started"
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class PeriodVariance:
    """One period of the term (first and last day included), its state and its figures in EUR.

    budget: the period's whole budget (closed, not started) or its budget to as_of (running).
    period_budget: the period's whole budget, whatever its state.
    actual: None for a period not started.
    """

    number: int
    first: dt.date
    last: dt.date
    state: str
    budget: Decimal
    actual: Decimal | None
    variance: Decimal | None
    variance_pct: Decimal | None
    period_budget: Decimal = Decimal(0)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_of(start: dt.date, end: dt.date, grain: str) -> list[tuple[dt.date, dt.date]]:
    """The term's periods of `grain` (GRAINS) as (first day, last day), both included."""
    step = GRAINS[grain]
    found, first, n = [], start, 0
    while first <= end:
        n += 1
        following = _add_months(start, step * n)
        last = min(following - dt.timedelta(days=1), end)
        found.append((first, last))
        first = following
    return found


def _planned(lines: np.ndarray, day: dt.date) -> int:
    """Planned to date at day (millionths): forecast.line_shares, the portfolio's own rule, summed."""
    if not len(lines):
        return 0
    shares = forecast.line_shares(lines[:, 0], lines[:, 1], lines[:, 2], (day - EPOCH).days)
    return sum(int(x) for x in shares)  # Python ints: a sum of many large lines stays exact


def _decimal(units: int) -> Decimal:
    return Decimal(units) * UNIT


def variance(session: Session, f: ContractFigures, grain: str = "month") -> list[PeriodVariance]:
    """The contract's periods of `grain` with budget, actual and variance at f.as_of (see the module docstring)."""
    i, as_of = f.inputs, f.as_of
    contract_id = select(Contract.id).where(Contract.contract_number == i.contract_number).scalar_subquery()
    lines = np.array(
        [
            (int(a), int(first), int(last))
            for a, first, last in session.execute(
                select(
                    type_coerce(BudgetPeriod.amount, BigInteger),
                    BudgetPeriod.first_day,
                    BudgetPeriod.last_day,
                ).where(BudgetPeriod.contract_id == contract_id)
            )
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    month_cost = {
        month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10]): int(cost or 0)
        for month, cost in session.execute(
            select(
                ContractMonth.month,
                func.sum(
                    type_coerce(ContractMonth.labour, BigInteger)
                    + type_coerce(ContractMonth.material, BigInteger)
                ),
            )
            .where(ContractMonth.contract_id == contract_id, ContractMonth.in_term.is_(True))
            .group_by(ContractMonth.month)
        )
    }
    found: list[PeriodVariance] = []
    closed_actual = 0
    actual_total = to_units(f.actual_total)
    for n, (first, last) in enumerate(periods_of(i.start_date, i.end_date, grain), start=1):
        before = _planned(lines, first - dt.timedelta(days=1))
        whole = _planned(lines, last) - before
        if last < as_of:
            state = CLOSED
            budget = whole
            actual: int | None = sum(c for m, c in month_cost.items() if first.replace(day=1) <= m <= last)
            closed_actual += actual
        elif first <= as_of:
            state = RUNNING
            budget = _planned(lines, as_of) - before
            actual = actual_total - closed_actual
        else:
            state, budget, actual = NOT_STARTED, whole, None
        diff = None if actual is None else actual - budget
        found.append(
            PeriodVariance(
                number=n,
                first=first,
                last=last,
                state=state,
                budget=_decimal(budget),
                actual=None if actual is None else _decimal(actual),
                variance=None if diff is None else _decimal(diff),
                variance_pct=None if diff is None or budget == 0 else Decimal(diff) / Decimal(budget),
                period_budget=_decimal(whole),
            )
        )
    return found
