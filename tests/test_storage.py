"""Storage on both engines: schema, exact money, data version, safe re-import, all-or-nothing import."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import handcalc
import pytest
from sqlalchemy import Engine, create_engine, func, inspect, select, text

from budgetcore.exchange import demo
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import portfolio
from budgetcore.store import schema
from budgetcore.store.database import (
    StorageError,
    data_version,
    has_schema,
    make_engine,
    normalise_url,
    reading,
    transaction,
)
from budgetcore.store.models import (
    BudgetLine,
    Contract,
    ContractMonth,
    Customer,
    HourLine,
    ImportLog,
    MaterialLine,
    WorkOrder,
    from_units,
    to_units,
)
from budgetcore.store.schema import prepare

D = Decimal
TABLES = (Customer, Contract, BudgetLine, WorkOrder, HourLine, MaterialLine, ContractMonth, ImportLog)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            m.__tablename__: conn.scalar(select(func.count()).select_from(m))  # type: ignore[attr-defined]
            for m in TABLES
        }


def _version(engine: Engine) -> int:
    with transaction(engine) as session:
        return data_version(session)


def _all_figures(engine: Engine) -> list:
    dates = (dt.date(2024, 12, 31), handcalc.AS_OF, dt.date(2026, 6, 30), dt.date(2027, 12, 31))
    with transaction(engine) as session:
        return [portfolio.portfolio(session, as_of) for as_of in dates]


def test_prepare_creates_the_schema_once_and_names_its_steps(db_url: str) -> None:
    bare = create_engine(normalise_url(db_url))
    assert not has_schema(bare)
    engine = make_engine(db_url)
    steps = prepare(engine)
    assert steps == [f"upgraded from an empty database to {schema.head()}"]
    names = set(inspect(engine).get_table_names())
    assert {m.__tablename__ for m in TABLES} | {"meta"} <= names
    assert prepare(make_engine(db_url)) == []  # a second start finds the schema and keeps it
    assert has_schema(bare)
    bare.dispose()
    engine.dispose()


def test_the_start_steps_are_logged_and_the_demo_fills_only_an_empty_database(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    engine = make_engine(db_url)
    prepare(engine)
    assert any(
        r.getMessage().startswith("schema: upgraded from an empty database to ") for r in caplog.records
    )
    first = demo.load_if_empty(engine, contracts=4, today=dt.date(2026, 11, 27))
    assert first is not None and first.ok
    assert any(r.getMessage().startswith("demo: loaded into an empty database") for r in caplog.records)
    assert demo.load_if_empty(engine, contracts=4) is None  # it has contracts now: left alone
    with transaction(engine) as session:  # four, and the completed previous terms of some of them
        contracts = session.scalars(select(Contract)).all()
    assert len(contracts) == first.counts["contracts"] > 4
    assert sum(c.previous_contract is None for c in contracts) == 4
    engine.dispose()


def test_opening_an_engine_leaves_the_database_empty(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert not has_schema(engine)
    engine.dispose()


@pytest.mark.parametrize(
    "value",
    ["1234567.891234", "0.000001", "-0.000001", "0", "-98765.43", "999999999999.999999", "52.50"],
)
def test_money_round_trips_exactly(engine: Engine, value: str) -> None:
    with transaction(engine) as session:
        customer = Customer(name="Klant")
        session.add(customer)
        session.flush()
        session.add(
            Contract(
                contract_number="K-1",
                customer_id=customer.id,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 12, 31),
                contract_value=D(value),
            )
        )
    with transaction(engine) as session:
        stored = session.scalar(select(Contract.contract_value))
        raw = session.scalar(text("SELECT contract_value FROM contracts"))
    assert stored == D(value)
    assert isinstance(stored, Decimal)
    assert raw == int(D(value) * 1_000_000)  # integer millionths on every engine


@pytest.mark.parametrize(
    ("value", "units"),
    [
        (D("1.23"), 1_230_000),
        (D("0.0000005"), 0),  # below 1e-6: half to even
        (D("0.0000015"), 2),
        (D("0.0000025"), 2),
        (D("-0.0000015"), -2),
        (D("12.3425") * 2, 24_685_000),
    ],
)
def test_to_units(value: Decimal, units: int) -> None:
    assert to_units(value) == units


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(1_230_000, D("1.23")), (-1, D("-0.000001")), (D(5_000_000), D(5)), (2.5e6, D("2.5"))],
)
def test_from_units(raw: int | Decimal | float, expected: Decimal) -> None:
    assert from_units(raw) == expected


def test_data_version_bumps_on_every_import(engine: Engine, tmp_path: Path) -> None:
    paths = handcalc.write(tmp_path / "csv")
    assert _version(engine) == 0
    assert import_paths(engine, paths).ok
    assert _version(engine) == 1
    assert import_paths(engine, paths).ok
    assert _version(engine) == 2
    assert import_paths(engine, paths, dry_run=True).ok
    assert _version(engine) == 2  # a dry run writes nothing


def test_reimport_of_the_same_files_changes_no_figure(engine: Engine, tmp_path: Path) -> None:
    paths = handcalc.write(tmp_path / "csv")
    assert import_paths(engine, paths).ok
    counts, figures = _counts(engine), _all_figures(engine)
    assert import_paths(engine, paths).ok
    assert _all_figures(engine) == figures
    assert _counts(engine) == counts | {"import_log": 2}


def test_reimport_replaces_the_lines_of_work_orders_in_the_file(engine: Engine, tmp_path: Path) -> None:
    assert import_paths(engine, handcalc.write(tmp_path / "csv")).ok
    # WB-101 had 3 h x 52.50 and 1 h x 50.00 (before the term); the file now holds 5 h x 52.50 only
    hours = tmp_path / "again" / "hours.csv"
    hours.parent.mkdir()
    hours.write_text(
        "work_order_number,date,employee,hour_type,hours,cost_rate,sales_rate\n"
        "WB-101,2026-02-10,Piet,work,5,52.50,75.00\n"
    )
    assert import_paths(engine, [hours]).ok
    with transaction(engine) as session:
        figures = {f.contract_number: f for f in portfolio.portfolio(session, handcalc.AS_OF)}
    # K-001 labour: 5 x 52.50 = 262.50 + WB-102 4.5 x 48.00 = 216.00 -> 478.50
    assert figures["K-001"].inputs.actual_labour == D("478.50")
    assert figures["K-001"].inputs.outside_term_lines == 0
    # other work orders' lines were not touched
    assert figures["K-004"].inputs.actual_labour == D("600")
    assert _counts(engine)["hour_lines"] == handcalc.ROWS["hours"] - 1


def _bad_hours(directory: Path) -> Path:
    """hours.csv with 'abc' as cost rate on row 3 (the header is row 1)."""
    text = handcalc.CSV["hours.csv"].splitlines()
    text[2] = "WB-101,2025-12-31,Piet,work,1,abc,75.00"
    path = directory / "hours.csv"
    path.write_text("\n".join(text) + "\n")
    return path


@pytest.mark.parametrize("first_import", [False, True])
def test_a_failed_import_writes_nothing(engine: Engine, tmp_path: Path, first_import: bool) -> None:
    if first_import:
        assert import_paths(engine, handcalc.write(tmp_path / "base")).ok
    before, version, figures = _counts(engine), _version(engine), _all_figures(engine)
    paths = handcalc.write(tmp_path / "bad")
    # every other file valid, and contracts changed: none of it may be written
    contracts = paths[0]
    contracts.write_text(contracts.read_text().replace("8000.00", "9999.00"))
    _bad_hours(tmp_path / "bad")

    result = import_paths(engine, paths)

    assert not result.ok and not result.written
    assert [(p.file, p.row, p.column, p.value) for p in result.errors] == [
        ("hours.csv", 3, "cost_rate", "abc")
    ]
    assert str(result.errors[0]).startswith("hours.csv, row 3, column cost_rate: ")
    assert _counts(engine) == before
    assert _version(engine) == version
    assert _all_figures(engine) == figures
    with transaction(engine) as session:
        value = session.scalar(select(Contract.contract_value).where(Contract.contract_number == "K-001"))
    assert value == (D("8000.00") if first_import else None)


@pytest.mark.parametrize(
    ("file", "line", "column", "message"),
    [
        (
            "contracts.csv",
            "K-010,Klant,,,,preventive,2026-31-01,2026-12-31,,,,,,,",
            "start_date",
            "no such date",
        ),
        (
            "contracts.csv",
            "K-010,Klant,,,,preventive,2026-02-01,2026-01-31,,,,,,,",
            "end_date",
            "end date before start",
        ),
        ("budgets.csv", "K-404,labour,100,,,", "contract_number", "unknown contract"),
        ("budgets.csv", "K-001,beer,100,,,", "category", "unknown value"),
        ("work_orders.csv", "WB-777,K-001,morgen,periodic,,", "date", "not a date"),
        ("hours.csv", "WB-404,2026-02-10,Piet,work,1,50,", "work_order_number", "unknown work order"),
        ("materials.csv", "WB-101,2026-02-10,A1,valve,,12.00,", "quantity", "required value missing"),
    ],
)
def test_problems_name_file_row_and_column(
    engine: Engine, tmp_path: Path, file: str, line: str, column: str, message: str
) -> None:
    paths = handcalc.write(tmp_path / "csv")
    path = tmp_path / "csv" / file
    path.write_text(path.read_text() + line + "\n")
    row = len(path.read_text().splitlines())  # the appended line; the header is row 1

    result = import_paths(engine, paths)

    assert [(p.file, p.row, p.column) for p in result.errors] == [(file, row, column)]
    assert message in result.errors[0].message
    assert set(_counts(engine).values()) == {0}


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////proc/no-such-folder/budgetcore.db",  # the folder cannot be created
        "postgresql://postgres@127.0.0.1:1/test",  # nothing listens on port 1
    ],
)
def test_an_unreachable_database_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="cannot"):
        prepare(make_engine(url))


def test_a_read_sees_one_state_while_another_process_commits(engine: Engine) -> None:
    """database.reading: a portfolio read's statements agree, though a write commits between them
    (a read that saw 19 contracts and then 20 contracts' figures failed in CI under load)."""
    assert demo.load(engine, contracts=3, today=dt.date(2026, 6, 15)).ok
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with reading(engine) as session:
            before = session.scalar(select(func.count()).select_from(Contract))
            with transaction(other) as writer:  # another connection, as another process would be
                writer.add(Customer(name="Later"))
                writer.flush()
                customer = writer.scalar(select(Customer.id).where(Customer.name == "Later"))
                writer.add(
                    Contract(
                        contract_number="LATE-1",
                        customer_id=customer,
                        start_date=dt.date(2026, 1, 1),
                        end_date=dt.date(2026, 12, 31),
                    )
                )
            assert session.scalar(select(func.count()).select_from(Contract)) == before
        with reading(engine) as session:
            assert session.scalar(select(func.count()).select_from(Contract)) == before + 1
    finally:
        other.dispose()
