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
  and material of its months, SQL sums over contract_months
  (store/contract_reads.in_term_month_cost, read for all a pack's contracts at once).
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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from budgetcore import clock
from budgetcore.figures import forecast
from budgetcore.figures.metrics import ContractFigures
from budgetcore.i18n import N_
from budgetcore.store import contract_reads
from budgetcore.store.database import EPOCH
from budgetcore.store.models import UNIT, to_units

GRAINS = {N_("month"): 1, N_("quarter"): 3, N_("year"): 12}  # each shown in the language
CLOSED, RUNNING, NOT_STARTED = "closed", "running", "not started"


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


@dataclass(frozen=True)
class ToDate:
    """The periods begun by as_of together (EUR): from the first one's first day to the last one's
    last day, their whole budgets, their budgets to as_of, actual, variance and variance %."""

    first: dt.date
    last: dt.date
    period_budget: Decimal
    budget: Decimal
    actual: Decimal
    variance: Decimal
    variance_pct: Decimal | None


def to_date(periods: Sequence[PeriodVariance]) -> ToDate | None:
    """The total of the periods with an actual (closed and running); None before the first."""
    done = [p for p in periods if p.actual is not None]
    if not done:
        return None
    planned = sum((p.budget for p in done), Decimal(0))
    actual = sum((p.actual for p in done if p.actual is not None), Decimal(0))
    whole = sum((p.period_budget for p in done), Decimal(0))
    diff = actual - planned
    return ToDate(done[0].first, done[-1].last, whole, planned, actual, diff, _share(diff, planned))


def _share(diff: int | Decimal, budget: int | Decimal) -> Decimal | None:
    """Variance % (docs/metrics.md): variance / planned to date, undefined (None) at 0."""
    return None if budget == 0 else Decimal(diff) / Decimal(budget)


def periods_of(start: dt.date, end: dt.date, grain: str) -> list[tuple[dt.date, dt.date]]:
    """The term's periods of `grain` (GRAINS) as (first day, last day), both included."""
    step = GRAINS[grain]
    found, first, n = [], start, 0
    while first <= end:
        n += 1
        following = clock.add_months(start, step * n)
        last = min(following - dt.timedelta(days=1), end)
        found.append((first, last))
        first = following
    return found


def _planned(lines: np.ndarray, day: dt.date) -> int:
    """Planned to date at day (millionths): forecast.planned_to_date, the portfolio's own rule."""
    periods = {"period_amount": lines[:, 0], "period_first": lines[:, 1], "period_last": lines[:, 2]}
    periods["period_row"] = np.zeros(len(lines), dtype=np.int64)
    return int(forecast.planned_to_date(periods, 1, (day - EPOCH).days)[0])


def _decimal(units: int) -> Decimal:
    return Decimal(units) * UNIT


def variance(session: Session, f: ContractFigures, grain: str = "month") -> list[PeriodVariance]:
    """The contract's periods of `grain` with budget, actual and variance at f.as_of (see the module docstring)."""
    return variances(session, [f], grain)[f.contract_number]


def variances(
    session: Session, chosen: Sequence[ContractFigures], grain: str = "month"
) -> dict[str, list[PeriodVariance]]:
    """variance() of each of these contracts (a review pack's pages), their rows read at once;
    by contract number."""
    numbers = [f.contract_number for f in chosen]
    lines = contract_reads.period_lines(session, numbers)
    month_cost = contract_reads.in_term_month_cost(session, numbers)
    none = np.zeros((0, 3), dtype=np.int64)
    return {
        f.contract_number: _periods(
            f, grain, lines.get(f.contract_number, none), month_cost.get(f.contract_number, {})
        )
        for f in chosen
    }


def _periods(
    f: ContractFigures, grain: str, lines: np.ndarray, month_cost: dict[dt.date, int]
) -> list[PeriodVariance]:
    """The periods of one contract from its budget lines (period_lines) and in-term cost per month."""
    i, as_of = f.inputs, f.as_of
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
                variance_pct=None if diff is None else _share(diff, budget),
                period_budget=_decimal(whole),
            )
        )
    return found
