"""The budget arithmetic of DOMAIN.md as pure functions over dates and Decimals.

Conventions: dates are calendar dates and every period includes both its first
and its last day; money is Decimal EUR; fractions are Decimal 0..1 (or above 1
for consumed and burn index); None means "undefined" and is shown empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")

NO_BUDGET = "no budget"
OVER_BUDGET = "over budget"
AT_RISK = "at risk"
WATCH = "watch"
ON_TRACK = "on track"
STATUSES = (OVER_BUDGET, AT_RISK, WATCH, ON_TRACK, NO_BUDGET)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """User-changeable status thresholds (fractions) and the renewal window (days)."""

    at_risk_margin: Decimal = Decimal("0.10")
    watch_level: Decimal = Decimal("0.80")
    watch_elapsed: Decimal = Decimal("0.80")
    renewal_window_days: int = 90


def money(value: Decimal | None) -> Decimal | None:
    """Round to whole cents, half up, as an invoice would."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction(value: Decimal | None, places: int = 4) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def term_days(start: dt.date, end: dt.date) -> int:
    """Days in a term, both ends included (a one-day term has 1)."""
    return (end - start).days + 1


def window_end(end: dt.date, as_of: dt.date) -> dt.date:
    """Last day whose cost lines count: min(as_of, end_date)."""
    return min(as_of, end)


def days_done(start: dt.date, end: dt.date, as_of: dt.date) -> int:
    """Days of [start, end] that fall on or before as_of (0 .. term_days)."""
    return max(0, min((as_of - start).days + 1, term_days(start, end)))


@lru_cache(maxsize=65_536)  # pure; a portfolio shares few terms among many contracts
def elapsed_fraction(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """clamp((as_of - start + 1) / term days, 0, 1)."""
    return Decimal(days_done(start, end, as_of)) / Decimal(term_days(start, end))


def planned_to_date(lines: Iterable[tuple[Decimal, dt.date, dt.date]], as_of: dt.date) -> Decimal:
    """Sum over budget lines (amount, period_start, period_end) of the share due by as_of.

    Each line contributes amount x (days of its period on or before as_of) /
    (days of its period): a budget phased over several periods is honoured, a
    single line over the whole term is linear.
    """
    total = ZERO
    for amount, start, end in lines:
        total += amount * days_done(start, end, as_of) / term_days(start, end)
    return total


def ratio(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, undefined (None) when the denominator is missing or 0."""
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator


def notice_deadline(end: dt.date, notice_period_days: int) -> dt.date:
    """Last day to terminate or renegotiate before the contract renews."""
    return end - dt.timedelta(days=notice_period_days)


def approaches_renewal(
    end: dt.date,
    deadline: dt.date,
    terminated_on: dt.date | None,
    as_of: dt.date,
    window_days: int,
) -> bool:
    """True when the end date or the notice deadline lies in [as_of, as_of + window]
    and the contract has not been terminated."""
    if terminated_on is not None:
        return False
    horizon = as_of + dt.timedelta(days=window_days)
    return as_of <= end <= horizon or as_of <= deadline <= horizon


def next_deadline(end: dt.date, deadline: dt.date, as_of: dt.date) -> dt.date:
    """The deadline that matters next: the notice deadline until it passes, then the end."""
    return deadline if deadline >= as_of else end


@dataclass(frozen=True, slots=True)
class Forecast:
    """Estimated actual total at end of term (EUR) and the method that produced it."""

    total: Decimal | None
    method: str


FORECAST_METHODS = {
    "actual": "term over: the actual total is final",
    "not started": "term not started: the budget total",
    "visits": "actual + visits still planned x cost per visit so far",
    "burn": "budget total x burn index",
    "run rate": "actual total / elapsed fraction (no budget to compare)",
    "none": "no basis for a forecast",
}


def forecast(
    *,
    actual_total: Decimal,
    budget_total: Decimal | None,
    burn: Decimal | None,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    planned_visits: int | None,
    visits_done: int,
) -> Forecast:
    """Forecast of the actual total at end_date; see FORECAST_METHODS, tried in order.

    Preventive contracts spend per visit, so once one visit is done and more are
    planned, actual + remaining visits x cost per visit beats a calendar
    extrapolation; it also honours visits that run behind plan.
    """
    if as_of >= end:
        return Forecast(actual_total, "actual")
    if as_of < start:
        return Forecast(budget_total, "not started" if budget_total is not None else "none")
    if planned_visits and 0 < visits_done < planned_visits:
        per_visit = actual_total / visits_done
        return Forecast(actual_total + (planned_visits - visits_done) * per_visit, "visits")
    if budget_total is not None and burn is not None:
        return Forecast(budget_total * burn, "burn")
    elapsed = elapsed_fraction(start, end, as_of)
    if elapsed > 0:
        return Forecast(actual_total / elapsed, "run rate")
    return Forecast(None, "none")


def status(
    *,
    budget_total: Decimal | None,
    actual_total: Decimal,
    forecast_total: Decimal | None,
    consumed: Decimal | None,
    elapsed: Decimal,
    thresholds: Thresholds,
) -> str:
    """The first status of DOMAIN.md's table whose rule holds."""
    if budget_total is None:
        return NO_BUDGET
    if actual_total > budget_total:
        return OVER_BUDGET
    if forecast_total is not None and forecast_total > budget_total * (1 + thresholds.at_risk_margin):
        return AT_RISK
    if forecast_total is not None and forecast_total > budget_total:
        return WATCH
    if consumed is not None and consumed >= thresholds.watch_level and elapsed < thresholds.watch_elapsed:
        return WATCH
    return ON_TRACK


@dataclass(frozen=True, slots=True)
class ContractInputs:
    """The handful of facts and SQL sums per contract that every figure derives from."""

    contract_number: str
    customer: str
    name: str | None
    type: str | None
    account_manager: str | None
    start_date: dt.date
    end_date: dt.date
    notice_period_days: int
    auto_renew: bool
    contract_value: Decimal | None
    planned_visits: int | None
    terminated_on: dt.date | None
    actual_labour: Decimal
    actual_material: Decimal
    actual_hours: Decimal
    visits_done: int
    budget_lines: int
    budget_labour: Decimal
    budget_material: Decimal
    budget_other: Decimal
    budget_hours: Decimal
    planned_to_date: Decimal
    outside_term_lines: int = 0
    outside_term_cost: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class ContractFigures:
    """Every figure of one contract at as_of, unrounded; round only to show."""

    inputs: ContractInputs
    as_of: dt.date
    budget_total: Decimal | None
    actual_total: Decimal
    elapsed: Decimal
    consumed: Decimal | None
    burn_index: Decimal | None
    forecast: Forecast
    margin: Decimal | None
    forecast_margin: Decimal | None
    notice_deadline: dt.date
    days_to_end: int
    days_to_notice: int
    status: str
    approaching_renewal: bool

    @property
    def contract_number(self) -> str:
        return self.inputs.contract_number


def figures(inputs: ContractInputs, as_of: dt.date, thresholds: Thresholds) -> ContractFigures:
    """Combine one contract's inputs into its figures at as_of."""
    i = inputs
    budget_total = i.budget_labour + i.budget_material + i.budget_other if i.budget_lines else None
    actual_total = i.actual_labour + i.actual_material
    elapsed = elapsed_fraction(i.start_date, i.end_date, as_of)
    consumed = ratio(actual_total, budget_total)
    burn = ratio(actual_total, i.planned_to_date) if budget_total is not None else None
    fc = forecast(
        actual_total=actual_total,
        budget_total=budget_total,
        burn=burn,
        start=i.start_date,
        end=i.end_date,
        as_of=as_of,
        planned_visits=i.planned_visits,
        visits_done=i.visits_done,
    )
    deadline = notice_deadline(i.end_date, i.notice_period_days)
    return ContractFigures(
        inputs=i,
        as_of=as_of,
        budget_total=budget_total,
        actual_total=actual_total,
        elapsed=elapsed,
        consumed=consumed,
        burn_index=burn,
        forecast=fc,
        margin=None if i.contract_value is None else i.contract_value - actual_total,
        forecast_margin=(
            None if i.contract_value is None or fc.total is None else i.contract_value - fc.total
        ),
        notice_deadline=deadline,
        days_to_end=(i.end_date - as_of).days,
        days_to_notice=(deadline - as_of).days,
        status=status(
            budget_total=budget_total,
            actual_total=actual_total,
            forecast_total=fc.total,
            consumed=consumed,
            elapsed=elapsed,
            thresholds=thresholds,
        ),
        approaching_renewal=approaches_renewal(
            i.end_date, deadline, i.terminated_on, as_of, thresholds.renewal_window_days
        ),
    )


def figures_all(
    inputs: Iterable[ContractInputs], as_of: dt.date, thresholds: Thresholds
) -> list[ContractFigures]:
    """figures() of every contract: one rule book, the elapsed fraction of a term
    computed once per (start, end, as_of) however many contracts share it."""
    return [figures(i, as_of, thresholds) for i in inputs]
