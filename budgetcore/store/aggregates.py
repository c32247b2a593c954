"""The maintained aggregates, kept equal to the lines and budgets they sum.

contract_months holds per contract, calendar month and in/out of term the sums
of its hour and material lines and its periodic visits; contract_totals sums
those months per contract, portfolio_months the in-term ones per month.
contract_budgets sums each contract's budget lines, budget_periods holds each
line's amount and days. Every import rebuilds them (contract_months and
contract_totals for the contracts it touched, or on a bulk import for all of
them in one INSERT ... SELECT) and then saves the snapshots (snapshot.py; also every
contract's actuals at 25, 50 and 75 % of its term, for the backtest: checkpoint_columns),
inside its own transaction, so all of it commits or rolls back with the data.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
    Engine,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from budgetcore.store import columns, snapshot
from budgetcore.store.columns import columns_from_rows
from budgetcore.store.database import day_number, month_start, plain_rows, transaction
from budgetcore.store.models import (
    Base,
    BudgetLine,
    BudgetPeriod,
    Contract,
    ContractBudget,
    ContractMonth,
    ContractTotal,
    HourLine,
    MaterialLine,
    PortfolioMonth,
    Snapshot,
    WorkOrder,
)

CHUNK = 5000  # contract ids per IN list


def in_term(date_col):
    """The cost window's rule in SQL: a line counts for its contract when dated from the start
    date through the end date, both included (the figures add "through as_of"); the statement
    must join contracts."""
    return and_(date_col >= Contract.start_date, date_col <= Contract.end_date)


def _sources(contract_ids: Collection[int] | None):
    """One SELECT per kind of source row, each shaped like a contract_months row."""

    def scoped(stmt):
        return stmt if contract_ids is None else stmt.where(WorkOrder.contract_id.in_(contract_ids))

    hours = scoped(
        select(
            WorkOrder.contract_id.label("contract_id"),
            month_start(HourLine.date).label("month"),
            in_term(HourLine.date).label("in_term"),
            HourLine.cost.label("labour"),
            literal(0).label("material"),
            HourLine.hours.label("hours"),
            literal(1).label("lines"),
            literal(0).label("visits"),
        )
        .join(WorkOrder, HourLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
    )
    materials = scoped(
        select(
            WorkOrder.contract_id,
            month_start(MaterialLine.date),
            in_term(MaterialLine.date),
            literal(0),
            MaterialLine.cost,
            literal(0),
            literal(1),
            literal(0),
        )
        .join(WorkOrder, MaterialLine.work_order_id == WorkOrder.id)
        .join(Contract, WorkOrder.contract_id == Contract.id)
    )
    visits = scoped(
        select(
            WorkOrder.contract_id,
            month_start(WorkOrder.date),
            in_term(WorkOrder.date),
            literal(0),
            literal(0),
            literal(0),
            literal(0),
            literal(1),
        )
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type == "periodic")
    )
    return union_all(hours, materials, visits).subquery("src")


def _totals(contract_ids: Collection[int] | None):
    """contract_months summed per contract, shaped like a contract_totals row."""
    m = ContractMonth

    def when(in_term: bool, value):
        return func.sum(case((m.in_term.is_(in_term), value), else_=0))

    stmt = select(
        m.contract_id,
        when(True, m.labour),
        when(True, m.material),
        when(True, m.hours),
        when(True, m.visits),
        when(False, m.lines),
        when(False, m.labour + m.material),
    ).group_by(m.contract_id)
    return stmt if contract_ids is None else stmt.where(m.contract_id.in_(contract_ids))


def rebuild(session: Session, contract_ids: Collection[int] | None = None) -> None:
    """Recompute the aggregates of these contracts (None: all) from their lines, in SQL.

    Runs inside the caller's transaction, so an import and its aggregates
    commit or roll back together.
    """
    rebuild_budgets(session)  # any import may change budgets or terms: cheap enough to redo whole
    ids = None if contract_ids is None else sorted(set(contract_ids))
    if ids is None or ids:
        _rebuild_months(session, ids)
    save_snapshots(session)


def save_snapshots(session: Session) -> None:
    """The portfolio's columns and every contract's months as snapshots (snapshot.py)."""
    columns.save_snapshots(session)
    save_checkpoints(session)


def _rebuild_months(session: Session, ids: list[int] | None) -> None:
    """contract_months and contract_totals of these contracts (None: all), then portfolio_months."""
    chunks = [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    if ids is None and session.get_bind().dialect.name == "postgresql":
        # one GROUP BY over every line: in memory, not in a few dozen batches on disk (the
        # default work_mem is 4 MB); LOCAL ends with the import's transaction
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    for chunk in chunks:
        clear_months, clear_totals = delete(ContractMonth), delete(ContractTotal)
        if chunk is not None:
            clear_months = clear_months.where(ContractMonth.contract_id.in_(chunk))
            clear_totals = clear_totals.where(ContractTotal.contract_id.in_(chunk))
        session.execute(clear_totals)
        session.execute(clear_months)
        src = _sources(chunk)
        grouped = select(
            src.c.contract_id,
            src.c.month,
            src.c.in_term,
            func.sum(src.c.labour),
            func.sum(src.c.material),
            func.sum(src.c.hours),
            func.sum(src.c.lines),
            func.sum(src.c.visits),
        ).group_by(src.c.contract_id, src.c.month, src.c.in_term)
        session.execute(
            insert(ContractMonth).from_select(
                ["contract_id", "month", "in_term", "labour", "material", "hours", "lines", "visits"],
                grouped,
            )
        )
        session.execute(
            insert(ContractTotal).from_select(
                ["contract_id", "labour", "material", "hours", "visits", "outside_lines", "outside_cost"],
                _totals(chunk),
            )
        )
    rebuild_portfolio_months(session)


def rebuild_budgets(session: Session) -> None:
    """contract_budgets and budget_periods from every budget line (two INSERT ... SELECTs)."""
    b = BudgetLine

    def category(name: str):
        return func.sum(case((b.category == name, b.amount), else_=0))

    session.execute(delete(BudgetPeriod))
    session.execute(delete(ContractBudget))
    session.execute(
        insert(ContractBudget).from_select(
            ["contract_id", "lines", "labour", "material", "other", "hours"],
            select(
                b.contract_id,
                func.count(),
                category("labour"),
                category("material"),
                category("other"),
                func.sum(func.coalesce(b.hours, 0)),
            ).group_by(b.contract_id),
        )
    )
    session.execute(
        insert(BudgetPeriod).from_select(
            ["budget_line_id", "contract_id", "amount", "first_day", "last_day"],
            select(
                b.id,
                b.contract_id,
                b.amount,
                day_number(func.coalesce(b.period_start, Contract.start_date)),
                day_number(func.coalesce(b.period_end, Contract.end_date)),
            ).join(Contract, b.contract_id == Contract.id),
        )
    )


def rebuild_portfolio_months(session: Session) -> None:
    """portfolio_months from contract_months: one GROUP BY over the maintained months (not the lines)."""
    m = ContractMonth
    session.execute(delete(PortfolioMonth))
    session.execute(
        insert(PortfolioMonth).from_select(
            ["month", "labour", "material", "lines"],
            select(m.month, func.sum(m.labour), func.sum(m.material), func.sum(m.lines))
            .where(m.in_term.is_(True))
            .group_by(m.month),
        )
    )


def upgrade(engine: Engine) -> None:
    """Bring a database made before contract_totals up to date: its indexes, one full rebuild.

    Without this it would show zero actuals until its next import.
    """
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":  # two processes starting at once: one after the other
            session.execute(text("SELECT pg_advisory_xact_lock(20261127)"))
        connection = session.connection()
        for table in Base.metadata.sorted_tables:
            for index in table.indexes:
                index.create(connection, checkfirst=True)
        rebuild(session)


# --- checkpoints: every contract's in-term actuals at 25, 50 and 75 % of its own term -----------
# The backtest (figures/backtest.py) and the `auto` forecast replay each forecast method at these
# checkpoints of completed contracts. A checkpoint depends on the contract's own dates, not on
# as_of, so the sums are saved with the other snapshots at every import. Checkpoint k (1, 2, 3) of
# a term of T days is its day floor(k x T / 4) (at least day 1), counted from 1 on the start date:
# a line dated on day d of the term counts at checkpoint k when 4 x d <= k x T, inside the cost
# window of in_term. Money and hours in integer millionths, visits (periodic work orders) counts.

QUARTERS = (1, 2, 3)  # the checkpoints, in quarters of the term: 25, 50 and 75 %
SUMS = ("labour", "material", "hours", "visits")
COLUMNS = tuple(f"{name}_{k}" for k in QUARTERS for name in SUMS)  # labour_1 ... visits_3
CHECKPOINTS = "checkpoints"  # the snapshot's name


def checkpoint_day(term_days: np.ndarray, quarter: int) -> np.ndarray:
    """Days done at checkpoint `quarter` (1..3) of a term of term_days days: floor(k x T / 4), at
    least 1, so that the checkpoint date is the start date + that - 1 day."""
    return np.maximum(term_days * quarter // 4, 1)


def _sums_by_contract():
    """Per contract id, every checkpoint's in-term labour, material, hours and visits (a SELECT)."""
    start, end = day_number(Contract.start_date), day_number(Contract.end_date)
    term = end - start + 1

    def source(line, date_col, labour, material, hours, visits):
        stmt = sa.select(
            WorkOrder.contract_id.label("contract_id"),
            labour.label("labour"),
            material.label("material"),
            hours.label("hours"),
            visits.label("visits"),
            (4 * (day_number(date_col) - start + 1)).label("day4"),
            term.label("term"),
        )
        if line is not None:
            stmt = stmt.select_from(line).join(WorkOrder, line.work_order_id == WorkOrder.id)
        return stmt.join(Contract, WorkOrder.contract_id == Contract.id).where(in_term(date_col))

    zero = literal(0)
    lines = union_all(
        source(HourLine, HourLine.date, HourLine.cost, zero, HourLine.hours, zero),
        source(MaterialLine, MaterialLine.date, zero, MaterialLine.cost, zero, zero),
        source(None, WorkOrder.date, zero, zero, zero, literal(1)).where(WorkOrder.type == "periodic"),
    ).subquery("lines")
    sums = [
        type_coerce(
            sa.func.coalesce(
                sa.func.sum(sa.case((lines.c.day4 <= k * lines.c.term, lines.c[name]), else_=0)), 0
            ),
            BigInteger,
        )
        for k in QUARTERS
        for name in SUMS
    ]
    return sa.select(lines.c.contract_id, *sums).group_by(lines.c.contract_id)


def checkpoints_by_sql(session: Session) -> dict[str, np.ndarray]:
    """contract_id and COLUMNS of every contract that has in-term lines or visits, by SQL."""
    return columns_from_rows(plain_rows(session, _sums_by_contract()), ("contract_id", *COLUMNS))


def save_checkpoints(session: Session) -> None:
    """Store checkpoints_by_sql() as the snapshot the readers prefer (every import does, in its transaction)."""
    snapshot.save(session, CHECKPOINTS, checkpoints_by_sql(session))


def checkpoint_columns(session: Session) -> dict[str, np.ndarray]:
    """contract_id and COLUMNS: the import's snapshot, else SQL. Contracts without a line are absent."""
    saved = snapshot.load(session, CHECKPOINTS)
    return dict(saved) if saved is not None else checkpoints_by_sql(session)


def save_checkpoints_if_missing(session: Session) -> bool:
    """Save the checkpoint snapshot of a database from before it (schema.prepare); whether it did.
    A database with contracts but without one would read every line at each auto forecast."""
    present = session.scalar(select(func.count()).select_from(Snapshot).where(Snapshot.name == CHECKPOINTS))
    has_contracts = session.scalar(select(func.count()).select_from(Contract))
    if present or not has_contracts:
        return False
    save_checkpoints(session)
    return True
