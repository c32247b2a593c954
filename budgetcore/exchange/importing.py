"""Import of exchange-format tables: validate every row, then write all files in one transaction."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from budgetcore import cells, i18n
from budgetcore.exchange import columnar, limits, screening
from budgetcore.exchange.encodings import MESSAGES as ENCODING_MESSAGES
from budgetcore.exchange.encodings import MixedEncodingError
from budgetcore.exchange.formats import (
    ENTITIES,
    InvalidValueError,
    SourceTable,
    missing_required,
    open_csv,
)
from budgetcore.exchange.formats import MESSAGES as EXCHANGE_MESSAGES
from budgetcore.exchange.validation import (
    CREDIT_POSITIVE,
    NEGATIVE,
    FileReport,
    ImportResult,
    Known,
    Problem,
    RowValidator,
)
from budgetcore.exchange.writer import Batch, Writer
from budgetcore.i18n import N_
from budgetcore.store import access, aggregates, import_log, lifecycle, writes
from budgetcore.store.database import (
    SERVER_FAULTS,
    ServerFaultError,
    fault_reason,
    transaction,
)

Valid = dict[str, object] | Batch  # one valid record, or a batch of them in the writer's form

BATCH = 10_000
PROGRESS_EVERY = 1_000  # rows between progress calls
SNIFF_BYTES = 65_536  # read buffer; its first fill is the sample for encoding and separator
FILE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm")  # what a folder contributes (.txt only when named)

log = logging.getLogger(__name__)

UNRECOGNISED = N_(
    "cannot tell which entity this holds (name it e.g. contracts.csv, or use the template's headers)"
)
SHEET_SKIPPED = N_("sheet skipped: cannot tell which entity it holds")
UNREADABLE = N_("cannot read this file: {reason}")
NOT_A_WORKBOOK = N_("not a readable .xlsx workbook ({kind})")  # workbook.WorkbookError's template


def _unreadable(name: str, row: int | None, exc: Exception) -> Problem:
    """A file that could not be read: a workbook's own translatable message
    (workbook.WorkbookError carries NOT_A_WORKBOOK and its params), else UNREADABLE."""
    if getattr(exc, "template", None) == NOT_A_WORKBOOK:
        return Problem.of(name, row, None, None, NOT_A_WORKBOOK, **exc.params)  # type: ignore[attr-defined]
    return Problem.of(name, row, None, None, UNREADABLE, reason=str(exc)[:300])


SERVER_FAULT = N_("server fault, nothing written (the files are not at fault): {reason}")
MESSAGES = (  # every message template of a Problem made here, for the Dutch catalog
    *EXCHANGE_MESSAGES,
    *limits.MESSAGES,
    *ENCODING_MESSAGES,
    N_("row has {cells} cells but the header {width}"),
    N_("row has {cells} cells but the header {width} (a decimal comma in a comma-separated file?)"),
    N_("cannot read the file here: {reason}"),
    NOT_A_WORKBOOK,
    N_("end date before start date"),
    N_("term longer than 100 years"),
    N_("unknown contract"),
    N_("period ends before it starts"),
    N_("period longer than 100 years"),
    N_("budget period reaches outside the contract term"),
    N_("work order not under a contract"),
    N_("unknown work order"),
    N_("line cost too large (below {maximum} EUR)"),
    N_("zero cost rate"),
    NEGATIVE,
    CREDIT_POSITIVE,
    N_("line dated outside the contract term ({start} to {end}): not counted"),
    N_("duplicate key, first on row {row}"),
    N_("duplicate key, first on {file}, row {row}"),
    "import failed, nothing written: {reason}",
    SERVER_FAULT,
    N_("the file is empty (no header row)"),
    UNRECOGNISED,
    SHEET_SKIPPED,
    N_("required column missing"),
    N_("unknown columns ignored"),
    UNREADABLE,
    N_("cannot open: {reason}"),
    N_("no CSV or XLSX files found"),
    N_("not allowed: {reason}"),
)


def _validated(table: SourceTable, result: ImportResult, known: Known) -> Iterator[Valid]:
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
    except limits.LimitError as exc:  # the file goes no further than the limit
        known.unreadable.add(validator.entity)
        result.error(Problem.of(table.file, row_number + 1, None, None, exc.template, **exc.params))
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


def import_tables(
    engine: Engine,
    tables: Sequence[SourceTable],
    *,
    dry_run: bool = False,
    user: str | None = None,
    source: str = "cli",
    progress: Callable[[str, int], None] | None = None,
    actor: access.Actor | None = None,
    replace_demo: bool = False,
    after: Callable[[Session], None] | None = None,
    audit_as: str = "import",
) -> ImportResult:
    """Validate and import tables; on any error (or dry_run) the database is left unchanged.

    Never raises for bad input or a failing database: every problem, with file,
    row and column, ends up in the result. progress(file, rows read so far) is
    called every PROGRESS_EVERY rows and at the end of each file.

    actor (default: the operator, access.operator(source)) must be allowed to import
    (access.require, in the import's transaction; a refusal is an error in the result)
    and is recorded in the audit trail as audit_as ('import', or 'demo-load' for the
    demo, which needs the 'demo' right). replace_demo: the demo's rows are deleted in
    the same transaction first, so the file's contracts replace them or nothing changes.
    after(session) runs once the rows are written, before the aggregates (the demo marks
    its rows there). A real import's contracts that were the demo's are real data after it.
    """
    result = ImportResult()
    actor = actor or access.operator(source)
    try:
        _import(
            engine, tables, result, dry_run=dry_run, user=user or actor.who, source=source,
            progress=progress, actor=actor, replace_demo=replace_demo, after=after, audit_as=audit_as,
        )  # fmt: skip
    except access.RefusedError as exc:
        result.written = False
        result.error(Problem.of("(access)", None, None, None, "not allowed: {reason}", reason=str(exc)))
    except (ServerFaultError, *SERVER_FAULTS) as exc:  # read-only, disk full, connection lost: not the files
        log.warning("import: the database failed: %s", exc)
        engine.dispose()  # the next action opens fresh connections
        result.written = False
        result.fault = fault_reason(exc)
        result.error(Problem.of("(database)", None, None, None, SERVER_FAULT, reason=result.fault))
    except Exception as exc:  # a constraint we did not foresee...
        log.exception("import failed")
        result.written = False
        failed = N_("import failed, nothing written: {reason}")
        result.error(Problem.of("(database)", None, None, None, failed, reason=fault_reason(exc)))
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
    actor: access.Actor,
    replace_demo: bool,
    after: Callable[[Session], None] | None,
    audit_as: str,
) -> None:
    right = "import" if audit_as == "import" else "demo"
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
    # a write holds the database's write lock from its first statement (a second import waits
    # for it, then sees the first's data); a dry run only reads
    # the one write path: the role is checked in the transaction that writes, before anything is
    with transaction(engine) if dry_run else writes.writing_as(engine, actor, right) as session:
        removed: dict[str, int] = {}
        if replace_demo:  # in a dry run too, so that it validates against what will remain
            removed = lifecycle.remove_demo(session, actor, rebuild=False)
        known = Known(session)
        known.unreadable |= unreadable
        writer = Writer(session)
        for table, report in usable:
            entity: str = table.entity  # type: ignore[assignment]
            for earlier in ENTITIES[: ENTITIES.index(entity)]:
                known.keys_done(earlier)
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
        undemoed = lifecycle.unmark_demo(session, writer.touched_numbers) if audit_as == "import" else 0
        if after is not None:
            after(session)
        affected = None if removed else writer.affected_contract_ids()
        del writer, known  # their maps of every key seen: freed before the aggregates and snapshots
        aggregates.rebuild(session, affected)
        import_log.record(
            session,
            "; ".join(f"{t.file} ({r.rows})" for t, r in usable),
            sum(result.counts.values()),
            user,
            source,
        )
        extra = (
            {"replaced_demo": bool(removed), "demo_contracts_now_real": undemoed}
            if audit_as == "import"
            else {}
        )
        access.record(
            session, actor, audit_as, "", files=[f"{t.file} ({r.rows})" for t, r in usable][:100],
            rows=dict(result.counts), **extra,
        )  # fmt: skip
    result.written = True


def open_source(file_name: str, stream: IO[bytes], size: int | None = None) -> list[SourceTable]:
    """The tables in one file: a CSV holds one, a workbook one per sheet. ValueError when unreadable."""
    head = stream.peek(8)[:8] if hasattr(stream, "peek") else b""
    suffix = Path(file_name).suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ValueError("old Excel format (.xls): save it as .xlsx or CSV")
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        from budgetcore.exchange.workbook import open_workbook

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
            limits.check_size(len(content), limits.UPLOAD_MB * limits.MB)
            tables.extend(
                open_source(name, io.BufferedReader(io.BytesIO(content), SNIFF_BYTES), len(content))
            )
        except (limits.LimitError, InvalidValueError, MixedEncodingError) as exc:
            problems.append(Problem.of(name, None, None, None, exc.template, **exc.params))
        except Exception as exc:  # any unreadable upload becomes a problem, not a crash
            problems.append(_unreadable(name, None, exc))
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
                limits.check_size(size, limits.FILE_BYTES)
                tables.extend(open_source(path.name, handle, size))
            except (limits.LimitError, InvalidValueError, MixedEncodingError) as exc:
                result.error(Problem.of(path.name, None, None, None, exc.template, **exc.params))
            except Exception as exc:  # an unreadable file is a problem to report
                result.error(_unreadable(path.name, 1, exc))
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


def problems_csv(problems: Sequence[Problem], lang: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """Problems as a CSV a spreadsheet opens (UTF-8 with BOM): file, row, column, value, message."""
    header = [i18n.t(h, lang) for h in ("File", "Row", "Column", "Value", "Message")]
    rows = [(p.file, p.row, p.column, p.value, p.translated(lang)) for p in problems]
    # every cell but the row number came from the file: none may become a formula
    return cells.csv_text(header, rows, delimiter=";" if lang == "nl" else ",").encode("utf-8-sig")
