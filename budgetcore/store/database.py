"""Engines, schema and the small facts (data version, demo flag) kept in the database."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    Engine,
    Integer,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
    exists,
    inspect,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import InterfaceError, InternalError, OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.functions import FunctionElement

from budgetcore.store import locks
from budgetcore.store.models import Contract, Meta, WorkOrder

ENV_URL = "BUDGETCORE_DB_URL"
SQLITE_BUSY_SECONDS = 900  # a writer waits this long for another's write lock (a large import takes minutes)
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "budgetcore.db"


class StorageError(Exception):
    """The database cannot be reached or opened; the message says which and why."""


def default_url() -> str:
    """The URL in BUDGETCORE_DB_URL, else the SQLite file data/budgetcore.db."""
    return os.environ.get(ENV_URL) or f"sqlite:///{DEFAULT_PATH}"


def normalise_url(url: str) -> str:
    """Let users write postgresql://... and still get the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for url (default: default_url()). Opening it changes nothing in the
    database; schema.prepare() creates or upgrades the schema."""
    url = normalise_url(url or default_url())
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and "mode=memory" not in path:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the folder for {path}: {exc.strerror or exc}") from exc
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
    # a pooled connection the server dropped (a restart, pg_terminate_backend) is replaced
    # at checkout instead of failing the next page
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the dashboard read while an import writes; synchronous stays at
    # its durable default. Foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One user action: a session that commits on success and rolls back on error."""
    with session_factory(engine).begin() as session:
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """One read of several statements that must agree (a portfolio's contracts and their lines):
    each statement sees the same committed data, though other processes commit writes meanwhile.
    PostgreSQL: a REPEATABLE READ transaction; SQLite: one read transaction from its first
    statement, which WAL keeps as one snapshot (the driver would otherwise run each SELECT on its
    own). Not for writes. (Not READ ONLY as well: the pool would then reset each connection to an
    explicit READ WRITE, over a read-only server's default.)"""
    sqlite = engine.dialect.name == "sqlite"
    if not sqlite:
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with session_factory(engine).begin() as session:
        if sqlite:
            session.connection().exec_driver_sql("BEGIN")
        yield session


class ServerFaultError(Exception):
    """A write the database could not do for a reason of its own (read-only, disk full,
    connection lost); nothing was written. The message says the database's reason."""


SERVER_FAULTS = (OperationalError, InterfaceError, InternalError)
"""What a database raises when it, not the data, is at fault (psycopg and sqlite3 alike)."""


def fault_reason(exc: BaseException) -> str:
    """The first line of the driver's message, short: 'attempt to write a readonly database'."""
    original = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines() or [type(original).__name__]
    return lines[0][:200]


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One user action that writes: a transaction that holds the write lock (locks.py) from
    its first statement and commits on success, or changes nothing.

    A fault of the database raises ServerFaultError, and the engine's pooled connections are
    dropped so that the next action opens fresh ones (a SQLite connection opened while
    the file was read-only stays read-only). A pooled connection that fails at the lock
    is replaced once before the action starts: the app recovers when the fault ends.
    """
    for attempt in range(2):
        session = session_factory(engine)()
        try:
            session.begin()
            locks.write_lock(session)
            if engine.dialect.name == "sqlite":
                # a connection opened while the file was read-only stays so; BEGIN IMMEDIATE does
                # not tell, a write does: the header's user_version, set to what it is
                version = int(session.connection().exec_driver_sql("PRAGMA user_version").scalar() or 0)
                session.connection().exec_driver_sql(f"PRAGMA user_version = {version}")
            break
        except SERVER_FAULTS as exc:
            session.close()
            engine.dispose()
            if attempt:
                raise ServerFaultError(fault_reason(exc)) from exc
    try:
        yield session
        session.commit()
    except SERVER_FAULTS as exc:
        _quietly_rollback(session)
        engine.dispose()
        raise ServerFaultError(fault_reason(exc)) from exc
    except BaseException:
        _quietly_rollback(session)
        raise
    finally:
        session.close()


def _quietly_rollback(session: Session) -> None:
    try:
        session.rollback()
    except SERVER_FAULTS:  # the connection is gone: the server rolled back already
        pass


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table(Contract.__tablename__)


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    value = session.scalar(select(Meta.value).where(Meta.key == key))
    return default if value is None else value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def data_version(session: Session) -> int:
    """A counter every import bumps; caches key on it so new data shows at once."""
    return int(get_meta(session, "data_version", "0") or 0)


def bump_data_version(session: Session) -> int:
    """Add one to the data version in the database itself (UPDATE ... SET value = value + 1), so
    that two writers one after the other always make two versions; the new version.

    Called by the one write path (store/writes.write) under the write lock, which also makes
    the first insert safe."""
    number = cast(cast(Meta.value, Integer) + 1, Text)
    found = session.execute(
        update(Meta).where(Meta.key == "data_version").values(value=number).returning(Meta.value)
    ).scalar()
    if found is None:
        session.add(Meta(key="data_version", value="1"))
        session.flush()
        return 1
    return int(found)


def is_demo(session: Session) -> bool:
    """Whether any of the demo's rows is in the database (they are marked: models.Contract.demo)."""
    return bool(
        session.scalar(select(exists().where(Contract.demo.is_(True))))
        or session.scalar(select(exists().where(WorkOrder.demo.is_(True))))
    )


def plain_rows(
    session: Session, stmt: Executable, parameters: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of a statement as the driver returns them: plain tuples, without
    SQLAlchemy's Row objects and result processing (a second per million values).

    Parameters are still bound by SQLAlchemy. For statements whose columns are
    integers and text: a date or a Decimal would come back in the driver's form.
    """
    result = session.connection().execute(stmt, parameters)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def one_of(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """column IN values: on PostgreSQL as column = ANY(one array parameter), which the driver
    sends and the server plans at once whatever the count (an IN list of 5,000 parameters
    costs SQLAlchemy, psycopg and the planner each a few milliseconds per query); elsewhere
    as an IN list (SQLite has no arrays: callers keep its lists below its parameter limit)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


def integer_select(subquery: Any) -> Select:
    """Every column of a subquery read as BIGINT (PostgreSQL sums BIGINT to NUMERIC; this keeps
    every engine's sums integers), for plain_rows."""
    return select(*(type_coerce(c, BigInteger) for c in subquery.c))


EPOCH = dt.date(1970, 1, 1)  # day numbers count from here, in SQL (day_number) and numpy alike


class day_number(FunctionElement[int]):  # noqa: N801 - reads as a SQL function
    """Days since 1970-01-01 of a DATE expression, portable across SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_number_sqlite(element: day_number, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(julianday({compiler.process(arg, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_pg(element: day_number, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"(({compiler.process(arg, **kw)})::date - DATE '1970-01-01')"


@compiles(day_number)
def _day_number_default(element: day_number, compiler: Any, **kw: Any) -> str:
    raise NotImplementedError(f"day_number has no form for {compiler.dialect.name}")


class month_start(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """First day of the month of a DATE expression, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"date({compiler.process(arg, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_pg(element: month_start, compiler: Any, **kw: Any) -> str:
    (arg,) = list(element.clauses)
    return f"CAST(date_trunc('month', {compiler.process(arg, **kw)}) AS DATE)"
