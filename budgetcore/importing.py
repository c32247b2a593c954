"""Import of exchange-format tables: validate every row, then write all files in one transaction."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from budgetcore import aggregates
from budgetcore.exchange import COLUMNS, ENTITIES, SourceTable, open_csv, parse_value
from budgetcore.models import (
    BudgetLine,
    Contract,
    Customer,
    HourLine,
    ImportLog,
    MaterialLine,
    WorkOrder,
)
from budgetcore.storage import bump_data_version, transaction

BATCH = 10_000


@dataclass(frozen=True)
class Problem:
    """Something wrong (error) or worth knowing (finding) about an input, and where."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"


@dataclass
class FileReport:
    """What was recognised in one file or sheet."""

    file: str
    entity: str | None
    encoding: str
    delimiter: str
    mapping: dict[str, str]
    ignored_columns: list[str]
    rows: int = 0


@dataclass
class ImportResult:
    files: list[FileReport] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Known:
    """Keys that exist in the database or earlier in this import, for reference checks."""

    def __init__(self, session: Session) -> None:
        self.contract_terms: dict[str, tuple[dt.date, dt.date]] = {
            n: (s, e)
            for n, s, e in session.execute(
                select(Contract.contract_number, Contract.start_date, Contract.end_date)
            )
        }
        self.work_orders: set[str] = set(session.scalars(select(WorkOrder.work_order_number)))


def _validated_rows(
    table: SourceTable, result: ImportResult, known: _Known
) -> Iterable[tuple[int, dict[str, object]]]:
    """Yield (row number, record) for each valid row; record every problem on the way."""
    entity = table.entity
    assert entity is not None
    mapping = table.mapping
    seen: dict[object, int] = {}
    try:
        for row_number, cells in table.rows:
            record: dict[str, object] = {}
            bad = False
            for index, column in mapping.items():
                text = cells[index] if index < len(cells) else ""
                try:
                    record[column.name] = parse_value(column, text, table.decimal_comma)
                except ValueError as exc:
                    result.errors.append(Problem(table.file, row_number, column.name, text, str(exc)))
                    bad = True
            if bad:
                continue
            for problem in _check(entity, record, table.file, row_number, known, seen):
                (result.errors if problem[0] == "error" else result.findings).append(problem[1])
                bad = bad or problem[0] == "error"
            if not bad:
                yield row_number, record
    except (UnicodeDecodeError, OSError) as exc:
        result.errors.append(Problem(table.file, None, None, None, f"cannot read the file: {exc}"))
    except Exception as exc:  # csv.Error and friends: the file is malformed
        result.errors.append(Problem(table.file, None, None, None, f"malformed file: {exc}"))


def _check(
    entity: str,
    r: dict[str, object],
    file: str,
    row: int,
    known: _Known,
    seen: dict[object, int],
) -> Iterable[tuple[str, Problem]]:
    """Rules across columns and files: keys, references, date order, findings."""

    def problem(kind: str, column: str | None, message: str) -> tuple[str, Problem]:
        value = None if column is None or r.get(column) is None else str(r.get(column))
        return kind, Problem(file, row, column, value, message)

    key: object = None
    if entity == "contracts":
        key = r["contract_number"]
        if r["end_date"] < r["start_date"]:  # type: ignore[operator]
            yield problem("error", "end_date", "end date before start date")
        else:
            known.contract_terms[r["contract_number"]] = (r["start_date"], r["end_date"])  # type: ignore[index,assignment]
    elif entity == "budgets":
        key = (r["contract_number"], r["category"], r.get("period_start"))
        term = known.contract_terms.get(r["contract_number"])  # type: ignore[arg-type]
        if term is None:
            yield problem("error", "contract_number", "unknown contract")
        else:
            start = r.get("period_start") or term[0]
            end = r.get("period_end") or term[1]
            if end < start:  # type: ignore[operator]
                yield problem("error", "period_end", "period ends before it starts")
    elif entity == "work_orders":
        key = r["work_order_number"]
        if r.get("contract_number") is None:
            yield problem("finding", "contract_number", "work order not under a contract")
        elif r["contract_number"] not in known.contract_terms:
            yield problem("error", "contract_number", "unknown contract")
        known.work_orders.add(r["work_order_number"])  # type: ignore[arg-type]
    elif entity in ("hours", "materials"):
        if r["work_order_number"] not in known.work_orders:
            yield problem("error", "work_order_number", "unknown work order")
        rate = "cost_rate" if entity == "hours" else "unit_cost"
        if r[rate] == 0:
            yield problem("finding", rate, "zero cost rate")
    if key is not None:
        if key in seen:
            yield problem("error", None, f"duplicate key {key!r}, first on row {seen[key]}")
        else:
            seen[key] = row


class _Writer:
    """Buffers valid records and writes them in batches with upserts and line replacement."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.buffer: list[dict[str, object]] = []
        self.entity = ""
        self.contract_ids: dict[str, int] = {}
        self.work_order_ids: dict[str, int] = {}
        self.replaced: set[int] = set()
        self.touched_numbers: set[str] = set()  # contracts whose aggregates must be rebuilt
        self.touched_work_orders: set[str] = set()
        self.touched_ids: set[int] = set()  # contracts that work orders in the file left

    def add(self, entity: str, record: dict[str, object]) -> None:
        if entity != self.entity:
            self.flush()
            self.entity = entity
        self.buffer.append(record)
        if len(self.buffer) >= BATCH:
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
        # a work order that moves to another contract changes the old one's figures too
        for i in range(0, len(numbers), 5000):
            self.touched_work_orders.update(numbers[i : i + 5000])
        values = [
            {
                "work_order_number": r["work_order_number"],
                "contract_id": self._contract_id(r["contract_number"]) if r.get("contract_number") else None,
                "date": r["date"],
                "type": r.get("type"),
                "status": r.get("status"),
                "description": r.get("description"),
            }
            for r in rows
        ]
        self._note_current_contracts(numbers)
        self._upsert(
            WorkOrder, values, ["work_order_number"], [k for k in values[0] if k != "work_order_number"]
        )
        self.work_order_ids.update(self._ids(WorkOrder.id, WorkOrder.work_order_number, numbers))

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

    def _lines(self, model: type, rows: list[dict], build: Callable[[dict, int], dict]) -> None:
        missing = {r["work_order_number"] for r in rows} - self.work_order_ids.keys()
        if missing:
            self.work_order_ids.update(self._ids(WorkOrder.id, WorkOrder.work_order_number, missing))
        values = [build(r, self.work_order_ids[r["work_order_number"]]) for r in rows]
        fresh = sorted({v["work_order_id"] for v in values} - self.replaced)
        for i in range(0, len(fresh), 5000):
            self.session.execute(delete(model).where(model.work_order_id.in_(fresh[i : i + 5000])))
        self.replaced.update(fresh)
        self.touched_work_orders.update(r["work_order_number"] for r in rows)
        self.session.execute(model.__table__.insert(), values)

    def _write_hours(self, rows: list[dict]) -> None:
        def build(r: dict, work_order_id: int) -> dict:
            return {
                "work_order_id": work_order_id,
                "date": r["date"],
                "employee": r.get("employee"),
                "hour_type": r.get("hour_type"),
                "hours": r["hours"],
                "cost_rate": r["cost_rate"],
                "sales_rate": r.get("sales_rate"),
                "cost": r["hours"] * r["cost_rate"],
            }

        self._lines(HourLine, rows, build)

    def _write_materials(self, rows: list[dict]) -> None:
        def build(r: dict, work_order_id: int) -> dict:
            return {
                "work_order_id": work_order_id,
                "date": r["date"],
                "article_code": r.get("article_code"),
                "description": r.get("description"),
                "quantity": r["quantity"],
                "unit_cost": r["unit_cost"],
                "unit_price": r.get("unit_price"),
                "cost": r["quantity"] * r["unit_cost"],
            }

        self._lines(MaterialLine, rows, build)

    def affected_contract_ids(self) -> set[int] | None:
        """Contracts whose aggregates this import changed; None when most did."""
        ids = set(self.touched_ids)
        ids.update(self._ids(Contract.id, Contract.contract_number, self.touched_numbers).values())
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
    """Validate and import tables; on any error (or dry_run) the database is left unchanged."""
    result = ImportResult()
    usable = []
    for table in tables:
        if table.entity is None:
            result.errors.append(
                Problem(
                    table.file,
                    1,
                    None,
                    None,
                    "cannot tell which entity this file holds (name it e.g. contracts.csv, or use the canonical headers)",
                )
            )
            continue
        mapped = {c.name for c in table.mapping.values()}
        ignored = [h for i, h in enumerate(table.headers) if i not in table.mapping]
        result.files.append(
            FileReport(
                table.file,
                table.entity,
                table.encoding,
                table.delimiter,
                {table.headers[i]: c.name for i, c in table.mapping.items()},
                ignored,
            )
        )
        for column in COLUMNS[table.entity]:
            if column.required and column.name not in mapped:
                result.errors.append(Problem(table.file, 1, column.name, None, "required column missing"))
        if ignored:
            result.findings.append(
                Problem(table.file, 1, None, ", ".join(ignored), "unknown columns ignored")
            )
        usable.append(table)
    if result.errors:
        return result
    usable.sort(key=lambda t: ENTITIES.index(t.entity))  # type: ignore[arg-type]
    with transaction(engine) as session:
        known = _Known(session)
        writer = _Writer(session)
        for table, report in zip(usable, [r for r in result.files], strict=False):
            for _, record in _validated_rows(table, result, known):
                report.rows += 1
                result.counts[table.entity] = result.counts.get(table.entity, 0) + 1  # type: ignore[index]
                if not result.errors and not dry_run:
                    writer.add(table.entity, record)  # type: ignore[arg-type]
                if progress is not None and report.rows % BATCH == 0:
                    progress(table.file, report.rows)
            if not result.errors and not dry_run:
                writer.flush()
        if result.errors or dry_run:
            session.rollback()
            return result
        aggregates.rebuild(session, writer.affected_contract_ids())
        bump_data_version(session)
        session.add(
            ImportLog(
                imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                files=", ".join(t.file for t in usable),
                rows=sum(result.counts.values()),
                user=user or _current_user(),
                source=source,
            )
        )
    result.written = True
    return result


def _current_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:
        return None


def import_paths(engine: Engine, paths: Sequence[str | Path], **kwargs) -> ImportResult:
    """Open CSV files (directories: every .csv inside) and import them as one."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.csv")) if p.is_dir() else [p])
    handles = []
    tables = []
    result = ImportResult()
    try:
        for path in files:
            try:
                handle = path.open("rb")
            except OSError as exc:
                result.errors.append(
                    Problem(str(path), None, None, None, f"cannot open: {exc.strerror or exc}")
                )
                continue
            handles.append(handle)
            try:
                tables.append(open_csv(path.name, handle))
            except (UnicodeDecodeError, ValueError) as exc:
                result.errors.append(Problem(path.name, 1, None, None, f"cannot read the header: {exc}"))
        if result.errors:
            return result
        return import_tables(engine, tables, **kwargs)
    finally:
        for handle in handles:
            handle.close()
