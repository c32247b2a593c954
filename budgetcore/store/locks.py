"""One writer at a time per database: imports, settings saves and demo loads take write_lock().

Two imports at once on PostgreSQL both rebuilt the same maintained aggregates and
one failed (UniqueViolation on budget_periods_pkey); on SQLite the second writer
of a WAL database could fail with "database is locked". A writer takes the lock as
the first statement of its transaction and holds it until the transaction ends; a
second writer waits for it, readers never do.

PostgreSQL: a transaction-level advisory lock keyed on the schema (each test schema,
like each database, is its own). SQLite: BEGIN IMMEDIATE, the database's write lock,
waited for up to database.SQLITE_BUSY_SECONDS.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_NAMESPACE = "budgetcore.write"


def write_lock(session: Session) -> None:
    """Wait for, then hold until the session's transaction ends, the database's write lock.

    Call it before the transaction's first write; reads before it are allowed.
    """
    lock(session.connection())


def lock(connection: Connection) -> None:
    """write_lock() on a connection in a transaction (the schema step's, which has no session)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:namespace || current_schema()))"),
            {"namespace": _NAMESPACE},
        )
    elif dialect == "sqlite":
        raw = connection.connection.driver_connection
        if raw is not None and not raw.in_transaction:  # pysqlite begins on the first write
            connection.exec_driver_sql("BEGIN IMMEDIATE")
