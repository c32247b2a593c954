"""Actuals per month of any set of contracts, column-wise.

summary.monthly_actuals answers one set of contracts with one query. A page
whose filters change often asks for many sets of a large portfolio; reading
contract_months for 100,000 chosen contracts takes SQL tens of seconds. So the
in-term months of every contract are read once per data version into numpy
columns (ContractMonths), as_of's own month once per as_of (from the lines,
as summary.monthly_actuals does), and each set is summed in memory, exactly:
integer millionths added as int64.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from budgetcore.figures import summary
from budgetcore.figures.summary import MonthActual
from budgetcore.store import as_of_reads
from budgetcore.store.columns import ContractMonths, month_columns
from budgetcore.store.database import EPOCH
from budgetcore.store.models import UNIT


@dataclass(frozen=True, eq=False)
class MonthOfAsOf:
    """as_of's own month per contract: after=True, minus the lines dated after as_of (to add
    to the month's maintained sum); else the lines dated through as_of (summary.own_month_after)."""

    as_of: dt.date
    after: bool
    lines: ContractMonths


def month_of(session: Session, as_of: dt.date) -> MonthOfAsOf:
    """Per contract, the in-term lines of as_of's month on the side summary.own_month_after picks."""
    after = summary.own_month_after(as_of)
    day = (as_of.replace(day=1) - EPOCH).days
    rows = [(c, day, lab, mat, n) for c, lab, mat, n in as_of_reads.own_month_rows(session, as_of, after)]
    return MonthOfAsOf(as_of, after, month_columns(rows))


def monthly(months: ContractMonths, current: MonthOfAsOf, contract_ids: np.ndarray) -> list[MonthActual]:
    """summary.monthly_actuals of these contracts: their whole months before as_of's month
    and as_of's own month, from the months of in_term_months and current (month_of)."""
    first = np.datetime64(current.as_of, "M")
    chosen = np.isin(months.contract_id, contract_ids)
    chosen &= (months.month <= first) if current.after else (months.month < first)
    lines = current.lines
    now = np.isin(lines.contract_id, contract_ids)
    month = np.concatenate([months.month[chosen], lines.month[now]])
    found, slot = np.unique(month, return_inverse=True)
    sums = []
    for column in ("labour", "material", "lines"):
        total = np.zeros(len(found), dtype=np.int64)
        np.add.at(total, slot, np.concatenate([getattr(months, column)[chosen], getattr(lines, column)[now]]))
        sums.append(total)
    as_of_month = np.datetime64(current.as_of, "M")
    # as_of's month shows when it has lines through as_of, as in summary.monthly_actuals
    return [
        MonthActual(m.astype(dt.date), Decimal(int(lab)) * UNIT, Decimal(int(mat)) * UNIT)
        for m, lab, mat, n in zip(found, *sums, strict=True)
        if m != as_of_month or n > 0
    ]
