"""Writing validated import records: batched upserts, line replacement per work order, bulk paths."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Index, delete, func, inspect, select, text
from sqlalchemy.orm import Session

from budgetcore.exchange.formats import COLUMNS
from budgetcore.store.models import (
    SCALE,
    Contract,
    HourLine,
    MaterialLine,
    WorkOrder,
    to_units,
)

BATCH_COLUMNS = {
    "work_orders": (
        "work_order_number", "contract_number", "date", "type", "status", "description", "billable",
    ),
    "hours": (
        "work_order_number", "date", "employee", "hour_type", "hours", "cost_rate", "sales_rate", "cost",
        "revenue",
    ),
    "materials": (
        "work_order_number", "date", "article_code", "description", "quantity", "unit_cost", "unit_price", "cost",
        "revenue",
    ),
}  # fmt: skip
"""The columns of a Batch per entity; a line's cost is its quantity x cost rate, its revenue its
quantity x sales price (None without one), each rounded to millionths (Writer.line_cost)."""
SALES_PRICE = {"hours": "sales_rate", "materials": "unit_price"}


@dataclass
class Batch:
    """Valid rows of one entity (work orders, hour or material lines) as the writer stores them.

    One list per column of BATCH_COLUMNS: text, dates as ISO text, amounts in
    integer millionths (what the Fixed type stores), None where empty.
    """

    entity: str
    columns: dict[str, list]

    @property
    def rows(self) -> int:
        return len(self.columns["work_order_number"])


def _excluded(columns: Iterable[str]) -> dict[str, str]:
    """An upsert's SET: each column takes the value of the row that was to be inserted."""
    return {c: f"excluded.{c}" for c in columns}


class Writer:
    """Buffers valid records and writes them in batches with upserts and line replacement.

    Work orders and cost lines, the bulk of any import, bypass the ORM: values are
    converted to integer millionths once (what the Fixed type would store) and
    go to the driver as tuples, executemany on SQLite and COPY on PostgreSQL, in
    the session's own transaction, so all-or-nothing still holds.
    """

    batch = 20_000  # rows per write: large enough for the driver, a batch of records stays ~20 MB

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.buffer: list[dict[str, object]] = []
        self.entity = ""
        self.contract_ids: dict[str, int] = {}
        self.work_order_ids: dict[str, int] = {}  # of the work orders this import wrote
        # per line table: the highest line id before this import. Replacing a work order's
        # lines deletes only those, never lines this import wrote in an earlier batch, and
        # needs no set of millions of work orders (an hour file must not stop the material
        # lines of the same work order being replaced: each table has its own)
        self.lines_before: dict[str, int] = {}
        self.touched_numbers: set[str] = set()  # contracts whose aggregates must be rebuilt
        self.touched_work_orders: set[str] = set()
        self.touched_ids: set[int] = (
            set()
        )  # contracts whose budgets are in the file, or that its work orders left
        self.bulk: bool | None = None  # most contracts are in the file: rebuild all, track nothing
        self.deferred_indexes: list[Index] = []  # dropped from empty line tables, built in finish()
        self.deferred_keys: list[tuple[str, dict]] = []  # PostgreSQL: (table, reflected foreign key) likewise
        self.work_orders_seen = False  # whether the first batch of work orders was written

    def add(self, entity: str, record: dict[str, object]) -> None:
        """Buffer one record (as exchange.parse_value returns its values)."""
        if entity != self.entity:
            self.flush()
            self.entity = entity
        self.buffer.append(record)
        if len(self.buffer) >= self.batch:
            self.flush()

    def add_batch(self, batch: Batch) -> None:
        """Write a batch (after the records buffered before it)."""
        self.flush()
        self.entity = batch.entity
        getattr(self, f"_write_{batch.entity}")(batch)

    def flush(self) -> None:
        if self.buffer:
            rows = (
                self.buffer if self.entity not in BATCH_COLUMNS else self.batch_of(self.entity, self.buffer)
            )
            getattr(self, f"_write_{self.entity}")(rows)
            self.buffer = []

    @classmethod
    def batch_of(cls, entity: str, records: list[dict]) -> Batch:
        """Records as a Batch: dates as ISO text, amounts in millionths, a line's cost computed."""
        columns: dict[str, list] = {c: [] for c in BATCH_COLUMNS[entity]}
        quantity, rate = {"hours": ("hours", "cost_rate"), "materials": ("quantity", "unit_cost")}.get(
            entity, (None, None)
        )
        for record in records:
            for name, values in columns.items():
                if name == "cost":
                    values.append(cls.line_cost(record[quantity], record[rate]))  # type: ignore[index,arg-type]
                    continue
                if name == "revenue":
                    price = record.get(SALES_PRICE[entity])
                    values.append(None if price is None else cls.line_cost(record[quantity], price))  # type: ignore[index,arg-type]
                    continue
                value = record.get(name)
                if name == "date":
                    value = value.isoformat()  # type: ignore[union-attr]
                elif isinstance(value, Decimal):
                    value = cls.units(value)
                values.append(value)
        return Batch(entity, columns)

    def _upsert(
        self,
        table: str,
        columns: list[str],
        values: list[tuple],
        keys: list[str],
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
        with closing(self._cursor()) as cursor:
            if self.dialect == "sqlite":
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
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} {conflict}{returned}"
            )
            return found, cursor.fetchall() if returning else []

    def _upsert_records(self, table: str, rows: list[dict], keys: list[str], update: dict[str, str]) -> None:
        """_upsert of dict rows, stored as the model's types store them (millionths; ISO dates on SQLite)."""
        columns = list(rows[0])
        stored = self._stored
        self._upsert(table, columns, [tuple(stored(r[c]) for c in columns) for r in rows], keys, update)

    def _stored(self, value: object) -> object:
        if isinstance(value, Decimal):
            return self.units(value)
        if isinstance(value, dt.date) and self.dialect == "sqlite":
            return value.isoformat()
        return value

    def _cursor(self):
        """The driver's own cursor on the session's connection (its transaction): no per-row ORM work."""
        return self.session.connection().connection.driver_connection.cursor()

    def _ids(self, table: str, key: str, keys: Iterable[str]) -> dict[str, int]:
        """The id of each key of table, in one statement: one JSON or array parameter, not an IN list."""
        keys = list(keys)
        if not keys:
            return {}
        with closing(self._cursor()) as cursor:
            if self.dialect == "sqlite":
                cursor.execute(
                    f"SELECT t.{key}, t.id FROM json_each(?) j JOIN {table} t ON t.{key} = j.value",
                    (json.dumps(keys),),
                )
            else:
                cursor.execute(f"SELECT {key}, id FROM {table} WHERE {key} = ANY(%s)", (keys,))
            return dict(cursor.fetchall())

    def _contract_id(self, number: str) -> int:
        if number not in self.contract_ids:
            self.contract_ids.update(self._ids("contracts", "contract_number", [number]))
        return self.contract_ids[number]

    def _write_contracts(self, rows: list[dict]) -> None:
        customers = {}
        for r in rows:
            c = customers.setdefault(
                r["customer"], {"name": r["customer"], "customer_number": None, "city": None}
            )
            c["customer_number"] = r.get("customer_number") or c["customer_number"]
            c["city"] = r.get("city") or c["city"]
        kept = {c: f"coalesce(excluded.{c}, customers.{c})" for c in ("customer_number", "city")}
        self._upsert_records("customers", list(customers.values()), ["name"], kept)
        customer_ids = self._ids("customers", "name", customers)
        fields = [
            c.name for c in COLUMNS["contracts"] if c.name not in ("customer", "customer_number", "city")
        ]
        values = []
        for r in rows:
            v = {f: r.get(f) for f in fields}
            v["customer_id"] = customer_ids[r["customer"]]
            v["notice_period_days"] = v["notice_period_days"] or 0
            v["auto_renew"] = bool(v["auto_renew"])
            values.append(v)
            self.touched_numbers.add(r["contract_number"])
        self._upsert_records(
            "contracts",
            values,
            ["contract_number"],
            _excluded(f for f in values[0] if f != "contract_number"),
        )
        self.contract_ids.update(
            self._ids("contracts", "contract_number", [r["contract_number"] for r in rows])
        )

    def _write_budgets(self, rows: list[dict]) -> None:
        values = [
            {
                "contract_id": self._contract_id(r["contract_number"]),
                "category": r["category"],
                "amount": r["amount"],
                "hours": r.get("hours"),
                "period_start": r.get("period_start"),
                "period_end": r.get("period_end"),
                "period_key": r["period_start"].isoformat() if r.get("period_start") else "",
            }
            for r in rows
        ]
        keys = ["contract_id", "category", "period_key"]
        self._upsert_records("budget_lines", values, keys, _excluded(["amount", "hours", "period_end"]))
        self.touched_ids.update(v["contract_id"] for v in values)  # their budget sums and periods

    def _write_work_orders(self, batch: Batch) -> None:
        numbers = batch.columns["work_order_number"]
        if not self.work_orders_seen:
            self.work_orders_seen = True
            if self.session.scalar(select(WorkOrder.id).limit(1)) is None:
                self._defer_checks(WorkOrder)
        bulk = self._bulk()
        if not bulk:  # a work order that moves to another contract changes the old one's figures too
            self.touched_work_orders.update(numbers)
        contract_ids = [self._contract_id(n) if n else None for n in batch.columns["contract_number"]]
        values = list(
            zip(
                numbers,
                contract_ids,
                *(batch.columns[c] for c in BATCH_COLUMNS["work_orders"][2:]),
                strict=True,
            )
        )
        columns = ["work_order_number", "contract_id", *BATCH_COLUMNS["work_orders"][2:]]
        if not bulk and self.dialect == "sqlite":
            self._note_current_contracts(numbers)
        leaving = (
            None
            if bulk
            # PostgreSQL: the contracts these work orders are under now
            else (
                "SELECT DISTINCT w.contract_id FROM work_orders w JOIN {staging} l "
                "USING (work_order_number) WHERE w.contract_id IS NOT NULL"
            )
        )
        last = self._last_id("work_orders") if self.dialect == "sqlite" else 0
        found, returned = self._upsert(
            "work_orders",
            columns,
            values,
            ["work_order_number"],
            _excluded(columns[1:]),
            leaving,
            "work_order_number, id",
        )
        self.touched_ids.update(found)
        self.work_order_ids.update(returned if self.dialect == "postgresql" else self._new_ids(numbers, last))

    def _last_id(self, table: str) -> int:
        with closing(self._cursor()) as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            return cursor.fetchone()[0]

    def _new_ids(self, numbers: list[str], last: int) -> dict[str, int]:
        """SQLite: the ids of work orders just upserted, when all were new without a look-up.

        A new row takes the highest id plus one, so when the table grew by as
        many rows as were written, they hold last + 1, last + 2... in order;
        otherwise (some existed and were updated) every id is looked up.
        """
        now = self._last_id("work_orders")
        if now - last == len(numbers):
            return dict(zip(numbers, range(last + 1, now + 1), strict=True))
        return self._ids("work_orders", "work_order_number", numbers)

    def _note_current_contracts(self, work_order_numbers: list[str]) -> None:
        for i in range(0, len(work_order_numbers), 5000):
            chunk = work_order_numbers[i : i + 5000]
            self.touched_ids.update(
                cid
                for cid in self.session.scalars(
                    select(WorkOrder.contract_id).where(WorkOrder.work_order_number.in_(chunk))
                )
                if cid is not None
            )

    def _line_work_order_ids(self, numbers: set[str]) -> dict[str, int]:
        """Ids of these work orders: those this import wrote from memory (kept since their
        upsert), the others looked up for this batch only (a morning's lines may name
        millions of work orders of the database's)."""
        written = self.work_order_ids
        ids = {n: written[n] for n in numbers if n in written}
        if len(ids) < len(numbers):
            ids.update(self._ids("work_orders", "work_order_number", numbers - ids.keys()))
        return ids

    def _lines(self, model: type, batch: Batch) -> None:
        numbers = batch.columns["work_order_number"]
        ids = self._line_work_order_ids(set(numbers))
        columns = ("work_order_id", *BATCH_COLUMNS[batch.entity][1:])
        values = list(zip([ids[n] for n in numbers], *(batch.columns[c] for c in columns[1:]), strict=True))
        table = model.__tablename__  # type: ignore[attr-defined]
        if table not in self.lines_before:
            self.lines_before[table] = self.session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0
            if not self.lines_before[table]:
                self._defer_checks(model)
        before = self.lines_before[table]
        replace = sorted({v[0] for v in values}) if before else []  # an empty table: nothing to replace
        if not self._bulk():
            self.touched_work_orders.update(numbers)
        if self.dialect == "sqlite":
            for i in range(0, len(replace), 5000):
                chunk = replace[i : i + 5000]
                self.session.execute(delete(model).where(model.work_order_id.in_(chunk), model.id <= before))
            cursor = self.session.connection().connection.cursor()
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
            cursor.close()
            return
        with self.session.connection().connection.driver_connection.cursor() as cursor:
            # one array parameter: psycopg parses no IN list of thousands of placeholders
            if replace:
                cursor.execute(
                    f"DELETE FROM {table} WHERE work_order_id = ANY(%s) AND id <= %s", (replace, before)
                )
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)

    @staticmethod
    def _exact(value: Decimal) -> int | None:
        """value in integer millionths when that is exact (at most 6 places), else None."""
        scaled = value.scaleb(SCALE)
        whole = int(scaled)
        return whole if whole == scaled else None

    @classmethod
    def units(cls, value: object) -> int | None:
        """What the Fixed type stores for value (integer millionths), without its per-value overhead."""
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(value)  # type: ignore[arg-type]
        exact = cls._exact(value)
        return to_units(value) if exact is None else exact

    @classmethod
    def line_cost(cls, quantity: Decimal, price: Decimal) -> int:
        """to_units(quantity x price), computed in integers when both are whole millionths.

        The Decimal product is exact while it has at most 28 digits (the context
        precision), so below 10**28 (in 1e-12 units) the integer product rounded
        half-even to millionths is the very same number.
        """
        if isinstance(quantity, Decimal) and isinstance(price, Decimal):
            a, b = cls._exact(quantity), cls._exact(price)
            if a is not None and b is not None and -(10**28) < a * b < 10**28:
                whole, rest = divmod(a * b, 1_000_000)
                if rest > 500_000 or (rest == 500_000 and whole & 1):
                    whole += 1
                return whole
        return to_units(Decimal(quantity) * Decimal(price))

    def _defer_checks(self, model: type) -> None:
        """An empty table (work orders, lines): build its indexes and check its foreign keys in finish().

        Row by row, every line inserts into two indexes at random places (by
        date) and, on PostgreSQL, fires a trigger that looks up its work order;
        built once at the end, an index is one sort and a key one join. All of it
        happens inside the import's transaction, so it still commits or rolls
        back as one; only readers of that (empty) table wait for the commit.
        The unique key stays: the upsert and the id look-ups need it.
        """
        table = model.__table__  # type: ignore[attr-defined]
        connection = self.session.connection()
        for index in table.indexes:
            index.drop(connection)
        self.deferred_indexes.extend(table.indexes)
        if self.dialect == "postgresql":
            for key in inspect(connection).get_foreign_keys(table.name):
                connection.execute(text(f'ALTER TABLE {table.name} DROP CONSTRAINT "{key["name"]}"'))
                self.deferred_keys.append((table.name, key))

    def finish(self) -> None:
        """Write what is buffered; build the indexes and check the keys deferred by _defer_checks."""
        self.flush()
        connection = self.session.connection()
        if self.deferred_indexes and self.dialect == "postgresql":  # sorts in memory (default 64 MB)
            connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for table, key in self.deferred_keys:
            columns, referred = ", ".join(key["constrained_columns"]), ", ".join(key["referred_columns"])
            connection.execute(
                text(f'ALTER TABLE {table} ADD CONSTRAINT "{key["name"]}" FOREIGN KEY ({columns}) '
                     f"REFERENCES {key['referred_table']} ({referred})")
            )  # fmt: skip
        for index in self.deferred_indexes:
            index.create(connection)
        self.deferred_keys, self.deferred_indexes = [], []

    def _write_hours(self, batch: Batch) -> None:
        self._lines(HourLine, batch)

    def _write_materials(self, batch: Batch) -> None:
        self._lines(MaterialLine, batch)

    def _bulk(self) -> bool:
        """Whether the file's contracts are most of the database's: then every aggregate is rebuilt.

        Decided once the contracts are written (they come first), so that a bulk
        import need not remember millions of work order numbers.
        """
        if self.bulk is None:
            total = self.session.scalar(select(func.count()).select_from(Contract)) or 0
            self.bulk = len(self.touched_numbers) > total / 2
        return self.bulk

    def affected_contract_ids(self) -> set[int] | None:
        """Contracts whose aggregates this import changed; None when most did."""
        if self._bulk():
            return None
        ids = set(self.touched_ids)
        ids.update(self._ids("contracts", "contract_number", self.touched_numbers).values())
        total = self.session.scalar(select(func.count()).select_from(Contract)) or 0
        if len(ids) > total / 2:  # a bulk import: one rebuild of everything is cheaper
            return None
        numbers = list(self.touched_work_orders)
        for i in range(0, len(numbers), 5000):
            ids.update(
                cid
                for cid in self.session.scalars(
                    select(WorkOrder.contract_id).where(
                        WorkOrder.work_order_number.in_(numbers[i : i + 5000])
                    )
                )
                if cid is not None
            )
        total = self.session.scalar(select(func.count()).select_from(Contract)) or 0
        return None if len(ids) > total / 2 else ids
