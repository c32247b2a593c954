"""limits.py: one table of limits for every input, checked before the bytes are parsed; the zip bomb."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from budgetcore.exchange import limits
from budgetcore.exchange.importing import import_paths, read_uploads
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = "contract_number,customer,start_date,end_date\n"


def workbook(rows: list[list[object]], title: str = "contracts") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def peak_run(args: list[str], log: Path) -> tuple[int, str, float]:
    """Run python ARGS from the repository root: (exit status, stderr, peak RSS in MB)."""
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak, not the test process's
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, log.read_text(), usage.ru_maxrss / 1024  # Linux: kilobytes


def test_the_bomb_is_refused_before_parsing_and_the_import_stays_small(bomb: Path, tmp_path: Path) -> None:
    code, err, peak_mb = peak_run(
        ["-m", "budgetcore", "import", str(bomb), "--db", f"sqlite:///{tmp_path / 'b.db'}"], tmp_path / "err"
    )
    assert code == 1
    assert "contracts.xlsx: the workbook's part xl/sharedStrings.xml unpacks to more than 128 MB" in err
    assert len(err) < 2_000, "no value echoed whole"
    assert peak_mb < 1024, f"peak RSS {peak_mb:.0f} MB"


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused() -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (8 * limits.MB) + b">")
    tables, problems = read_uploads([("contracts.xlsx", packed.getvalue())])
    assert not tables
    assert problems[0].message.endswith(
        "unpacks 1,027 times its packed size (at most 100): not a real workbook"
    )


@pytest.mark.parametrize("before", [0, 3])
def test_a_long_cell_in_a_dutch_export_is_refused_not_dropped(tmp_path: Path, before: int) -> None:
    """A `;` export (read row by row) with a cell over the limit among its first rows: the import
    refused nothing and wrote nothing, saying it went well, until the sampling's error travelled on."""
    long = "x" * (limits.CELL_CHARS + 1)
    rows = [f"K-{i};Klant {i};2026-01-01;2026-12-31" for i in range(before)] + [
        f"K-9;{long};2026-01-01;2026-12-31"
    ]
    (tmp_path / "contracts.csv").write_text(CONTRACTS.replace(",", ";") + "\n".join(rows) + "\n")
    result = import_paths(
        prepared(make_engine(f"sqlite:///{tmp_path / 'l.db'}")), [tmp_path / "contracts.csv"]
    )
    assert not result.ok
    assert [(p.message, p.row) for p in result.errors] == [
        ("a cell holds more than 10,000 characters", before + 2)
    ]


def test_a_long_cell_is_refused_alike_in_csv_and_xlsx(tmp_path: Path) -> None:
    long = "x" * (limits.CELL_CHARS + 1)
    row = ["K-1", long, "2026-01-01", "2026-12-31"]
    (tmp_path / "csv").mkdir()
    (tmp_path / "csv" / "contracts.csv").write_text(CONTRACTS + ",".join(row) + "\n")
    (tmp_path / "quoted").mkdir()
    (tmp_path / "quoted" / "contracts.csv").write_text(CONTRACTS + ",".join(f'"{c}"' for c in row) + "\n")
    (tmp_path / "xlsx").mkdir()
    (tmp_path / "xlsx" / "contracts.xlsx").write_bytes(workbook([CONTRACTS.strip().split(","), row]))
    engine = prepared(make_engine(f"sqlite:///{tmp_path / 'l.db'}"))
    for folder in ("csv", "quoted", "xlsx"):
        result = import_paths(engine, [tmp_path / folder])
        assert [p.message for p in result.errors] == ["a cell holds more than 10,000 characters"], folder
        assert result.errors[0].row == 2
        assert all(len(p.value or "") <= limits.EXCERPT for p in result.errors)
    engine.dispose()


def test_a_file_beyond_the_size_limit_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "UPLOAD_MB", 1)
    tables, problems = read_uploads([("contracts.csv", CONTRACTS.encode() + b"x" * limits.MB)])
    assert not tables and problems[0].message == "the file is larger than 1 MB"


def test_rows_and_cells_per_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(limits, "ROWS", 3)
    (tmp_path / "contracts.csv").write_text(
        CONTRACTS + "".join(f"K-{i},A,2026-01-01,2026-12-31\n" for i in range(5))
    )
    engine = prepared(make_engine(f"sqlite:///{tmp_path / 'r.db'}"))
    result = import_paths(engine, [tmp_path / "contracts.csv"])
    assert [p.message for p in result.errors] == ["more than 3 rows: split the file"]
    engine.dispose()


def test_streamlit_takes_what_the_limits_take() -> None:
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["maxUploadSize"] == limits.UPLOAD_MB
    assert server["maxMessageSize"] == limits.UPLOAD_MB


def test_a_wide_header_is_refused_before_it_is_split(tmp_path: Path) -> None:
    """A 0.2 MB CSV whose header is 200,000 empty columns: refused on its header line, in the upload
    path and the command line's alike, holding little memory (it once took 2 GB to validate)."""
    import tracemalloc

    wide = b"contract_number" + b"," * 200_000 + b"\nK-1\n"
    tracemalloc.start()
    try:
        tables, problems = read_uploads([("contracts.csv", wide)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not tables and [p.message for p in problems] == ["the header row is longer than 50,000 characters"]
    assert peak < 20 * limits.MB
    path = tmp_path / "contracts.csv"
    path.write_bytes(b"contract_number" + b";" * 40_000 + b"\nK-1\n")  # short enough, too many columns
    engine = prepared(make_engine(f"sqlite:///{tmp_path / 'w.db'}"))
    result = import_paths(engine, [path])
    assert [p.message for p in result.errors] == [
        "more than 500 columns: the exchange format has at most a few dozen"
    ]
    engine.dispose()
    row = tmp_path / "rows" / "contracts.csv"  # a narrow header, a row of 501 cells
    row.parent.mkdir()
    row.write_text(CONTRACTS + "K-9,A,2026-01-01,2026-12-31" + "," * 497 + "\n")
    engine = prepared(make_engine(f"sqlite:///{tmp_path / 'r.db'}"))
    assert [p.message for p in import_paths(engine, [row]).errors] == [
        "more than 500 columns: the exchange format has at most a few dozen"
    ]
    engine.dispose()
