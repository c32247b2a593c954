"""Writing validated import records: batched upserts, line replacement per work order, bulk paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from budgetcore.exchange.formats import COLUMNS
from budgetcore.store import loading, portfolio_reads
from budgetcore.store.models import SCALE, HourLine, MaterialLine, WorkOrder, to_units

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


class Writer:
    """Buffers valid records and writes them in batches with upserts and line replacement.

    Work orders and cost lines, the bulk of any import, bypass the ORM: values are
    converted to integer millionths once (what the Fixed type would store) and
    go to the driver as tuples (store/loading.py: executemany on SQLite, COPY on
    PostgreSQL), in the session's own transaction, so all-or-nothing still holds.
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
        self.deferred = loading.Deferred()  # indexes and keys dropped from empty tables, built in finish()
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

    def _upsert_records(
        self,
        table: str,
        rows: list[dict],
        keys: list[str],
        update: Iterable[str] = (),
        keep: Iterable[str] = (),
    ) -> None:
        """loading.upsert of dict rows, stored as the model's types store them (millionths; ISO dates
        on SQLite)."""
        columns = list(rows[0])
        stored = self._stored
        values = [tuple(stored(r[c]) for c in columns) for r in rows]
        loading.upsert(self.session, table, columns, values, keys, update, keep)

    def _stored(self, value: object) -> object:
        if isinstance(value, Decimal):
            return self.units(value)
        if isinstance(value, dt.date) and self.dialect == "sqlite":
            return value.isoformat()
        return value

    def _contract_id(self, number: str) -> int:
        if number not in self.contract_ids:
            self.contract_ids.update(loading.ids(self.session, "contracts", "contract_number", [number]))
        return self.contract_ids[number]

    def _write_contracts(self, rows: list[dict]) -> None:
        customers = {}
        for r in rows:
            c = customers.setdefault(
                r["customer"], {"name": r["customer"], "customer_number": None, "city": None}
            )
            c["customer_number"] = r.get("customer_number") or c["customer_number"]
            c["city"] = r.get("city") or c["city"]
        kept = ("customer_number", "city")  # an empty cell keeps what the database holds
        self._upsert_records("customers", list(customers.values()), ["name"], keep=kept)
        customer_ids = loading.ids(self.session, "customers", "name", customers)
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
            [f for f in values[0] if f != "contract_number"],
        )
        self.contract_ids.update(
            loading.ids(self.session, "contracts", "contract_number", [r["contract_number"] for r in rows])
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
        self._upsert_records("budget_lines", values, keys, ["amount", "hours", "period_end"])
        self.touched_ids.update(v["contract_id"] for v in values)  # their budget sums and periods

    def _write_work_orders(self, batch: Batch) -> None:
        numbers = batch.columns["work_order_number"]
        if not self.work_orders_seen:
            self.work_orders_seen = True
            if loading.is_empty(self.session, WorkOrder):
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
        leaving, ids = loading.upsert_work_orders(
            self.session, numbers, columns, values, note_leaving=not bulk
        )
        self.touched_ids.update(leaving)
        self.work_order_ids.update(ids)

    def _line_work_order_ids(self, numbers: set[str]) -> dict[str, int]:
        """Ids of these work orders: those this import wrote from memory (kept since their
        upsert), the others looked up for this batch only (a morning's lines may name
        millions of work orders of the database's)."""
        written = self.work_order_ids
        ids = {n: written[n] for n in numbers if n in written}
        if len(ids) < len(numbers):
            ids.update(loading.ids(self.session, "work_orders", "work_order_number", numbers - ids.keys()))
        return ids

    def _lines(self, model: type, batch: Batch) -> None:
        numbers = batch.columns["work_order_number"]
        ids = self._line_work_order_ids(set(numbers))
        columns = ("work_order_id", *BATCH_COLUMNS[batch.entity][1:])
        values = list(zip([ids[n] for n in numbers], *(batch.columns[c] for c in columns[1:]), strict=True))
        table = model.__tablename__  # type: ignore[attr-defined]
        if table not in self.lines_before:
            self.lines_before[table] = loading.highest_id(self.session, model)
            if not self.lines_before[table]:
                self._defer_checks(model)
        before = self.lines_before[table]
        replace = sorted({v[0] for v in values}) if before else []  # an empty table: nothing to replace
        if not self._bulk():
            self.touched_work_orders.update(numbers)
        loading.replace_lines(self.session, model, columns, values, replace, before)

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
        """An empty table (work orders, lines): build its indexes and check its foreign keys in
        finish(), once, instead of row by row (loading.Deferred)."""
        self.deferred.drop(self.session, model)

    def finish(self) -> None:
        """Write what is buffered; build the indexes and check the keys deferred by _defer_checks."""
        self.flush()
        self.deferred.restore(self.session)

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
            total = portfolio_reads.contract_count(self.session)
            self.bulk = len(self.touched_numbers) > total / 2
        return self.bulk

    def affected_contract_ids(self) -> set[int] | None:
        """Contracts whose aggregates this import changed; None when most did."""
        if self._bulk():
            return None
        ids = set(self.touched_ids)
        ids.update(loading.ids(self.session, "contracts", "contract_number", self.touched_numbers).values())
        total = portfolio_reads.contract_count(self.session)
        if len(ids) > total / 2:  # a bulk import: one rebuild of everything is cheaper
            return None
        ids.update(loading.contracts_of_work_orders(self.session, list(self.touched_work_orders)))
        total = portfolio_reads.contract_count(self.session)
        return None if len(ids) > total / 2 else ids
