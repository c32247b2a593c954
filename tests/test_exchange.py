"""The exchange format: values, headers, entity recognition, encodings, separators, workbooks."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest

from budgetcore.exchange.encodings import decode_utf8
from budgetcore.exchange.formats import (
    COLUMNS,
    Column,
    detect_encoding,
    entity_from_headers,
    guess_decimal_comma,
    header_map,
    open_csv,
    parse_date,
    parse_decimal,
    parse_value,
    recognise,
    sniff_delimiter,
)
from budgetcore.exchange.importing import read_uploads
from budgetcore.exchange.workbook import template, template_headers


def column(entity: str, name: str) -> Column:
    return next(c for c in COLUMNS[entity] if c.name == name)


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1234.56", False, "1234.56"),
        ("1234,56", True, "1234.56"),
        ("1.234,56", True, "1234.56"),
        ("1.234,56", False, "1234.56"),  # unambiguous whatever the file's convention
        ("1,234.56", True, "1234.56"),
        ("€ 1.234,56", True, "1234.56"),
        ("€1.234.567,00", True, "1234567.00"),
        ("EUR 12,50", True, "12.50"),
        ("-12,5", True, "-12.5"),
        ("(12,50)", True, "-12.50"),
        ("12,50-", True, "-12.50"),
        ("1.234", True, "1234"),  # Dutch file: thousands
        ("1.234", False, "1.234"),  # English file: decimals
        ("1,234", False, "1234"),
        ("1,234", True, "1.234"),
        ("1.234.567", False, "1234567"),
        (" 7 ", False, "7"),
        ("1\u00a0234,00", True, "1234.00"),
        (".5", False, "0.5"),
        ("€ 6.250,-", True, "6250"),  # whole euros, the Dutch way (issue 22)
        ("€ 6.250,--", True, "6250"),
        ("6.250,-", False, "6250"),  # ',-' says the dots group thousands, whatever the file's guess
        ("12,-", True, "12"),
        ("(6.250,-)", True, "-6250"),
    ],
)
def test_parse_decimal(text: str, decimal_comma: bool, expected: str) -> None:
    assert parse_decimal(text, decimal_comma) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "1,2,3,4.5.6", "12e3", "1.2.3,4,5", "--1", "€", "1 2 3 4 5 6 7 8 9" * 9]
)
def test_parse_decimal_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(text, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-31", dt.date(2026, 3, 31)),
        ("31-03-2026", dt.date(2026, 3, 31)),
        ("31/03/2026", dt.date(2026, 3, 31)),
        ("1-3-2026", dt.date(2026, 3, 1)),
        ("31.03.2026", dt.date(2026, 3, 31)),
        ("2026/03/31", dt.date(2026, 3, 31)),
        ("20260331", dt.date(2026, 3, 31)),
        ("31 mrt 2026", dt.date(2026, 3, 31)),
        ("31-okt-2026", dt.date(2026, 10, 31)),
        ("2026-03-31 00:00:00", dt.date(2026, 3, 31)),
        ("2026-03-31T12:00", dt.date(2026, 3, 31)),
        ("31-03-2026 08:15", dt.date(2026, 3, 31)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31-02-2026", "no such date"),
        ("2026-13-01", "no such date"),
        ("29-02-2027", "no such date"),
        ("03/31/2026", "no such date"),  # American order is not guessed
        ("0001-01-01", "out of range"),
        ("morgen", "not a date"),
        ("31 foo 2026", "not a date"),
    ],
)
def test_parse_date_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("entity", "name", "cell", "expected"),
    [
        ("contracts", "auto_renew", "ja", True),
        ("contracts", "auto_renew", "Nee", False),
        ("contracts", "auto_renew", True, True),
        ("contracts", "type", "Preventief", "preventive"),
        ("contracts", "type", "jaarorders", "yearly_orders"),
        ("contracts", "type", "Yearly orders", "yearly_orders"),
        ("budgets", "category", "ARBEID", "labour"),
        ("budgets", "category", "materiaal", "material"),
        ("budgets", "category", "overig", "other"),
        ("work_orders", "type", "periodiek", "periodic"),
        ("work_orders", "type", "meerwerk", "extra"),
        ("contracts", "notice_period_days", "90", 90),
        ("contracts", "notice_period_days", 90.0, 90),
        ("contracts", "contract_value", 1234.56, Decimal("1234.56")),  # Excel float via repr, exact
        ("contracts", "contract_value", 0.1, Decimal("0.1")),
        ("contracts", "start_date", dt.datetime(2026, 3, 31), dt.date(2026, 3, 31)),
        ("contracts", "start_date", 46112, dt.date(2026, 3, 31)),  # an unformatted Excel date
        ("contracts", "contract_number", 12345.0, "12345"),  # a number Excel stored for a code
        ("contracts", "contract_number", " CT-1 ", "CT-1"),
        ("contracts", "customer", "Café Ĳssel", "Café Ĳssel"),
        ("hours", "hours", "-1,5", Decimal("-1.5")),  # corrections are negative lines
        ("contracts", "city", "", None),
        ("contracts", "contract_value", "€ 6.250,-", Decimal("6250")),  # was "must not be negative"
        ("budgets", "amount", "1.250,--", Decimal("1250")),
        ("hours", "hours", "(1,5)", Decimal("-1.5")),  # accounting negative where negatives are allowed
    ],
)
def test_parse_value(entity: str, name: str, cell: object, expected: object) -> None:
    assert parse_value(column(entity, name), cell, True) == expected


@pytest.mark.parametrize(
    ("entity", "name", "cell", "message"),
    [
        ("contracts", "contract_number", "", "required value missing"),
        ("contracts", "contract_number", None, "required value missing"),
        ("contracts", "auto_renew", "misschien", "unknown value"),
        ("budgets", "category", "reiskosten", "unknown value"),
        ("contracts", "type", "jaarlijks", "unknown value"),
        ("contracts", "notice_period_days", "12,5", "not a whole number"),
        ("contracts", "notice_period_days", "-30", "must not be negative"),
        ("budgets", "amount", "-100", "must not be negative"),
        ("budgets", "amount", "(100)", "must not be negative"),  # accounting negative, refused alike
        ("budgets", "amount", "999999999999999", "too large"),
        ("hours", "cost_rate", float("nan"), "not a number"),
        ("hours", "cost_rate", float("inf"), "not a number"),
        ("hours", "cost_rate", 1e300, "too large"),
        ("hours", "cost_rate", True, "not a number"),
        ("hours", "hours", "twee", "not a number"),
        ("contracts", "start_date", dt.time(8, 0), "not a date"),
        ("contracts", "contract_number", "X" * 51, "too long"),
        ("contracts", "customer", "Caf\x00", "unreadable character"),
        ("contracts", "customer", "Caf\ufffd", "unreadable character"),
    ],
)
def test_parse_value_rejects(entity: str, name: str, cell: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_value(column(entity, name), cell, True)


@pytest.mark.parametrize(
    ("name", "headers", "entity"),
    [
        ("contracts.csv", [], "contracts"),
        ("Contracten.CSV", [], "contracts"),
        ("budgetten.csv", [], "budgets"),
        ("Werkbonnen.xlsx", [], "work_orders"),
        ("work_orders.csv", [], "work_orders"),
        ("2026-uren.csv", [], "hours"),
        ("export_werkbonnen_2026.csv", [], "work_orders"),
        ("Materialen", [], "materials"),
        ("exportmateriaalregels2026.csv", [], "materials"),
        ("export.csv", ["Werkbonnummer", "Datum", "Medewerker", "Uren", "Kostprijs"], "hours"),
        ("export.csv", ["werkbonnummer", "datum", "artikelcode", "aantal", "kostprijs"], "materials"),
        ("export.csv", ["werkbonnummer", "contractnummer", "datum", "omschrijving"], "work_orders"),
        ("export.csv", ["Contractnummer", "Categorie", "Bedrag"], "budgets"),
        ("export.csv", ["Contractnummer", "Klant", "Startdatum", "Einddatum"], "contracts"),
        (
            "contract uren.csv",
            ["werkbonnummer", "datum", "uren", "kostprijs"],
            "hours",
        ),  # two names: headers decide
        ("export.csv", ["a", "b"], None),
    ],
)
def test_recognise(name: str, headers: list[str], entity: str | None) -> None:
    assert recognise(name, headers) == entity


def test_headers_ignore_case_spacing_and_accents() -> None:
    mapping = header_map(
        "contracts", ["CONTRACTNUMMER", " Klant ", "Opzegtermijn (dagen)", "Beëindigd op", "opmerking"]
    )
    assert {i: c.name for i, c in mapping.items()} == {
        0: "contract_number",
        1: "customer",
        2: "notice_period_days",
        3: "terminated_on",
    }


def test_header_overrides_fix_what_was_not_recognised() -> None:
    headers = ["Nr.", "Klant", "Begin", "Eind"]
    assert entity_from_headers(headers) is None
    mapping = header_map(
        "contracts", headers, {"Nr.": "contract_number", "Begin": "start_date", "Eind": "end_date"}
    )
    assert sorted(c.name for c in mapping.values()) == [
        "contract_number",
        "customer",
        "end_date",
        "start_date",
    ]
    # an override to '' drops a header that was recognised
    assert 1 not in header_map("contracts", headers, {"Klant": ""})


@pytest.mark.parametrize(
    ("sample", "encoding"),
    [
        (b"a;b\n1;2\n", "utf-8"),
        ("klant;plaats\nCafé;Zwolle\n".encode(), "utf-8"),
        (b"\xef\xbb\xbfklant;plaats\n", "utf-8-sig"),
        ("klant;plaats\nCafé;€\n".encode("cp1252"), "cp1252"),
        ("klant\tplaats\n".encode("utf-16"), "utf-16"),
        ("klant\nCafé".encode()[:-1], "utf-8"),  # a character cut at the sample's end
    ],
)
def test_detect_encoding(sample: bytes, encoding: str) -> None:
    assert detect_encoding(sample) == encoding


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a;b;c\n", ";"),
        ("a,b,c\n", ","),
        ("a\tb\tc\n", "\t"),
        ('"naam, voluit";bedrag\n', ";"),
        ('"a;b",c,d\n', ","),
        ("single\n", ","),
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("cells", "default", "expected"),
    [
        (["12,50", "1.234"], False, True),
        (["12.50", "1,234"], True, False),
        (["1.234", "7"], True, True),  # nothing telling: the semicolon default
        (["1.234", "7"], False, False),
        (["1.234,56"], False, True),
    ],
)
def test_guess_decimal_comma(cells: list[str], default: bool, expected: bool) -> None:
    mapping = {0: column("budgets", "amount")}
    assert guess_decimal_comma(mapping, [(n, [c]) for n, c in enumerate(cells, 2)], default) is expected


def _csv(name: str, data: bytes):
    return open_csv(name, io.BufferedReader(io.BytesIO(data)), len(data))


def test_open_csv_dutch_export() -> None:
    data = "sep=;\r\nContractnummer;Klant;Startdatum;Einddatum;Contractwaarde\r\nK-1;Café;01-01-2026;31-12-2026;€ 1.234\r\n"
    table = _csv("Contracten 2026.csv", data.encode("cp1252"))
    assert (table.entity, table.encoding, table.delimiter, table.decimal_comma) == (
        "contracts",
        "cp1252",
        ";",
        True,
    )
    assert list(table.rows) == [(2, ["K-1", "Café", "01-01-2026", "31-12-2026", "€ 1.234"])]


def test_open_csv_ascii_with_one_cp1252_byte_far_down_is_cp1252() -> None:
    """The encoding is the whole file's: one Windows-1252 byte after the sample makes it cp1252."""
    lines = ["work_order_number,date,hours,cost_rate,employee"] + [
        f"W{i},2026-01-01,1,50,Jan" for i in range(5000)
    ]
    data = ("\n".join(lines) + "\nW9,2026-01-01,1,50,").encode() + "Zoë\n".encode("cp1252")
    table = _csv("hours.csv", data)
    assert table.encoding == "cp1252"
    assert list(table.rows)[-1][1][-1] == "Zoë"


@pytest.mark.parametrize("byte", range(0x80, 0x100))
def test_a_stray_byte_in_utf8_text_reads_as_its_windows_1252_character(byte: int) -> None:
    data = b"caf" + bytes([byte]) + b"!" + "é\n".encode()
    assert decode_utf8(data) == "caf" + bytes([byte]).decode("cp1252", errors="replace") + "!é\n"


def test_a_stray_byte_past_the_sample_of_an_unseekable_stream_reads_as_windows_1252() -> None:
    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

    data = "klant\nCafé\n".encode() + b"x\n" * 40000 + "Zoë\n".encode("cp1252")
    table = open_csv("customers.csv", io.BufferedReader(Unseekable(data)))
    assert table.encoding == "utf-8"
    assert [cells for _, cells in table.rows][-1] == ["Zoë"]
    with pytest.raises(LookupError):  # read without a decoding handler registered for the process
        codecs.lookup_error("budgetcore-cp1252")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("klant\nCafé\nZoë\n".encode("cp1252") + "Café\n".encode() + b"x\n",
         "mixed encodings: line 4 is written in UTF-8, line 2 in Windows-1252; save the file in one encoding"),
        ("klant\nCafé\n".encode() + b"x\n" * 9000 + "Zoë\n".encode("cp1252"),
         "mixed encodings: line 9003 is written in Windows-1252, line 2 in UTF-8; save the file in one encoding"),
        (codecs.BOM_UTF8 + b"klant\n" + "Zoë\n".encode("cp1252"),
         "mixed encodings: line 2 is written in Windows-1252, line 1 in UTF-8; save the file in one encoding"),
    ],
)  # fmt: skip
def test_a_file_mixing_encodings_is_refused_naming_the_first_bad_line(data: bytes, message: str) -> None:
    tables, problems = read_uploads([("contracts.csv", data)])
    assert not tables and [p.message for p in problems] == [message]


def test_utf16_without_a_bom_is_read_as_utf16() -> None:
    text = "contract_number,customer,start_date,end_date\nK-1,Café,2026-01-01,2026-12-31\n"
    for codec in ("utf-16-le", "utf-16-be"):
        table = _csv("contracts.csv", text.encode(codec))
        assert table.headers == ["contract_number", "customer", "start_date", "end_date"], codec
        assert list(table.rows) == [(2, ["K-1", "Café", "2026-01-01", "2026-12-31"])]


@pytest.mark.parametrize("text", ["1.2.3,4", "1,2,3.4", "12.34,5", "1,23.5", "1.234,5,6"])
@pytest.mark.parametrize("decimal_comma", [True, False])
def test_thousands_groups_must_have_three_digits(text: str, decimal_comma: bool) -> None:
    with pytest.raises(ValueError, match="thousands groups must have three digits"):
        parse_decimal(text, decimal_comma)


def test_row_numbers_count_blank_lines_and_quoted_newlines_as_the_user_sees_them() -> None:
    table = _csv(
        "werkbonnen.csv",
        b'werkbonnummer;datum;omschrijving\n\nW1;01-01-2026;"twee\nregels"\nW2;02-01-2026;x\n',
    )
    assert [n for n, _ in table.rows] == [3, 4]


def test_template_in_both_languages_has_every_sheet_and_imports_as_is() -> None:
    for lang, first in (("en", "contracts"), ("nl", "contracten")):
        tables, problems = read_uploads([(f"template-{lang}.xlsx", template(lang))])
        assert problems == []
        assert tables[0].file == f"template-{lang}.xlsx / {first}"
        assert [t.entity for t in tables] == ["contracts", "budgets", "work_orders", "hours", "materials"]
        for table in tables:
            assert table.headers == template_headers(table.entity, lang)  # type: ignore[arg-type]
            assert len(table.mapping) == len(table.headers)
            assert len(list(table.rows)) == 2


def test_a_title_above_the_header_of_a_sheet_is_skipped_and_rows_keep_their_sheet_numbers() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Werkbonnen"
    sheet.append(["Export werkbonnen 2026"])
    sheet.append([])
    sheet.append(["Werkbonnummer", "Contractnummer", "Datum", "Soort"])
    sheet.append(["W-1", "K-1", dt.datetime(2026, 3, 1), "Periodiek onderhoud"])
    buffer = io.BytesIO()
    book.save(buffer)
    (table,) = read_uploads([("export.xlsx", buffer.getvalue())])[0]
    assert (table.entity, table.headers[0]) == ("work_orders", "Werkbonnummer")
    assert [n for n, _ in table.rows] == [4]


def test_the_templates_example_rows_import_only_with_a_finding(engine) -> None:
    """Issue 14: the template's examples (CT-2026-001, 'Gemeente Voorbeeld') imported silently."""
    from budgetcore.exchange.importing import import_tables
    from budgetcore.exchange.validation import EXAMPLE_ROW

    tables, _ = read_uploads([("template-nl.xlsx", template("nl"))])
    result = import_tables(engine, tables, dry_run=True)
    examples = [p for p in result.findings if p.message == EXAMPLE_ROW]
    assert [(p.row, p.value) for p in examples] == [(2, "CT-2026-001"), (3, "CT-2026-002")]
    assert examples[0].translated("nl").startswith("voorbeeldregel uit het sjabloon")


def test_a_broken_workbook_is_said_in_the_readers_language() -> None:
    _tables, problems = read_uploads([("export.xlsx", b"PK not a zip")])
    assert [p.translated("nl") for p in problems] == ["geen leesbaar .xlsx-werkboek (BadZipFile)"]
    assert [p.translated("en") for p in problems] == ["not a readable .xlsx workbook (BadZipFile)"]
