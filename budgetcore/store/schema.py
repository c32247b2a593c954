"""Creating and upgrading the schema: an explicit step the app's start and the command line take.

Opening an engine (database.make_engine) only opens it. prepare() makes the
tables a new database lacks and brings an older one up to date, each step named
in the log, so that reading the portfolio never writes.
"""

from __future__ import annotations

import logging

from sqlalchemy import BigInteger, Engine, Table, bindparam, inspect, select, text, type_coerce, update

from budgetcore.store import aggregates, alert_log, decisions  # noqa: F401 - their tables are part of the schema
from budgetcore.store.database import StorageError, transaction
from budgetcore.store.models import Base, HourLine, MaterialLine, product_units

log = logging.getLogger(__name__)

# (table, column, SQL type) added to the schema after its tables first shipped: an older
# database gets each by ALTER TABLE ... ADD COLUMN (nullable, so existing rows stay valid)


def prepare(engine: Engine) -> list[str]:
    """Create missing tables and upgrade an older database; the steps taken, in order.

    A database from before contract_totals gets its indexes and one full
    rebuild of the aggregates; one from before portfolio_months,
    contract_budgets or snapshots gets those built once. Raises StorageError
    when the database cannot be reached or written.
    """
    steps: list[str] = []
    try:
        inspector = inspect(engine)
        used = inspector.has_table("contracts")
        older = used and not inspector.has_table("contract_totals")
        missing = {
            name: used and not older and not inspector.has_table(name)
            for name in ("portfolio_months", "contract_budgets", "snapshots")
        }
        missing_tables = [t for t in Base.metadata.sorted_tables if not inspector.has_table(t.name)]
        if missing_tables:
            Base.metadata.create_all(engine)
            steps.append(f"created tables: {', '.join(t.name for t in missing_tables)}")
        added = add_missing_columns(
            engine, [t for t in Base.metadata.sorted_tables if t not in missing_tables]
        )
        steps += added
        if used and not older and SCOPE_COLUMN in added:
            steps += upgrade_scope(engine)
        if older:
            aggregates.upgrade(engine)
            steps.append("upgraded a database from before contract_totals: indexes and aggregates rebuilt")
        if any(missing.values()):
            with transaction(engine) as session:
                if missing["portfolio_months"]:
                    aggregates.rebuild_portfolio_months(session)
                    steps.append("built portfolio_months")
                if missing["contract_budgets"]:
                    aggregates.rebuild_budgets(session)
                    steps.append("built contract_budgets and budget_periods")
                aggregates.save_snapshots(session)
                steps.append("saved the snapshots")
        elif used and not older:
            with transaction(engine) as session:
                if aggregates.save_snapshots_if_stale(session):
                    steps.append("saved the snapshots (one was missing or in an older format)")
    except StorageError:
        raise
    except Exception as exc:
        raise StorageError(f"cannot open database {engine.url!r}: {exc}") from exc
    for step in steps:
        log.info("schema: %s (%s)", step, engine.url.render_as_string(hide_password=True))
    return steps


SCOPE_COLUMN = "added column contract_months.extra_cost"  # the step that says a database predates issue 21


def upgrade_scope(engine: Engine) -> list[str]:
    """A database from before the scope split (issue 21): every line's revenue (quantity x sales
    price, rounded half to even to millionths, as the import computes it) and every aggregate
    and snapshot rebuilt, so that covered work and work billed on top are apart, as a fresh
    import of the same files makes them."""
    with transaction(engine) as session:
        if engine.dialect.name == "postgresql":  # two processes starting at once: one after the other
            session.execute(text("SELECT pg_advisory_xact_lock(20261207)"))
        for table, quantity, price in (
            (HourLine.__table__, "hours", "sales_rate"),
            (MaterialLine.__table__, "quantity", "unit_price"),
        ):
            units = [type_coerce(table.c[name], BigInteger) for name in ("id", quantity, price)]
            last = 0
            while (
                batch := session.connection()
                .execute(  # by id ranges: no cursor open while writing
                    select(*units)
                    .where(table.c.id > last, table.c[price].is_not(None), table.c.revenue.is_(None))
                    .order_by(table.c.id)
                    .limit(20_000)
                )
                .all()
            ):
                session.connection().execute(
                    update(table)
                    .where(table.c.id == bindparam("line"))
                    .values(revenue=bindparam("units", type_=BigInteger)),
                    [{"line": i, "units": product_units(q, p)} for i, q, p in batch],
                )
                last = batch[-1][0]
        aggregates.rebuild(session)
    return [
        "split covered work and work billed on top: line revenue computed, aggregates and snapshots rebuilt"
    ]


def add_missing_columns(engine: Engine, tables: list[Table]) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for each column of tables that an older database lacks.

    Only nullable columns or ones with a server default can be added so (every column
    added since the first release is one); the steps taken, one per column.
    """
    inspector = inspect(engine)
    steps: list[str] = []
    with engine.begin() as connection:
        for table in tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                server_default = column.server_default.arg if column.server_default is not None else None  # type: ignore[attr-defined]
                default = (
                    f" DEFAULT {server_default.compile(dialect=engine.dialect)}"
                    if server_default is not None
                    else ""
                )
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}{default}"))
                steps.append(f"added column {table.name}.{column.name}")
    return steps


def prepared(engine: Engine) -> Engine:
    """The engine after prepare(): for callers that open a database to use it at once."""
    prepare(engine)
    return engine
