"""Excel workbooks in the exchange format: reading one sheet per entity, writing the template."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import IO

from budgetcore.exchange import limits
from budgetcore.exchange.formats import (
    COLUMNS,
    ENTITIES,
    Cell,
    FormulaCell,
    SourceTable,
    cell_text,
    header_map,
    recognise,
    with_sample,
)

SHEET_NAMES = {
    "en": {e: e for e in ENTITIES},
    "nl": {
        "contracts": "contracten",
        "budgets": "budgetten",
        "work_orders": "werkbonnen",
        "hours": "uren",
        "materials": "materialen",
    },
}


class WorkbookError(ValueError):
    """The file is not a workbook openpyxl can read; the message says so in plain words, as an
    English template and its values (template, params), for translation."""

    template = NOT_A_WORKBOOK = "not a readable .xlsx workbook ({kind})"

    def __init__(self, kind: str) -> None:
        self.params = {"kind": kind}
        super().__init__(self.template.format(kind=kind))


def open_workbook(file_name: str, stream: IO[bytes]) -> list[SourceTable]:
    """One SourceTable per non-empty sheet, rows read lazily; sheets named or recognised by headers.

    Numbers arrive as int/float cells and dates as datetime cells, so nothing
    is re-parsed from text that Excel formatted for display.
    """
    from openpyxl import load_workbook  # import here: the CSV path does not need it

    if stream.seekable():
        limits.check_workbook(stream)  # sizes from the zip directory, before any XML is parsed
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
        # the formulas themselves, only when a sheet has one: a formula whose value Excel never
        # saved must be named, not read as an empty cell (openpyxl's data_only read gives None)
        formulas = (
            load_workbook(stream, read_only=True, data_only=False)
            if stream.seekable() and has_formulas(stream)
            else None
        )
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors
        raise WorkbookError(type(exc).__name__) from exc
    tables: list[SourceTable] = []
    for sheet in book.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible":
            continue
        expected = sheet.max_row  # exporters write wrong dimensions: sheet_rows reads every row there is
        formula_sheet = formulas[sheet.title] if formulas is not None else None
        header, rows = _header(sheet_rows(sheet, formula_sheet))
        if header is None:
            continue  # an empty sheet
        header_row, header_cells = header
        headers = [cell_text(c).strip() for c in header_cells]
        while headers and not headers[-1]:
            headers.pop()
        sample, all_rows = with_sample(rows)
        tables.append(
            SourceTable(
                file=f"{file_name} / {sheet.title}",
                entity=None,
                headers=headers,
                rows=all_rows,
                encoding="xlsx",
                delimiter="",
                sample=sample,
                expected_rows=None if expected is None else max(0, expected - header_row),
            )
        )
        tables[-1].remap(recognise(sheet.title, headers))
    if len(tables) == 1 and tables[0].entity is None:  # one sheet: the file name may tell
        tables[0].remap(recognise(file_name, tables[0].headers))
    for table in tables:
        table.optional = len(tables) > 1
    return tables


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def has_formulas(stream: IO[bytes]) -> bool:
    """Whether any worksheet of the .xlsx in stream holds a formula element (stream left at its start)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            for member in archive.infolist():
                if not member.filename.startswith("xl/worksheets/"):
                    continue
                with archive.open(member) as source:
                    tail = b""
                    while block := source.read(1 << 20):
                        if _FORMULA_TAG.search(tail + block):
                            return True
                        tail = block[-8:]
        return False
    finally:
        stream.seek(0)


HEADER_SEARCH = 10  # rows a title or a blank line may push the header down


def _header(
    rows: Iterator[tuple[int, list[Cell]]],
) -> tuple[tuple[int, list[Cell]] | None, Iterator[tuple[int, list[Cell]]]]:
    """The header row (the first of the top rows that names most known columns) and the rows after it."""
    top = list(itertools.islice(rows, HEADER_SEARCH))
    if not top:
        return None, rows
    for _, cells in top:  # before any header is mapped
        limits.check_width(len(cells))

    def known(cells: list[Cell]) -> int:
        headers = [cell_text(c) for c in cells]
        return max(len(header_map(entity, headers)) for entity in ENTITIES)

    scores = [known(cells) for _, cells in top]
    best = scores.index(max(scores)) if max(scores) > scores[0] else 0
    return top[best], itertools.chain(top[best + 1 :], rows)


def sheet_rows(sheet, formula_sheet=None) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) of each non-blank row, as the sheet numbers them.

    sheet is a read-only worksheet opened with data_only (the values Excel saved);
    formula_sheet, the same sheet opened without it, lets a formula cell without a saved
    value (a workbook a script wrote and Excel never recalculated) arrive as a FormulaCell
    naming it. Both are read row by row in step, through openpyxl's public iter_rows.
    """
    sheet.reset_dimensions()  # exporters write wrong dimensions: read every row there is
    rows = sheet.iter_rows(min_row=1)
    if formula_sheet is not None:
        formula_sheet.reset_dimensions()
        formula_rows = formula_sheet.iter_rows(min_row=1)
    else:
        formula_rows = itertools.repeat(())
    read = 0
    for number, (row, formula_row) in enumerate(zip(rows, formula_rows, strict=False), start=1):
        if not row:
            continue
        cells: list[Cell] = [cell.value for cell in row]
        for index, cell in enumerate(formula_row):
            if cells[index] is None and getattr(cell, "data_type", None) == "f":
                cells[index] = FormulaCell(cell.coordinate)
        read += 1
        limits.check_rows(read, len(cells))  # a cell beyond limits.CELL_CHARS: RowValidator refuses it
        if any(c is not None and not (isinstance(c, str) and not c.strip()) for c in cells):
            yield number, cells


# -- the template -----------------------------------------------------------


def _examples(lang: str) -> dict[str, list[list[object]]]:
    nl = lang == "nl"
    d = dt.date
    return {
        "contracts": [
            ["CT-2026-001", "Gemeente Voorbeeld", "K1001", "Utrecht", "Onderhoud cv-installaties",
             "preventief" if nl else "preventive", d(2026, 1, 1), d(2026, 12, 31), 90,
             "ja" if nl else "true", 12, Decimal("24000.00"), 4, "J. de Vries", None, "CT-2025-001",
             Decimal("3.5")],
            ["CT-2026-002", "Zorggroep Voorbeeld", "K1002", "Breda", "Storingsdienst liften",
             "correctief" if nl else "corrective", d(2026, 3, 1), d(2028, 2, 29), 60,
             "nee" if nl else "false", None, Decimal("36500.00"), None, "A. Bakker", None, None, None],
        ],
        "budgets": [
            ["CT-2026-001", "arbeid" if nl else "labour", Decimal("12000.00"), Decimal("220"), None, None],
            ["CT-2026-001", "materiaal" if nl else "material", Decimal("6000.00"), None, None, None],
        ],
        "work_orders": [
            ["WB-000001", "CT-2026-001", d(2026, 2, 15), "periodiek" if nl else "periodic",
             "gereed", "Periodiek onderhoud"],
            ["WB-000002", "CT-2026-002", d(2026, 4, 2), "correctief" if nl else "corrective",
             "gereed", "Storing verholpen"],
        ],
        "hours": [
            ["WB-000001", d(2026, 2, 15), "P. Jansen", "werk" if nl else "work", Decimal("3.5"),
             Decimal("52.00"), Decimal("80.60")],
            ["WB-000001", d(2026, 2, 15), "P. Jansen", "reis" if nl else "travel", Decimal("0.75"),
             Decimal("52.00"), Decimal("80.60")],
        ],
        "materials": [
            ["WB-000001", d(2026, 2, 15), "FLT-100", "Filterset", Decimal("2"), Decimal("18.40"),
             Decimal("24.84")],
            ["WB-000002", d(2026, 4, 2), "REL-24V", "Relais 24 V", Decimal("1"), Decimal("42.10"),
             Decimal("56.84")],
        ],
    }  # fmt: skip


def template_headers(entity: str, lang: str) -> list[str]:
    """The template's headers: the field names in English, the first Dutch name in Dutch."""
    if lang != "nl":
        return [c.name for c in COLUMNS[entity]]
    return [c.aliases[0] if c.aliases and c.name != "status" else c.name for c in COLUMNS[entity]]


def template(lang: str = "en") -> bytes:
    """An .xlsx with one sheet per entity, its headers and two example rows that import cleanly."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    examples = _examples(lang)
    for entity in ENTITIES:
        sheet = book.create_sheet(SHEET_NAMES["nl" if lang == "nl" else "en"][entity])
        headers = template_headers(entity, lang)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in examples[entity]:
            sheet.append(row)
        for index, (column, header) in enumerate(zip(COLUMNS[entity], headers, strict=True), start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(12, len(header) + 2)
            if column.kind == "date":
                for cell in sheet[letter][1:]:
                    cell.number_format = "DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
