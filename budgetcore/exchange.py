"""The exchange format: entities, their columns (English and Dutch), value parsing, file reading."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ENTITIES = ("contracts", "budgets", "work_orders", "hours", "materials")


@dataclass(frozen=True)
class Column:
    """One column of an entity: its canonical name, value kind, and other names it goes by."""

    name: str
    kind: str  # text | date | decimal | int | bool | category | contract_type | work_order_type
    required: bool = False
    aliases: tuple[str, ...] = ()


def _c(name: str, kind: str = "text", required: bool = False, *aliases: str) -> Column:
    return Column(name, kind, required, aliases)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "contracts": (
        _c("contract_number", "text", True, "contractnummer", "contractnr", "contract"),
        _c("customer", "text", True, "klant", "klantnaam", "customer_name"),
        _c("customer_number", "text", False, "klantnummer", "klantnr"),
        _c("city", "text", False, "plaats", "woonplaats", "vestigingsplaats"),
        _c("name", "text", False, "naam", "contractnaam", "omschrijving", "description"),
        _c("type", "contract_type", False, "contracttype", "soort", "contract_type"),
        _c("start_date", "date", True, "startdatum", "ingangsdatum", "begindatum"),
        _c("end_date", "date", True, "einddatum", "vervaldatum"),
        _c(
            "notice_period_days",
            "int",
            False,
            "opzegtermijn (dagen)",
            "opzegtermijn",
            "opzegtermijn dagen",
            "notice_period",
        ),
        _c(
            "auto_renew",
            "bool",
            False,
            "stilzwijgend verlengen",
            "automatisch verlengen",
            "automatische verlenging",
            "autoverlengen",
        ),
        _c(
            "renewal_months",
            "int",
            False,
            "verlengingstermijn (maanden)",
            "verlengingstermijn",
            "verlenging (maanden)",
        ),
        _c("contract_value", "decimal", False, "contractwaarde", "waarde", "contractbedrag"),
        _c("planned_visits", "int", False, "geplande bezoeken", "aantal bezoeken", "bezoeken"),
        _c("account_manager", "text", False, "accountmanager", "accountbeheerder"),
        _c("terminated_on", "date", False, "opgezegd op", "opzegdatum", "beeindigd op"),
    ),
    "budgets": (
        _c("contract_number", "text", True, "contractnummer", "contractnr", "contract"),
        _c("category", "category", True, "categorie", "kostensoort"),
        _c("amount", "decimal", True, "bedrag", "budget"),
        _c("hours", "decimal", False, "uren", "budgeturen"),
        _c("period_start", "date", False, "periode start", "begin periode", "periode van", "van"),
        _c("period_end", "date", False, "periode eind", "einde periode", "periode tot", "tot"),
    ),
    "work_orders": (
        _c("work_order_number", "text", True, "werkbonnummer", "werkbon", "werkbonnr"),
        _c("contract_number", "text", False, "contractnummer", "contractnr", "contract"),
        _c("date", "date", True, "datum", "werkbondatum", "uitvoerdatum"),
        _c("type", "work_order_type", False, "soort", "werkbontype", "work_order_type"),
        _c("status", "text", False),
        _c("description", "text", False, "omschrijving"),
    ),
    "hours": (
        _c("work_order_number", "text", True, "werkbonnummer", "werkbon", "werkbonnr"),
        _c("date", "date", True, "datum"),
        _c("employee", "text", False, "medewerker", "monteur", "technicus"),
        _c("hour_type", "text", False, "uursoort", "soort uren", "type"),
        _c("hours", "decimal", True, "uren", "aantal uren"),
        _c("cost_rate", "decimal", True, "kostprijs", "kosttarief", "kostprijs per uur"),
        _c("sales_rate", "decimal", False, "verkoopprijs", "verkooptarief", "uurtarief"),
    ),
    "materials": (
        _c("work_order_number", "text", True, "werkbonnummer", "werkbon", "werkbonnr"),
        _c("date", "date", True, "datum"),
        _c("article_code", "text", False, "artikelcode", "artikelnummer", "artikel"),
        _c("description", "text", False, "omschrijving"),
        _c("quantity", "decimal", True, "aantal", "hoeveelheid"),
        _c("unit_cost", "decimal", True, "kostprijs", "inkoopprijs", "kostprijs per stuk"),
        _c("unit_price", "decimal", False, "verkoopprijs", "prijs"),
    ),
}

ENTITY_NAMES = {
    "contracts": ("contracts", "contract", "contracten"),
    "budgets": ("budgets", "budget", "budgetten", "budgetregels", "budget_lines"),
    "work_orders": ("work_orders", "workorders", "werkbonnen", "werkbon", "work_order"),
    "hours": ("hours", "uren", "hour_lines", "urenregels"),
    "materials": ("materials", "materialen", "materiaal", "material_lines", "materiaalregels"),
}

VALUE_WORDS = {
    "bool": {
        "true": True, "yes": True, "y": True, "1": True, "ja": True, "j": True, "waar": True,
        "false": False, "no": False, "n": False, "0": False, "nee": False, "onwaar": False,
    },
    "category": {
        "labour": "labour", "labor": "labour", "arbeid": "labour", "uren": "labour",
        "material": "material", "materials": "material", "materiaal": "material",
        "materialen": "material", "other": "other", "overig": "other", "overige": "other",
    },
    "contract_type": {
        "preventive": "preventive", "preventief": "preventive", "onderhoud": "preventive",
        "corrective": "corrective", "correctief": "corrective",
        "yearly_orders": "yearly_orders", "yearlyorders": "yearly_orders",
        "jaarorders": "yearly_orders", "jaarorder": "yearly_orders",
    },
    "work_order_type": {
        "periodic": "periodic", "periodiek": "periodic", "preventief": "periodic",
        "corrective": "corrective", "correctief": "corrective", "storing": "corrective",
        "extra": "extra", "meerwerk": "extra",
    },
}  # fmt: skip


def normalise_header(text: str) -> str:
    """Header comparison ignores case, spacing and punctuation: 'Opzegtermijn (dagen)'."""
    return re.sub(r"[^0-9a-z]", "", text.strip().lower())


def entity_from_name(file_name: str) -> str | None:
    """contracts.csv, Werkbonnen.xlsx, 2026-uren.csv ... -> entity, or None."""
    stem = normalise_header(Path(file_name).stem)
    for entity, names in ENTITY_NAMES.items():
        if stem in {normalise_header(n) for n in names}:
            return entity
    for entity, names in ENTITY_NAMES.items():  # e.g. export_werkbonnen_2026
        if any(normalise_header(n) in stem for n in names if len(n) > 4):
            return entity
    return None


def header_map(entity: str, headers: list[str]) -> dict[int, Column]:
    """Which file column (by index) holds which entity column."""
    lookup: dict[str, Column] = {}
    for column in COLUMNS[entity]:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(alias), column)
    mapping: dict[int, Column] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        column = lookup.get(normalise_header(header))
        if column is not None and column.name not in taken:
            mapping[index] = column
            taken.add(column.name)
    return mapping


def entity_from_headers(headers: list[str]) -> str | None:
    """The entity whose required columns are all present, preferring the best overlap."""
    best: tuple[int, str] | None = None
    for entity, columns in COLUMNS.items():
        mapped = {c.name for c in header_map(entity, headers).values()}
        if all(c.name in mapped for c in columns if c.required):
            score = len(mapped)
            if best is None or score > best[0]:
                best = (score, entity)
    return None if best is None else best[1]


# -- values ------------------------------------------------------------------

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),
)
MAX_ABS = Decimal("1e12")  # beyond this no amount, hour or quantity is plausible


def parse_decimal(text: str, decimal_comma: bool) -> Decimal:
    """'€ 1.234,56', '1234.56', '-12,5' -> Decimal; ValueError says what is wrong.

    decimal_comma is the file's convention (semicolon files are Dutch): it
    decides the ambiguous '1.234' (one thousand two hundred and thirty-four
    in a Dutch file, one point two three four otherwise).
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    s = re.sub(r"(?i)^eur|eur$", "", s)
    if s.startswith("(") and s.endswith(")"):  # accounting negative
        s = "-" + s[1:-1]
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if (not decimal_comma and _THOUSANDS_COMMA.match(s)) else s.replace(",", ".")
    elif "." in s and (s.count(".") > 1 or decimal_comma) and _THOUSANDS_DOT.match(s):
        s = s.replace(".", "")
    if not _PLAIN_NUMBER.match(s):
        raise ValueError("not a number")
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise ValueError("not a number") from exc
    if abs(value) >= MAX_ABS:
        raise ValueError("number too large")
    return value


def parse_date(text: str) -> dt.date:
    """'2026-03-31', '31-03-2026', '31/03/2026' -> date; ValueError if no such day."""
    s = text.strip()
    if "T" in s or " " in s:  # '2026-03-31 00:00:00' from spreadsheets
        s = re.split(r"[T ]", s, maxsplit=1)[0]
    for pattern, (y, m, d) in _DATE_FORMS:
        match = pattern.match(s)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError as exc:
                raise ValueError("no such date") from exc
    raise ValueError("not a date (expected YYYY-MM-DD or DD-MM-YYYY)")


def parse_int(text: str, decimal_comma: bool) -> int:
    value = parse_decimal(text, decimal_comma)
    if value != value.to_integral_value():
        raise ValueError("not a whole number")
    return int(value)


def parse_value(column: Column, text: str, decimal_comma: bool) -> object:
    """A cell's text -> the column's value (None when empty); ValueError when invalid."""
    if text is None or text.strip() == "":
        if column.required:
            raise ValueError("required value missing")
        return None
    kind = column.kind
    if kind == "text":
        return text.strip()
    if kind == "decimal":
        return parse_decimal(text, decimal_comma)
    if kind == "int":
        return parse_int(text, decimal_comma)
    if kind == "date":
        return parse_date(text)
    words = VALUE_WORDS[kind]
    key = normalise_header(text) if kind != "bool" else text.strip().lower()
    if key not in words and kind != "bool":
        key = text.strip().lower()
    if key not in words:
        allowed = sorted(set(str(v).lower() for v in words.values()))
        raise ValueError(f"unknown value (expected one of {', '.join(allowed)})")
    return words[key]


# -- files -------------------------------------------------------------------


@dataclass
class SourceTable:
    """One entity's rows as read from a file or sheet, before validation.

    rows yields (row number as the user sees it, cells); the header is row 1.
    """

    file: str
    entity: str | None
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    decimal_comma: bool = False
    mapping: dict[int, Column] = field(default_factory=dict)


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig when a BOM is present, utf-8 when the sample decodes, else cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a character cut at the sample's end
            return "utf-8"
        return "cp1252"


def sniff_delimiter(header_line: str) -> str:
    """';' or ',' (or tab): whichever splits the header line into more fields."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def open_csv(file_name: str, stream: io.BufferedIOBase) -> SourceTable:
    """Read a CSV's header and return a table whose rows are read lazily from stream."""
    sample = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    encoding = detect_encoding(sample)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    first = text.readline()
    delimiter = sniff_delimiter(first)
    headers = next(csv.reader([first], delimiter=delimiter), [])
    headers = [h.strip() for h in headers]
    reader = csv.reader(text, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            yield number, cells

    entity = entity_from_name(file_name) or entity_from_headers(headers)
    return SourceTable(
        file=file_name,
        entity=entity,
        headers=headers,
        rows=rows(),
        encoding=encoding,
        delimiter=delimiter,
        decimal_comma=delimiter == ";",
        mapping=header_map(entity, headers) if entity else {},
    )
