"""Validating exchange-format rows: every problem located (file, row, column), the rules across rows and files.

RowValidator is the row-wise path that words every message; the columnar
screening (screening.py) passes it the rows it cannot vouch for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from budgetcore import i18n
from budgetcore.exchange import limits
from budgetcore.exchange.formats import (
    ENTITIES,
    MAX_LINE_COST,
    MAX_TERM_DAYS,
    Cell,
    InvalidValueError,
    SourceTable,
    cell_text,
    parse_value,
)
from budgetcore.i18n import N_
from budgetcore.store import loading

NEGATIVE = N_("negative, but the row is not marked as a credit (a column credit with yes)")
CREDIT_POSITIVE = N_("a credit (credit = yes) must be negative")
# the template workbook's example contracts (workbook._examples): imported as they stand, a finding
TEMPLATE_EXAMPLES = {("CT-2026-001", "Gemeente Voorbeeld"), ("CT-2026-002", "Zorggroep Voorbeeld")}
EXAMPLE_ROW = N_("the template's example row, not your data: delete it before importing")
MAX_PROBLEMS = 10_000  # errors (and findings) listed; beyond this only counted


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
        values = tuple((k, limits.excerpt(str(v), limits.EXCERPT * 3) or "") for k, v in params.items())
        # a bad value is repeated as a short excerpt: a 400 MB cell is not a 400 MB message
        shown = limits.excerpt(value)
        return cls(
            file, row, limits.excerpt(column), shown, template.format(**dict(values)), template, values
        )

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
    fault: str | None = None  # the database's reason when it, not the files, failed (a server fault)

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


class Stored:
    """Keys and their values as this import leaves them: its own rows, and for a key it has not
    set, the database's, looked up on first use (get, in, setdefault) or ahead for many keys at
    once (prefetch), never all of them: a morning's import into a database of millions of work
    orders reads the few it names. Every look-up answers as if the database's keys had been
    read first and this import's rows laid over them."""

    CHUNK = 5000  # keys per IN list

    def __init__(self, fetch: Callable[[list[str]], Iterable[tuple[str, object]]]) -> None:
        self.values: dict[str, object] = {}
        self.asked: set[str] = set()  # looked up in the database (found or not)
        self.fetch = fetch

    def prefetch(self, keys: Iterable[object]) -> None:
        unseen = [k for k in keys if isinstance(k, str) and k not in self.values and k not in self.asked]
        for i in range(0, len(unseen), self.CHUNK):
            chunk = unseen[i : i + self.CHUNK]
            for key, value in self.fetch(chunk):
                self.values.setdefault(key, value)
            self.asked.update(chunk)

    def learned(self, key: str, value: object) -> None:
        """The database's value of key, found by another look-up: kept unless this import has one."""
        if key not in self.asked:
            self.values.setdefault(key, value)
            self.asked.add(key)

    def get(self, key: object, default: object = None) -> object:
        if key not in self.values and key not in self.asked:
            self.prefetch((key,))
        return self.values.get(key, default)  # type: ignore[call-overload]

    def get_many(self, keys: Sequence[object], default: object = None) -> list[object]:
        """get() of each of keys, the database asked once for all of them it was not asked yet."""
        self.prefetch(keys)
        values = self.values
        return [values.get(k, default) for k in keys]  # type: ignore[call-overload]

    def __contains__(self, key: object) -> bool:
        if key in self.values:
            return True
        if key not in self.asked:
            self.prefetch((key,))
        return key in self.values

    def setdefault(self, key: str, value: object) -> object:
        self.prefetch((key,))
        return self.values.setdefault(key, value)

    def __setitem__(self, key: str, value: object) -> None:
        self.values[key] = value

    def update(self, pairs: Iterable[tuple[str, object]]) -> None:
        self.values.update(pairs)


class Known:
    """Keys that exist in the database or earlier in this import, for reference checks.

    A contract or work order whose row had an error is still "known" (with an
    unknown term) so that rows referring to it do not repeat that error; the
    same holds for every key of an entity whose file could not be read.
    contract_terms: contract number -> (start, end) or None; work_orders: work
    order number -> its contract's number or None. The database's keys are read
    as they are asked for (Stored).
    """

    def __init__(self, session: Session) -> None:
        def contracts(numbers: list[str]) -> Iterable[tuple[str, object]]:
            return loading.contract_terms(session, numbers)

        def work_orders(numbers: list[str]) -> Iterable[tuple[str, object]]:
            for number, contract, start, end in loading.work_order_contracts(session, numbers):
                if contract is not None:  # its contract's term comes along
                    self.contract_terms.learned(contract, (start, end))
                yield number, contract

        self.contract_terms = Stored(contracts)
        self.work_orders = Stored(work_orders)
        self.unreadable: set[str] = set()  # entities with a file that could not be validated
        self.seen: dict[str, dict[object, tuple[str, int]]] = {e: {} for e in ENTITIES}

    def keys_done(self, entity: str) -> None:
        """Forget where entity's keys were first seen: the tables are read in ENTITIES order, so
        once a later entity's table is read no duplicate of them can follow (a bulk import's
        work orders' first rows would otherwise stay in memory through all its lines)."""
        self.seen[entity] = {}

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

    def __init__(self, table: SourceTable, result: ImportResult, known: Known) -> None:
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
            if isinstance(value, str) and len(value) > limits.CELL_CHARS:
                label = self.labels[column.name]
                template = N_("a cell holds more than {limit} characters")
                result.error(
                    Problem.of(table.file, row_number, label, value, template, limit=f"{limits.CELL_CHARS:,}")
                )
                bad = True
                continue
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
        for kind, problem in check(self.entity, record, self.table.file, row_number, self.known, self.labels):
            if kind == "error":
                self.result.error(problem)
                bad = True
            else:
                self.result.finding(problem)
        if bad:
            self.known.note_failed(self.entity, record)
            return None
        return record


def check(
    entity: str,
    r: dict[str, object],
    file: str,
    row: int,
    known: Known,
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
        if (number, r.get("customer")) in TEMPLATE_EXAMPLES:
            yield problem("finding", "contract_number", EXAMPLE_ROW)
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
        if r[quantity] < 0 and not r.get("credit"):  # type: ignore[operator]
            yield problem("error", quantity, NEGATIVE)
        elif r.get("credit") and r[quantity] > 0:  # type: ignore[operator]
            yield problem("error", quantity, CREDIT_POSITIVE)
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
