"""The portfolio's lists and counts that are no figure: how many contracts there are, and the
values the filters offer (figures/summary.filter_choices shapes them)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from budgetcore.store.models import Contract, Customer


def contract_count(session: Session) -> int:
    """How many contracts the database holds (archived ones and the demo's included)."""
    return session.scalar(select(func.count()).select_from(Contract)) or 0


def filter_values(session: Session) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Distinct customers (with a contract), contract types and account managers, each sorted."""
    customers = session.scalars(
        select(Customer.name)
        .join(Contract, Contract.customer_id == Customer.id)
        .distinct()
        .order_by(Customer.name)
    )
    types = session.scalars(
        select(Contract.type).where(Contract.type.is_not(None)).distinct().order_by(Contract.type)
    )
    managers = session.scalars(
        select(Contract.account_manager)
        .where(Contract.account_manager.is_not(None))
        .distinct()
        .order_by(Contract.account_manager)
    )
    return tuple(customers), tuple(types), tuple(managers)
