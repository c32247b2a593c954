"""Import of exchange-format tables: validate every row, then write all files in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from budgetcore import aggregates, i18n
from budgetcore.exchange import (
    COLUMNS,
    ENTITIES,
    InvalidValueError,
    SourceTable,
    cell_text,
    missing_required,
    open_csv,
    parse_value,
)
from budgetcore.exchange import MESSAGES as EXCHANGE_MESSAGES
from budgetcore.models import (
    SCALE,
    BudgetLine,
    Contract,
    Customer,
    HourLine,
    ImportLog,
    MaterialLine,
    WorkOrder,
    to_units,
)
from budgetcore.storage import bump_data_version, transaction

BATCH = 10_000
PROGRESS_EVERY = 1_000  # rows between progress calls
MAX_PROBLEMS = 10_000  # errors (and findings) listed; beyond this only counted
MAX_LINE_COST = Decimal("1e9")  # EUR per hour or material line; keeps SQL sums inside 64 bits
MAX_TERM_DAYS = 36_600  # a term or budget period of at most 100 years
SNIFF_BYTES = 65_536  # read buffer; its first fill is the sample for encoding and separator
FILE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")  # what a folder contributes (.txt only when named)

log = logging.getLogger(__name__)

UNRECOGNISED = (
    "cannot tell which entity this holds (name it e.g. contracts.csv, or use the template's headers)"
)
SHEET_SKIPPED = "sheet skipped: cannot tell which entity it holds"
UNREADABLE = "cannot read this file: {reason}"
MESSAGES = (  # every message template of a Problem made here, for the Dutch catalog
    *EXCHANGE_MESSAGES,
    "row has {cells} cells but the header {width}",
    "row has {cells} cells but the header {width} (a decimal comma in a comma-separated file?)",
    "cannot read the file here: {reason}",
    "end date before start date",
    "term longer than 100 years",
    "unknown contract",
    "period ends before it starts",
    "period longer than 100 years",
    "budget period reaches outside the contract term",
    "work order not under a contract",
    "unknown work order",
    "line cost too large (below {maximum} EUR)",
    "zero cost rate",
    "line dated outside the contract term ({start} to {end}): not counted",
    "duplicate key, first on row {row}",
    "duplicate key, first on {file}, row {row}",
    "import failed, nothing written: {reason}",
    "the file is empty (no header row)",
    UNRECOGNISED,
    SHEET_SKIPPED,
    "required column missing",
    "unknown columns ignored",
    UNREADABLE,
    "cannot open: {reason}",
    "no CSV or XLSX files found",
)


@dataclass(frozen=True)
class Problem:
    """Something wrong (error) or worth knowing (finding) about an input, and where.

    row is the row number as the user sees it in the file or sheet (the header
    is row 1 of a CSV); column is the header as written in the file.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    template: str = ""  # the message with {placeholders}, the key for its translation
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(
        cls,
        file: str,
        row: int | None,
        column: str | None,
        value: str | None,
        template: str,
        /,
        **params: object,
    ) -> Problem:
        """A problem whose message is template filled with params (kept apart for translation)."""
        values = tuple((k, str(v)) for k, v in params.items())
        return cls(file, row, column, value, template.format(**dict(values)), template, values)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"

    def translated(self, lang: str) -> str:
        """The message in lang (English text is the key of the Dutch catalog)."""
        return i18n.t(self.template or self.message, lang, **dict(self.params))


@dataclass
class FileReport:
    """What was recognised in one file or sheet: entity, encoding, separator, mapping, rows read."""

    file: str
    entity: str | None
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    ignored_columns: list[str]
    rows: int = 0
    decimal_comma: bool = False
    missing_columns: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileReport] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False
    unlisted_errors: int = 0  # errors beyond MAX_PROBLEMS, counted but not kept
    unlisted_findings: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.unlisted_errors

    def error(self, problem: Problem) -> None:
        if len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)
        else:
            self.unlisted_errors += 1

    def finding(self, problem: Problem) -> None:
        if len(self.findings) < MAX_PROBLEMS:
            self.findings.append(problem)
        else:
            self.unlisted_findings += 1


class _Known:
    """Keys that exist in the database or earlier in this import, for reference checks.

    A contract or work order whose row had an error is still "known" (with an
    unknown term) so that rows referring to it do not repeat that error; the
    same holds for every key of an entity whose file could not be read.
    """

    def __init__(self, session: Session) -> None:
        self.contract_terms: dict[str, tuple[dt.date, dt.date] | None] = {
            n: (s, e)
            for n, s, e in session.execute(
                select(Contract.contract_number, Contract.start_date, Contract.end_date)
            )
        }
        self.work_orders: dict[str, str | None] = dict(
            session.execute(
                select(WorkOrder.work_order_number, Contract.contract_number).outerjoin(
                    Contract, WorkOrder.contract_id == Contract.id
                )
            ).all()
        )
        self.unreadable: set[str] = set()  # entities with a file that could not be validated
        self.seen: dict[str, dict[object, tuple[str, int]]] = {e: {} for e in ENTITIES}

    def contract_known(self, number: object) -> bool:
        return number in self.contract_terms or "contracts" in self.unreadable

    def work_order_known(self, number: object) -> bool:
        return number in self.work_orders or "work_orders" in self.unreadable

    def note_failed(self, entity: str, record: dict[str, object]) -> None:
        if entity == "contracts" and record.get("contract_number"):
            self.contract_terms.setdefault(record["contract_number"], None)  # type: ignore[arg-type]
        elif entity == "work_orders" and record.get("work_order_number"):
            self.work_orders.setdefault(record["work_order_number"], None)  # type: ignore[arg-type]


def _validated_rows(
    table: SourceTable, result: ImportResult, known: _Known
) -> Iterable[tuple[int, dict[str, object]]]:
    """Yield (row number, record) for each valid row; record every problem on the way."""
    entity = table.entity
    assert entity is not None
    mapping = table.mapping
    labels = {c.name: table.headers[i] or c.name for i, c in mapping.items()}
    width = len(table.headers)
    row_number = 1
    try:
        for row_number, cells in table.rows:
            record: dict[str, object] = {}
            bad = False
            for index, column in mapping.items():
                value = cells[index] if index < len(cells) else None
                try:
                    record[column.name] = parse_value(column, value, table.decimal_comma)
                except InvalidValueError as exc:
                    label, shown = labels[column.name], cell_text(value)
                    result.error(Problem.of(table.file, row_number, label, shown, exc.template, **exc.params))
                    bad = True
            extra = [cell_text(c) for c in cells[width:] if cell_text(c).strip()]
            if extra:
                hint = " (a decimal comma in a comma-separated file?)" if table.delimiter == "," else ""
                result.error(
                    Problem.of(
                        table.file,
                        row_number,
                        None,
                        "; ".join(extra)[:100],
                        "row has {cells} cells but the header {width}" + hint,
                        cells=len(cells),
                        width=width,
                    )
                )
                bad = True
            if not bad:
                for kind, problem in _check(entity, record, table.file, row_number, known, labels):
                    if kind == "error":
                        result.error(problem)
                        bad = True
                    else:
                        result.finding(problem)
            if bad:
                known.note_failed(entity, record)
            else:
                yield row_number, record
    except Exception as exc:  # csv.Error, a broken zip or XML inside a workbook, an I/O error
        known.unreadable.add(entity)
        result.error(
            Problem.of(
                table.file,
                row_number + 1,
                None,
                None,
                "cannot read the file here: {reason}",
                reason=str(exc)[:300],
            )
        )


def _check(
    entity: str,
    r: dict[str, object],
    file: str,
    row: int,
    known: _Known,
    labels: dict[str, str],
) -> Iterable[tuple[str, Problem]]:
    """Rules across columns and files: keys, references, date order, limits, findings."""

    def problem(kind: str, column: str | None, message: str, **params: object) -> tuple[str, Problem]:
        value = None if column is None or r.get(column) is None else str(r.get(column))
        label = None if column is None else labels.get(column, column)
        return kind, Problem.of(file, row, label, value, message, **params)

    key: object = None
    if entity == "contracts":
        key = number = r["contract_number"]
        start, end = r["start_date"], r["end_date"]
        if end < start:  # type: ignore[operator]
            yield problem("error", "end_date", "end date before start date")
            known.contract_terms.setdefault(number, None)  # type: ignore[arg-type]
        elif (end - start).days >= MAX_TERM_DAYS:  # type: ignore[operator]
            yield problem("error", "end_date", "term longer than 100 years")
            known.contract_terms.setdefault(number, None)  # type: ignore[arg-type]
        else:
            known.contract_terms[number] = (start, end)  # type: ignore[index,assignment]
    elif entity == "budgets":
        key = (r["contract_number"], r["category"], r.get("period_start"))
        term = known.contract_terms.get(r["contract_number"])  # type: ignore[arg-type]
        if not known.contract_known(r["contract_number"]):
            yield problem("error", "contract_number", "unknown contract")
        elif term is not None:
            start = r.get("period_start") or term[0]
            end = r.get("period_end") or term[1]
            if end < start:  # type: ignore[operator]
                yield problem("error", "period_end", "period ends before it starts")
            elif (end - start).days >= MAX_TERM_DAYS:  # type: ignore[operator]
                yield problem("error", "period_end", "period longer than 100 years")
            elif start < term[0] or end > term[1]:  # type: ignore[operator]
                yield problem("finding", "period_start", "budget period reaches outside the contract term")
    elif entity == "work_orders":
        key = r["work_order_number"]
        contract = r.get("contract_number")
        if contract is None:
            yield problem("finding", "contract_number", "work order not under a contract")
        elif not known.contract_known(contract):
            yield problem("error", "contract_number", "unknown contract")
        known.work_orders[r["work_order_number"]] = contract  # type: ignore[index,assignment]
    elif entity in ("hours", "materials"):
        number = r["work_order_number"]
        quantity, rate = ("hours", "cost_rate") if entity == "hours" else ("quantity", "unit_cost")
        if not known.work_order_known(number):
            yield problem("error", "work_order_number", "unknown work order")
        if abs(r[quantity] * r[rate]) >= MAX_LINE_COST:  # type: ignore[operator]
            yield problem(
                "error", rate, "line cost too large (below {maximum} EUR)", maximum=f"{MAX_LINE_COST:,f}"
            )
        elif r[rate] == 0:
            yield problem("finding", rate, "zero cost rate")
        term = known.contract_terms.get(known.work_orders.get(number) or "")  # type: ignore[arg-type]
        if term is not None and not term[0] <= r["date"] <= term[1]:  # type: ignore[operator]
            yield problem(
                "finding",
                "date",
                "line dated outside the contract term ({start} to {end}): not counted",
                start=term[0],
                end=term[1],
            )
    if key is not None:
        seen = known.seen[entity]
        if key in seen:
            first_file, first_row = seen[key]
            shown = key if isinstance(key, str) else " / ".join("" if k is None else str(k) for k in key)  # type: ignore[union-attr]
            if first_file == file:
                template, where = "duplicate key, first on row {row}", {"row": first_row}
            else:
                template, where = (
                    "duplicate key, first on {file}, row {row}",
                    {"file": first_file, "row": first_row},
                )
            yield "error", Problem.of(file, row, None, str(shown), template, **where)
        else:
            seen[key] = (file, row)


class _Writer:
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
        self.work_order_ids: dict[str, int] = {}
        # per line table: the highest line id before this import. Replacing a work order's
        # lines deletes only those, never lines this import wrote in an earlier batch, and
        # needs no set of millions of work orders (an hour file must not stop the material
        # lines of the same work order being replaced: each table has its own)
        self.lines_before: dict[str, int] = {}
        self.touched_numbers: set[str] = set()  # contracts whose aggregates must be rebuilt
        self.touched_work_orders: set[str] = set()
        self.touched_ids: set[int] = set()  # contracts that work orders in the file left
        self.bulk: bool | None = None  # most contracts are in the file: rebuild all, track nothing

    def add(self, entity: str, record: dict[str, object]) -> None:
        if entity != self.entity:
            self.flush()
            self.entity = entity
        self.buffer.append(record)
        if len(self.buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            getattr(self, f"_write_{self.entity}")(self.buffer)
            self.buffer = []

    def _upsert(self, model: type, rows: list[dict], keys: list[str], update: list[str]) -> None:
        insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
        stmt = insert(model.__table__)  # type: ignore[attr-defined]
        if update:
            stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update})
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        self.session.execute(stmt, rows)

    def _ids(self, column, key_column, keys: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        keys = list(keys)
        for i in range(0, len(keys), 5000):
            chunk = keys[i : i + 5000]
            found.update(self.session.execute(select(key_column, column).where(key_column.in_(chunk))).all())
        return found

    def _contract_id(self, number: str) -> int:
        if number not in self.contract_ids:
            self.contract_ids.update(self._ids(Contract.id, Contract.contract_number, [number]))
        return self.contract_ids[number]

    def _write_contracts(self, rows: list[dict]) -> None:
        customers = {}
        for r in rows:
            c = customers.setdefault(
                r["customer"], {"name": r["customer"], "customer_number": None, "city": None}
            )
            c["customer_number"] = r.get("customer_number") or c["customer_number"]
            c["city"] = r.get("city") or c["city"]
        insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
        stmt = insert(Customer.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={
                "customer_number": func.coalesce(
                    stmt.excluded.customer_number, Customer.__table__.c.customer_number
                ),
                "city": func.coalesce(stmt.excluded.city, Customer.__table__.c.city),
            },
        )
        self.session.execute(stmt, list(customers.values()))
        customer_ids = self._ids(Customer.id, Customer.name, customers)
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
        self._upsert(Contract, values, ["contract_number"], [f for f in values[0] if f != "contract_number"])
        self.contract_ids.update(
            self._ids(Contract.id, Contract.contract_number, [r["contract_number"] for r in rows])
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
        self._upsert(
            BudgetLine, values, ["contract_id", "category", "period_key"], ["amount", "hours", "period_end"]
        )

    def _write_work_orders(self, rows: list[dict]) -> None:
        numbers = [r["work_order_number"] for r in rows]
        bulk = self._bulk()
        if not bulk:  # a work order that moves to another contract changes the old one's figures too
            self.touched_work_orders.update(numbers)
        sqlite = self.dialect == "sqlite"
        values = [
            (
                r["work_order_number"],
                self._contract_id(r["contract_number"]) if r.get("contract_number") else None,
                r["date"].isoformat() if sqlite else r["date"],
                r.get("type"),
                r.get("status"),
                r.get("description"),
            )
            for r in rows
        ]
        columns = "work_order_number, contract_id, date, type, status, description"
        update = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", ")[1:])
        if sqlite:
            if not bulk:
                self._note_current_contracts(numbers)
            cursor = self.session.connection().connection.cursor()
            cursor.executemany(
                f"INSERT INTO work_orders ({columns}) VALUES (?, ?, ?, ?, ?, ?) "
                f"ON CONFLICT (work_order_number) DO UPDATE SET {update}",
                values,
            )
            cursor.close()
            self.work_order_ids.update(self._ids(WorkOrder.id, WorkOrder.work_order_number, numbers))
            return
        # PostgreSQL: COPY into a transaction-scoped staging table, then one upsert
        with self.session.connection().connection.driver_connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS load_work_orders (work_order_number varchar(50), "
                "contract_id integer, date date, type varchar(20), status varchar(30), description text) "
                "ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE load_work_orders")
            with cursor.copy(f"COPY load_work_orders ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            if not bulk:
                cursor.execute(
                    "SELECT DISTINCT w.contract_id FROM work_orders w JOIN load_work_orders l "
                    "USING (work_order_number) WHERE w.contract_id IS NOT NULL"
                )
                self.touched_ids.update(cid for (cid,) in cursor.fetchall())
            cursor.execute(
                f"INSERT INTO work_orders ({columns}) SELECT {columns} FROM load_work_orders "
                f"ON CONFLICT (work_order_number) DO UPDATE SET {update} RETURNING work_order_number, id"
            )
            self.work_order_ids.update(cursor.fetchall())

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
        """Ids of these work orders; keeps only this batch's, so millions need not stay in memory."""
        ids = {n: self.work_order_ids[n] for n in numbers if n in self.work_order_ids}
        missing = list(numbers - ids.keys())
        if missing and self.dialect == "sqlite":
            ids.update(self._ids(WorkOrder.id, WorkOrder.work_order_number, missing))
        elif missing:
            with self.session.connection().connection.driver_connection.cursor() as cursor:
                cursor.execute(
                    "SELECT work_order_number, id FROM work_orders WHERE work_order_number = ANY(%s)",
                    (missing,),
                )
                ids.update(cursor.fetchall())
        self.work_order_ids = ids
        return ids

    def _lines(self, model: type, rows: list[dict], columns: tuple[str, ...], build: Callable) -> None:
        ids = self._line_work_order_ids({r["work_order_number"] for r in rows})
        sqlite = self.dialect == "sqlite"
        values = [
            build(r, ids[r["work_order_number"]], r["date"].isoformat() if sqlite else r["date"])
            for r in rows
        ]
        table = model.__tablename__  # type: ignore[attr-defined]
        if table not in self.lines_before:
            self.lines_before[table] = self.session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0
        before = self.lines_before[table]
        replace = sorted({v[0] for v in values}) if before else []  # an empty table: nothing to replace
        if not self._bulk():
            self.touched_work_orders.update(r["work_order_number"] for r in rows)
        if sqlite:
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
    def _units(cls, value: object) -> int | None:
        """What the Fixed type stores for value (integer millionths), without its per-value overhead."""
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(value)  # type: ignore[arg-type]
        exact = cls._exact(value)
        return to_units(value) if exact is None else exact

    @classmethod
    def _cost(cls, quantity: Decimal, price: Decimal) -> int:
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

    _HOUR_COLUMNS = (
        "work_order_id", "date", "employee", "hour_type", "hours", "cost_rate", "sales_rate", "cost",
    )  # fmt: skip
    _MATERIAL_COLUMNS = (
        "work_order_id", "date", "article_code", "description", "quantity", "unit_cost", "unit_price", "cost",
    )  # fmt: skip

    def _write_hours(self, rows: list[dict]) -> None:
        units, cost = self._units, self._cost

        def build(r: dict, work_order_id: int, date: object) -> tuple:
            hours, rate = r["hours"], r["cost_rate"]
            return (work_order_id, date, r.get("employee"), r.get("hour_type"), units(hours), units(rate),
                    units(r.get("sales_rate")), cost(hours, rate))  # fmt: skip

        self._lines(HourLine, rows, self._HOUR_COLUMNS, build)

    def _write_materials(self, rows: list[dict]) -> None:
        units, cost = self._units, self._cost

        def build(r: dict, work_order_id: int, date: object) -> tuple:
            quantity, price = r["quantity"], r["unit_cost"]
            return (work_order_id, date, r.get("article_code"), r.get("description"), units(quantity),
                    units(price), units(r.get("unit_price")), cost(quantity, price))  # fmt: skip

        self._lines(MaterialLine, rows, self._MATERIAL_COLUMNS, build)

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
        ids.update(self._ids(Contract.id, Contract.contract_number, self.touched_numbers).values())
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


def import_tables(
    engine: Engine,
    tables: Sequence[SourceTable],
    *,
    dry_run: bool = False,
    user: str | None = None,
    source: str = "cli",
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Validate and import tables; on any error (or dry_run) the database is left unchanged.

    Never raises for bad input or a failing database: every problem, with file,
    row and column, ends up in the result. progress(file, rows read so far) is
    called every PROGRESS_EVERY rows and at the end of each file.
    """
    result = ImportResult()
    try:
        _import(engine, tables, result, dry_run=dry_run, user=user, source=source, progress=progress)
    except Exception as exc:  # the database went away, a constraint we did not foresee...
        log.exception("import failed")
        result.written = False
        failed = "import failed, nothing written: {reason}"
        result.error(Problem.of("(database)", None, None, None, failed, reason=str(exc)[:500]))
    return result


def _import(
    engine: Engine,
    tables: Sequence[SourceTable],
    result: ImportResult,
    *,
    dry_run: bool,
    user: str | None,
    source: str,
    progress: Callable[[str, int], None] | None,
) -> None:
    usable: list[tuple[SourceTable, FileReport]] = []
    unreadable: set[str] = set()
    for table in tables:
        if not table.headers:
            result.error(Problem.of(table.file, 1, None, None, "the file is empty (no header row)"))
            if table.entity:
                unreadable.add(table.entity)
            continue
        if table.entity is None:
            if table.optional:
                result.finding(Problem.of(table.file, None, None, None, SHEET_SKIPPED))
            else:
                result.error(Problem.of(table.file, 1, None, None, UNRECOGNISED))
            continue
        ignored = [h for i, h in enumerate(table.headers) if i not in table.mapping and h]
        report = FileReport(
            table.file,
            table.entity,
            table.encoding,
            table.delimiter,
            {table.headers[i]: c.name for i, c in table.mapping.items()},
            ignored,
            decimal_comma=table.decimal_comma,
            missing_columns=missing_required(table.entity, table.mapping),
        )
        result.files.append(report)
        for name in report.missing_columns:
            result.error(Problem.of(table.file, 1, name, None, "required column missing"))
        if ignored:
            result.finding(Problem.of(table.file, 1, None, ", ".join(ignored), "unknown columns ignored"))
        if report.missing_columns:
            unreadable.add(table.entity)
        else:
            usable.append((table, report))
    usable.sort(key=lambda pair: ENTITIES.index(pair[0].entity))  # type: ignore[arg-type]
    with transaction(engine) as session:
        known = _Known(session)
        known.unreadable |= unreadable
        writer = _Writer(session)
        for table, report in usable:
            entity: str = table.entity  # type: ignore[assignment]
            for _, record in _validated_rows(table, result, known):
                report.rows += 1
                result.counts[entity] = result.counts.get(entity, 0) + 1
                if not result.errors and not dry_run:
                    writer.add(entity, record)
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(table.file, report.rows)
            if not result.errors and not dry_run:
                writer.flush()
            if progress is not None:
                progress(table.file, report.rows)
        if result.errors or dry_run:
            session.rollback()
            return
        aggregates.rebuild(session, writer.affected_contract_ids())
        bump_data_version(session)
        session.add(
            ImportLog(
                imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                files="; ".join(f"{t.file} ({r.rows})" for t, r in usable)[:10_000],
                rows=sum(result.counts.values()),
                user=(user or (_current_user() if source != "page" else None) or "")[:100] or None,
                source=source[:20],
            )
        )
    result.written = True


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None


def open_source(file_name: str, stream: IO[bytes], size: int | None = None) -> list[SourceTable]:
    """The tables in one file: a CSV holds one, a workbook one per sheet. ValueError when unreadable."""
    head = stream.peek(8)[:8] if hasattr(stream, "peek") else b""
    suffix = Path(file_name).suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ValueError("old Excel format (.xls): save it as .xlsx or CSV")
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        from budgetcore.workbook import open_workbook

        return open_workbook(file_name, stream)
    return [open_csv(file_name, stream, size)]  # type: ignore[arg-type]


def read_uploads(files: Sequence[tuple[str, bytes]]) -> tuple[list[SourceTable], list[Problem]]:
    """Uploaded files (name, content) -> their tables, and a problem for each unreadable file."""
    tables: list[SourceTable] = []
    problems: list[Problem] = []
    taken: dict[str, int] = {}
    for name, content in files:
        taken[name] = taken.get(name, 0) + 1
        if taken[name] > 1:  # the same name twice: keep them apart in every message
            name = f"{name} ({taken[name]})"
        try:
            tables.extend(
                open_source(name, io.BufferedReader(io.BytesIO(content), SNIFF_BYTES), len(content))
            )
        except Exception as exc:  # any unreadable upload becomes a problem, not a crash
            problems.append(Problem.of(name, None, None, None, UNREADABLE, reason=str(exc)[:300]))
    return tables, problems


def import_paths(engine: Engine, paths: Sequence[str | Path], **kwargs) -> ImportResult:
    """Open CSV and XLSX files (directories: every such file inside) and import them as one.

    In a folder, hidden files and Excel's lock files (~$name.xlsx, there while
    the workbook is open) are passed over.
    """
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(
                sorted(
                    f
                    for f in p.iterdir()
                    if f.suffix.lower() in FILE_SUFFIXES
                    and not f.name.startswith(("~$", "."))
                    and f.is_file()
                )
            )
        else:
            files.append(p)
    handles = []
    tables = []
    result = ImportResult()
    try:
        for path in files:
            try:
                handle = path.open("rb", buffering=SNIFF_BYTES)
                size = path.stat().st_size
            except OSError as exc:
                reason = exc.strerror or exc
                result.error(Problem.of(str(path), None, None, None, "cannot open: {reason}", reason=reason))
                continue
            handles.append(handle)
            try:
                tables.extend(open_source(path.name, handle, size))
            except Exception as exc:  # an unreadable file is a problem to report
                result.error(Problem.of(path.name, 1, None, None, UNREADABLE, reason=str(exc)[:300]))
        if not files:
            result.error(
                Problem.of(", ".join(map(str, paths)), None, None, None, "no CSV or XLSX files found")
            )
        if result.errors:
            return result
        return import_tables(engine, tables, **kwargs)
    finally:
        for handle in handles:
            handle.close()


def recent_imports(session: Session, limit: int = 20) -> list[ImportLog]:
    """The latest entries of the import log, newest first (imported_at is UTC)."""
    return list(session.scalars(select(ImportLog).order_by(ImportLog.id.desc()).limit(limit)))


def problems_csv(problems: Sequence[Problem], lang: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """Problems as a CSV a spreadsheet opens (UTF-8 with BOM): file, row, column, value, message."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "nl" else ",")
    writer.writerow([i18n.t(h, lang) for h in ("File", "Row", "Column", "Value", "Message")])
    for p in problems:
        writer.writerow(
            [p.file, "" if p.row is None else p.row, p.column or "", p.value or "", p.translated(lang)]
        )
    return out.getvalue().encode("utf-8-sig")
