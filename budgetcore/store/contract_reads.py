"""One contract's rows for its page: budget lines, cost per month, work orders, hours, materials, data checks.

Every query of the contract page, the variance per period and the contract's findings, by
contract number or id. Each returns plain rows (tuples of stored values: money as Decimal EUR,
or integer millionths where the caller computes in integers); figures/contract_detail.py and
figures/variance.py shape them. The cost window (docs/metrics.md) is in_window: a line counts
when dated from the start date through min(as_of, end date), both days included.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from budgetcore.store.models import BudgetPeriod, Contract, ContractMonth


def _contract_id(contract_number: str):
    return select(Contract.id).where(Contract.contract_number == contract_number).scalar_subquery()


def period_lines(session: Session, contract_number: str) -> np.ndarray:
    """The contract's budget lines as rows of (amount in millionths, first day, last day as day
    numbers) of their periods (budget_periods: resolved against the term), shape (n, 3)."""
    rows = session.execute(
        select(
            type_coerce(BudgetPeriod.amount, BigInteger),
            BudgetPeriod.first_day,
            BudgetPeriod.last_day,
        ).where(BudgetPeriod.contract_id == _contract_id(contract_number))
    )
    return np.array([(int(a), int(first), int(last)) for a, first, last in rows], dtype=np.int64).reshape(
        -1, 3
    )


def in_term_month_cost(session: Session, contract_number: str) -> dict[dt.date, int]:
    """The contract's in-term labour + material per month (first day -> millionths), from the
    maintained contract_months."""
    rows = session.execute(
        select(
            ContractMonth.month,
            func.sum(
                type_coerce(ContractMonth.labour, BigInteger)
                + type_coerce(ContractMonth.material, BigInteger)
            ),
        )
        .where(ContractMonth.contract_id == _contract_id(contract_number), ContractMonth.in_term.is_(True))
        .group_by(ContractMonth.month)
    )
    return {
        month if isinstance(month, dt.date) else dt.date.fromisoformat(str(month)[:10]): int(cost or 0)
        for month, cost in rows
    }
