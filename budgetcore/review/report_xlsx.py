"""The review pack as an Excel workbook: a summary sheet, then one sheet per contract.

Money and fractions are written as numbers with number formats (Excel shows
them with the reader's own decimal marks), dates as dates. Text from imported
data is always written as a string cell, so `=HYPERLINK(...)` or `@SUM(...)`
in a customer name can never become a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from babel.numbers import get_currency_symbol
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from budgetcore import cells, i18n
from budgetcore.figures.settings import Settings
from budgetcore.i18n import t
from budgetcore.review import decision_rows, group_rows, term_rows
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
    summary_cells,
    summary_columns,
    term_text,
    title,
    work_order_rows,
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_TITLE_FONT = Font(bold=True, size=14)
_SECTION_FONT = Font(bold=True, size=12)
_MAX_WIDTH = 50
_CHART_ROWS = 17  # rows kept free beside a chart so the next table starts below it


def _formats(settings: Settings, lang: str) -> dict[str, str]:
    """Excel number formats; Excel itself applies the reader's decimal and thousands marks."""
    symbol = get_currency_symbol(settings.currency, locale=i18n.LOCALES[lang])
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
    over, under = (t("{amount} " + word, lang, amount="").strip() for word in ("over", "under"))
    for base in ("money", "pct", "num"):
        size = found[base].split(";")[0]
        found[term_rows.OVER + base] = f'{size}" {over}";{size}" {under}";{size}'
    return found


def safe_text(text: str) -> str:
    """text without the control characters that XML (and so .xlsx) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


class _Sheet:
    """Writes rows into a worksheet and remembers the widest text per column."""

    def __init__(self, ws: Worksheet, formats: dict[str, str]) -> None:
        self.ws, self.formats, self.row = ws, formats, 1
        self.widths: dict[int, int] = {}

    def put(self, row: int, col: int, value: object, kind: str = "text", measure: bool = True) -> Cell:
        """Write one value; measure=False keeps it out of the column width (wrapped cells)."""
        cell = self.ws.cell(row=row, column=col)
        if value is None:
            return cell
        if isinstance(value, str):
            cell.value = safe_text(value)
            # imported text is data, never a formula: keep the type 's' and the
            # quote prefix that tells Excel to keep it text when it is edited
            cell.data_type = "s"
            if cells.formula_like(value):
                cell.quotePrefix = True
            shown = len(value)
        else:
            if isinstance(value, Decimal):
                value = float(value) if kind != "int" else int(value)
            cell.value = value
            if kind in self.formats:
                cell.number_format = self.formats[kind]
            if kind == "month":  # a month labels its row, like text
                cell.alignment = Alignment(horizontal="left")
            shown = {"money": 14, "date": 11, "month": 9, "pct": 7}.get(kind, len(str(value)) + 2)
            if kind.startswith(term_rows.OVER):  # the word after the number
                shown = {"money": 20, "pct": 13}.get(term_rows.base_kind(kind), 14)
        if measure:
            self.widths[col] = max(self.widths.get(col, 0), min(shown + 2, _MAX_WIDTH))
        if isinstance(value, str) and len(value) > _MAX_WIDTH:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def line(self, values: Sequence[Value], start_col: int = 1) -> None:
        for col, (value, kind) in enumerate(values, start=start_col):
            self.put(self.row, col, value, kind)
        self.row += 1

    def header(self, labels: Sequence[str], kinds: Sequence[str] = ()) -> int:
        """A bold header row; labels over number columns align right like their numbers."""
        for col, label in enumerate(labels, start=1):
            cell = self.put(self.row, col, label)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            if col <= len(kinds) and term_rows.is_numeric(kinds[col - 1]):
                cell.alignment = Alignment(horizontal="right", wrap_text=True)
        self.row += 1
        return self.row - 1

    def heading(self, text: str, font: Font = _SECTION_FONT) -> None:
        cell = self.ws.cell(row=self.row, column=1, value=safe_text(text))
        cell.data_type, cell.font = "s", font
        self.row += 1

    def table(self, caption: str, header: list[str], rows: list[list[Value]], empty: str) -> int:
        """A captioned table; returns the header row. Leaves one blank row after it."""
        self.heading(caption)
        first = self.header(header, [kind for _, kind in rows[0]] if rows else ())
        for values in rows:
            self.line(values)
        if not rows:
            self.put(self.row, 1, empty).font = Font(italic=True)
            self.row += 1
        self.row += 1
        return first

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = max(width, 8)
        setup = self.ws.page_setup
        setup.orientation, setup.paperSize = "landscape", self.ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


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
    wb = Workbook()
    formats = _formats(pack.settings, lang)
    front = _Sheet(wb.active, formats)
    front.ws.title = t("Summary", lang)[:31]
    taken = {front.ws.title.lower()}
    front.heading(title(pack, lang), _TITLE_FONT)
    front.heading(subtitle(pack, lang), Font(italic=True))
    note = detail_note(pack, lang)
    if note:  # a long list: pages for its first contracts only
        front.heading(note, Font(italic=True))
    front.row += 1
    rows = [summary_cells(r, lang) for r in pack.every]
    first = front.header(summary_columns(lang), [kind for _, kind in rows[0]] if rows else ())
    front.ws.freeze_panes = front.ws.cell(row=first + 1, column=3)  # header and contract column
    for row in rows:
        front.line([(t(v, lang), "text") if k == "status" else (v, k) for v, k in row])
    if not rows:
        front.put(front.row, 1, t("No contracts in this selection.", lang))
    front.finish()
    # the title and subtitle are long single cells: do not let them widen column A
    front.ws.column_dimensions["A"].width = max(
        12, max((len(str(r.contract_number)) + 2 for r in pack.every), default=12)
    )
    if rows and pack.window_days is not None:  # a renewals list; one contract needs no roll-up
        groups = _Sheet(wb.create_sheet(t("Groups", lang)[:31]), formats)
        taken.add(groups.ws.title.lower())
        groups.heading(t("Totals per customer, account manager and contract type", lang), _TITLE_FONT)
        groups.row += 1
        for caption, header, rows in group_rows.group_tables(pack, lang):
            groups.table(caption, header, rows, "")
        groups.finish()
    for r in pack.contracts:
        _contract_sheet(wb.create_sheet(sheet_name(r.contract_number, taken)), r, formats, lang)
    wb.properties.title = title(pack, lang)
    wb.properties.creator = "budgetcore"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _contract_sheet(ws: Worksheet, r: ContractReview, formats: dict[str, str], lang: str) -> None:
    sheet = _Sheet(ws, formats)
    f = r.figures
    sheet.heading(f"{f.contract_number} · {f.inputs.customer}", _TITLE_FONT)
    sheet.heading(f"{t(f.status, lang)} · {term_text(f, lang)}", Font(italic=True))
    ws.freeze_panes = "A3"  # the contract and customer stay in view while scrolling
    sheet.row += 1

    sheet.heading(t("Facts", lang))
    for label, (value, kind) in facts(r, lang):
        label_cell = sheet.put(sheet.row, 1, label)
        label_cell.font, label_cell.alignment = _HEADER_FONT, Alignment(vertical="top")
        # a fact spans B:D, left-aligned, so a long reason does not widen the tables below
        cell = sheet.put(sheet.row, 2, value, kind, measure=False)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        ws.merge_cells(start_row=sheet.row, start_column=2, end_row=sheet.row, end_column=4)
        if isinstance(value, str) and len(value) > 60:
            ws.row_dimensions[sheet.row].height = 15 * (1 + len(value) // 60)
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
        sheet.put(sheet.row, 1, running, measure=False).font = Font(italic=True)
        sheet.row += 2
    if r.last_term is not None:
        header, rows = term_rows.last_term_rows(r.last_term, lang)
        sheet.table(t("This term against the previous one", lang), header, rows, "")
        said = term_rows.verdict(r.last_term, lang, r.currency)
        if said:
            sheet.row -= 1  # under the table, before its blank row
            sheet.put(sheet.row, 1, said, measure=False).font = Font(italic=True)
            sheet.row += 2

    header, rows = month_rows(r, lang)
    start = sheet.row
    first = sheet.table(t("Actuals per month", lang), header, rows, t("No cost lines yet.", lang))
    if rows:
        _month_chart(ws, first, len(rows), lang)
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


_BLANK = Border(bottom=Side(style="thin", color="52606D"))


def _decision(sheet: _Sheet, r: ContractReview, lang: str) -> None:
    """The renewal decision: the current one and its history, or the fields to fill in."""
    sheet.heading(t("Renewal decision", lang))
    items = decision_rows.current(r, lang)
    if not items:
        sheet.put(sheet.row, 1, t("No decision yet: to fill in at the review.", lang)).font = Font(
            italic=True
        )
        sheet.row += 1
        items = decision_rows.to_fill_in(r, lang)
    for label, (value, kind) in items:
        sheet.put(sheet.row, 1, label).font = _HEADER_FONT
        cell = sheet.put(sheet.row, 2, None if kind == "blank" else value, kind, measure=False)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        sheet.ws.merge_cells(start_row=sheet.row, start_column=2, end_row=sheet.row, end_column=4)
        if kind == "blank":  # a line to write on, across the merged cells
            for col in (2, 3, 4):
                sheet.ws.cell(row=sheet.row, column=col).border = _BLANK
            sheet.ws.row_dimensions[sheet.row].height = 22
        sheet.row += 1
    sheet.row += 1
    if r.decisions:
        sheet.table(t("Decision history", lang), *decision_rows.history(r, lang), "")


def _month_chart(ws: Worksheet, header_row: int, count: int, lang: str) -> None:
    """A stacked column chart of labour and material per month, beside the month table."""
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = t("Actual cost per month", lang)
    chart.y_axis.title = t("Cost", lang)
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.number_format = "MMM YY"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=2, max_col=3, min_row=header_row, max_row=header_row + count)
    months = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + count)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(months)
    chart.height, chart.width = 7.5, 18
    chart.legend.position = "b"
    ws.add_chart(chart, f"F{header_row - 1}")
