"""The review pack: workbook structure and formats, text that stays text, the HTML report offline and in print."""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
import shutil
import zipfile
from decimal import Decimal
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.figures.settings import Settings
from budgetcore.review import files, group_rows, report_html, report_xlsx, reports
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

AS_OF = dt.date(2026, 6, 15)
EVIL = '=HYPERLINK("http://x","y")'

# Three contracts ending within 90 days of AS_OF, one far away; a customer and
# texts that a spreadsheet would run as formulas.
CSV = {
    "contracts.csv": """\
contract_number,customer,city,name,type,start_date,end_date,notice_period_days,auto_renew,contract_value,planned_visits,account_manager
R-1,"=HYPERLINK(""http://x"",""y"")",Utrecht,@SUM(A1),preventive,2025-08-01,2026-07-31,30,true,9000.00,4,Anna
R-2,Beta Zorggroep,Breda,Liften,corrective,2025-09-01,2026-08-31,60,false,,,+31 6 1234
R-3,Gemeente Gamma,Delft,Storingen,preventive,2025-07-01,2026-06-30,0,false,500.00,,Anna
R-4,Delta Vastgoed,Ede,Later,preventive,2026-01-01,2027-12-31,90,true,1000.00,,Bram
""",
    "budgets.csv": """\
contract_number,category,amount,hours
R-1,labour,6000.00,100
R-1,material,2000.00,
R-2,labour,1200.00,
R-4,labour,1000.00,
""",
    "work_orders.csv": """\
work_order_number,contract_number,date,type,status,description
W-1,R-1,2025-09-10,periodic,done,-5 filters vervangen
W-2,R-1,2026-01-12,periodic,done,visit
W-3,R-1,2026-04-02,corrective,done,=1+1
W-4,R-2,2026-02-03,corrective,done,storing
W-5,R-3,2026-05-01,corrective,done,storing
""",
    "hours.csv": """\
work_order_number,date,employee,hour_type,hours,cost_rate
W-1,2025-09-10,@jan,work,10,60.00
W-2,2026-01-12,Piet,work,12,60.00
W-2,2026-01-12,Piet,travel,2,45.00
W-3,2026-04-02,Jan,overtime,5,80.00
W-4,2026-02-03,Kees,work,20,55.00
W-5,2026-05-01,Kees,work,3,55.00
""",
    "materials.csv": """\
work_order_number,date,article_code,description,quantity,unit_cost
W-1,2025-09-10,F-1,Filter,4,12.50
W-3,2026-04-02,=cmd|' /C calc'!A0,Pomp,1,850.00
W-4,2026-02-03,K-9,Klep,2,40.00
""",
}
RENEWING = ("R-1", "R-2", "R-3")


def write_csv(folder: Path) -> Path:
    folder.mkdir()
    for name, text in CSV.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, schema_template) -> Path:
    """A SQLite file holding CSV imported (schema_template's schema), once per module, to copy."""
    base = tmp_path_factory.mktemp("reports")
    path = base / "imported.db"
    engine = make_engine(f"sqlite:///{path}")
    schema_template(engine)
    result = import_paths(prepared(engine), [write_csv(base / "in")])
    assert result.ok, result.errors[:3]
    engine.dispose()  # the last connection folds the write-ahead log into the file
    return path


@pytest.fixture
def engine(tmp_path: Path, imported: Path):
    """An engine on this test's own copy of the imported CSV (tests may write into it)."""
    shutil.copyfile(imported, tmp_path / "r.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    yield engine
    engine.dispose()


def pack_of(engine, **kwargs) -> reports.ReviewPack:
    with transaction(engine) as session:
        return reports.collect(session, AS_OF, settings.load(session), **kwargs)


def test_collect_takes_the_renewals_window_or_one_contract(engine) -> None:
    assert [r.contract_number for r in pack_of(engine).contracts] == ["R-3", "R-1", "R-2"]  # soonest first
    assert [r.contract_number for r in pack_of(engine, within_days=15).contracts] == ["R-3"]
    one = pack_of(engine, contract_number="R-4")
    assert [r.contract_number for r in one.contracts] == ["R-4"] and one.window_days is None
    assert pack_of(engine, contract_number="nope").contracts == []


def test_review_carries_detail_action_and_price(engine) -> None:
    (r1,) = [r for r in pack_of(engine).contracts if r.contract_number == "R-1"]
    assert [w.work_order_number for w in r1.work_orders] == ["W-3", "W-2", "W-1"]
    assert {m.month for m in r1.months} >= {dt.date(2025, 8, 1), dt.date(2026, 6, 1)}  # zero months too
    assert sum(m.labour + m.material for m in r1.months) == r1.figures.actual_total
    assert r1.suggestion.action in ("renew as is", "re-price", "review scope", "terminate?")
    expected = (r1.figures.forecast.total / Decimal("0.85")).quantize(Decimal("0.01"))
    assert r1.price.cost_price == expected
    assert r1.price.suggested_value == max(expected, r1.price.indexed_value or expected)


def test_a_long_list_has_pages_for_its_first_contracts_and_lists_them_all(
    engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(reports, "DETAILED", 2)
    pack = pack_of(engine)
    assert [r.contract_number for r in pack.every] == ["R-3", "R-1", "R-2"] and pack.partial
    assert [r.contract_number for r in pack.contracts] == ["R-3", "R-1"]  # soonest first, with details
    assert pack.contracts[1].work_orders and not pack.every[2].work_orders
    note = "Pages for the first 2 of 3 contracts, soonest deadline first"
    wb = load_workbook(io.BytesIO(report_xlsx.workbook(pack, "en")))
    assert wb.sheetnames == ["Summary", "Groups", "R-3", "R-1"]
    texts = [c.value for r in wb["Summary"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any(t.startswith(note) for t in texts) and {"R-1", "R-2", "R-3"} <= set(texts)
    for _, _, rows in group_rows.group_tables(pack, "en"):  # the roll-ups count every contract listed
        assert sum(row[1][0] for row in rows) == 3
    page = report_html.html(pack, "en")
    assert note in page and page.count('<section class="contract"') == 2 and "R-2" in page
    assert "voor de eerste 2 van 3 contracten" in report_html.html(pack, "nl")
    out, err = io.StringIO(), io.StringIO()
    pack_file = str(tmp_path / "p.xlsx")
    assert (
        cli.main(
            ["report", "--db", str(engine.url), "--as-of", AS_OF.isoformat(), "--out", pack_file], out, err
        )
        == 0
    )
    assert "3 contract(s), pages for the first 2" in out.getvalue()
    assert not pack_of(engine, within_days=15).partial


def charts_on(data: bytes, title: str) -> int:
    """How many charts the workbook data draws on its sheet title, read from the file's own parts
    (ECMA-376: the sheet's relationships name its drawing, the drawing's name its charts)."""
    book = zipfile.ZipFile(io.BytesIO(data))

    def targets(part: str) -> list[str]:  # the parts part's relationships point at, as paths in the zip
        rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        if rels not in book.namelist():
            return []
        found = ElementTree.fromstring(book.read(rels))
        return [posixpath.normpath(posixpath.join(posixpath.dirname(part), r.get("Target"))) for r in found]

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ids = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    sheet_id = next(
        s.get(ids) for s in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(main + "sheet")
        if s.get("name") == title
    )  # fmt: skip
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    sheet = posixpath.normpath(
        posixpath.join("xl", next(r.get("Target") for r in rels if r.get("Id") == sheet_id))
    )
    drawings = [t for t in targets(sheet) if "/drawings/" in t]
    return sum(1 for d in drawings for t in targets(d) if "/charts/" in t)


def test_workbook_sheets_headers_formats_and_chart(engine) -> None:
    data = report_xlsx.workbook(pack_of(engine), "en")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "Summary",
        "Groups",
        *RENEWING[2:],
        *RENEWING[:2],
    ]  # Groups: review/group_rows.py
    front = wb["Summary"]
    header = [c.value for c in front[4]]
    assert header[:3] == ["Contract", "Customer", "Status"]
    assert {"Consumed", "Forecast", "Margin to date", "Suggested action", "Reason", "Suggested value"} <= set(
        header
    )
    assert front.freeze_panes == "C5"
    row = {h: front.cell(row=6, column=i + 1) for i, h in enumerate(header)}
    assert row["Contract"].value == "R-1"
    assert isinstance(row["Budget"].value, int | float) and "#,##0.00" in row["Budget"].number_format
    assert "€" in row["Budget"].number_format
    assert isinstance(row["Consumed"].value, int | float) and row["Consumed"].number_format.endswith("%")
    assert isinstance(row["End date"].value, dt.datetime)
    for letter in ("A", "B", "N"):
        assert front.column_dimensions[letter].width >= 8

    sheet = wb["R-1"]
    assert sheet.freeze_panes == "A3"
    assert charts_on(data, "R-1") == 1
    texts = {c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)}
    assert {"Facts", "Budget vs actual", "Actuals per month", "Work orders", "Hours by employee"} <= texts
    assert "Materials by article" in texts
    money_cells = [c for r in sheet.iter_rows() for c in r if isinstance(c.value, int | float)]
    assert money_cells and all(c.number_format != "General" for c in money_cells)


def test_text_that_looks_like_a_formula_stays_text(engine) -> None:
    data = report_xlsx.workbook(pack_of(engine), "nl")
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    evil = [c for c in cells if c.value == EVIL]
    assert evil and all(c.data_type == "s" and c.quotePrefix for c in evil)
    for text in ("@SUM(A1)", "-5 filters vervangen", "=1+1", "@jan", "=cmd|' /C calc'!A0"):
        assert any(c.value == text and c.data_type == "s" for c in cells), text
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_workbook_in_dutch(engine) -> None:
    wb = load_workbook(io.BytesIO(report_xlsx.workbook(pack_of(engine), "nl")))
    assert wb.sheetnames[0] == "Samenvatting"
    header = [c.value for c in wb["Samenvatting"][4]]
    assert (
        header[:3] == ["Contract", "Klant", "Status"]
        and "Prognose" in header
        and "Marge tot nu toe" in header
    )
    assert wb["R-1"]["A4"].value == "Gegevens"
    assert wb["Samenvatting"]["B2"].value is None and wb["Samenvatting"]["A2"].value.startswith(
        "Peildatum 15-06-2026"
    )


@pytest.mark.parametrize(
    ("number", "expected"),
    [("R-1", "R-1"), ("A/B:C", "A_B_C"), ("x" * 40, "x" * 31), ("'q'", "q"), ("summary", "summary (2)")],
)
def test_sheet_names_are_valid_and_unique(number: str, expected: str) -> None:
    assert report_xlsx.sheet_name(number, {"summary"}) == expected


def test_settings_reach_the_pack(engine) -> None:
    before = {r.contract_number: r.figures.status for r in pack_of(engine).contracts}
    with transaction(engine) as session:
        settings.save(session, Settings(at_risk_margin=Decimal("5"), target_margin=Decimal("0.5")))
    after = pack_of(engine)
    assert "at risk" in before.values() and "at risk" not in {r.figures.status for r in after.contracts}
    r = after.contracts[0]
    assert r.price.cost_price == (r.figures.forecast.total * 2).quantize(Decimal("0.01"))


def test_html_holds_every_contract_and_nothing_external(engine) -> None:
    page = report_html.html(pack_of(engine), "nl")
    for number in RENEWING:
        assert f'data-contract="{number}"' in page
    assert page.count('<section class="contract"') == 3
    assert "R-4" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page
    assert EVIL not in page and EVIL in unescape(page)  # there, as text
    assert "€\xa09.000,00" in page and "15-06-2026" in page


def test_html_opens_offline_and_prints_a_page_per_contract(browser, engine, tmp_path: Path) -> None:
    path = tmp_path / "pack.html"
    files.write(pack_of(engine), str(path), "en")
    requests: list[str] = []
    page = browser.new_page()  # in a context of its own (conftest's browser: the process's Chromium)
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        assert page.locator("section.contract").count() == 3
        assert page.locator("section.contract svg rect").count() > 0  # the month chart is drawn
        page.emulate_media(media="print")
        breaks = page.eval_on_selector_all(
            "section.contract", "els => els.map(e => getComputedStyle(e).breakBefore)"
        )
        pdf = page.pdf(format="A4", print_background=True, outline=True, tagged=True)
    finally:
        page.close()  # and its context
    assert requests == [path.as_uri()]
    assert breaks == ["page"] * 3
    pages, outline = pdf_outline(pdf)
    assert len(pages) == len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) >= 4
    # the outline (from the headings) says where each contract's heading landed:
    # each on its own page, at the top of it, in the pack's order, after the list
    starts = {title.split(" ")[0]: dest for title, dest in outline if title.startswith("R-")}
    assert list(starts) == ["R-3", "R-1", "R-2"]
    numbers = [pages.index(page_ref) for page_ref, _ in starts.values()]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3 and numbers[0] >= 1
    assert all(top > 842 - 80 for _, top in starts.values())  # A4 is 842 pt high; 12 mm margin


def pdf_outline(pdf: bytes) -> tuple[list[int], list[tuple[str, tuple[int, float]]]]:
    """The page object numbers in order, and (title, (page object, y)) of each outline entry.

    Enough of PDF for Chromium's (Skia's) uncompressed object and outline
    dictionaries; it saves a PDF library in the test dependencies.
    """
    kids = max(re.findall(rb"/Kids \[([^\]]*)\]", pdf), key=len)
    pages = [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]
    outline = []
    for body in re.findall(rb"<<(.*?)>>", pdf, re.S):
        title = re.search(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)", body)
        dest = re.search(rb"/Dest \[(\d+) 0 R /XYZ [\d.]+ ([\d.]+)", body)
        if title and dest:
            raw = title.group(1)
            text = (
                bytes.fromhex(raw[1:-1].decode()).decode("utf-16")
                if raw.startswith(b"<")
                else re.sub(rb"\\(.)", rb"\1", raw[1:-1]).decode("latin-1")
            )
            outline.append((text, (int(dest.group(1)), float(dest.group(2)))))
    return pages, outline


def test_cli_report_writes_both_formats(engine, tmp_path: Path) -> None:
    url = str(engine.url)
    out, err = io.StringIO(), io.StringIO()
    xlsx, html = tmp_path / "p.xlsx", tmp_path / "p.html"
    assert (
        cli.main(
            ["report", "--db", url, "--as-of", "2026-06-15", "--out", str(xlsx), "--lang", "nl"], out, err
        )
        == 0
    )
    assert "3 contract(s)" in out.getvalue()
    assert load_workbook(xlsx).sheetnames == ["Samenvatting", "Groepen", "R-3", "R-1", "R-2"]
    args = ["report", "--db", url, "--as-of", "2026-06-15", "--contract", "R-4", "--out", str(html)]
    assert cli.main(args, out, err) == 0
    assert 'data-contract="R-4"' in html.read_text(encoding="utf-8")
    assert cli.main(["report", "--db", url, "--contract", "nope", "--out", str(html)], out, err) == 1
    assert cli.main(["report", "--db", url, "--out", str(tmp_path / "p.pdf")], out, err) == 2


def test_cli_summary_uses_the_stored_thresholds(engine) -> None:
    url = str(engine.url)

    def statuses() -> set[str]:
        out = io.StringIO()
        assert cli.main(["summary", "--db", url, "--as-of", "2026-06-15", "--format", "json"], out) == 0
        return {row["status"] for row in __import__("json").loads(out.getvalue())}

    assert "at risk" in statuses()
    with transaction(engine) as session:
        settings.save(session, Settings(at_risk_margin=Decimal("5")))
    assert "at risk" not in statuses()


def test_the_pack_is_the_same_on_postgresql(engine, pg_url: str, tmp_path: Path, schema_template) -> None:
    pg = make_engine(pg_url)
    schema_template(pg)
    assert import_paths(prepared(pg), [write_csv(tmp_path / "in")]).ok
    try:
        on_sqlite, on_pg = pack_of(engine), pack_of(pg)
        assert [r.contract_number for r in on_pg.contracts] == [
            r.contract_number for r in on_sqlite.contracts
        ]
        for a, b in zip(on_sqlite.contracts, on_pg.contracts, strict=True):
            assert (a.figures, a.price, a.suggestion) == (b.figures, b.price, b.suggestion)
            assert (list(a.months), list(a.work_orders), list(a.hours), list(a.materials)) == (
                list(b.months), list(b.work_orders), list(b.hours), list(b.materials),
            )  # fmt: skip
            assert list(a.findings) == list(b.findings)
    finally:
        pg.dispose()


def test_cli_csv_keeps_formula_text_as_text(engine) -> None:
    out = io.StringIO()
    assert (
        cli.main(["summary", "--db", str(engine.url), "--as-of", "2026-06-15", "--format", "csv"], out) == 0
    )
    rows = {row["contract_number"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["R-1"]["customer"] == "'" + EVIL
    assert rows["R-3"]["margin"] == "314.45"  # 500 x 350/365 - 165; numbers are ours, never prefixed


def test_every_text_of_the_pack_has_dutch(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record each key the pack asks t() for in Dutch (labels come from lists, which a
    source scan cannot see) and check that the catalog has them all."""
    from budgetcore import i18n

    original, asked = i18n.t, set()

    def recording(text: str, lang: str = "en", /, **values: object) -> str:
        if lang == "nl":
            asked.add(text)
        return original(text, lang, **values)

    for module in (i18n, reports, report_xlsx, report_html):
        monkeypatch.setattr(module, "t", recording)
    pack = pack_of(engine)
    report_xlsx.workbook(pack, "nl")
    report_html.html(pack, "nl")
    assert {"Work order", "Hour type", "Suggested value", "Labour"} <= asked
    assert i18n.missing(sorted(asked)) == []


def test_a_single_contract_pack_has_no_list_page(engine) -> None:
    page = report_html.html(pack_of(engine, contract_number="R-1"), "en")
    assert '<header class="single">' in page and 'class="summary"' not in page
    assert page.count('<section class="contract"') == 1 and "Contract review R-1" in page


def test_visits_read_the_same_in_the_pack_as_on_the_page() -> None:
    from types import SimpleNamespace

    assert reports.visits_text(SimpleNamespace(visits_done=0, planned_visits=None)) == "0 / —"  # type: ignore[arg-type]
    assert reports.visits_text(SimpleNamespace(visits_done=3, planned_visits=4)) == "3 / 4"  # type: ignore[arg-type]


ODD_TEXTS = (
    "  leading space", "trailing tab\t", "a & b <c> d", "_x0041_ stays as written", "carriage\rreturn",
    "control\x01character", "x" * 60, "=SUM(A1)", "@ref", "-2+3", "line\nbreak", "plain",
)  # fmt: skip


def _cells(data: bytes) -> list[tuple]:
    """Every cell of a workbook with its type and style, and each sheet's widths and size."""
    wb = load_workbook(io.BytesIO(data))
    found: list[tuple] = [tuple(wb.sheetnames)]
    for ws in wb.worksheets:
        found.append((ws.title, ws.dimensions, {k: d.width for k, d in ws.column_dimensions.items()}))
        found += [
            (ws.title, c.coordinate, c.value, c.data_type, c.number_format, c.quotePrefix,
             c.alignment.wrap_text, c.alignment.vertical, c.font.b)
            for row in ws.iter_rows() for c in row
        ]  # fmt: skip
    return found


@pytest.mark.parametrize(
    "texts",
    [ODD_TEXTS, tuple(t for t in ODD_TEXTS if not re.search(r"[\x01\r]|_x0041_", t))],
    ids=["with-escapes", "without"],
)
def test_rows_written_as_xml_hold_what_xlsxwriter_writes(
    engine, monkeypatch: pytest.MonkeyPatch, texts: tuple[str, ...]
) -> None:
    """The table rows written as sheet XML (sheet_rows.py) read back cell by cell as XlsxWriter's
    own rows do: texts with control characters, escapes, white space at either end, formula
    starts deep in a long list (a format first needed there), numbers, dates and blanks."""
    from dataclasses import replace

    from budgetcore.review import sheet_rows

    pack = pack_of(engine)
    listed = [
        replace(r, figures=replace(r.figures, inputs=replace(r.figures.inputs, customer=text)))
        for text, r in zip(texts, [r for r in pack.every for _ in range(len(texts))], strict=False)
    ]
    pack = replace(pack, listed=[*pack.every, *listed])
    for lang in ("en", "nl"):
        as_xml = report_xlsx.workbook(pack, lang)
        with monkeypatch.context() as patched:  # no format's index known: XlsxWriter writes every row
            patched.setattr(sheet_rows.Rows, "style", lambda self, fmt: None)
            by_xlsxwriter = report_xlsx.workbook(pack, lang)
        assert b"inlineStr" in _sheet_xml(as_xml) and b"inlineStr" not in _sheet_xml(by_xlsxwriter)
        assert _cells(as_xml) == _cells(by_xlsxwriter)
        summary = load_workbook(io.BytesIO(as_xml)).worksheets[0]
        shown = {c.value for row in summary.iter_rows() for c in row}
        assert {t for t in texts if "\x01" not in t and "\r" not in t} <= shown
        # white space at either end kept, as XlsxWriter marks it (openpyxl keeps it either way)
        assert b'<t xml:space="preserve">  leading space</t>' in _sheet_xml(as_xml)
        assert b'<t xml:space="preserve">trailing tab\t</t>' in _sheet_xml(as_xml)
