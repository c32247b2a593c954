"""The columnar reader and its screens: whatever they pass is exactly what the row-wise path makes of it.

Each rule is held to the row-wise one: a cell a column converter calls fine
must parse to the very same value with exchange.parse_value, and an import
through the columnar reader must give the same problems (file, row, column,
value, message, in order), counts and database as the same files read row by
row, also when chunks are a few bytes long and fall back half way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from exchange_fixtures import portfolio_rows, snapshot, write_canonical
from sqlalchemy import inspect
from test_import import BASE, ERROR_CASES, FINDING_CASES, _tables, _with

from budgetcore.exchange import columnar, screening
from budgetcore.exchange.formats import COLUMNS, open_csv, parse_value
from budgetcore.exchange.importing import import_paths, import_tables
from budgetcore.exchange.writer import Writer
from budgetcore.store.database import make_engine
from budgetcore.store.models import Base
from budgetcore.store.schema import prepared


def _column(entity: str, name: str):
    return next(c for c in COLUMNS[entity] if c.name == name)


# (entity, column, cell, taken by the columnar converter?)
CELLS = [
    ("hours", "hours", "5.75", True),
    ("hours", "hours", "-0.5", True),
    ("hours", "hours", "-0", True),
    ("hours", "hours", "12", True),
    ("hours", "hours", "0.000001", True),
    ("hours", "hours", "0.0000001", False),  # 7 places: rounded by the writer, row-wise
    ("hours", "hours", "99999.999999", True),
    ("hours", "hours", "100000", False),  # too large
    ("hours", "hours", "-100000", True),  # the minimum is included
    ("hours", "hours", "-100000.000001", False),
    ("hours", "cost_rate", "-1", False),  # must not be negative
    ("hours", "cost_rate", "1e5", False),
    ("hours", "cost_rate", "+5", False),
    ("hours", "cost_rate", ".5", False),
    ("hours", "cost_rate", "5.", False),
    ("hours", "cost_rate", " 5", False),
    ("hours", "cost_rate", "1,5", False),
    ("hours", "cost_rate", "€ 5", False),
    ("hours", "cost_rate", "", False),  # required
    ("hours", "sales_rate", "", True),  # optional: None
    ("hours", "sales_rate", " ", False),
    ("budgets", "amount", "123456789012", False),
    ("contracts", "contract_value", "99999999999.99", True),
    ("contracts", "notice_period_days", "90", True),
    ("contracts", "notice_period_days", "90.0", False),
    ("contracts", "notice_period_days", "3660", False),
    ("contracts", "notice_period_days", "-0", True),
    ("hours", "date", "2026-03-31", True),
    ("hours", "date", "2024-02-29", True),
    ("hours", "date", "2026-02-29", False),
    ("hours", "date", "2026-02-30", False),
    ("hours", "date", "2026-13-01", False),
    ("hours", "date", "2026-00-10", False),
    ("hours", "date", "2026-01-00", False),
    ("hours", "date", "1899-12-31", False),
    ("hours", "date", "1900-01-01", True),
    ("hours", "date", "2199-12-31", True),
    ("hours", "date", "2200-01-01", False),
    ("hours", "date", "31-03-2026", False),
    ("hours", "date", "2026-03-31 00:00:00", False),
    ("hours", "date", "", False),
    ("budgets", "period_start", "", True),
    ("contracts", "type", "preventive", True),
    ("contracts", "type", "Preventief", True),
    ("contracts", "type", "PREVENTIEF", True),
    ("contracts", "type", " preventive", False),
    ("contracts", "type", "preventief onderhoud", False),  # parse_value's second try, row-wise
    ("contracts", "type", "", True),
    ("contracts", "auto_renew", "ja", True),
    ("contracts", "auto_renew", "TRUE", True),
    ("contracts", "auto_renew", "0", True),
    ("budgets", "category", "arbeid", True),
    ("budgets", "category", "", False),
    ("work_orders", "type", "storing", True),
    ("hours", "employee", "Jesse", True),
    ("hours", "employee", "Zoë van der Berg", True),
    ("hours", "employee", "", True),
    ("hours", "employee", " Jesse", False),
    ("hours", "employee", "Jesse\u00a0", False),
    ("hours", "employee", "Jes\x00se", False),
    ("hours", "employee", "Jes\ufffdse", False),
    ("hours", "employee", "Jes\x85se", False),
    ("hours", "employee", "x" * 100, True),
    ("hours", "employee", "x" * 101, False),
    ("hours", "employee", "é" * 100, True),  # characters, not bytes
    ("hours", "work_order_number", "", False),
]


@pytest.mark.parametrize(("entity", "name", "cell", "taken"), CELLS)
def test_a_cell_the_converter_takes_parses_to_the_very_same_value(entity, name, cell, taken) -> None:
    column = _column(entity, name)
    converted = columnar.convert(column, pa.array([cell, "2026-01-01"], pa.string()))
    assert bool(converted.ok[0]) is taken
    if not taken:
        return
    expected = parse_value(column, cell, False)
    value = converted.values()[0]
    assert (value, type(value), repr(value)) == (expected, type(expected), repr(expected))
    stored = converted.stored()[0]
    if column.kind == "decimal":
        assert stored == (None if expected is None else Writer.units(expected))
    elif column.kind == "date":
        assert stored == (None if expected is None else expected.isoformat())
    if converted.days is not None and expected is not None:
        assert int(converted.days[0]) == (expected - dt.date(1970, 1, 1)).days


COSTS = [  # (quantity, rate): the line cost in int64 equals the writer's Decimal rule, ties half to even
    ("5.75", "52.00"),
    ("0.000001", "0.5"),  # 0.0000005: a tie, down to even 0
    ("0.000003", "0.5"),  # 0.0000015: a tie, up to even 0.000002
    ("-0.000003", "0.5"),
    ("-0.000001", "0.5"),
    ("1.333333", "0.333333"),
    ("-99999.999999", "89.999999"),
    ("7.5", "999999.999999"),  # 7.5e18 in 1e-12 units: near the end of int64, still exact
]  # a larger product the screen sends row by row (below)


@pytest.mark.parametrize(("quantity", "rate"), COSTS)
def test_the_line_cost_in_int64_is_the_writers_to_the_millionth(quantity, rate) -> None:
    converted = {
        "quantity": columnar.convert(_column("materials", "quantity"), pa.array([quantity])),
        "unit_cost": columnar.convert(_column("materials", "unit_cost"), pa.array([rate])),
    }
    assert converted["quantity"].ok.all() and converted["unit_cost"].ok.all()
    assert screening.line_cost(converted, "materials").tolist() == [
        Writer.line_cost(Decimal(quantity), Decimal(rate))
    ]


def test_a_line_whose_cost_would_not_fit_int64_goes_row_by_row_and_is_written_exactly(
    tmp_path, monkeypatch, new_sqlite
) -> None:
    changes = {"materials.csv": "+W-2,2026-03-01,99.5,9999999.999999\n"}  # EUR 994,999,999.9999005
    row_wise, by_column, _ = _both_ways(tmp_path, monkeypatch, new_sqlite, _with(changes))
    assert by_column == row_wise
    assert row_wise[2], row_wise[0]  # written
    assert max(r[-2] for r in row_wise[3]["material_lines"]) == Decimal(
        "994999999.999900"
    )  # cost (before revenue), half to even


# -- whole imports: columnar and row-wise side by side --------------------------------


def _outcome(engine, files: dict[str, str | bytes]):
    result = import_tables(engine, _tables(files))
    problems = [
        [(p.file, p.row, p.column, p.value, p.message) for p in kind]
        for kind in (result.errors, result.findings)
    ]
    timed = ("import_log", "audit_trail")  # when the import happened differs
    tables = {name: rows for name, rows in snapshot(engine).items() if name not in timed}
    return problems, result.counts, result.written, tables


# the outcome of reading files row by row into a new database, by the files: it does not depend on
# the columnar reader's chunk size, so the tests that vary only that compute it once
_ROW_WISE: dict[tuple, tuple] = {}


def _both_ways(tmp_path, monkeypatch, new_sqlite, files: dict[str, str | bytes], chunk_bytes: int = 64):
    """The outcome read row by row, and read in chunks of chunk_bytes through the columnar reader."""
    key = tuple(sorted(files.items()))
    if key not in _ROW_WISE:
        with monkeypatch.context() as patch:
            patch.setattr(columnar, "usable", lambda table: False)
            _ROW_WISE[key] = _outcome(new_sqlite(tmp_path / "rows.db"), files)
    row_wise = _ROW_WISE[key]
    monkeypatch.setattr(columnar, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(
        columnar, "COLUMNAR_ROWS", 0
    )  # these files are small: read them in columns all the same
    taken = []
    real = columnar.usable
    monkeypatch.setattr(columnar, "usable", lambda table: taken.append(real(table)) or taken[-1])
    by_column = _outcome(new_sqlite(tmp_path / "columns.db"), files)
    return row_wise, by_column, taken


@pytest.mark.parametrize(
    ("changes", "expected"),
    ERROR_CASES + FINDING_CASES,
    ids=[c[1][-1][:30] for c in ERROR_CASES + FINDING_CASES],
)
def test_every_error_and_finding_case_comes_out_as_it_does_row_by_row(
    tmp_path, monkeypatch, new_sqlite, changes, expected
) -> None:
    row_wise, by_column, _ = _both_ways(tmp_path, monkeypatch, new_sqlite, _with(changes))
    assert by_column == row_wise


HOURS = "work_order_number,date,hours,cost_rate\r\n"
ODD_FILES = {  # hours.csv forms the chunk reader must hand over without changing a row number
    "quoted cells": HOURS + 'W-1,2026-02-01,2,50\r\n"W-1","2026-02-02","1.5",50\r\n"W-2, x",2026-03-01,1,60\r\n"W-2",2026-03-01,1,60\r\n',
    "a quoted line break": HOURS + 'W-1,2026-02-01,2,50\r\n"W-1\nx",2026-02-02,1,50\r\nW-2,2026-03-01,x,60\r\n',
    "blank lines": HOURS + "W-1,2026-02-01,2,50\r\n\r\n,,,\r\nW-2,2026-03-01,1,60\r\nW-2,2026-13-01,1,60\r\n",
    "a stray carriage return": HOURS + "W-1,2026-02-01,2,50\rW-2,2026-03-01,1,60\r\nW-2,x,1,60\r\n",
    "Excel's separator hint": "sep=,\r\n" + HOURS + "W-1,2026-02-01,2,50\r\nW-2,2026-03-01,y,60\r\n",
    "a BOM": "\ufeff" + HOURS + "W-1,2026-02-01,2,50\r\nW-2,2026-03-01,1,z\r\n",
    "short and long rows": HOURS + "W-1,2026-02-01,2\r\nW-2,2026-03-01,1,60,7\r\nW-2,2026-03-02,1,60\r\n",
    "no newline at the end": HOURS + "W-1,2026-02-01,2,50\r\nW-2,2026-03-01,1,60",
    "spaces and words": HOURS + " W-1,2026-02-01, 2,50\r\nW-2 ,2026-03-01,1,60\r\n",
    "many rows": HOURS + "".join(f"W-{1 + i % 2},2026-0{2 + i % 2}-1{i % 10},{i % 7}.25,5{i % 3}\r\n" for i in range(300)),
}  # fmt: skip


@pytest.mark.parametrize("chunk_bytes", [16, 64, 4096])
@pytest.mark.parametrize("name", list(ODD_FILES))
def test_odd_csv_forms_give_the_same_rows_and_problems_as_row_by_row(
    tmp_path, monkeypatch, new_sqlite, name, chunk_bytes
) -> None:
    row_wise, by_column, taken = _both_ways(
        tmp_path, monkeypatch, new_sqlite, _with({"hours.csv": ODD_FILES[name]}), chunk_bytes
    )
    assert by_column == row_wise
    assert all(taken)  # every file went through the columnar reader (and its fall-backs)


@pytest.mark.parametrize("encoded", [b"\xe9", b"\x00"])
def test_bytes_that_are_not_utf8_or_nul_are_read_as_the_row_wise_path_reads_them(
    tmp_path, monkeypatch, new_sqlite, encoded
) -> None:
    hours = (
        HOURS.encode()
        + b"W-1,2026-02-01,2,50\r\nW-2,2026-03-01,1,60\r\nW-2,2026-03-02,1,60 "
        + encoded
        + b"\r\n"
    )
    files = {**_with({}), "hours.csv": hours}
    row_wise, by_column, _ = _both_ways(tmp_path, monkeypatch, new_sqlite, files)
    assert by_column == row_wise
    assert row_wise[0][0]  # an error in either case


def test_the_demo_portfolio_gives_the_same_database_read_either_way(
    tmp_path, monkeypatch, new_sqlite
) -> None:
    paths = write_canonical(tmp_path / "csv", portfolio_rows(contracts=60))
    files = {p.name: p.read_bytes() for p in paths}
    row_wise, by_column, taken = _both_ways(tmp_path, monkeypatch, new_sqlite, files, chunk_bytes=4096)
    assert by_column == row_wise
    assert taken == [True] * 5


def test_a_canonical_import_into_postgresql_equals_the_one_into_sqlite(tmp_path, pg_url, monkeypatch) -> None:
    monkeypatch.setattr(columnar, "COLUMNAR_ROWS", 0)  # the columnar path's writes, small as the files are
    paths = write_canonical(tmp_path / "csv", portfolio_rows(contracts=60))
    lite, pg = prepared(make_engine(f"sqlite:///{tmp_path / 'a.db'}")), prepared(make_engine(pg_url))
    try:
        assert import_paths(lite, paths).ok and import_paths(pg, paths).ok
        assert import_paths(pg, paths).ok  # a re-import replaces the lines: keys and indexes are back
        for name in ("hour_lines", "material_lines", "contract_months", "contract_totals"):
            without_id = (lambda rows: sorted(r[1:] for r in rows)) if name.endswith("lines") else sorted
            assert without_id(snapshot(pg)[name]) == without_id(snapshot(lite)[name]), name
        for engine in (lite, pg):  # what the writer dropped from the empty tables is back
            schema = inspect(engine)
            for table in (Base.metadata.tables[n] for n in ("work_orders", "hour_lines", "material_lines")):
                indexes = {i["name"] for i in schema.get_indexes(table.name) if i["name"].startswith("ix_")}
                assert indexes == {i.name for i in table.indexes}
                referred = [k["referred_table"] for k in schema.get_foreign_keys(table.name)]
                assert referred == [k.referred_table.name for k in table.foreign_key_constraints]
    finally:
        pg.dispose()


def test_a_small_file_is_read_row_by_row_and_a_large_one_in_columns(tmp_path) -> None:
    """Below COLUMNAR_ROWS rows (estimated from the file's size) the columnar reader's start
    costs more than it saves: a small import is read row by row, a large one in columns."""
    taken = []
    for rows in (10, 1_000, columnar.COLUMNAR_ROWS * 2):
        path = tmp_path / f"hours-{rows}.csv"
        lines = [f"WB-{i:06d},2026-03-01,tech,work,1.00,52.50,85.00\n" for i in range(rows)]
        path.write_text(
            "work_order_number,date,employee,hour_type,hours,cost_rate,sales_rate\n" + "".join(lines)
        )
        with path.open("rb") as handle:
            taken.append(columnar.usable(open_csv(path.name, handle, path.stat().st_size)))
    assert taken == [False, False, True]


def test_base_files_pass_the_screens(tmp_path, monkeypatch, new_sqlite) -> None:
    row_wise, by_column, taken = _both_ways(
        tmp_path, monkeypatch, new_sqlite, dict(BASE), chunk_bytes=1 << 20
    )
    assert by_column == row_wise and all(taken)
