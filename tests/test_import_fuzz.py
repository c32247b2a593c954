"""Malformed input of every kind: the importer returns its own result, never raises, and a failed import changes nothing."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os

import pytest
from exchange_fixtures import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import import BASE

from budgetcore.exchange.importing import ImportResult, import_tables, read_uploads
from budgetcore.exchange.workbook import template
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

NAMES = (
    "contracts.csv", "budgets.csv", "work_orders.csv", "hours.csv", "materials.csv", "uren.csv",
    "werkbonnen.csv", "export.csv", "contracten.xlsx", "boek.xlsx", "leeg.csv",
)  # fmt: skip
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32")
HUGE = ("9" * 40, "1" + "0" * 400, "-" + "9" * 25, "1e400", "9.999.999.999.999,99", "€ 99999999999999")

FUZZ = settings(
    max_examples=int(os.environ.get("BUDGETCORE_FUZZ_EXAMPLES", "40")),  # raise it to hunt for bugs
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # keep runs reproducible for everyone sharing the tree
)


@pytest.fixture
def loaded(engine):
    """An engine whose database already holds a small portfolio (references to it are valid)."""
    tables, _ = read_uploads([(n, c.encode()) for n, c in BASE.items()])
    assert import_tables(engine, tables).ok
    return engine


def _check(engine, files: list[tuple[str, bytes]], dry_run: bool = False) -> ImportResult:
    before = snapshot(engine)
    tables, problems = read_uploads(files)
    result = import_tables(engine, tables, dry_run=dry_run)
    assert isinstance(result, ImportResult)
    # an exception inside the importer would surface as a "(database)" problem: none may occur
    assert not [p for p in result.errors if p.file == "(database)"], result.errors
    for problem in [*problems, *result.errors, *result.findings]:
        assert problem.message and str(problem)
    if result.written:
        assert result.ok and not dry_run  # only a clean, real import writes
    else:
        assert snapshot(engine) == before
    return result


@st.composite
def mutated_csv(draw) -> tuple[str, bytes]:
    """A valid base file, then broken: cells replaced, rows cut, separators and encodings swapped."""
    name = draw(st.sampled_from(sorted(BASE)))
    lines = [line.split(",") for line in BASE[name].splitlines()]
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(lines) - 1))
        if not lines[row]:
            continue
        col = draw(st.integers(0, len(lines[row]) - 1))
        lines[row][col] = draw(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(HUGE),
                st.sampled_from(
                    ["", " ", "31-02-2026", "2026-13-01", "ja", "arbeid", "K-9", "W-1", '"', "\x00"]
                ),
                st.from_regex(r"[0-9.,€ -]{1,20}", fullmatch=True),
            )
        )
    if draw(st.booleans()):
        extra = draw(st.integers(1, len(lines)))
        lines = lines[:extra]  # only headers, or rows dropped
    separator = draw(st.sampled_from([",", ";", "\t"]))
    text = "\n".join(separator.join(cells) for cells in lines)
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # truncated mid-row, mid-character
    return draw(st.sampled_from([name, name.replace(".csv", ".txt"), "export.csv"])), data


@given(files=st.lists(st.tuples(st.sampled_from(NAMES), st.binary(max_size=600)), min_size=1, max_size=4))
@FUZZ
def test_random_bytes(loaded, files) -> None:
    _check(loaded, files)


@given(files=st.lists(mutated_csv(), min_size=1, max_size=5))
@FUZZ
def test_broken_exports(loaded, files) -> None:
    _check(loaded, files)


@given(files=st.lists(mutated_csv(), min_size=1, max_size=5))
@settings(FUZZ, max_examples=15)
def test_broken_exports_dry_run_never_writes(loaded, files) -> None:
    before = snapshot(loaded)
    _check(loaded, files, dry_run=True)
    assert snapshot(loaded) == before


@functools.cache
def _template_nl() -> bytes:
    """The Dutch template workbook, built once: each example opens its own copy of these bytes."""
    return template("nl")


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.sampled_from(["K-1", "W-1", "arbeid", "31-12-2026", "€ 1.234,56", "#DIV/0!"]),
)


@given(
    sheet=st.sampled_from(["contracten", "budgetten", "werkbonnen", "uren", "materialen", "Blad1"]),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6),
)
@FUZZ
def test_workbooks_with_any_cell_values(loaded, sheet, rows) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_template_nl()))
    target = book[sheet] if sheet in book.sheetnames else book.create_sheet(sheet)
    for row in rows:
        target.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    _check(loaded, [("boek.xlsx", buffer.getvalue())])


@given(cut=st.integers(0, 20_000), flip=st.integers(0, 20_000))
@settings(FUZZ, max_examples=25)
def test_damaged_workbooks(tmp_path_factory, cut, flip) -> None:
    engine = _sqlite(tmp_path_factory)
    data = bytearray(template("en"))
    if flip < len(data):
        data[flip] ^= 0xFF
    _check(engine, [("boek.xlsx", bytes(data[: max(cut, 1)]))])


_ENGINES: dict[str, object] = {}


def _sqlite(tmp_path_factory):
    if "sqlite" not in _ENGINES:
        _ENGINES["sqlite"] = prepared(make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'f.db'}"))
    return _ENGINES["sqlite"]


@pytest.mark.parametrize(
    "files",
    [
        [("contracts.csv", b"")],
        [("contracts.csv", b"contract_number,customer,start_date,end_date\n")],
        [("contracts.csv", b"\xef\xbb\xbf")],
        [
            (
                "contracts.csv",
                "contract_number;klant;startdatum;einddatum\nK-5;Zoë;01-01-2026;31-12-2026\n".encode(
                    "utf-16-le"
                ),
            )
        ],
        [
            (
                "hours.csv",
                b"work_order_number,date,hours,cost_rate\nW-1,2026-02-01,2," + b"9" * 200_000 + b"\n",
            )
        ],
        [("hours.csv", b'work_order_number,date,hours,cost_rate\nW-1,2026-02-01,2,"50\n')],
        [("hours.csv", b"work_order_number,date,hours,cost_rate\r\nW-1,2026-02-01,1e308,1e308\r\n")],
        [("contracts.xlsx", b"PK\x03\x04" + b"\x00" * 100)],
    ],
    ids=[
        "empty",
        "only headers",
        "only a BOM",
        "utf-16 without BOM",
        "huge field",
        "open quote",
        "exponents",
        "a broken zip",
    ],
)
def test_known_nasty_files(loaded, files) -> None:
    _check(loaded, files)
