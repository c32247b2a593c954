"""Portfolio-level views beyond one row per contract: headline totals, actuals per month, filter choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from budgetcore import clock
from budgetcore.figures.metrics import ZERO
from budgetcore.store import as_of_reads, portfolio_reads


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
    return _shown(as_of, as_of_reads.monthly_rows(session, as_of, own_month_after(as_of), contract_numbers))


def monthly_actuals_by_contract(
    session: Session, as_of: dt.date, contract_numbers: Sequence[str]
) -> dict[str, list[MonthActual]]:
    """monthly_actuals of each of these contracts alone (a review pack's pages), read at once:
    by contract number, every number given (an empty list for one without cost)."""
    found: dict[str, list[MonthActual]] = {}
    for i in range(0, len(contract_numbers), CHUNK):
        chunk = contract_numbers[i : i + CHUNK]
        rows = as_of_reads.monthly_rows_by_contract(session, as_of, own_month_after(as_of), chunk)
        found |= {number: _shown(as_of, rows.get(number, [])) for number in chunk}
    return found


def _shown(as_of: dt.date, rows: Sequence[tuple]) -> list[MonthActual]:
    """(month, labour, material, lines) rows as MonthActuals: as_of's month shows when it has
    lines through as_of, whichever side was read."""
    first = as_of.replace(day=1)
    return [
        MonthActual(month, lab or ZERO, mat or ZERO)
        for month, lab, mat, lines in rows
        if month != first or lines > 0
    ]


def own_month_after(as_of: dt.date) -> bool:
    """Whether as_of's own month is read as its maintained sum minus the lines dated after
    as_of (else as the lines dated through as_of): the side with fewer days, both exact.
    (store/as_of_reads.totals_minus_after picks the side of the engine's actuals by months.)"""
    return (clock.next_month(as_of) - as_of).days - 1 < as_of.day


@dataclass(frozen=True)
class Choices:
    """The values the sidebar filters offer, each sorted."""

    customers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    account_managers: tuple[str, ...] = ()


def filter_choices(session: Session) -> Choices:
    """Distinct customers (with a contract), contract types and account managers."""
    return Choices(*portfolio_reads.filter_values(session))
