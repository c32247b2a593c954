"""The statements an import runs: upserts, id look-ups, line replacement, deferred indexes and keys.

exchange/writer.py decides what to write and converts it (amounts in millionths, a line's cost);
exchange/validation.py looks up the keys a file names. The statements they run live here. Work
orders and lines, the bulk of any import, bypass the ORM: they go to the driver as tuples,
executemany on SQLite and COPY on PostgreSQL, on the session's own connection, so that they
commit or roll back with the rest of the import.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing

from sqlalchemy import Index, delete, func, inspect, select, text
from sqlalchemy.orm import Session

from budgetcore.store.models import Contract, WorkOrder

CHUNK = 5000  # keys per IN list


def _cursor(session: Session):
    """The driver's own cursor on the session's connection (its transaction): no per-row ORM work."""
    return session.connection().connection.driver_connection.cursor()


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# -- upserts and keys ------------------------------------------------------------------------------


def _upsert(
    session: Session,
    table: str,
    columns: Sequence[str],
    values: list[tuple],
    keys: Sequence[str],
    update: dict[str, str],
    before: str | None = None,
    returning: str | None = None,
) -> tuple[list, list]:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET column = expression for every row of values.

    SQLite: the driver's executemany. PostgreSQL: COPY into a staging table
    (dropped at commit) and one INSERT ... SELECT; before, if given, is a
    query run between the two, e.g. for the contracts that the staged work
    orders are about to leave, and returning a RETURNING list. Returns the
    first column of before's rows and the rows returned (both empty on SQLite).
    """
    action = "UPDATE SET " + ", ".join(f"{c} = {e}" for c, e in update.items()) if update else "NOTHING"
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO {action}"
    names = ", ".join(columns)
    with closing(_cursor(session)) as cursor:
        if _dialect(session) == "sqlite":
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", values)
            return [], []
        staging = f"load_{table}"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        found = []
        if before is not None:
            cursor.execute(before.format(staging=staging))
            found = [row[0] for row in cursor.fetchall()]
        returned = f" RETURNING {returning}" if returning else ""
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {conflict}{returned}")
        return found, cursor.fetchall() if returning else []


def upsert(
    session: Session,
    table: str,
    columns: Sequence[str],
    values: list[tuple],
    keys: Sequence[str],
    update: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> None:
    """Insert values (tuples in the order of columns) into table, or where a row with the same keys
    exists, set its update columns to the new values and its keep columns to the new values
    unless those are empty (the stored one stays); neither: leave the existing row as it is."""
    clauses = {c: f"excluded.{c}" for c in update}
    clauses.update({c: f"coalesce(excluded.{c}, {table}.{c})" for c in keep})
    _upsert(session, table, columns, values, keys, clauses)


def upsert_work_orders(
    session: Session, numbers: list[str], columns: Sequence[str], values: list[tuple], note_leaving: bool
) -> tuple[list[int], dict[str, int]]:
    """Insert or update work orders by work order number (columns[0]; numbers: that column of
    values); every other column takes the new value. Returns the contracts these work orders were
    under before (when note_leaving: a work order that moves changes the old contract's figures
    too) and the id of each work order written."""
    keys, update = ["work_order_number"], {c: f"excluded.{c}" for c in columns[1:]}
    if _dialect(session) == "postgresql":
        # the contracts these work orders are under now, read between the COPY and the upsert
        leaving = (
            "SELECT DISTINCT w.contract_id FROM work_orders w JOIN {staging} l "
            "USING (work_order_number) WHERE w.contract_id IS NOT NULL"
        )
        found, returned = _upsert(
            session,
            "work_orders",
            columns,
            values,
            keys,
            update,
            leaving if note_leaving else None,
            "work_order_number, id",
        )
        return found, dict(returned)
    found = list(contracts_of_work_orders(session, numbers)) if note_leaving else []
    last = _last_id(session, "work_orders")
    _upsert(session, "work_orders", columns, values, keys, update)
    return found, _new_ids(session, numbers, last)


def _last_id(session: Session, table: str) -> int:
    with closing(_cursor(session)) as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _new_ids(session: Session, numbers: list[str], last: int) -> dict[str, int]:
    """SQLite: the ids of work orders just upserted, when all were new without a look-up.

    A new row takes the highest id plus one, so when the table grew by as
    many rows as were written, they hold last + 1, last + 2... in order;
    otherwise (some existed and were updated) every id is looked up.
    """
    now = _last_id(session, "work_orders")
    if now - last == len(numbers):
        return dict(zip(numbers, range(last + 1, now + 1), strict=True))
    return ids(session, "work_orders", "work_order_number", numbers)


def ids(session: Session, table: str, key: str, keys: Iterable[str]) -> dict[str, int]:
    """The id of each key of table, in one statement: one JSON or array parameter, not an IN list."""
    keys = list(keys)
    if not keys:
        return {}
    with closing(_cursor(session)) as cursor:
        if _dialect(session) == "sqlite":
            cursor.execute(
                f"SELECT t.{key}, t.id FROM json_each(?) j JOIN {table} t ON t.{key} = j.value",
                (json.dumps(keys),),
            )
        else:
            cursor.execute(f"SELECT {key}, id FROM {table} WHERE {key} = ANY(%s)", (keys,))
        return dict(cursor.fetchall())


def contracts_of_work_orders(session: Session, numbers: Sequence[str]) -> Iterator[int]:
    """The contract id of each of these work orders that exists and has one (repeats included)."""
    for i in range(0, len(numbers), CHUNK):
        chunk = numbers[i : i + CHUNK]
        for cid in session.scalars(
            select(WorkOrder.contract_id).where(WorkOrder.work_order_number.in_(chunk))
        ):
            if cid is not None:
                yield cid


def is_empty(session: Session, model: type) -> bool:
    """Whether model's table has no row."""
    return session.scalar(select(model.id).limit(1)) is None  # type: ignore[attr-defined]


def highest_id(session: Session, model: type) -> int:
    """The highest id in model's table, 0 when it is empty."""
    return session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0  # type: ignore[attr-defined]


# -- lines -----------------------------------------------------------------------------------------


def replace_lines(
    session: Session,
    model: type,
    columns: Sequence[str],
    values: list[tuple],
    replace: list[int],
    before: int,
) -> None:
    """Delete the lines of the work orders in replace (ids) that are no newer than line id before,
    then insert values (tuples in the order of columns) into model's table."""
    table = model.__tablename__  # type: ignore[attr-defined]
    if _dialect(session) == "sqlite":
        for i in range(0, len(replace), CHUNK):
            chunk = replace[i : i + CHUNK]
            session.execute(delete(model).where(model.work_order_id.in_(chunk), model.id <= before))  # type: ignore[attr-defined]
        cursor = session.connection().connection.cursor()
        marks = ", ".join("?" * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        cursor.close()
        return
    with _cursor(session) as cursor:
        # one array parameter: psycopg parses no IN list of thousands of placeholders
        if replace:
            cursor.execute(
                f"DELETE FROM {table} WHERE work_order_id = ANY(%s) AND id <= %s", (replace, before)
            )
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)


# -- what validation looks up: only the keys a file names ------------------------------------------


def contract_terms(session: Session, numbers: list[str]) -> Iterator[tuple[str, object]]:
    """(contract number, (start date, end date)) of those of numbers that exist."""
    stmt = select(Contract.contract_number, Contract.start_date, Contract.end_date)
    return ((n, (s, e)) for n, s, e in session.execute(stmt.where(Contract.contract_number.in_(numbers))))


def work_order_contracts(
    session: Session, numbers: list[str]
) -> Iterator[tuple[str, str | None, dt.date | None, dt.date | None]]:
    """(work order number, its contract's number, that contract's start and end date; None for each
    of the three without a contract) of those of numbers that exist."""
    stmt = (
        select(WorkOrder.work_order_number, Contract.contract_number, Contract.start_date, Contract.end_date)
        .outerjoin(Contract, WorkOrder.contract_id == Contract.id)
        .where(WorkOrder.work_order_number.in_(numbers))
    )
    yield from session.execute(stmt)  # type: ignore[misc]


# -- checks deferred on empty tables ---------------------------------------------------------------


class Deferred:
    """Indexes (and on PostgreSQL foreign keys) dropped from empty tables, built once at the end.

    Row by row, every line inserts into two indexes at random places (by
    date) and, on PostgreSQL, fires a trigger that looks up its work order;
    built once at the end, an index is one sort and a key one join. All of it
    happens inside the import's transaction, so it still commits or rolls
    back as one; only readers of that (empty) table wait for the commit.
    The unique key stays: the upsert and the id look-ups need it.
    """

    def __init__(self) -> None:
        self.indexes: list[Index] = []
        self.keys: list[tuple[str, dict]] = []  # PostgreSQL: (table, reflected foreign key)

    def drop(self, session: Session, model: type) -> None:
        """Drop the indexes (and foreign keys) of model's (empty) table until restore()."""
        table = model.__table__  # type: ignore[attr-defined]
        connection = session.connection()
        for index in table.indexes:
            index.drop(connection)
        self.indexes.extend(table.indexes)
        if _dialect(session) == "postgresql":
            for key in inspect(connection).get_foreign_keys(table.name):
                connection.execute(text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{key["name"]}"'))
                self.keys.append((table.name, key))

    def restore(self, session: Session) -> None:
        """Check the dropped foreign keys and build the dropped indexes, in the session's transaction."""
        connection = session.connection()
        if self.indexes and _dialect(session) == "postgresql":  # sorts in memory (default 64 MB)
            connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for table, key in self.keys:
            columns, referred = ", ".join(key["constrained_columns"]), ", ".join(key["referred_columns"])
            connection.execute(
                text(f'ALTER TABLE {table} ADD CONSTRAINT "{key["name"]}" FOREIGN KEY ({columns}) '
                     f"REFERENCES {key['referred_table']} ({referred})")
            )  # fmt: skip
        for index in self.indexes:
            index.create(connection)
        self.indexes, self.keys = [], []
