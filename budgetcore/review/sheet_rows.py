"""Table rows as worksheet XML, written a string per cell and put into the workbook XlsxWriter wrote.

XlsxWriter makes several Python calls per cell: the write, then at close the cell's XML
through a list of attributes and an escape per attribute. A pack at 175,000 contracts lists
37,225 contracts in twenty columns, and those calls were most of its workbook's time. A row
of plain cells (text, numbers, dates) is written here as the XML XlsxWriter writes for it,
with the same numbers (`%.16G`, a date as its Excel serial day) and the same text (`&`, `<`
and `>` escaped, leading or trailing white space kept), as an inline string where XlsxWriter
would use its table of shared strings: the cell's value and type are the same. A text that
XlsxWriter writes with `_xHHHH_` escapes (a carriage return, a literal `_x0041_`) is left to
XlsxWriter, row and all. splice() then puts the rows into their sheets of the finished file.

The cell formats stay XlsxWriter's: a cell's style is written as a placeholder for its
Format, and splice() reads each Format's index from a cell that XlsxWriter wrote with it
(anchor); a row with a format no such cell has yet is written by XlsxWriter (Rows.style
answers None).
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from xml.etree import ElementTree

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from budgetcore import cells

_ESCAPED = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # XlsxWriter's _xHHHH_
_ODD = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_EXCEL_EPOCH = dt.date(1899, 12, 31).toordinal()
COMPRESSION = 1  # zlib's level for the rewritten file: 6 (zipfile's default) took three times as long
LONGEST = 16_383  # characters: longer texts (Excel's limit is 32,767 UTF-16 units) go to XlsxWriter
_PLACEHOLDER = "\x00{}\x00"  # a cell's style attribute (' s="3"') in the written XML, until splice() knows it


def xml_text(value: str) -> tuple[str, bool] | None:
    """A text as a cell's XML holds it, and whether it keeps leading or trailing white space;
    None for a text XlsxWriter writes with _xHHHH_ escapes (a control character such as a
    carriage return, or a literal '_x0041_'), which stays with XlsxWriter's shared strings:
    not every reader undoes those escapes in an inline string."""
    if not _ODD.search(value):
        return value, False
    if _ESCAPED.search(value):
        return None
    keep = bool(re.search(r"^\s", value) or re.search(r"\s$", value))
    return _escaped(value), keep


def _escaped(text: str) -> str:
    """text with & < > escaped, as XlsxWriter escapes a cell's text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_cell(ref: str, attribute: str, text: str, keep: bool) -> str:
    """A text cell's XML: text as xml_text made it, keep its white space; attribute its style."""
    return f'<c r="{ref}"{attribute} t="inlineStr"><is><t{SPACE if keep else ""}>{text}</t></is></c>'


def number_cell(ref: str, attribute: str, number: float | int) -> str:
    """A number's (or a date's serial day's) cell XML, with the digits XlsxWriter writes."""
    return f'<c r="{ref}"{attribute}><v>{number:.16G}</v></c>'


def number(value: object, kind: str) -> float | int | None:
    """What a cell holds for a number or date of this kind, as XlsxWriter's writes store it
    (a date as its serial day, an 'int' kind as an integer); None for anything else, or a
    number that is not finite (XlsxWriter says so)."""
    kind_of = type(value)
    if kind_of is dt.date:
        return float(excel_day(value))  # type: ignore[arg-type]
    if kind_of is Decimal:
        if not value.is_finite():  # type: ignore[attr-defined]
            return None
        return int(value) if kind == "int" else float(value)  # type: ignore[arg-type]
    if kind_of is int or (kind_of is float and math.isfinite(value)):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    return None


def excel_day(day: dt.date) -> int:
    """A date as Excel's serial day (1900 date system, with its 29 February 1900)."""
    serial = day.toordinal() - _EXCEL_EPOCH
    return serial + 1 if serial > 59 else serial


class Rows:
    """The rows of a workbook's sheets written here (sheet name -> row from 0 -> XML), and the
    cells XlsxWriter wrote that tell each Format's index."""

    def __init__(self) -> None:
        self.sheets: dict[str, dict[int, str]] = {}
        self.widest: dict[str, int] = {}  # sheet name -> its rightmost column here (from 0)
        self.anchors: dict[int, tuple[str, str]] = {}  # id(Format) -> (sheet, cell) written with it
        self.formats: dict[int, Format] = {}
        self.letters: list[str] = []

    def anchor(self, fmt: Format | None, sheet: str, row: int, col: int) -> None:
        """XlsxWriter wrote a cell at (row, col) of sheet with fmt (both from 0)."""
        if fmt is not None and id(fmt) not in self.anchors:
            self.anchors[id(fmt)] = (sheet, xl_rowcol_to_cell(row, col))
            self.formats[id(fmt)] = fmt

    def style(self, fmt: Format | None) -> str | None:
        """A cell's style attribute for fmt ('' without one); None: no cell has shown its index."""
        if fmt is None:
            return ""
        if id(fmt) not in self.anchors:
            return None
        return _PLACEHOLDER.format(id(fmt))

    def letter(self, col: int) -> str:
        """A column's letters (from 0): A, B, ..., AA."""
        while len(self.letters) <= col:
            self.letters.append(xl_col_to_name(len(self.letters)))
        return self.letters[col]

    def add(self, sheet: str, row: int, cells: str, last_col: int) -> None:
        """A row (from 0) of cells' XML in column order; last_col its rightmost column."""
        self.sheets.setdefault(sheet, {})[row] = f'<row r="{row + 1}">{cells}</row>'
        self.widest[sheet] = max(self.widest.get(sheet, 0), last_col)

    def splice(self, book: bytes) -> bytes:
        """The workbook book (as XlsxWriter wrote it) with these rows in their sheets."""
        if not self.sheets:
            return book
        source = zipfile.ZipFile(io.BytesIO(book))
        members = _sheet_members(source)
        texts = {sheet: source.read(members[sheet]).decode() for sheet, _ in self.anchors.values()}
        styles = {key: _style_index(texts[sheet], cell) for key, (sheet, cell) in self.anchors.items()}
        attributes = {str(key): "" if index is None else f' s="{index}"' for key, index in styles.items()}
        written = {members[sheet]: sheet for sheet in self.sheets}  # member name -> sheet
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as target:
            for info in source.infolist():
                data = source.read(info)
                sheet = written.get(info.filename)
                if sheet is not None:
                    parts = _merged(data.decode(), self.sheets[sheet], self.widest[sheet]).split("\x00")
                    parts[1::2] = [attributes[key] for key in parts[1::2]]  # the placeholders, in one pass
                    data = "".join(parts).encode()
                target.writestr(info, data, compresslevel=COMPRESSION)
        return out.getvalue()


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_members(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML's name in the file, from xl/workbook.xml and its relationships."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels")).iterfind(
            "p:Relationship", _NS
        )
    }
    found = {}
    for sheet in ElementTree.fromstring(book.read("xl/workbook.xml")).iterfind("m:sheets/m:sheet", _NS):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")]
        found[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return found


def _style_index(xml: str, cell: str) -> str | None:
    """The style index XlsxWriter wrote for cell (None: none, the default style)."""
    found = re.search(rf'<c r="{cell}"( s="(\d+)")?[ />]', xml)
    if found is None:
        raise ValueError(f"cell {cell} not written")
    return found.group(2)


_ROW = re.compile(r'<row r="(\d+)"( spans="[^"]*")?')
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')


def _merged(xml: str, rows: dict[int, str], widest: int) -> str:
    """A sheet's XML with rows (row from 0 -> XML) among the rows XlsxWriter wrote, in order,
    and its dimension widened to hold them."""
    start, end = xml.find("<sheetData>"), xml.find("</sheetData>")
    if start < 0 or end < 0:
        raise ValueError("a sheet without rows")
    body = xml[start + len("<sheetData>") : end]
    theirs: dict[int, str] = {}
    for piece in body.split("<row ")[1:]:
        found = _ROW.match("<row " + piece)
        assert found is not None
        # a row's spans tell the columns of its block of 16 rows, which now has rows of both
        theirs[int(found.group(1)) - 1] = f'<row r="{found.group(1)}"' + piece[found.end() - 5 :]
    if theirs.keys() & rows.keys():
        raise ValueError("a row written both by XlsxWriter and as XML")
    every = {**theirs, **rows}
    merged = "".join(every[r] for r in sorted(every))
    dimension = _DIMENSION.search(xml)
    if dimension is not None:
        first_col, first_row = dimension.group(1), int(dimension.group(2))
        last_col = max(dimension.group(3) or first_col, xl_col_to_name(widest), key=lambda c: (len(c), c))
        last_row = max(int(dimension.group(4) or first_row), max(every) + 1)
        xml = xml.replace(
            dimension.group(0), f'<dimension ref="{first_col}{first_row}:{last_col}{last_row}"/>', 1
        )
        start, end = xml.find("<sheetData>"), xml.find("</sheetData>")
    return xml[: start + len("<sheetData>")] + merged + xml[end:]


# a column's texts joined by NULs: what may need more than the text itself (control characters,
# & < >, a literal _xHHHH_, white space at either end of a text)
_ODD_JOINED = re.compile(r"[&<>\x01-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|(?:^|\x00)\s|\s(?:\x00|\Z)")
_ESCAPED_JOINED = re.compile(r"_x[0-9a-fA-F]{4}_|[\x01-\x08\x0b-\x1f\ufffe\uffff]")  # _ESCAPED
_SPACE_JOINED = re.compile(r"(?:^|\x00)\s|\s(?=\x00|\Z)")  # white space at a text's start or end
Unwritten = dict[int, int]  # id(Format), or -1 - row for a text: the first row (from 0) that needs it


def column(
    found: Sequence[object],
    kind: str,
    letter: str,
    numbers: Sequence[int],
    rows: Rows,
    format_of: Callable[[object, str], Format | None],
    clean: Callable[[str], str],
    skip: frozenset[int] = frozenset(),
) -> list[str] | Unwritten | None:
    """One column of a table's values, all of one kind, in rows numbered as Excel shows them, as
    the XML of each row's cell ('' for None), made a column at a time; or, when formats of its
    cells have no index yet (Rows.style), the first row that needs each; or None when the column
    holds more than one type of value, for the caller to write row by row.
    format_of(value, kind): the cell's XlsxWriter format; clean(text): the text XML can hold;
    skip: rows XlsxWriter writes (their cells are left out here). A text XlsxWriter writes with
    _xHHHH_ escapes (xml_text) asks for its row to be written by XlsxWriter as well."""
    values = list(found)
    for i in skip:
        values[i] = None
    types = set(map(type, values)) - {type(None)}
    if len(types) > 1:
        return None
    if not types:
        return [""] * len(values)
    kind_of = types.pop()
    if kind_of is str:
        return _texts(values, kind, letter, numbers, rows, format_of, clean)  # type: ignore[arg-type]
    if kind_of not in (Decimal, int, float, dt.date):
        return None
    present = next(v for v in values if v is not None)
    fmt = format_of(present, kind)
    attribute = rows.style(fmt)
    if attribute is None:
        return {id(fmt): next(i for i, v in enumerate(values) if v is not None)}
    shown = [None if v is None else number(v, kind) for v in values]
    if any(n is None for n, v in zip(shown, values, strict=True) if v is not None):
        return None  # not a finite number: XlsxWriter says so
    return [
        "" if v is None else number_cell(f"{letter}{n}", attribute, v)
        for n, v in zip(numbers, shown, strict=True)
    ]


def _texts(
    values: list[str | None],
    kind: str,
    letter: str,
    numbers: Sequence[int],
    rows: Rows,
    format_of: Callable[[object, str], Format | None],
    clean: Callable[[str], str],
) -> list[str] | Unwritten | None:
    """column() for a column of texts."""
    joined = "\x00".join("" if v is None else v for v in values)
    if joined.count("\x00") != len(values) - 1 or max(map(len, joined.split("\x00"))) > LONGEST:
        return None  # a text holding a NUL, or one XlsxWriter shortens
    lengths = list(map(len, joined.split("\x00")))
    ends = list(itertools.accumulate(n + 1 for n in lengths))  # where each text's NUL stands
    formula = {bisect.bisect_right(ends, at) for at in cells.formula_starts(joined)}  # rows
    attributes: list[str] | list[str | None]
    if formula or max(lengths) > MAX_WIDTH:
        # a text's format: quote prefix for a formula start, wrapped when long (report_xlsx)
        variants = [(n > MAX_WIDTH) + 2 * (i in formula) for i, n in enumerate(lengths)]  # ints: no tuples
        first = {}
        for i, variant in enumerate(variants):
            if values[i] is not None:
                first.setdefault(variant, i)
        shown = {variant: rows.style(format_of(values[i], kind)) for variant, i in first.items()}
        unwritten: Unwritten = {
            id(format_of(values[i], kind)): i for variant, i in first.items() if shown[variant] is None
        }
        if unwritten:
            return unwritten
        attributes = [shown.get(variant, "") for variant in variants]  # type: ignore[misc]
    else:
        attributes = [""] * len(values)
    if _ESCAPED_JOINED.search(joined):  # a text XlsxWriter escapes as _xHHHH_, or one to clean
        made = [("", False) if v is None else xml_text(clean(v)) for v in values]  # type: ignore[misc]
        if None in made:
            return {-1 - i: i for i, text in enumerate(made) if text is None}
        texts = [text for text, _ in made]  # type: ignore[misc]
        spaces = [keep for _, keep in made]  # type: ignore[misc]
    elif _ODD_JOINED.search(joined):  # xml_text for the whole column at once
        spaces = [False] * len(values)
        for found in _SPACE_JOINED.finditer(joined):
            spaces[bisect.bisect_right(ends, found.start() + (found.group(0)[0] == "\x00"))] = True
        texts = _escaped(joined).split("\x00")
    else:
        texts, spaces = values, [False] * len(values)  # type: ignore[assignment]
    return [
        "" if v is None else text_cell(f"{letter}{n}", a, text, keep)
        for n, v, a, text, keep in zip(numbers, values, attributes, texts, spaces, strict=True)
    ]


SPACE = ' xml:space="preserve"'
MAX_WIDTH = 50  # characters: a longer text wraps, and no column is wider (report_xlsx)
