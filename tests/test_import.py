"""Importing exchange files: Dutch forms equal canonical, every problem located, all or nothing, re-import safe."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from exchange_fixtures import (
    DUTCH_FORMS,
    TODAY,
    figures,
    portfolio_rows,
    snapshot,
    write_canonical,
    write_dutch,
)
from sqlalchemy import Engine, func, select

from budgetcore import cli
from budgetcore.exchange import demo, importing
from budgetcore.exchange.importing import import_paths, import_tables, read_uploads
from budgetcore.exchange.validation import EXAMPLE_ROW
from budgetcore.exchange.workbook import template
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import HourLine, ImportLog, MaterialLine, WorkOrder
from budgetcore.store.schema import prepared

ROWS = portfolio_rows()


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> tuple[list[dict], dict[str, int]]:
    """The portfolio's figures and row counts from the canonical files (on SQLite)."""
    directory = tmp_path_factory.mktemp("canonical")
    engine = prepared(make_engine(f"sqlite:///{directory / 'canonical.db'}"))
    result = import_paths(engine, write_canonical(directory / "csv", ROWS))
    assert result.ok, result.errors[:5]
    try:
        return figures(engine), result.counts
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def dutch(tmp_path_factory) -> Callable[[str], list[Path]]:
    """dutch(form): the portfolio's files in that Dutch export form (write_dutch), written once
    per module; the tests only read them (an import, on each engine)."""
    written: dict[str, list[Path]] = {}

    def files(form: str) -> list[Path]:
        if form not in written:
            written[form] = write_dutch(tmp_path_factory.mktemp(form), ROWS, form)
        return written[form]

    return files


@pytest.mark.parametrize("form", DUTCH_FORMS)
def test_each_dutch_export_form_gives_exactly_the_canonical_figures(form, engine, canonical, dutch) -> None:
    expected_figures, expected_counts = canonical
    result = import_paths(engine, dutch(form))
    assert result.ok, [str(p) for p in result.errors[:5]]
    assert result.counts == expected_counts
    assert figures(engine) == expected_figures
    statuses = {row["status"] for row in expected_figures}
    assert {"on track", "watch", "at risk", "over budget", "no budget"} <= statuses  # the data is not trivial
    report = result.files[0]
    assert report.entity == "contracts"
    assert (report.encoding, report.delimiter, report.decimal_comma) == {
        "semicolon_cp1252": ("cp1252", ";", True),
        "bom_slashes": ("utf-8-sig", ";", True),
        "comma_quoted": ("utf-8", ",", True),
        "tab_utf16": ("utf-16", "\t", True),
        "xlsx": ("xlsx", "", False),
        "xlsx_per_file": ("xlsx", "", False),
    }[form]
    assert report.mapping["Contractnummer"] == "contract_number"
    if not form.startswith("xlsx"):
        assert any(p.message == "unknown columns ignored" and p.value == "Opmerking" for p in result.findings)


def test_importing_the_same_files_twice_leaves_every_figure_unchanged(tmp_path, engine, dutch) -> None:
    canonical_files = write_canonical(tmp_path / "csv", ROWS)
    assert import_paths(engine, canonical_files).ok
    before, tables_before = figures(engine), _counts(engine)
    for paths in (canonical_files, dutch("semicolon_cp1252"), canonical_files):
        result = import_paths(engine, paths)
        assert result.ok and result.written
        assert figures(engine) == before
        assert _counts(engine) == tables_before


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.scalar(select(func.count()).select_from(model))
            for model in (WorkOrder, HourLine, MaterialLine)
        }


def test_one_bad_row_among_thousands_imports_nothing_and_names_file_row_and_column(tmp_path, engine) -> None:
    assert demo.load(engine, contracts=5, today=TODAY).ok
    before = snapshot(engine)
    directory = tmp_path / "big"
    counts = demo.write_csv(directory, contracts=150, today=TODAY, seed=7)
    assert counts["hours"] > 3000
    lines = (directory / "hours.csv").read_text().splitlines()
    cells = lines[2500].split(",")
    cells[5] = "12.3x"  # cost_rate
    lines[2500] = ",".join(cells)
    (directory / "hours.csv").write_text("\n".join(lines) + "\n")
    result = import_paths(engine, [directory])
    assert [(p.file, p.row, p.column, p.value) for p in result.errors] == [
        ("hours.csv", 2501, "cost_rate", "12.3x")
    ]
    assert "hours.csv, row 2501, column cost_rate: not a number" in str(result.errors[0])
    assert not result.written
    assert snapshot(engine) == before


# -- validation, table-driven --------------------------------------------------

BASE = {
    "contracts.csv": "contract_number,customer,start_date,end_date,type\nK-1,Alpha,2026-01-01,2026-12-31,preventive\nK-2,Beta,2026-01-01,2026-12-31,corrective\n",
    "budgets.csv": "contract_number,category,amount,period_start,period_end\nK-1,labour,1000,,\nK-1,material,500,,\n",
    "work_orders.csv": "work_order_number,contract_number,date,type\nW-1,K-1,2026-02-01,periodic\nW-2,K-2,2026-03-01,corrective\n",
    "hours.csv": "work_order_number,date,hours,cost_rate\nW-1,2026-02-01,2,50\nW-2,2026-03-01,1.5,60\n",
    "materials.csv": "work_order_number,date,quantity,unit_cost\nW-1,2026-02-01,3,10.5\n",
}  # fmt: skip


def _tables(files: dict[str, str | bytes]):
    tables, problems = read_uploads([(n, c.encode() if isinstance(c, str) else c) for n, c in files.items()])
    assert problems == []
    return tables


def _with(changes: dict[str, str | None]) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = dict(BASE)
    for name, content in changes.items():
        if content is None:
            files.pop(name)
        elif content.startswith("+"):
            files[name] = files[name] + content[1:]
        else:
            files[name] = content
    return files


@pytest.fixture
def sqlite_engine(tmp_path, new_sqlite) -> Engine:
    return new_sqlite(tmp_path / "v.db")


@pytest.fixture(scope="module")
def empty_snapshot() -> dict[str, list[tuple]]:
    """Every table of a database that prepare() made and nothing wrote to (all empty)."""
    engine = prepared(make_engine("sqlite://"))
    try:
        return snapshot(engine)
    finally:
        engine.dispose()


ERROR_CASES = [
    ({"budgets.csv": "+K-2,reiskosten,10,,\n"}, ("budgets.csv", 4, "category", "reiskosten", "unknown value")),
    ({"contracts.csv": "+K-3,Gamma,2026-12-31,2026-01-01,\n"}, ("contracts.csv", 4, "end_date", "2026-01-01", "end date before start date")),
    ({"contracts.csv": "+K-3,Gamma,31-02-2026,2026-12-31,\n"}, ("contracts.csv", 4, "start_date", "31-02-2026", "no such date")),
    ({"contracts.csv": "+K-3,,2026-01-01,2026-12-31,\n"}, ("contracts.csv", 4, "customer", "", "required value missing")),
    ({"contracts.csv": "+K-1,Alpha,2026-01-01,2026-12-31,\n"}, ("contracts.csv", 4, None, "K-1", "duplicate key, first on row 2")),
    ({"contracts-2.csv": "contract_number,customer,start_date,end_date\nK-1,Alpha,2026-01-01,2026-12-31\n"},
     ("contracts-2.csv", 2, None, "K-1", "duplicate key, first on contracts.csv, row 2")),
    ({"budgets.csv": "+K-1,labour,99,,\n"}, ("budgets.csv", 4, None, "K-1 / labour / ", "duplicate key, first on row 2")),
    ({"budgets.csv": "+K-9,labour,99,,\n"}, ("budgets.csv", 4, "contract_number", "K-9", "unknown contract")),
    ({"budgets.csv": "+K-2,labour,99,2026-06-01,2026-05-01\n"}, ("budgets.csv", 4, "period_end", "2026-05-01", "period ends before it starts")),
    ({"budgets.csv": "+K-2,labour,-5,,\n"}, ("budgets.csv", 4, "amount", "-5", "must not be negative")),
    ({"budgets.csv": "+K-2,labour,1e5,,\n"}, ("budgets.csv", 4, "amount", "1e5", "not a number")),
    ({"budgets.csv": "+K-2,labour,123456789012,,\n"}, ("budgets.csv", 4, "amount", "123456789012", "number too large")),
    ({"work_orders.csv": "+W-3,K-9,2026-03-01,extra\n"}, ("work_orders.csv", 4, "contract_number", "K-9", "unknown contract")),
    ({"work_orders.csv": "+W-3,K-1,2026-03-01,spoed\n"}, ("work_orders.csv", 4, "type", "spoed", "unknown value")),
    ({"work_orders.csv": "+W-1,K-1,2026-03-01,extra\n"}, ("work_orders.csv", 4, None, "W-1", "duplicate key, first on row 2")),
    ({"hours.csv": "+W-9,2026-03-01,1,50\n"}, ("hours.csv", 4, "work_order_number", "W-9", "unknown work order")),
    ({"hours.csv": "+W-1,2026-03-01,twee,50\n"}, ("hours.csv", 4, "hours", "twee", "not a number")),
    ({"hours.csv": "+W-1,2026-03-01,99999,99999\n"}, ("hours.csv", 4, "cost_rate", "99999", "line cost too large")),
    ({"hours.csv": "+W-1,2026-03-01,1,50,5\n"}, ("hours.csv", 4, None, "5", "row has 5 cells but the header 4 (a decimal comma in a comma-separated file?)")),
    ({"materials.csv": "+W-1,2026-03-01,1,\n"}, ("materials.csv", 3, "unit_cost", "", "required value missing")),
    ({"hours.csv": "work_order_number,date,hours\nW-1,2026-02-01,2\n"}, ("hours.csv", 1, "cost_rate", None, "required column missing")),
    ({"uren.csv": "Werkbonnummer;Datum;Uren;Kostprijs\nW-1;01-02-2026;2;€ 5x\n", "hours.csv": None},
     ("uren.csv", 2, "Kostprijs", "€ 5x", "not a number")),
    ({"notes.csv": "a,b\n1,2\n"}, ("notes.csv", 1, None, None, "cannot tell which entity")),
    ({"contracts.csv": ""}, ("contracts.csv", 1, None, None, "the file is empty")),
    ({"budgets.csv": "+K-2,labour,\"1.2.3,4\",,\n"}, ("budgets.csv", 4, "amount", "1.2.3,4", "thousands groups must have three digits")),
    ({"hours.csv": "+W-1,2026-03-01,-99999,50\n"}, ("hours.csv", 4, "hours", "-99999", "negative, but the row is not marked as a credit")),
    ({"materials.csv": "+W-1,2026-03-01,-3,10.5\n"}, ("materials.csv", 3, "quantity", "-3", "negative, but the row is not marked as a credit")),
    ({"hours.csv": "work_order_number,date,hours,cost_rate,credit\nW-1,2026-02-01,2,50,ja\n"},
     ("hours.csv", 2, "hours", "2", "a credit (credit = yes) must be negative")),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "expected"), ERROR_CASES, ids=[c[1][4][:30] for c in ERROR_CASES])
def test_every_error_names_file_row_column_value(sqlite_engine, empty_snapshot, changes, expected) -> None:
    result = import_tables(sqlite_engine, _tables(_with(changes)))
    assert not result.written
    found = [(p.file, p.row, p.column, p.value, p.message) for p in result.errors]
    assert len(found) == 1, found
    assert found[0][:4] == expected[:4]
    assert found[0][4].startswith(expected[4])
    assert snapshot(sqlite_engine) == empty_snapshot  # nothing written, not even a contract


def test_a_declared_credit_may_be_negative_on_both_engines(engine) -> None:
    files = _with({"hours.csv": "work_order_number,date,hours,cost_rate,creditregel\n"
                                "W-1,2026-02-01,2,50,nee\nW-1,2026-02-02,-0.5,50,ja\nW-2,2026-03-01,1.5,60,\n"})  # fmt: skip
    result = import_tables(engine, _tables(files))
    assert result.written, result.errors
    assert result.counts["hours"] == 3


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(sqlite_engine) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "contracts"
    sheet.append(["contract_number", "customer", "start_date", "end_date", "contract_value"])
    sheet.append(["K-9", "Alpha", "2026-01-01", "2026-12-31", "=12*1000"])  # openpyxl saves no value
    out = io.BytesIO()
    book.save(out)
    tables, problems = read_uploads([("book.xlsx", out.getvalue())])
    assert problems == []
    result = import_tables(sqlite_engine, tables)
    assert [(p.row, p.column, p.message) for p in result.errors] == [
        (
            2,
            "contract_value",
            "formula without a saved value in cell E2: open the workbook in Excel and save it again",
        )
    ]


def test_all_errors_of_all_files_are_collected_on_both_engines(engine) -> None:
    files = _with(
        {
            "contracts.csv": "+K-3,Gamma,2026-02-30,2026-12-31,\nK-4,Delta,2026-01-01,2025-01-01,jaarlijks\n",
            "hours.csv": "+W-9,2026-03-01,1,50\nW-1,morgen,x,\n",
        }
    )
    result = import_tables(engine, _tables(files))
    assert sorted((p.file, p.row, p.column) for p in result.errors) == [
        ("contracts.csv", 4, "start_date"),
        ("contracts.csv", 5, "type"),
        ("hours.csv", 4, "work_order_number"),
        ("hours.csv", 5, "cost_rate"),
        ("hours.csv", 5, "date"),
        ("hours.csv", 5, "hours"),
    ]
    assert snapshot(engine) == {table: [] for table in snapshot(engine)}


def test_a_contract_with_an_error_does_not_repeat_it_on_every_row_that_refers_to_it(sqlite_engine) -> None:
    files = _with(
        {"contracts.csv": "+K-3,Gamma,2026-02-30,2026-12-31,\n", "work_orders.csv": "+W-3,K-3,2026-03-01,\n"}
    )
    result = import_tables(sqlite_engine, _tables(files))
    assert [(p.file, p.row) for p in result.errors] == [("contracts.csv", 4)]


FINDING_CASES = [
    ({"work_orders.csv": "+W-3,,2026-03-01,extra\n"}, ("work_orders.csv", 4, "contract_number", "work order not under a contract")),
    ({"hours.csv": "+W-1,2027-01-05,1,50\n"}, ("hours.csv", 4, "date", "line dated outside the contract term (2026-01-01 to 2026-12-31): not counted")),
    ({"materials.csv": "+W-2,2025-12-31,1,3\n"}, ("materials.csv", 3, "date", "line dated outside the contract term (2026-01-01 to 2026-12-31): not counted")),
    ({"hours.csv": "+W-1,2026-03-01,1,0\n"}, ("hours.csv", 4, "cost_rate", "zero cost rate")),
    ({"budgets.csv": "+K-2,labour,99,2025-06-01,2026-05-31\n"}, ("budgets.csv", 4, "period_start", "budget period reaches outside the contract term")),
    ({"hours.csv": "work_order_number,date,hours,cost_rate,Opmerking\nW-1,2026-02-01,2,50,x\n"}, ("hours.csv", 1, None, "unknown columns ignored")),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "expected"), FINDING_CASES, ids=[c[1][3][:30] for c in FINDING_CASES])
def test_findings_are_reported_and_do_not_stop_the_import(sqlite_engine, changes, expected) -> None:
    result = import_tables(sqlite_engine, _tables(_with(changes)))
    assert result.ok and result.written
    assert [(p.file, p.row, p.column, p.message) for p in result.findings] == [expected]


# -- re-import rules, all or nothing ----------------------------------------------


def test_reimport_upserts_by_key_and_replaces_lines_per_work_order_in_the_file(engine) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    update = {
        "contracts.csv": "contract_number,customer,start_date,end_date\nK-2,Beta,2026-01-01,2027-06-30\n",
        "hours.csv": "work_order_number,date,hours,cost_rate\nW-1,2026-02-02,1,40\nW-1,2026-02-03,1,40\n",
    }
    result = import_tables(engine, _tables(update))
    assert result.ok and result.counts == {"contracts": 1, "hours": 2}
    by_number = {r["contract_number"]: r for r in figures(engine)}
    assert by_number["K-2"]["end_date"].isoformat() == "2027-06-30"
    assert by_number["K-2"]["actual_labour"] == Decimal("90.00")  # W-2's hours untouched: not in the file
    assert by_number["K-1"]["actual_labour"] == Decimal(
        "80.00"
    )  # W-1's two old hours replaced by the new lines
    assert by_number["K-1"]["actual_material"] == Decimal("31.50")  # no materials file: materials kept
    assert len(figures(engine)) == 2


def test_a_work_order_that_moves_contract_changes_both_contracts_figures(engine) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    moved = {"work_orders.csv": "work_order_number,contract_number,date\nW-2,K-1,2026-03-01\n"}
    assert import_tables(engine, _tables(moved)).ok
    by_number = {r["contract_number"]: r for r in figures(engine)}
    assert (by_number["K-1"]["actual_labour"], by_number["K-2"]["actual_labour"]) == (
        Decimal("190.00"),
        Decimal("0.00"),
    )


def test_a_valid_file_is_not_written_when_another_file_of_the_import_has_an_error(engine) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    before = snapshot(engine)
    files = {
        "contracts.csv": "contract_number,customer,start_date,end_date\nK-5,Epsilon,2026-01-01,2026-12-31\n",
        "hours.csv": "work_order_number,date,hours,cost_rate\nW-1,2026-02-01,2,fifty\n",
    }
    result = import_tables(engine, _tables(files))
    assert not result.ok and not result.written
    assert snapshot(engine) == before


def test_dry_run_validates_against_the_database_and_writes_nothing(engine) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    before = snapshot(engine)
    update = {"hours.csv": "work_order_number,date,hours,cost_rate\nW-2,2026-03-02,1,40\n"}
    result = import_tables(engine, _tables(update), dry_run=True)
    assert result.ok and not result.written and result.counts == {"hours": 1}
    assert snapshot(engine) == before


def test_a_database_failure_midway_becomes_a_problem_and_rolls_everything_back(engine, monkeypatch) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    before = snapshot(engine)

    def broken(session, ids=None) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("budgetcore.store.aggregates.rebuild", broken)  # fails after every row is written
    update = {"hours.csv": "work_order_number,date,hours,cost_rate\nW-2,2026-03-02,1,40\n"}
    result = import_tables(engine, _tables(update))
    assert not result.written
    assert [(p.file, p.message) for p in result.errors] == [
        ("(database)", "import failed, nothing written: disk full")
    ]
    assert snapshot(engine) == before


def test_the_import_log_records_when_which_files_how_many_rows_and_who(engine) -> None:
    result = import_tables(engine, _tables(BASE), user="anna", source="page")
    assert result.written
    with transaction(engine) as session:
        (entry,) = session.scalars(select(ImportLog)).all()
    assert (
        entry.files
        == "contracts.csv (2); budgets.csv (2); work_orders.csv (2); hours.csv (2); materials.csv (1)"
    )
    assert (entry.rows, entry.user, entry.source) == (9, "anna", "page")
    assert entry.imported_at is not None


def test_the_template_workbook_imports_cleanly(engine) -> None:
    for lang in ("en", "nl"):
        tables, problems = read_uploads([("sjabloon.xlsx", template(lang))])
        result = import_tables(engine, tables)
        assert problems == [] and result.ok, result.errors
        assert result.counts == dict.fromkeys(
            ("contracts", "budgets", "work_orders", "hours", "materials"), 2
        )
        # its example rows import, but never silently (issue 14)
        assert [(p.row, p.value, p.template) for p in result.findings] == [
            (2, "CT-2026-001", EXAMPLE_ROW),
            (3, "CT-2026-002", EXAMPLE_ROW),
        ]


def test_an_extra_unrecognised_sheet_is_skipped_with_a_note(sqlite_engine) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template("nl")))
    book.create_sheet("Toelichting").append(["Vul de bladen in en importeer."])
    buffer = io.BytesIO()
    book.save(buffer)
    tables, _ = read_uploads([("boek.xlsx", buffer.getvalue())])
    result = import_tables(sqlite_engine, tables)
    assert result.ok
    assert [(p.file, p.message[:13]) for p in result.findings if p.template != EXAMPLE_ROW] == [
        ("boek.xlsx / Toelichting", "sheet skipped")
    ]


# -- the command line ----------------------------------------------------------------


def test_cli_imports_xlsx_and_dry_runs_and_reports_problems(tmp_path, db_url, dutch) -> None:
    [workbook] = dutch("xlsx")  # the only file in its folder
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["import", "--db", db_url, "--dry-run", str(workbook)], out, err) == 0
    assert out.getvalue().startswith("validated (dry run, nothing written): 40 contracts")
    assert cli.main(["import", "--db", db_url, str(workbook.parent)], out, err) == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "uren.csv").write_text("Werkbonnummer;Datum;Uren;Kostprijs\nWB-X;01-02-2026;2;50\n")
    err = io.StringIO()
    assert cli.main(["import", "--db", db_url, str(bad)], io.StringIO(), err) == 1
    assert "error: uren.csv, row 2, column Werkbonnummer: unknown work order (value 'WB-X')" in err.getvalue()


def test_unreadable_files_are_problems_not_crashes(tmp_path, sqlite_engine) -> None:
    (tmp_path / "contracts.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "budgets.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    result = import_paths(
        sqlite_engine, [tmp_path / "contracts.xlsx", tmp_path / "budgets.xls", tmp_path / "gone.csv"]
    )
    assert [(p.file, p.message[:30]) for p in result.errors] == [
        ("contracts.xlsx", "not a readable .xlsx workbook "),
        ("budgets.xls", "cannot read this file: old Exc"),
        (str(tmp_path / "gone.csv"), "cannot open: No such file or d"),
    ]


def test_paths_of_a_folder_include_csv_and_xlsx(tmp_path, sqlite_engine, dutch) -> None:
    folder = tmp_path / "mixed"
    write_canonical(folder, ROWS)
    (folder / "contracts.csv").unlink()
    shutil.copyfile(dutch("xlsx_per_file")[0], folder / "contracten.xlsx")
    (folder / "readme.md").write_text("not data")
    (folder / "notes.txt").write_text("not data either")
    (folder / "~$contracten.xlsx").write_bytes(b"Excel's lock file while the workbook is open")
    result = import_paths(sqlite_engine, [folder])
    assert result.ok and result.counts["contracts"] == 40
    assert sorted(r.file for r in result.files)[0] == "budgets.csv"
    assert Path(folder / "readme.md").exists()


def test_two_uploads_with_the_same_name_stay_apart(sqlite_engine) -> None:
    contracts = "contract_number,customer,start_date,end_date\nK-1,Alpha,2026-01-01,2026-12-31\n"
    tables, _ = read_uploads([("contracts.csv", contracts.encode()), ("contracts.csv", contracts.encode())])
    result = import_tables(sqlite_engine, tables)
    assert [(p.file, p.message) for p in result.errors] == [
        ("contracts.csv (2)", "duplicate key, first on contracts.csv, row 2")
    ]


def test_progress_is_reported_per_file_and_at_each_file_end(sqlite_engine) -> None:
    calls: list[tuple[str, int]] = []
    hours = "work_order_number,date,hours,cost_rate\n" + "W-1,2026-02-01,1,50\n" * 2500
    result = import_tables(
        sqlite_engine, _tables(_with({"hours.csv": hours})), progress=lambda f, n: calls.append((f, n))
    )
    assert result.ok
    assert [c for c in calls if c[0] == "hours.csv"] == [
        ("hours.csv", 1000),
        ("hours.csv", 2000),
        ("hours.csv", 2500),
    ]
    assert calls[-1] == ("materials.csv", 1)


def test_ten_thousand_problems_are_listed_and_the_rest_counted(sqlite_engine) -> None:
    hours = "work_order_number,date,hours,cost_rate\n" + "W-1,2026-02-01,x,50\n" * 10_005
    result = import_tables(sqlite_engine, _tables(_with({"hours.csv": hours})))
    assert (len(result.errors), result.unlisted_errors, result.error_count) == (10_000, 5, 10_005)
    assert result.errors[-1].row == 10_001


def test_problems_download_as_a_csv_a_spreadsheet_opens() -> None:
    problems = [
        importing.Problem.of(
            "uren.csv", 6, "Datum", "morgen", "not a date (expected YYYY-MM-DD or DD-MM-YYYY)"
        ),
        importing.Problem.of("werkbonnen.csv", 3, None, "W-1", "duplicate key, first on row {row}", row=2),
    ]
    nl = importing.problems_csv(problems, "nl").decode("utf-8-sig").splitlines()
    assert nl == [
        "Bestand;Regel;Kolom;Waarde;Melding",
        "uren.csv;6;Datum;morgen;geen datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)",
        "werkbonnen.csv;3;;W-1;dubbele sleutel, eerst op regel 2",
    ]
    assert importing.problems_csv(problems).decode("utf-8-sig").splitlines()[2] == (
        'werkbonnen.csv,3,,W-1,"duplicate key, first on row 2"'
    )


def test_lines_of_one_work_order_in_two_files_of_one_import_are_all_kept(engine) -> None:
    assert import_tables(engine, _tables(BASE)).ok
    split = {
        "uren-januari.csv": "work_order_number,date,hours,cost_rate\nW-1,2026-01-10,1,40\n",
        "uren-februari.csv": "work_order_number,date,hours,cost_rate\nW-1,2026-02-10,2,40\n",
    }
    assert import_tables(engine, _tables(split)).ok
    by_number = {r["contract_number"]: r for r in figures(engine)}
    assert by_number["K-1"]["actual_labour"] == Decimal("120.00")  # 3 h x 40, the old 2 h x 50 replaced
