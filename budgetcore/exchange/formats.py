"""The exchange format: entities, their columns (English and Dutch), value parsing, reading CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from budgetcore.exchange import limits
from budgetcore.exchange.encodings import UTF8_ERRORS, decide_encoding, detect_encoding, mended
from budgetcore.i18n import N_

ENTITIES = ("contracts", "budgets", "work_orders", "hours", "materials")


@dataclass(frozen=True)
class FormulaCell:
    """An Excel formula cell without a saved value (the workbook was never recalculated)."""

    coordinate: str  # e.g. 'D5'

    def __str__(self) -> str:
        return ""


Cell = str | int | float | Decimal | dt.date | dt.datetime | dt.time | bool | FormulaCell | None
"""A cell as a reader hands it over: text from CSV, typed values from Excel."""

csv.field_size_limit(limits.CELL_CHARS)  # a longer cell stops the csv module: limits.py's rule


@dataclass(frozen=True)
class Column:
    """One column of an entity: its canonical name, value kind, other names, and limits.

    kind: text | date | decimal | int | bool | category | contract_type | work_order_type.
    max_length applies to text (the database column's size); minimum and maximum
    to numbers (maximum is exclusive, in the column's unit: EUR, hours, days...).
    """

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def _c(
    name: str,
    kind: str = "text",
    required: bool = False,
    *aliases: str,
    length: int | None = None,
    minimum: str | None = None,
    maximum: str | None = None,
) -> Column:
    return Column(
        name,
        kind,
        required,
        aliases,
        length,
        None if minimum is None else Decimal(minimum),
        None if maximum is None else Decimal(maximum),
    )


# Limits keep every value and every product (hours x rate, amount x days) inside
# the 64-bit integer millionths that storage and the SQL sums use.
_CONTRACT = ("contractnummer", "contractnr", "contract", "contract no", "contract nr", "contractcode")
_WORK_ORDER = (
    "werkbonnummer", "werkbon", "werkbonnr", "werkbon nr", "werkorder", "werkordernummer",
    "werkordernr", "bonnummer", "work order", "work order no", "work order nr", "wo number", "order number",
)  # fmt: skip
_RATE = {"minimum": "0", "maximum": "1e6"}
COLUMNS: dict[str, tuple[Column, ...]] = {
    "contracts": (
        _c("contract_number", "text", True, *_CONTRACT, length=50),
        _c("customer", "text", True, "klant", "klantnaam", "customer name", "debiteur", "debiteurnaam", "relatie", length=200),
        _c("customer_number", "text", False, "klantnummer", "klantnr", "debiteurnummer", "customer no", length=50),
        _c("city", "text", False, "plaats", "woonplaats", "vestigingsplaats", "stad", "town", length=100),
        _c("name", "text", False, "naam", "contractnaam", "omschrijving", "description", "contract name", length=200),
        _c("type", "contract_type", False, "contracttype", "soort", "soort contract", "contractsoort", "contract type"),
        _c("start_date", "date", True, "startdatum", "ingangsdatum", "begindatum", "start", "van", "datum ingang"),
        _c("end_date", "date", True, "einddatum", "vervaldatum", "end", "tot", "datum einde", "looptijd tot"),
        _c("notice_period_days", "int", False, "opzegtermijn (dagen)", "opzegtermijn", "opzegtermijn dagen",
           "notice period", "notice period (days)", "notice days", minimum="0", maximum="3660"),
        _c("auto_renew", "bool", False, "stilzwijgend verlengen", "stilzwijgende verlenging",
           "automatisch verlengen", "automatische verlenging", "autoverlengen", "auto renewal"),
        _c("renewal_months", "int", False, "verlengingstermijn (maanden)", "verlengingstermijn",
           "verlenging (maanden)", "verlenging maanden", "renewal period (months)", "renewal months",
           minimum="0", maximum="1201"),
        _c("contract_value", "decimal", False, "contractwaarde", "waarde", "contractbedrag",
           "contractsom", "value", minimum="0", maximum="1e11"),
        _c("planned_visits", "int", False, "geplande bezoeken", "aantal bezoeken", "bezoeken",
           "aantal onderhoudsbeurten", "visits", minimum="0", maximum="1000000"),
        _c("account_manager", "text", False, "accountmanager", "accountbeheerder", "verantwoordelijke", length=100),
        _c("terminated_on", "date", False, "opgezegd op", "opzegdatum", "beeindigd op", "beëindigd op",
           "datum opzegging", "terminated", "termination date"),
        _c("previous_contract", "text", False, "vorig contract", "vorige contract", "voorgaand contract",
           "vorig contractnummer", "previous contract", "renews", length=50),
        _c("indexation_pct", "decimal", False, "indexatie (%)", "indexatie", "indexering (%)", "indexering",
           "indexatiepercentage", "indexation (%)", "indexation", minimum="-50", maximum="100"),
    ),
    "budgets": (
        _c("contract_number", "text", True, *_CONTRACT, length=50),
        _c("category", "category", True, "categorie", "kostensoort", "kostencategorie", "soort"),
        _c("amount", "decimal", True, "bedrag", "budget", "budgetbedrag", "budget bedrag", "amount (eur)",
           minimum="0", maximum="1e8"),
        _c("hours", "decimal", False, "uren", "budgeturen", "aantal uren", "budget uren", minimum="0", maximum="1e7"),
        _c("period_start", "date", False, "periode start", "begin periode", "periode van", "van",
           "startdatum periode", "periode begin", "period from", "from"),
        _c("period_end", "date", False, "periode eind", "einde periode", "periode tot", "tot",
           "einddatum periode", "periode einde", "period to", "to"),
    ),
    "work_orders": (
        _c("work_order_number", "text", True, *_WORK_ORDER, length=50),
        _c("contract_number", "text", False, *_CONTRACT, length=50),
        _c("date", "date", True, "datum", "werkbondatum", "uitvoerdatum", "uitvoeringsdatum", "datum uitvoering"),
        _c("type", "work_order_type", False, "soort", "werkbontype", "work order type", "soort werkbon", "ordersoort"),
        _c("status", "text", False, "werkbonstatus", length=30),
        _c("description", "text", False, "omschrijving", "werkomschrijving", "melding"),
        # issue 21: billed on top of the contract (yes) or covered by it (no); empty: by its type
        _c("billable", "bool", False, "factureren", "meerwerk", "te factureren", "billed on top", "billed"),
    ),
    "hours": (
        _c("work_order_number", "text", True, *_WORK_ORDER, length=50),
        _c("date", "date", True, "datum", "werkdatum"),
        _c("employee", "text", False, "medewerker", "monteur", "technicus", "naam medewerker", "technician", length=100),
        _c("hour_type", "text", False, "uursoort", "soort uren", "type", "urensoort", "soort", length=30),
        _c("hours", "decimal", True, "uren", "aantal uren", "tijd (uren)", minimum="-1e5", maximum="1e5"),
        _c("cost_rate", "decimal", True, "kostprijs", "kosttarief", "kostprijs per uur", "kostprijs uur",
           "uurkostprijs", "cost price", **_RATE),
        _c("sales_rate", "decimal", False, "verkoopprijs", "verkooptarief", "uurtarief", "sales price", **_RATE),
    ),
    "materials": (
        _c("work_order_number", "text", True, *_WORK_ORDER, length=50),
        _c("date", "date", True, "datum"),
        _c("article_code", "text", False, "artikelcode", "artikelnummer", "artikel", "artikelnr", "article", "sku", length=50),
        _c("description", "text", False, "omschrijving", "artikelomschrijving"),
        _c("quantity", "decimal", True, "aantal", "hoeveelheid", "qty", minimum="-1e7", maximum="1e7"),
        _c("unit_cost", "decimal", True, "kostprijs", "inkoopprijs", "kostprijs per stuk", "stukprijs",
           "inkoop", "cost price", minimum="0", maximum="1e7"),
        _c("unit_price", "decimal", False, "verkoopprijs", "prijs", "verkoop", "sales price", minimum="0", maximum="1e7"),
    ),
}  # fmt: skip

CREDIT = _c("credit", "bool", False, "creditregel", "creditering", "credit line", "credit (ja/nee)")
DECLARATIONS = {"hours": (CREDIT,), "materials": (CREDIT,)}
"""Columns a file may add to declare something about a row, never stored: `credit` = yes
marks an hour or material line as a credit, the only kind that may be negative (validation.py)."""

# Names a file or sheet goes by, English and Dutch.
ENTITY_NAMES = {
    "contracts": ("contracts", "contract", "contracten", "onderhoudscontracten", "servicecontracten"),
    "budgets": ("budgets", "budget", "budgetten", "budgetregels", "budget_lines", "begroting"),
    "work_orders": (
        "work_orders",
        "workorders",
        "work_order",
        "werkbonnen",
        "werkbon",
        "werkorders",
        "werkorder",
    ),
    "hours": ("hours", "uren", "hour_lines", "urenregels", "uurregels", "urenregistratie", "timesheets"),
    "materials": (
        "materials",
        "materialen",
        "materiaal",
        "material_lines",
        "materiaalregels",
        "materiaalverbruik",
    ),
}

VALUE_WORDS = {
    "bool": {
        "true": True, "yes": True, "y": True, "1": True, "ja": True, "j": True, "waar": True, "x": True,
        "false": False, "no": False, "n": False, "0": False, "nee": False, "onwaar": False,
    },
    "category": {
        "labour": "labour", "labor": "labour", "arbeid": "labour", "uren": "labour", "arbeidsloon": "labour",
        "arbeidskosten": "labour", "loon": "labour", "loonkosten": "labour",
        "material": "material", "materials": "material", "materiaal": "material",
        "materialen": "material", "materiaalkosten": "material",
        "other": "other", "overig": "other", "overige": "other", "overigekosten": "other", "diversen": "other",
    },
    "contract_type": {
        "preventive": "preventive", "preventief": "preventive", "onderhoud": "preventive",
        "preventiefonderhoud": "preventive", "preventivemaintenance": "preventive",
        "corrective": "corrective", "correctief": "corrective", "correctiefonderhoud": "corrective",
        "storingen": "corrective",
        "yearly_orders": "yearly_orders", "yearlyorders": "yearly_orders",
        "jaarorders": "yearly_orders", "jaarorder": "yearly_orders",
    },
    "work_order_type": {
        "periodic": "periodic", "periodiek": "periodic", "preventief": "periodic", "onderhoud": "periodic",
        "periodiekonderhoud": "periodic", "reparatie": "corrective", "storingen": "corrective",
        "extrawerk": "extra",
        "corrective": "corrective", "correctief": "corrective", "storing": "corrective",
        "extra": "extra", "meerwerk": "extra",
    },
}  # fmt: skip


def normalise_header(text: str) -> str:
    """Header comparison ignores case, spacing, accents and punctuation: 'Opzegtermijn (dagen)'."""
    text = text.strip().lower().translate(_ACCENTS)
    return re.sub(r"[^0-9a-z]", "", text)


_ACCENTS = str.maketrans("áàäâéèëêíìïîóòöôúùüûç", "aaaaeeeeiiiioooouuuuc")


def entity_candidates(file_name: str) -> list[str]:
    """Entities a file or sheet name points to: exact name, then a word in it, then a part of it."""
    stem = Path(file_name).stem if "." in file_name else file_name
    whole = normalise_header(stem)
    words = {normalise_header(w) for w in re.split(r"[^0-9A-Za-zÀ-ÿ]+", stem) if w}
    levels = (
        lambda n: n == whole,
        lambda n: n in words,
        lambda n: len(n) > 5 and n in whole,
    )
    for matches in levels:
        found = [e for e, names in ENTITY_NAMES.items() if any(matches(normalise_header(n)) for n in names)]
        if found:
            return found
    return []


@functools.cache
def _names(entity: str) -> tuple[dict[str, Column], dict[str, Column]]:
    """An entity's columns (declarations included) by name, and by each normalised alias (the
    first column to claim an alias keeps it): built once, header_map asks for them for every
    candidate header row of every sheet."""
    known = (*COLUMNS[entity], *DECLARATIONS.get(entity, ()))
    lookup: dict[str, Column] = {}
    for column in known:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(alias), column)
    return {c.name: c for c in known}, lookup


def header_map(entity: str, headers: list[str], overrides: dict[str, str] | None = None) -> dict[int, Column]:
    """Which file column (by index) holds which entity column.

    overrides maps a header as written in the file to a column name ('' ignores
    the header); the Import page uses it to fix what was not recognised.
    """
    by_name, lookup = _names(entity)
    overrides = overrides or {}
    mapping: dict[int, Column] = {}
    taken = {by_name[v].name for v in overrides.values() if v in by_name}
    for index, header in enumerate(headers):
        if header in overrides:
            column = by_name.get(overrides[header])
            if column is not None and all(c.name != column.name for c in mapping.values()):
                mapping[index] = column
            continue
        column = lookup.get(normalise_header(header))
        if column is not None and column.name not in taken:
            mapping[index] = column
            taken.add(column.name)
    return mapping


def missing_required(entity: str, mapping: dict[int, Column]) -> list[str]:
    mapped = {c.name for c in mapping.values()}
    return [c.name for c in COLUMNS[entity] if c.required and c.name not in mapped]


def entity_from_headers(headers: list[str], among: list[str] | None = None) -> str | None:
    """The entity whose required columns are all present, preferring the best overlap."""
    best: tuple[int, str] | None = None
    for entity in among or ENTITIES:
        mapping = header_map(entity, headers)
        if not missing_required(entity, mapping):
            if best is None or len(mapping) > best[0]:
                best = (len(mapping), entity)
    return None if best is None else best[1]


def recognise(file_name: str, headers: list[str]) -> str | None:
    """The entity of a file or sheet: by its name, by its headers when the name is unclear."""
    candidates = entity_candidates(file_name)
    if len(candidates) == 1:
        return candidates[0]
    return entity_from_headers(headers, candidates or None)


# -- values ------------------------------------------------------------------


class InvalidValueError(ValueError):
    """A value that cannot be read: an English message template and its values, for translation."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(template.format(**self.params) if params else template)


MESSAGES = (  # every template InvalidValueError carries, for the Dutch catalog
    N_("required value missing"),
    N_("not a number"),
    N_("not a whole number"),
    N_("must not be negative"),
    N_("too small (at least {minimum})"),
    N_("number too large (below {maximum})"),
    N_("no such date"),
    N_("date out of range (years {first}-{last})"),
    N_("not a date (expected YYYY-MM-DD or DD-MM-YYYY)"),
    N_("unreadable character (is the file's encoding right?)"),
    N_("too long (at most {length} characters)"),
    N_("unknown value (expected one of {allowed})"),
    N_("formula without a saved value in cell {cell}: open the workbook in Excel and save it again"),
    "a cell holds more than {limit} characters",
    N_("thousands groups must have three digits"),
)

_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_WHOLE_EUROS = re.compile(r"(?<=\d),--?$")  # '6.250,-' and '6.250,--'
_CANONICAL_NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,12})?")
_CANONICAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTHS = {
    "jan": 1, "feb": 2, "mrt": 3, "mar": 3, "maa": 3, "apr": 4, "mei": 5, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), (1, 2, 3)),
    (re.compile(r"^(\d{1,2})[- ]([a-z]{3})[a-z]*\.?[- ](\d{4})$"), (3, 2, 1)),
)
MAX_LINE_COST = Decimal("1e9")  # EUR per hour or material line; keeps SQL sums inside 64 bits
MAX_TERM_DAYS = 36_600  # a term or budget period of at most 100 years
FIRST_YEAR, LAST_YEAR = 1900, 2199  # outside these no contract date is plausible
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


def parse_decimal(text: str, decimal_comma: bool) -> Decimal:
    """'€ 1.234,56', '1234.56', '-12,5', '€ 6.250,-' -> Decimal; ValueError says what is wrong.

    decimal_comma is the file's convention: it decides the ambiguous '1.234'
    (one thousand two hundred and thirty-four in a Dutch file, one point two
    three four otherwise) and '1,234'. '(100)' is an accounting negative (-100)
    and '12,50-' a trailing minus; a column that allows no negatives refuses
    them as it refuses '-100'. ',-' and ',--' end a whole amount ('6.250,-' is
    6250, the dots thousands whatever the file's convention).
    """
    s = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    s = s.replace("'", "")  # Swiss-style thousands
    s = re.sub(r"(?i)^eur|eur$", "", s)
    if s.startswith("(") and s.endswith(")"):  # accounting negative
        s = "-" + s[1:-1]
    s = _WHOLE_EUROS.sub(",00", s)  # the Dutch whole amount, not a trailing minus
    if s.endswith("-") and s[:-1].replace(",", "").replace(".", "").isdigit():  # '12,50-' trailing minus
        s = "-" + s[:-1]
    if "," in s and "." in s:
        # the last mark is the decimal one; everything before it must be groups of three
        comma_last = s.rfind(",") > s.rfind(".")
        whole = s[: max(s.rfind(","), s.rfind("."))]
        if not (_THOUSANDS_DOT if comma_last else _THOUSANDS_COMMA).match(whole):
            raise InvalidValueError("thousands groups must have three digits")
        s = s.replace(".", "").replace(",", ".") if comma_last else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if (not decimal_comma and _THOUSANDS_COMMA.match(s)) else s.replace(",", ".")
    elif "." in s and (s.count(".") > 1 or decimal_comma) and _THOUSANDS_DOT.match(s):
        s = s.replace(".", "")
    if not _PLAIN_NUMBER.match(s) or len(s) > 40:
        raise InvalidValueError("not a number")
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise InvalidValueError("not a number") from exc


def parse_date(text: str) -> dt.date:
    """'2026-03-31', '31-03-2026', '31/03/2026', '31 mrt 2026' -> date; ValueError if no such day."""
    s = text.strip().lower()
    if re.match(r"^\d{4}-\d\d-\d\d[t ]", s) or re.match(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4} ", s):
        s = re.split(r"[t ]", s, maxsplit=1)[0]  # '2026-03-31 00:00:00' from spreadsheets
    for pattern, (y, m, d) in _DATE_FORMS:
        match = pattern.match(s)
        if match:
            month = _MONTHS.get(match[m][:3]) if not match[m].isdigit() else int(match[m])
            if month is None:
                break
            try:
                day = dt.date(int(match[y]), month, int(match[d]))
            except ValueError as exc:
                raise InvalidValueError("no such date") from exc
            return _plausible(day)
    raise InvalidValueError("not a date (expected YYYY-MM-DD or DD-MM-YYYY)")


def _plausible(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidValueError("date out of range (years {first}-{last})", first=FIRST_YEAR, last=LAST_YEAR)
    return day


def _number_cell(value: int | float | Decimal) -> Decimal:
    """An Excel number -> Decimal exactly as Excel shows it (repr, not the binary float)."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise InvalidValueError("not a number")
        return Decimal(repr(value))
    return Decimal(value)


def _checked(column: Column, value: Decimal) -> Decimal:
    if column.minimum is not None and value < column.minimum:
        if column.minimum == 0:
            raise InvalidValueError("must not be negative")
        raise InvalidValueError("too small (at least {minimum})", minimum=f"{column.minimum:,f}")
    if column.maximum is not None and value >= column.maximum:
        raise InvalidValueError("number too large (below {maximum})", maximum=f"{column.maximum:,f}")
    return value


def cell_text(value: Cell) -> str:
    """A cell as the user sees it, for messages and the text columns."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        try:
            number = _number_cell(value)
        except ValueError:
            return str(value)
        if number == number.to_integral_value() and abs(number) < Decimal("1e20"):
            return str(int(number))
        return format(number, "f") if abs(number.adjusted()) < 30 else str(number)
    return str(value)


PROPOSED_VALUE = replace(
    next(c for c in COLUMNS["contracts"] if c.name == "contract_value"), name="proposed_value", aliases=()
)
"""A renewal decision's proposed contract value (EUR), within a contract value's limits."""


def parse_typed(column: Column, text: str | None) -> object:
    """A value a user typed (a form field, a command-line option) -> the column's value, None when empty.

    Read as the importer reads a cell of a Dutch file (parse_value with the
    decimal comma), the one parser for money typed or imported: '12.500' is
    twelve thousand five hundred, '12.500,50', '12,500.50' and '12500.50' are
    alike, '€ 6.250,-' is 6250 and '(100)' is -100, refused where the column
    allows no negatives. InvalidValueError says what is wrong, as on import.
    """
    return parse_value(column, "" if text is None else str(text), decimal_comma=True)


def parse_value(column: Column, value: Cell, decimal_comma: bool) -> object:
    """A cell (text from CSV, or a typed Excel value) -> the column's value, None when empty.

    ValueError says what is wrong, in words a user understands.
    """
    if type(value) is str and column.kind in ("decimal", "date"):
        # the canonical export's cells ('1234.56', '2026-03-31') take a short cut to
        # the very result of the general path below; every other form takes that path
        if column.kind == "decimal":
            if _CANONICAL_NUMBER.fullmatch(value) and not (decimal_comma and "." in value):
                return _checked(column, Decimal(value))
        elif _CANONICAL_DATE.fullmatch(value):
            try:
                day = dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError as exc:
                raise InvalidValueError("no such date") from exc
            return _plausible(day)
    if isinstance(value, FormulaCell):
        raise InvalidValueError(
            "formula without a saved value in cell {cell}: open the workbook in Excel and save it again",
            cell=value.coordinate,
        )
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if column.required:
            raise InvalidValueError("required value missing")
        return None
    kind = column.kind
    typed = not isinstance(value, str)
    if typed and kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise InvalidValueError("not a number")
        return _checked(column, _number_cell(value))
    if typed and kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise InvalidValueError("not a whole number")
        number = _number_cell(value)
        if number != number.to_integral_value():
            raise InvalidValueError("not a whole number")
        return int(_checked(column, number))
    if typed and kind == "date":
        if isinstance(value, dt.datetime):
            return _plausible(value.date())
        if isinstance(value, dt.date):
            return _plausible(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return _plausible(_EXCEL_EPOCH + dt.timedelta(days=int(value)))  # an unformatted Excel date
        raise InvalidValueError("not a date (expected YYYY-MM-DD or DD-MM-YYYY)")
    if typed and kind == "bool" and isinstance(value, bool):
        return value
    text = value if type(value) is str else cell_text(value)
    if kind == "text":
        text = text.strip()
        if _BAD_CHARACTER.search(text):
            raise InvalidValueError("unreadable character (is the file's encoding right?)")
        if column.max_length is not None and len(text) > column.max_length:
            raise InvalidValueError("too long (at most {length} characters)", length=column.max_length)
        return text
    if kind == "decimal":
        return _checked(column, parse_decimal(text, decimal_comma))
    if kind == "int":
        number = parse_decimal(text, decimal_comma)
        if number != number.to_integral_value():
            raise InvalidValueError("not a whole number")
        return int(_checked(column, number))
    if kind == "date":
        return parse_date(text)
    words = VALUE_WORDS[kind]
    key = text.strip().lower()
    if key not in words:
        key = normalise_header(text)
    if key not in words:
        allowed = sorted({str(v).lower() for v in words.values()})
        raise InvalidValueError("unknown value (expected one of {allowed})", allowed=", ".join(allowed))
    return words[key]


# -- files -------------------------------------------------------------------


@dataclass
class SourceTable:
    """One entity's rows as read from a file or sheet, before validation.

    rows yields (row number as the user sees it, cells); the header is row 1 of
    a CSV and its own row of a sheet. sample holds the first rows (they are
    also the first rows yields) for guessing conventions. optional tables (the
    extra sheets of a workbook) are skipped with a note when not recognised.
    """

    file: str
    entity: str | None
    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str = ""
    delimiter: str = ""
    decimal_comma: bool = False
    mapping: dict[int, Column] = field(default_factory=dict)
    sample: list[tuple[int, list[Cell]]] = field(default_factory=list)
    expected_rows: int | None = None
    optional: bool = False
    raw: IO[bytes] | None = None  # a CSV's own seekable bytes, for the columnar reader (columnar.py)

    def remap(self, entity: str | None, overrides: dict[str, str] | None = None) -> None:
        """Set the entity and column mapping (the user's corrections) and re-guess conventions."""
        self.entity = entity
        self.mapping = header_map(entity, self.headers, overrides) if entity else {}
        self.decimal_comma = guess_decimal_comma(self.mapping, self.sample, self.delimiter == ";")


_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}$|\d,\d{4,}$|\.\d{3},\d+$")
_DOT_DECIMAL = re.compile(r"\d\.\d{1,2}$|\d\.\d{4,}$|,\d{3}\.\d+$")


def guess_decimal_comma(
    mapping: dict[int, Column], sample: list[tuple[int, list[Cell]]], default: bool
) -> bool:
    """Does the file write 12,50 (True) or 12.50 (False)? Decided by its unambiguous numbers.

    Only a value such as '1.234' or '1,234' needs the answer; default (a
    semicolon file is Dutch) holds when the sample has no telling value.
    """
    numeric = [i for i, c in mapping.items() if c.kind in ("decimal", "int")]
    comma = dot = 0
    for _, cells in sample:
        for i in numeric:
            if i < len(cells) and isinstance(cells[i], str):
                text = cells[i].strip().replace(" ", "")
                comma += bool(_COMMA_DECIMAL.search(text))
                dot += bool(_DOT_DECIMAL.search(text))
    if comma != dot:
        return comma > dot
    return default


def _split_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def sniff_delimiter(header_line: str) -> str:
    """';', ',', tab or '|': whichever splits the header line into most fields (quotes respected)."""
    counts = {d: _split_outside_quotes(header_line, d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


SAMPLE_ROWS = 200


def with_sample(
    rows: Iterator[tuple[int, list[Cell]]],
) -> tuple[list[tuple[int, list[Cell]]], Iterator[tuple[int, list[Cell]]]]:
    """Read the first rows ahead for guessing; the iterator returned still yields them first, and
    then raises what stopped the reading ahead where it happened (a cell over the limit, say):
    validation reports it at its row. A generator that has raised yields nothing more, so the
    error must travel on, or the rows after it would vanish without a word."""
    sample: list[tuple[int, list[Cell]]] = []
    try:
        sample.extend(itertools.islice(rows, SAMPLE_ROWS))
    except (csv.Error, UnicodeError, ValueError) as exc:
        return sample, _then_raise(list(sample), exc)
    return sample, itertools.chain(sample, rows)


def _then_raise(sample: list[tuple[int, list[Cell]]], exc: Exception) -> Iterator[tuple[int, list[Cell]]]:
    yield from sample
    raise exc


def open_csv(file_name: str, stream: io.BufferedIOBase, size: int | None = None) -> SourceTable:
    """Read a CSV's header and return a table whose rows are read lazily from stream.

    size (bytes, when known) only serves to estimate the row count for progress.
    """
    sample = stream.peek(65536)[:65536] if hasattr(stream, "peek") else b""
    encoding = decide_encoding(stream) if stream.seekable() else detect_encoding(sample)
    errors = UTF8_ERRORS if encoding.startswith("utf-8") else "replace"  # csv_rows mends the first
    text = io.TextIOWrapper(stream, encoding=encoding, errors=errors, newline="")
    first = header_line(text)
    hint = re.match(r"^sep=(.)\r?\n?$", first)  # Excel's separator hint line
    if hint:
        delimiter = hint[1]
        first = header_line(text)
    else:
        delimiter = sniff_delimiter(first)
    limits.check_width(first.count(delimiter) + 1)  # before the header is split and mapped
    headers = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
    sample_rows, all_rows = with_sample(csv_rows(text, delimiter))
    expected = None
    if size is not None and sample:
        line_bytes = max(1, sample.count(b"\n"))
        expected = int(size / (len(sample) / line_bytes)) if len(sample) < size else len(sample_rows)
    table = SourceTable(
        file=file_name,
        entity=None,
        headers=headers,
        rows=all_rows,
        encoding=encoding,
        delimiter=delimiter,
        sample=sample_rows,
        expected_rows=expected,
        raw=stream if stream.seekable() else None,
    )
    table.remap(recognise(file_name, headers))
    return table


def header_line(text: IO[str]) -> str:
    """The next line, read no further than limits.HEADER_CHARS (LimitError beyond it)."""
    line = mended(text.readline(limits.HEADER_CHARS + 1))
    if len(line) > limits.HEADER_CHARS:
        raise limits.LimitError("the header row is longer than {limit} characters", limit=limits.HEADER_CHARS)
    return line


def csv_rows(text: IO[str], delimiter: str, header_row: int = 1) -> Iterator[tuple[int, list[Cell]]]:
    """(row number, cells) of each non-blank CSV record after the one numbered header_row.

    text's byte stream stays open when the rows are done: it is borrowed (the
    caller closes it, the columnar reader may read it again). UTF-8 text is read with
    encodings.UTF8_ERRORS: a stray byte is mended to its Windows-1252 character here.
    """
    number = header_row
    reader = csv.reader(map(mended, text), delimiter=delimiter)
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):  # the csv module's words for it
                    raise limits.LimitError(
                        "a cell holds more than {limit} characters", limit=limits.CELL_CHARS
                    ) from None
                raise
            number += 1
            limits.check_width(len(cells))
            limits.check_rows(number - header_row, len(cells))
            if not any(c.strip() for c in cells):
                continue
            yield number, cells
    finally:
        if isinstance(text, io.TextIOWrapper) and not text.closed:
            text.detach()
