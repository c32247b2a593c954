"""One demo portfolio written by the tests themselves: canonically, and in every Dutch export form.

Each Dutch form holds exactly the same data as the canonical files; importing
either must give the same figures. Helpers to compare figures and whole
databases live here too.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from budgetcore.exchange import demo
from budgetcore.exchange.formats import COLUMNS, ENTITIES
from budgetcore.exchange.workbook import template_headers
from budgetcore.figures import portfolio
from budgetcore.store.database import transaction
from budgetcore.store.models import Base

TODAY = dt.date(2026, 11, 27)
Rows = dict[str, list[list[str]]]

_MONEY = {"contract_value", "amount", "cost_rate", "sales_rate", "unit_cost", "unit_price"}
_DUTCH_WORDS = {
    "bool": {"true": "ja", "false": "nee"},
    "category": {"labour": "arbeid", "material": "materiaal", "other": "overig"},
    "contract_type": {"preventive": "preventief", "corrective": "correctief", "yearly_orders": "jaarorders"},
    "work_order_type": {"periodic": "periodiek", "corrective": "correctief", "extra": "meerwerk"},
}
DUTCH_FORMS = ("semicolon_cp1252", "bom_slashes", "comma_quoted", "tab_utf16", "xlsx", "xlsx_per_file")


def portfolio_rows(contracts: int = 40, seed: int = demo.SEED) -> Rows:
    """The demo portfolio's canonical rows, with names that need more than ASCII."""
    rows: Rows = {e: [] for e in ENTITIES}
    demo.generate(lambda e, cells: rows[e].append(list(cells)), contracts=contracts, seed=seed, today=TODAY)
    for i, row in enumerate(rows["contracts"]):
        if i % 3 == 0:
            row[1] = row[1] + " – Café Zoë"  # en dash, é and ë all exist in Windows-1252
    for row in rows["work_orders"]:
        row[5] = row[5].replace("Storing", "Storing €")
    return rows


def write_canonical(directory: Path, rows: Rows) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for entity in ENTITIES:
        path = directory / f"{entity}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in COLUMNS[entity]])
            writer.writerows(rows[entity])
        paths.append(path)
    return paths


def dutch_number(text: str, money: bool) -> str:
    """'1234567.5' -> '1.234.567,5' (with '€ ' for money): digits kept exactly."""
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    out = sign + ".".join([whole, *groups]) + ("," + fraction if fraction else "")
    return f"€ {out}" if money else out


def dutch_cell(kind: str, name: str, text: str, date_sep: str = "-") -> str:
    if text == "":
        return text
    if kind == "date":
        return dt.date.fromisoformat(text).strftime(f"%d{date_sep}%m{date_sep}%Y")
    if kind == "decimal":
        return dutch_number(text, name in _MONEY)
    if kind in _DUTCH_WORDS:
        return _DUTCH_WORDS[kind][text]
    return text


def typed_cell(kind: str, name: str, text: str) -> object:
    """What Excel holds: numbers as floats, dates as datetimes, Dutch words as text."""
    if text == "":
        return None
    if kind == "date":
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    if kind == "decimal":
        return float(Decimal(text))
    if kind == "int":
        return int(text)
    return dutch_cell(kind, name, text)


def _dutch_headers(entity: str) -> list[str]:
    """Dutch headers as exports write them: capitals, upper case, stray spaces."""
    headers = template_headers(entity, "nl")
    return [
        h.capitalize() if i % 3 == 0 else h.upper() if i % 3 == 1 else f" {h} " for i, h in enumerate(headers)
    ]


DUTCH_NAMES = {
    "semicolon_cp1252": ("contracten", "budgetten", "werkbonnen", "uren", "materialen"),
    "bom_slashes": ("Export Contracten 2026", "budgetregels", "Export_Werkbonnen_2026", "2026-uren", "materiaalverbruik"),
    "comma_quoted": ("export1", "export2", "export3", "export4", "export5"),  # recognised by headers
    "tab_utf16": ("Contracten", "Budgetten", "Werkbonnen", "Uren", "Materialen"),
    "xlsx_per_file": ("contracten", "budgetten", "werkbonnen", "uren", "materialen"),
}  # fmt: skip


def write_dutch(directory: Path, rows: Rows, form: str) -> list[Path]:
    """The same rows as one Dutch export form (see DUTCH_FORMS); returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    if form == "xlsx":
        return [_workbook(directory / "portefeuille.xlsx", rows, ENTITIES)]
    if form == "xlsx_per_file":
        return [
            _workbook(directory / f"{name}.xlsx", rows, (entity,), sheet="Blad1")
            for entity, name in zip(ENTITIES, DUTCH_NAMES[form], strict=True)
        ]
    encoding, delimiter, date_sep, quoting = {
        "semicolon_cp1252": ("cp1252", ";", "-", csv.QUOTE_MINIMAL),
        "bom_slashes": ("utf-8-sig", ";", "/", csv.QUOTE_MINIMAL),
        "comma_quoted": ("utf-8", ",", "-", csv.QUOTE_MINIMAL),
        "tab_utf16": ("utf-16", "\t", "-", csv.QUOTE_MINIMAL),
    }[form]
    paths = []
    for entity, name in zip(ENTITIES, DUTCH_NAMES[form], strict=True):
        path = directory / f"{name}.csv"
        columns = COLUMNS[entity]
        with path.open("w", newline="", encoding=encoding) as handle:
            writer = csv.writer(handle, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
            writer.writerow([*_dutch_headers(entity), "Opmerking"])  # an extra column, ignored
            for row in rows[entity]:
                cells = [dutch_cell(c.kind, c.name, v, date_sep) for c, v in zip(columns, row, strict=True)]
                writer.writerow([*cells, "export"])
        paths.append(path)
    return paths


def _workbook(path: Path, rows: Rows, entities: tuple[str, ...], sheet: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for entity in entities:
        ws = book.create_sheet(sheet or {"contracts": "Contracten", "budgets": "Budgetten", "work_orders": "Werkbonnen", "hours": "Uren", "materials": "Materialen"}[entity])  # fmt: skip
        ws.append(_dutch_headers(entity))
        columns = COLUMNS[entity]
        for row in rows[entity]:
            ws.append([typed_cell(c.kind, c.name, v) for c, v in zip(columns, row, strict=True)])
    book.save(path)
    return path


def figures(engine: Engine, as_of: dt.date = TODAY) -> list[dict[str, object]]:
    """Every contract's summary row (all figures the CLI and exports show), by contract number."""
    with transaction(engine) as session:
        rows = [f.summary for f in portfolio.portfolio(session, as_of)]
    return sorted(rows, key=lambda r: str(r["contract_number"]))


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: equal snapshots mean an unchanged database."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
