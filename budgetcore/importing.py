"""Import of exchange-format tables: validate every row, then write all files in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from budgetcore import aggregates, columnar, i18n, screening
from budgetcore.exchange import (
    ENTITIES,
    MAX_LINE_COST,
    MAX_TERM_DAYS,
    Cell,
    InvalidValueError,
    SourceTable,
    cell_text,
    missing_required,
    open_csv,
    parse_value,
)
from budgetcore.exchange import MESSAGES as EXCHANGE_MESSAGES
from budgetcore.models import (
    Contract,
    ImportLog,
    WorkOrder,
)
from budgetcore.storage import bump_data_version, transaction
from budgetcore.writer import Batch, Writer

Valid = dict[str, object] | Batch  # one valid record, or a batch of them in the writer's form

BATCH = 10_000
PROGRESS_EVERY = 1_000  # rows between progress calls
MAX_PROBLEMS = 10_000  # errors (and findings) listed; beyond this only counted
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


class RowValidator:
    """The row-wise path: exchange.parse_value per cell, then _check; it words every problem.

    row() takes a row's cells as read; accept() a record whose cells are
    already valid (the columnar reader converted them) and applies the rules
    across columns and files. Both return the record, or None when the row had
    an error (recorded in the result).
    """

    def __init__(self, table: SourceTable, result: ImportResult, known: _Known) -> None:
        assert table.entity is not None
        self.table, self.result, self.known = table, result, known
        self.entity: str = table.entity
        self.labels = {c.name: table.headers[i] or c.name for i, c in table.mapping.items()}
        self.width = len(table.headers)

    def row(self, row_number: int, cells: list[Cell]) -> dict[str, object] | None:
        table, result = self.table, self.result
        record: dict[str, object] = {}
        bad = False
        for index, column in table.mapping.items():
            value = cells[index] if index < len(cells) else None
            try:
                record[column.name] = parse_value(column, value, table.decimal_comma)
            except InvalidValueError as exc:
                label, shown = self.labels[column.name], cell_text(value)
                result.error(Problem.of(table.file, row_number, label, shown, exc.template, **exc.params))
                bad = True
        extra = [cell_text(c) for c in cells[self.width :] if cell_text(c).strip()]
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
                    width=self.width,
                )
            )
            bad = True
        if bad:
            self.known.note_failed(self.entity, record)
            return None
        return self.accept(row_number, record)

    def accept(self, row_number: int, record: dict[str, object]) -> dict[str, object] | None:
        bad = False
        for kind, problem in _check(
            self.entity, record, self.table.file, row_number, self.known, self.labels
        ):
            if kind == "error":
                self.result.error(problem)
                bad = True
            else:
                self.result.finding(problem)
        if bad:
            self.known.note_failed(self.entity, record)
            return None
        return record


def _validated(table: SourceTable, result: ImportResult, known: _Known) -> Iterator[Valid]:
    """Each valid row of table, as a record or within a batch; every problem is recorded on the way.

    The canonical CSV export takes the columnar reader (columnar.py, screening.py);
    everything else, and every row those do not pass, the row-wise one.
    """
    validator = RowValidator(table, result, known)
    row_number = 1
    try:
        for part in columnar.read(table) if columnar.usable(table) else [table.rows]:
            if isinstance(part, columnar.Chunk):
                row_number = part.first_row - 1
                yield from screening.validate(part, validator)
                row_number = part.first_row + part.rows - 1
            else:
                for row_number, cells in part:
                    record = validator.row(row_number, cells)
                    if record is not None:
                        yield record
    except Exception as exc:  # csv.Error, a broken zip or XML inside a workbook, an I/O error
        known.unreadable.add(validator.entity)
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
        writer = Writer(session)
        for table, report in usable:
            entity: str = table.entity  # type: ignore[assignment]
            for valid in _validated(table, result, known):
                before = report.rows
                if isinstance(valid, dict):
                    report.rows += 1
                    if not result.errors and not dry_run:
                        writer.add(entity, valid)
                else:
                    report.rows += valid.rows
                    if not result.errors and not dry_run:
                        writer.add_batch(valid)
                result.counts[entity] = result.counts.get(entity, 0) + report.rows - before
                if progress is not None:
                    for mark in range(before // PROGRESS_EVERY + 1, report.rows // PROGRESS_EVERY + 1):
                        progress(table.file, mark * PROGRESS_EVERY)
            if not result.errors and not dry_run:
                writer.flush()
            if progress is not None:
                progress(table.file, report.rows)
        if result.errors or dry_run:
            session.rollback()
            return
        writer.finish()
        affected = writer.affected_contract_ids()
        del writer, known  # their maps of every key seen: freed before the aggregates and snapshots
        aggregates.rebuild(session, affected)
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
