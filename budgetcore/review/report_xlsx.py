"""The review pack as an Excel workbook: a summary sheet, then one sheet per contract.

Money and fractions are written as numbers with number formats (Excel shows
them with the reader's own decimal marks), dates as dates. Text from imported
data is always written as a string cell, so `=HYPERLINK(...)` or `@SUM(...)`
in a customer name can never become a formula.

Written with XlsxWriter, which writes each sheet's XML from plain rows rather than one
object per cell (openpyxl): bench/packs.py measures both on the same pack. The rows of the
tables (a pack at 175,000 contracts lists 37,225 contracts in twenty columns) are written as
sheet XML by sheet_rows.py instead, a string per cell rather than XlsxWriter's several Python
calls, and put into the file XlsxWriter wrote; what they hold is what XlsxWriter would write.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from budgetcore import cells, i18n
from budgetcore.figures.settings import Settings
from budgetcore.i18n import t
from budgetcore.review import decision_rows, group_rows, sheet_rows, term_rows
from budgetcore.review.reports import (
    ContractReview,
    ReviewPack,
    Value,
    budget_rows,
    detail_note,
    extra_rows,
    facts,
    findings,
    hour_rows,
    material_rows,
    month_rows,
    subtitle,
    summary_columns,
    summary_table,
    term_text,
    title,
    work_order_rows,
)

_HEADER = {"bold": True, "bg_color": "#DDE4EE"}
_TITLE = {"bold": True, "font_size": 14}
_SECTION = {"bold": True, "font_size": 12}
_ITALIC = {"italic": True}
_BOLD = {"bold": True}
_MAX_WIDTH = sheet_rows.MAX_WIDTH  # characters: a longer text wraps
_CHART_ROWS = 17  # rows kept free beside a chart so the next table starts below it
# the characters XML 1.0 (and so .xlsx) cannot hold; tab, line feed and carriage return it can
ILLEGAL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHOWN = {"money": 14, "date": 11, "month": 9, "pct": 7}  # the width a kind's number takes
_SHOWN_OVER = {"money": 20, "pct": 13}  # with the word after the number ('over', 'under')


def number_formats(settings: Settings, lang: str) -> dict[str, str]:
    """Excel number formats; Excel itself applies the reader's decimal and thousands marks."""
    symbol = i18n.currency_symbol(settings.currency, lang)
    found = {
        "money": f'"{symbol}" #,##0.00;"{symbol}" -#,##0.00',
        "pct": "0.0%",
        "num": "#,##0.00",
        "int": "0",
        "date": "DD-MM-YYYY" if lang == "nl" else "D MMM YYYY",
        "month": "MMM YYYY",
    }
    # a variance (term_rows.OVER) keeps its sign for sums and says it in words: 1234.56 shows
    # as '€ 1,234.56 over', -500 as '€ 500.00 under' (Excel's positive;negative;zero sections)
    over, under = (t("{amount} over", lang, amount="").strip(), t("{amount} under", lang, amount="").strip())
    for base in ("money", "pct", "num"):
        size = found[base].split(";")[0]
        found[term_rows.OVER + base] = f'{size}" {over}";{size}" {under}";{size}'
    return found


def _shown(value: object, kind: str) -> int:
    """The characters a number or date of this kind takes in its column."""
    if kind.startswith(term_rows.OVER):  # the word after the number
        return _SHOWN_OVER.get(term_rows.base_kind(kind), 14)
    return _SHOWN.get(kind) or len(str(value)) + 2


def _widest(values: Sequence[object], kind: str) -> int:
    """The characters the widest cell of a column takes (put's measure); 0 when it has none."""
    present = [v for v in values if v is not None]
    if not present:
        return 0
    if isinstance(present[0], str):
        return max(map(len, present))  # type: ignore[arg-type]
    if kind in _SHOWN or kind.startswith(term_rows.OVER):
        return _shown(present[0], kind)
    return max(_shown(v, kind) for v in present)


def safe_text(text: str) -> str:
    """text without the control characters that XML (and so .xlsx) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


class _Styles:
    """The workbook's cell formats, one XlsxWriter Format per combination of properties."""

    def __init__(self, book: xlsxwriter.Workbook, numbers: dict[str, str]) -> None:
        self.book, self.numbers = book, numbers
        self.made: dict[tuple | str, Format] = {}
        self.rows = sheet_rows.Rows()  # the table rows written as XML, put in at the end

    def get(self, kind: str = "text", **extra: object) -> Format | None:
        key = (kind, *sorted(extra.items())) if extra else kind
        found = self.made.get(key)
        if found is None:
            if not extra and kind not in self.numbers:
                return None
            properties = dict(extra)
            if kind in self.numbers:
                properties["num_format"] = self.numbers[kind]
            if kind == "month":  # a month labels its row, like text
                properties.setdefault("align", "left")
            found = self.made[key] = self.book.add_format(properties)
        return found


class _Sheet:
    """Writes rows into a worksheet and remembers the widest text per column; rows and columns
    count from 1, as Excel shows them."""

    def __init__(self, ws: Worksheet, styles: _Styles) -> None:
        self.ws, self.styles, self.row = ws, styles, 1
        self.widths: dict[int, int] = {}
        self.name = ws.get_name()

    def put(
        self, row: int, col: int, value: object, kind: str = "text", measure: bool = True, **style
    ) -> None:
        """Write one value (None: only the style); measure=False keeps it out of the column width
        (wrapped cells); style: XlsxWriter format properties on top of the kind's number format."""
        r, c = row - 1, col - 1
        if isinstance(value, str):
            # imported text is data, never a formula: a string cell, with the quote prefix
            # that tells Excel to keep it text when it is edited
            if cells.formula_like(value):
                style["quote_prefix"] = True
            if len(value) > _MAX_WIDTH:
                style.setdefault("text_wrap", True)
                style.setdefault("valign", "top")
            fmt = self.styles.get("text", **style)
            self.ws.write_string(r, c, safe_text(value), fmt)
            shown = len(value)
        elif value is None:
            if style:
                fmt = self.styles.get("text", **style)
                self.ws.write_blank(r, c, None, fmt)
                self.styles.rows.anchor(fmt, self.name, r, c)
            return
        else:
            fmt = self.styles.get(kind, **style)
            if isinstance(value, dt.date):
                self.ws.write_datetime(r, c, value, fmt)
            elif isinstance(value, Decimal):
                self.ws.write_number(r, c, int(value) if kind == "int" else float(value), fmt)
            else:
                self.ws.write_number(r, c, value, fmt)  # type: ignore[arg-type]
            shown = _shown(value, kind)
        self.styles.rows.anchor(fmt, self.name, r, c)
        if measure:
            self.widths[col] = max(self.widths.get(col, 0), min(shown + 2, _MAX_WIDTH))

    def line(self, values: Sequence[Value], start_col: int = 1) -> None:
        """One row of a table, as put() writes each cell (None: no cell): as sheet XML
        (sheet_rows.py) when each cell is plain text, a number or a date in a format XlsxWriter
        has written, else by XlsxWriter; for lists of many thousands of rows."""
        r, rows, get = self.row - 1, self.styles.rows, self.styles.get
        found, measured, last = [], [], start_col
        row_number = str(self.row)
        for col, (value, kind) in enumerate(values, start=start_col):
            if value is None:
                continue
            if type(value) is str:
                if len(value) > sheet_rows.LONGEST:
                    break
                attribute = rows.style(self._format(value, kind))
                if attribute is None:
                    break
                xml = sheet_rows.xml_text(safe_text(value))
                if xml is None:
                    break
                found.append(sheet_rows.text_cell(rows.letter(col - 1) + row_number, attribute, *xml))
                shown = len(value)
            else:
                number = sheet_rows.number(value, kind)
                if number is None:
                    break
                attribute = rows.style(get(kind))
                if attribute is None:
                    break
                found.append(sheet_rows.number_cell(rows.letter(col - 1) + row_number, attribute, number))
                shown = _shown(value, kind)
            measured.append((col, shown))
            last = col
        else:
            if found:
                rows.add(self.name, r, "".join(found), last - 1)
            widths = self.widths
            for col, shown in measured:
                if widths.get(col, 0) < shown + 2:
                    widths[col] = min(shown + 2, _MAX_WIDTH)
            self.row += 1
            return
        for col, (value, kind) in enumerate(values, start=start_col):  # by XlsxWriter
            self.put(self.row, col, value, kind)
        self.row += 1

    def lines(self, rows: Sequence[Sequence[Value]]) -> None:
        """Rows of a table, as line() writes each: by columns() where each column holds one kind."""
        columns = []
        for found in zip(*rows, strict=True):
            kinds = {kind for _, kind in found}
            if len(kinds) != 1:
                columns = None
                break
            columns.append(([value for value, _ in found], kinds.pop()))
        if columns is None or len(rows) < 2:
            for values in rows:
                self.line(values)
        else:
            self.columns(columns)

    def columns(self, columns: Sequence[tuple[Sequence[object], str]]) -> None:
        """A table's rows given as its columns (values, kind), each row as line() writes it, made
        a column at a time (sheet_rows.column): a long list's summary. No tuple per cell: with a
        pack's many objects alive, each full pass of Python's collector is long."""
        first, count = self.row, len(columns[0][0]) if columns else 0
        numbers = range(first, first + count)
        by_xlsxwriter: set[int] = set()  # rows (from 0) that show a format's index, or odd texts
        made: list[list[str]] | None = None
        unwritten: sheet_rows.Unwritten = {}
        for _ in range(3):
            made, unwritten = [], {}
            for col, (values, kind) in enumerate(columns, start=1):
                column = sheet_rows.column(
                    values,
                    kind,
                    self.styles.rows.letter(col - 1),
                    numbers,
                    self.styles.rows,
                    self._format,
                    safe_text,
                    frozenset(by_xlsxwriter),
                )
                if column is None:
                    made = None
                    break
                if isinstance(column, dict):
                    unwritten |= column
                else:
                    made.append(column)
            if made is None or not unwritten:
                break
            for i in sorted(set(unwritten.values()) - by_xlsxwriter):  # XlsxWriter writes these
                for col, (values, kind) in enumerate(columns, start=1):
                    self.put(first + i, col, values[i], kind)
                by_xlsxwriter.add(i)
        if made is None or unwritten:  # row by row
            for i in range(count):
                self.row = first + i
                if i not in by_xlsxwriter:
                    self.line([(values[i], kind) for values, kind in columns])
            self.row = first + count
            return
        for col, (values, kind) in enumerate(columns, start=1):
            widest = _widest(values, kind)
            if widest:
                self.widths[col] = max(self.widths.get(col, 0), min(widest + 2, _MAX_WIDTH))
        last = len(made) - 1
        add, name = self.styles.rows.add, self.name
        for i, found in enumerate(zip(*made, strict=True)):
            if i not in by_xlsxwriter:
                add(name, first - 1 + i, "".join(found), last)
        self.row = first + count

    def _format(self, value: object, kind: str) -> Format | None:
        """The format line() and put() give a cell of this value and kind."""
        if type(value) is str:
            style: dict[str, object] = {}
            if cells.formula_like(value):
                style["quote_prefix"] = True
            if len(value) > _MAX_WIDTH:
                style["text_wrap"], style["valign"] = True, "top"
            return self.styles.get("text", **style) if style else None
        return self.styles.get(kind)

    def header(self, labels: Sequence[str], kinds: Sequence[str] = ()) -> int:
        """A bold header row; labels over number columns align right like their numbers."""
        for col, label in enumerate(labels, start=1):
            if col <= len(kinds) and term_rows.is_numeric(kinds[col - 1]):
                self.put(self.row, col, label, align="right", text_wrap=True, **_HEADER)
            else:
                self.put(self.row, col, label, **_HEADER)
        self.row += 1
        return self.row - 1

    def heading(self, text: str, style: dict[str, object] = _SECTION) -> None:
        """A line of text in column A that does not widen it."""
        fmt = self.styles.get("text", **style)
        self.ws.write_string(self.row - 1, 0, safe_text(text), fmt)
        self.styles.rows.anchor(fmt, self.name, self.row - 1, 0)
        self.row += 1

    def table(self, caption: str, header: list[str], rows: list[list[Value]], empty: str) -> int:
        """A captioned table; returns the header row. Leaves one blank row after it."""
        self.heading(caption)
        first = self.header(header, [kind for _, kind in rows[0]] if rows else ())
        self.lines(rows)
        if not rows:
            self.put(self.row, 1, empty, **_ITALIC)
            self.row += 1
        self.row += 1
        return first

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col - 1, col - 1, max(width, 8))
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes


_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(number: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name for a contract number (31 characters, no []:*?/\\)."""
    base = _SHEET_NAME_BAD.sub("_", safe_text(number)).strip("'") or "contract"
    name, n = base[:31], 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def workbook(pack: ReviewPack, lang: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """The review pack as .xlsx bytes: a summary sheet, then one sheet per contract."""
    out = io.BytesIO()
    # every string is written as a string (write_string): no formula, number or URL from text
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_numbers": False, "strings_to_urls": False})  # fmt: skip
    styles = _Styles(wb, number_formats(pack.settings, lang))
    name = t("Summary", lang)[:31]
    front = _Sheet(wb.add_worksheet(name), styles)
    taken = {name.lower()}
    front.heading(title(pack, lang), _TITLE)
    front.heading(subtitle(pack, lang), _ITALIC)
    note = detail_note(pack, lang)
    if note:  # a long list: pages for its first contracts only
        front.heading(note, _ITALIC)
    front.row += 1
    table = summary_table(pack.every, lang)
    listed = bool(pack.every)
    first = front.header(summary_columns(lang), [kind for _, kind in table] if listed else ())
    front.ws.freeze_panes(first, 2)  # the header and the contract column stay in view
    if listed:
        front.columns([([t(v, lang) for v in values], "text") if kind == "status" else (values, kind)
                       for values, kind in table])  # fmt: skip
    else:
        front.put(front.row, 1, t("No contracts in this selection.", lang))
    # the title and subtitle are long single cells: do not let them widen column A
    front.widths[1] = max(12, max((len(str(r.contract_number)) + 2 for r in pack.every), default=12))
    front.finish()
    if listed and pack.window_days is not None:  # a renewals list; one contract needs no roll-up
        name = t("Groups", lang)[:31]
        groups = _Sheet(wb.add_worksheet(name), styles)
        taken.add(name.lower())
        groups.heading(t("Totals per customer, account manager and contract type", lang), _TITLE)
        groups.row += 1
        for caption, header, rows in group_rows.group_tables(pack, lang):
            groups.table(caption, header, rows, "")
        groups.finish()
    for r in pack.contracts:
        _contract_sheet(wb, wb.add_worksheet(sheet_name(r.contract_number, taken)), r, styles, lang)
    wb.set_properties({"title": title(pack, lang), "author": "budgetcore"})
    wb.close()
    return styles.rows.splice(out.getvalue())


def _contract_sheet(
    wb: xlsxwriter.Workbook, ws: Worksheet, r: ContractReview, styles: _Styles, lang: str
) -> None:
    sheet = _Sheet(ws, styles)
    f = r.figures
    sheet.heading(f"{f.contract_number} · {f.inputs.customer}", _TITLE)
    sheet.heading(f"{t(f.status, lang)} · {term_text(f, lang)}", _ITALIC)
    ws.freeze_panes(2, 0)  # the contract and customer stay in view while scrolling
    sheet.row += 1

    sheet.heading(t("Facts", lang))
    for label, (value, kind) in facts(r, lang):
        sheet.put(sheet.row, 1, label, valign="top", **_BOLD)
        _merged(sheet, value, kind)
        if isinstance(value, str) and len(value) > 60:
            ws.set_row(sheet.row - 1, 15 * (1 + len(value) // 60))
        sheet.row += 1
    sheet.row += 1
    _decision(sheet, r, lang)

    header, rows = budget_rows(r, lang)
    sheet.table(t("Budget vs actual", lang), header, rows, "")
    header, rows = term_rows.variance_rows(r.periods, lang)
    sheet.table(t("Budget vs actual per quarter of the term", lang), header, rows, "")
    running = term_rows.running_note(r.periods, r.figures.as_of, lang, r.currency)
    if running:
        sheet.row -= 1  # under the table, before its blank row
        sheet.put(sheet.row, 1, running, measure=False, **_ITALIC)
        sheet.row += 2
    if r.last_term is not None:
        header, rows = term_rows.last_term_rows(r.last_term, lang)
        sheet.table(t("This term against the previous one", lang), header, rows, "")
        said = term_rows.verdict(r.last_term, lang, r.currency)
        if said:
            sheet.row -= 1  # under the table, before its blank row
            sheet.put(sheet.row, 1, said, measure=False, **_ITALIC)
            sheet.row += 2

    header, rows = month_rows(r, lang)
    start = sheet.row
    first = sheet.table(t("Actuals per month", lang), header, rows, t("No cost lines yet.", lang))
    if rows:
        _month_chart(wb, ws, first, len(rows), lang)
        sheet.row = max(sheet.row, start + _CHART_ROWS)

    if r.extra_months:  # what the work billed on top was (Scope), when there is any
        header, rows = extra_rows(r, lang)
        sheet.table(t("Billed on top (meerwerk)", lang), header, rows, "")
    for caption, (header, rows), empty in (
        (t("Work orders", lang), work_order_rows(r, lang), t("No work orders.", lang)),
        (t("Hours by employee", lang), hour_rows(r, lang), t("No hour lines.", lang)),
        (t("Materials by article", lang), material_rows(r, lang), t("No material lines.", lang)),
    ):
        sheet.table(caption, header, rows, empty)

    found = findings(r, lang)
    if found:
        sheet.heading(t("Data quality", lang))
        for text in found:
            sheet.put(sheet.row, 1, text)
            sheet.row += 1
    # facts labels and long descriptions share column A/E with tables: cap them
    sheet.widths[1] = min(max(sheet.widths.get(1, 10), 14), 34)
    sheet.finish()


_BLANK = {"bottom": 1, "bottom_color": "#52606D"}
_SPAN = {"align": "left", "valign": "top", "text_wrap": True}


def _merged(sheet: _Sheet, value: object, kind: str, **style: object) -> None:
    """A value across columns B:D of the current row, left-aligned, wrapped, kept out of the
    column widths (so a long reason does not widen the tables below)."""
    row = sheet.row - 1
    span = {**_SPAN, **style}
    if isinstance(value, str) and cells.formula_like(value):
        span["quote_prefix"] = True
    # merge_range writes with write(), which may read text as a number: the first cell is
    # written again with the writer for its type
    sheet.ws.merge_range(row, 1, row, 3, "", sheet.styles.get(kind, **span))
    if value is not None and value != "":
        sheet.put(sheet.row, 2, value, kind, measure=False, **span)


def _decision(sheet: _Sheet, r: ContractReview, lang: str) -> None:
    """The renewal decision: the current one and its history, or the fields to fill in."""
    sheet.heading(t("Renewal decision", lang))
    items = decision_rows.current(r, lang)
    if not items:
        sheet.put(sheet.row, 1, t("No decision yet: to fill in at the review.", lang), **_ITALIC)
        sheet.row += 1
        items = decision_rows.to_fill_in(r, lang)
    for label, (value, kind) in items:
        sheet.put(sheet.row, 1, label, **_BOLD)
        if kind == "blank":  # a line to write on, across the merged cells
            _merged(sheet, None, "text", **_BLANK)
            sheet.ws.set_row(sheet.row - 1, 22)
        else:
            _merged(sheet, value, kind)
        sheet.row += 1
    sheet.row += 1
    if r.decisions:
        sheet.table(t("Decision history", lang), *decision_rows.history(r, lang), "")


def _month_chart(wb: xlsxwriter.Workbook, ws: Worksheet, header_row: int, count: int, lang: str) -> None:
    """A stacked column chart of labour and material per month, beside the month table."""
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    name, top, bottom = ws.get_name(), header_row - 1, header_row - 1 + count  # from 0
    for col in (1, 2):
        chart.add_series({
            "name": [name, top, col],
            "categories": [name, top + 1, 0, bottom, 0],
            "values": [name, top + 1, col, bottom, col],
            "gap": 50,
        })  # fmt: skip
    chart.set_title({"name": t("Actual cost per month", lang), "name_font": {"size": 12}})
    chart.set_y_axis({"name": t("Cost", lang), "num_format": "#,##0"})
    chart.set_x_axis({"num_format": "MMM YY"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 680, "height": 283})  # 18 x 7.5 cm
    ws.insert_chart(header_row - 2, 5, chart)
