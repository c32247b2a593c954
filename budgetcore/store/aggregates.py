"""The maintained aggregates, kept equal to the lines and budgets they sum.

contract_months holds per contract, calendar month and in/out of term the sums
of its hour and material lines and its periodic visits; contract_totals sums
those months per contract, portfolio_months the in-term ones per month.
contract_budgets sums each contract's budget lines, budget_periods holds each
line's amount and days. Every import updates them and the snapshots
(snapshot.py, columns.py; also every contract's actuals at 25, 50 and 75 % of
its term, for the backtest: checkpoint_columns) inside its own transaction, so
all of it commits or rolls back with the data:
- for the contracts it touched only (rebuild(session, ids)): their rows are
  recomputed from their lines, portfolio_months changes by the difference
  their months made, and the snapshots get their rows as changes; the cost
  follows the size of the import, not of the database;
- for every contract (rebuild(session)), on a bulk import: one INSERT ... SELECT
  each, and whole snapshots.
Both give the same tables and snapshots (tests/test_incremental.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from sqlalchemy import (
    BigInteger,
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
    update,
)
from sqlalchemy.orm import Session

from budgetcore.store import columns, snapshot
from budgetcore.store.columns import columns_from_rows
from budgetcore.store.database import day_number, month_start, plain_rows
from budgetcore.store.models import (
    BudgetLine,
    BudgetPeriod,
    Contract,
    ContractBudget,
    ContractMonth,
    ContractTotal,
    HourLine,
    MaterialLine,
    PortfolioMonth,
    WorkOrder,
)

CHUNK = columns.CHUNK  # contract ids per IN list


def in_term(date_col):
    """The cost window's rule in SQL: a line counts for its contract when dated from the start
    date through the end date, both included (the figures add "through as_of"); the statement
    must join contracts."""
    return and_(date_col >= Contract.start_date, date_col <= Contract.end_date)


def billed_on_top():
    """The scope rule in SQL (docs/metrics.md, Scope): a work order is billed on top of its
    contract when its `billable` column says so, else when its type is `extra` (meerwerk);
    otherwise the contract covers it. The statement must have work_orders."""
    rule = case(
        (WorkOrder.billable.is_not(None), WorkOrder.billable),
        else_=func.coalesce(WorkOrder.type, "") == "extra",
    )
    return type_coerce(rule, sa.Boolean)


def covered():
    """The covered work orders: not billed_on_top()."""
    return ~billed_on_top()


def split(billed, value, covered_side: bool):
    """value on its own side of the scope split, 0 on the other (billed: billed_on_top())."""
    return case((billed, 0 if covered_side else value), else_=value if covered_side else 0)


def _sources(contract_ids: Collection[int] | None):
    """One SELECT per kind of source row, each shaped like a contract_months row: covered cost
    in labour/material/hours/lines, work billed on top in the extra_* columns."""

    def scoped(stmt):
        return stmt if contract_ids is None else stmt.where(WorkOrder.contract_id.in_(contract_ids))

    billed = billed_on_top()

    def line(model, labour: bool):
        zero = literal(0)
        priced = model.revenue.is_not(None)
        return scoped(
            select(
                WorkOrder.contract_id.label("contract_id"),
                month_start(model.date).label("month"),
                in_term(model.date).label("in_term"),
                (split(billed, model.cost, True) if labour else zero).label("labour"),
                (zero if labour else split(billed, model.cost, True)).label("material"),
                (split(billed, model.hours, True) if labour else zero).label("hours"),
                split(billed, 1, True).label("lines"),
                zero.label("visits"),
                zero.label("calls"),
                split(billed, model.cost, False).label("extra_cost"),
                split(billed, func.coalesce(model.revenue, 0), False).label("extra_revenue"),
                split(billed, 1, False).label("extra_lines"),
                split(billed, case((priced, 0), else_=1), False).label("extra_unpriced"),
            )
            .join(WorkOrder, model.work_order_id == WorkOrder.id)
            .join(Contract, WorkOrder.contract_id == Contract.id)
        )

    zero = literal(0)
    periodic = WorkOrder.type == "periodic"
    visits = scoped(  # covered periodic work orders count as visits, corrective ones as calls
        select(
            WorkOrder.contract_id,
            month_start(WorkOrder.date),
            in_term(WorkOrder.date),
            *(zero,) * 4,
            case((periodic, 1), else_=0),
            case((periodic, 0), else_=1),
            *(zero,) * 4,
        )
        .join(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.type.in_(("periodic", "corrective")), covered())
    )
    return union_all(line(HourLine, True), line(MaterialLine, False), visits).subquery("src")


MONTH_SUMS = (
    "labour", "material", "hours", "lines", "visits", "calls", "extra_cost", "extra_revenue", "extra_lines",
    "extra_unpriced",
)  # fmt: skip
EXTRA = ("extra_cost", "extra_revenue", "extra_lines", "extra_unpriced")


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
        when(True, m.calls),
        when(False, m.lines + m.extra_lines),
        when(False, m.labour + m.material + m.extra_cost),
        *(when(True, getattr(m, name)) for name in EXTRA),
    ).group_by(m.contract_id)
    return stmt if contract_ids is None else stmt.where(m.contract_id.in_(contract_ids))


def rebuild(session: Session, contract_ids: Collection[int] | None = None) -> None:
    """Recompute the aggregates and snapshots of these contracts (None: all) from their lines
    and budget lines, in SQL; a contract id that no longer exists loses its rows.

    Runs inside the caller's transaction, so an import and its aggregates
    commit or roll back together.
    """
    ids = None if contract_ids is None else sorted(set(contract_ids))
    if ids == []:
        return
    rebuild_budgets(session, ids)
    _rebuild_months(session, ids)
    save_snapshots(session, ids)


def forget(session: Session, contract_ids: Collection[int]) -> None:
    """Take these contracts out of the aggregates before their rows are deleted: their months,
    totals and budgets go, and portfolio_months loses what their months added. (rebuild()
    changes portfolio_months by the difference between the months it replaces and the new
    ones, so the old ones must still be there: a deletion calls this first, rebuild after.)"""
    change: dict[dt.date, list] = {}
    for chunk in _chunks(sorted(set(contract_ids))):
        _add_months(change, session, chunk, -1)
        for table in (ContractMonth, ContractTotal, BudgetPeriod, ContractBudget):
            session.execute(delete(table).where(table.contract_id.in_(chunk)))
    _change_portfolio_months(session, change)


def save_snapshots(session: Session, ids: Collection[int] | None = None) -> None:
    """The portfolio's columns, every contract's months and checkpoints as snapshots
    (snapshot.py): whole, or the rows of these contracts as changes (all of them whole when one
    has no base yet: a database from before it)."""
    if ids is not None and snapshot.stale(session, SNAPSHOTS):
        ids = None
    columns.save_column_snapshots(session, ids)
    save_checkpoints(session, ids)


def _chunks(ids: list[int] | None) -> list[list[int] | None]:
    return [None] if ids is None else [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _rebuild_months(session: Session, ids: list[int] | None) -> None:
    """contract_months and contract_totals of these contracts (None: all), then portfolio_months:
    rebuilt whole, or changed by the difference these contracts' months made."""
    if ids is None and session.get_bind().dialect.name == "postgresql":
        # one GROUP BY over every line: in memory, not in a few dozen batches on disk (the
        # default work_mem is 4 MB); LOCAL ends with the import's transaction
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    change: dict[dt.date, list] = {}
    for chunk in _chunks(ids):
        clear_months, clear_totals = delete(ContractMonth), delete(ContractTotal)
        if chunk is not None:
            clear_months = clear_months.where(ContractMonth.contract_id.in_(chunk))
            clear_totals = clear_totals.where(ContractTotal.contract_id.in_(chunk))
            _add_months(change, session, chunk, -1)
        session.execute(clear_totals)
        session.execute(clear_months)
        src = _sources(chunk)
        grouped = select(
            src.c.contract_id,
            src.c.month,
            src.c.in_term,
            *(func.sum(src.c[name]) for name in MONTH_SUMS),
        ).group_by(src.c.contract_id, src.c.month, src.c.in_term)
        session.execute(
            insert(ContractMonth).from_select(["contract_id", "month", "in_term", *MONTH_SUMS], grouped)
        )
        session.execute(
            insert(ContractTotal).from_select(
                (
                    "contract_id",
                    "labour",
                    "material",
                    "hours",
                    "visits",
                    "calls",
                    "outside_lines",
                    "outside_cost",
                    *EXTRA,
                ),
                _totals(chunk),
            )
        )
        if chunk is not None:
            _add_months(change, session, chunk, +1)
    if ids is None:
        rebuild_portfolio_months(session)
    else:
        _change_portfolio_months(session, change)


def _add_months(change: dict[dt.date, list], session: Session, chunk: list[int], sign: int) -> None:
    """Add sign x these contracts' in-term months to change: per month, [labour, material,
    lines, month rows]."""
    m = ContractMonth
    stmt = (
        select(m.month, func.sum(m.labour), func.sum(m.material), func.sum(m.lines), func.count())
        .where(m.in_term.is_(True), m.contract_id.in_(chunk))
        .group_by(m.month)
    )
    for month, *sums in session.execute(stmt):
        total = change.setdefault(month, [Decimal(0), Decimal(0), 0, 0])
        for i, value in enumerate(sums):
            total[i] += sign * value


def _change_portfolio_months(session: Session, change: dict[dt.date, list]) -> None:
    """Apply the difference some contracts' in-term months made to portfolio_months, by SQL
    arithmetic (SET labour = labour + :change), never read-add-write: two writers that overlap
    (each under the write lock, one after the other) add both changes. A month that gained
    its first month row is added, one that lost its last one goes."""
    m, p = ContractMonth, PortfolioMonth
    for month, (labour, material, lines, rows) in sorted(change.items()):
        if not (labour or material or lines or rows):
            continue
        changed = session.execute(
            update(p)
            .where(p.month == month)
            .values(labour=p.labour + labour, material=p.material + material, lines=p.lines + lines)
        ).rowcount
        if not changed:  # no other contract had a month row then: these are the month's all
            session.add(PortfolioMonth(month=month, labour=labour, material=material, lines=lines))
            session.flush()
            continue
        if rows < 0:
            others = select(m.contract_id).where(m.in_term.is_(True), m.month == month).limit(1)
            if session.scalar(others) is None:
                session.execute(delete(p).where(p.month == month))
    session.flush()


def rebuild_budgets(session: Session, ids: list[int] | None = None) -> None:
    """contract_budgets and budget_periods of these contracts (None: all) from their budget
    lines and terms (two INSERT ... SELECTs per chunk)."""
    b = BudgetLine

    def category(name: str):
        return func.sum(case((b.category == name, b.amount), else_=0))

    for chunk in _chunks(ids):
        clear_periods, clear_budgets = delete(BudgetPeriod), delete(ContractBudget)
        sums = select(
            b.contract_id,
            func.count(),
            category("labour"),
            category("material"),
            category("other"),
            func.sum(func.coalesce(b.hours, 0)),
        ).group_by(b.contract_id)
        periods = select(
            b.id,
            b.contract_id,
            b.amount,
            day_number(func.coalesce(b.period_start, Contract.start_date)),
            day_number(func.coalesce(b.period_end, Contract.end_date)),
        ).join(Contract, b.contract_id == Contract.id)
        if chunk is not None:
            clear_periods = clear_periods.where(BudgetPeriod.contract_id.in_(chunk))
            clear_budgets = clear_budgets.where(ContractBudget.contract_id.in_(chunk))
            sums, periods = sums.where(b.contract_id.in_(chunk)), periods.where(b.contract_id.in_(chunk))
        session.execute(clear_periods)
        session.execute(clear_budgets)
        session.execute(
            insert(ContractBudget).from_select(
                ["contract_id", "lines", "labour", "material", "other", "hours"], sums
            )
        )
        session.execute(
            insert(BudgetPeriod).from_select(
                ["budget_line_id", "contract_id", "amount", "first_day", "last_day"], periods
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
SNAPSHOTS = (*columns.SNAPSHOTS, CHECKPOINTS)  # every snapshot an import keeps


def checkpoint_day(term_days: np.ndarray, quarter: int) -> np.ndarray:
    """Days done at checkpoint `quarter` (1..3) of a term of term_days days: floor(k x T / 4), at
    least 1, so that the checkpoint date is the start date + that - 1 day."""
    return np.maximum(term_days * quarter // 4, 1)


def _sums_by_contract(ids: list[int] | None):
    """Per contract id (of these, None: all), every checkpoint's in-term labour, material, hours
    and visits (a SELECT)."""
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
        stmt = stmt.join(Contract, WorkOrder.contract_id == Contract.id).where(in_term(date_col), covered())
        return stmt if ids is None else stmt.where(WorkOrder.contract_id.in_(ids))

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


def checkpoints_by_sql(session: Session, ids: list[int] | None = None) -> dict[str, np.ndarray]:
    """contract_id and COLUMNS of every contract (or of these) that has in-term lines or
    visits, by SQL."""
    names = ("contract_id", *COLUMNS)
    return columns.by_chunks(
        ids, lambda chunk: columns_from_rows(plain_rows(session, _sums_by_contract(chunk)), names)
    )


def save_checkpoints(session: Session, ids: Collection[int] | None = None) -> None:
    """Store checkpoints_by_sql() as the snapshot the readers prefer (every import does, in its
    transaction): whole, or the rows of these contracts as changes."""
    if ids is None:
        snapshot.save(session, CHECKPOINTS, checkpoints_by_sql(session))
    elif not snapshot.save_changes(
        session, CHECKPOINTS, checkpoints_by_sql(session, sorted(ids)), ids, "contract_id"
    ):
        raise RuntimeError(f"snapshot {CHECKPOINTS!r} has no base to change")


def checkpoint_columns(session: Session) -> dict[str, np.ndarray]:
    """contract_id and COLUMNS: the import's snapshot, else SQL. Contracts without a line are absent."""
    saved = snapshot.load(session, CHECKPOINTS)
    return dict(saved) if saved is not None else checkpoints_by_sql(session)


def save_snapshots_if_stale(session: Session) -> bool:
    """Save every snapshot whole when one is missing or in an older format (schema.prepare, for
    a database from before it); whether it did. Without them each read goes to SQL: seconds
    at scale, and every line at each auto forecast."""
    has_contracts = session.scalar(select(Contract.id).limit(1)) is not None
    if not has_contracts or not snapshot.stale(session, SNAPSHOTS):
        return False
    save_snapshots(session)
    return True
