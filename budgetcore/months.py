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

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import BigInteger, func, select, type_coerce, union_all
from sqlalchemy.orm import Session

from budgetcore import snapshot, summary
from budgetcore.models import UNIT, ContractMonth
from budgetcore.storage import day_number, plain_rows
from budgetcore.summary import MonthActual


@dataclass(frozen=True, eq=False)
class ContractMonths:
    """Rows of (contract id, month, labour, material, lines); money in int64 millionths,
    month as datetime64[M]."""

    contract_id: np.ndarray
    month: np.ndarray
    labour: np.ndarray
    material: np.ndarray
    lines: np.ndarray

    def __len__(self) -> int:
        return len(self.contract_id)


def _columns(rows: Sequence[tuple[int, ...]]) -> ContractMonths:
    """From rows of (contract id, day number of the month's first day, labour, material, lines)."""
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    month = table[:, 1].astype("datetime64[D]").astype("datetime64[M]")
    return ContractMonths(table[:, 0], month, table[:, 2], table[:, 3], table[:, 4])


MONTHS = "months"  # the snapshot's name


def in_term_months(session: Session) -> ContractMonths:
    """Every contract's in-term months (independent of as_of): the import's snapshot, else SQL."""
    stored = snapshot.load(session, MONTHS)
    if stored is not None:
        return ContractMonths(**stored)
    return _in_term_months(session)


def save_snapshot(session: Session) -> None:
    """Save every contract's in-term months as the snapshot in_term_months prefers."""
    months = _in_term_months(session)
    snapshot.save(session, MONTHS, {f.name: getattr(months, f.name) for f in dataclasses.fields(months)})


def _in_term_months(session: Session) -> ContractMonths:
    m = ContractMonth
    stmt = select(
        m.contract_id,
        day_number(m.month),
        type_coerce(m.labour, BigInteger),
        type_coerce(m.material, BigInteger),
        m.lines,
    ).where(m.in_term.is_(True))
    return _columns(plain_rows(session, stmt))


@dataclass(frozen=True, eq=False)
class MonthOfAsOf:
    """as_of's own month per contract: after=True, minus the lines dated after as_of (to add
    to the month's maintained sum); else the lines dated through as_of (summary.reads_after)."""

    as_of: dt.date
    after: bool
    lines: ContractMonths


def month_of(session: Session, as_of: dt.date) -> MonthOfAsOf:
    """Per contract, the in-term lines of as_of's month on the side summary.reads_after picks."""
    after = summary.reads_after(as_of)
    src = union_all(*summary.month_lines(as_of, after)).subquery("src")
    grouped = select(
        src.c.contract_id, func.sum(src.c.labour), func.sum(src.c.material), func.sum(src.c.lines)
    ).group_by(src.c.contract_id)
    day = (as_of.replace(day=1) - dt.date(1970, 1, 1)).days
    # PostgreSQL sums BIGINT to NUMERIC: int() makes every engine's sums integers
    rows = [(c, day, int(lab), int(mat), int(n)) for c, lab, mat, n in plain_rows(session, grouped)]
    return MonthOfAsOf(as_of, after, _columns(rows))


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
