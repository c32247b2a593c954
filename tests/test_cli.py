"""The command line on both engines: import, summary, renewals, demo, bad input. Most tests call
`cli.main` in this process (what `python -m budgetcore` runs); the test with streamlit and plotly
blocked runs it as `python -m budgetcore` in a child process."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import handcalc
import pytest
from sqlalchemy import Engine, func, select

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.store.database import make_engine
from budgetcore.store.models import Contract, HourLine, WorkOrder
from budgetcore.store.schema import prepared

ROOT = Path(__file__).resolve().parent.parent

# The columns README.md and issue 2 promise, in this order, exactly so named.
COLUMNS = [
    "contract_number", "customer", "status", "budget_total", "actual_labour", "actual_material",
    "actual_total", "consumed_pct", "elapsed_pct", "burn_index", "forecast_total", "forecast_method",
    "margin", "forecast_margin", "end_date", "notice_deadline", "days_to_end", "extra_cost",
    "extra_revenue", "extra_share",
]  # fmt: skip
STATUSES = {"no budget", "over budget", "at risk", "watch", "on track"}


def run(url: str, *args: str, today: str | None = None) -> subprocess.CompletedProcess[str]:
    """python -m budgetcore ARGS with BUDGETCORE_DB_URL=url (and BUDGETCORE_TODAY=today, else unset):
    its exit status and everything it wrote, argparse's refusals included."""
    saved = {name: os.environ.pop(name, None) for name in ("BUDGETCORE_DB_URL", "BUDGETCORE_TODAY")}
    os.environ["BUDGETCORE_DB_URL"] = url
    if today:
        os.environ["BUDGETCORE_TODAY"] = today
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args), out=out, err=err)
            except SystemExit as exit_:  # argparse refuses by exiting
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    return subprocess.CompletedProcess(
        ["python", "-m", "budgetcore", *args], code, out.getvalue(), err.getvalue()
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """For what does not depend on the engine (formats, refusals before any write)."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def imported(tmp_path: Path, schema_template: Callable[[Engine], None]) -> Callable[[str], str]:
    """imported(db_url): the hand-built portfolio imported through the API into the empty database
    at db_url (the import command has its own test), its schema laid by conftest's schema_template
    (as prepare() makes it, without an Alembic run per test); returns db_url."""

    def fill(db_url: str) -> str:
        engine = make_engine(db_url)
        schema_template(engine)
        assert import_paths(prepared(engine), handcalc.write(tmp_path / "csv")).ok
        engine.dispose()
        return db_url

    return fill


def rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def counts(db_url: str) -> tuple[int, int, int]:
    engine = prepared(make_engine(db_url))
    with engine.connect() as conn:
        found = tuple(
            conn.scalar(select(func.count()).select_from(m)) for m in (Contract, WorkOrder, HourLine)
        )
    engine.dispose()
    return found  # type: ignore[return-value]


def test_import_then_summary_csv_matches_the_hand_computation(db_url: str, tmp_path: Path) -> None:
    paths = [str(p) for p in handcalc.write(tmp_path / "csv")]
    elsewhere = tmp_path / "not-this.db"
    # --db wins over BUDGETCORE_DB_URL
    done = run(f"sqlite:///{elsewhere}", "import", *paths, "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "imported: 9 contracts, 12 budgets, 14 work orders, 12 hours, 6 materials\n"
    assert not elsewhere.exists()

    summary = run(db_url, "summary", "--as-of", "2026-06-15", "--format", "csv")

    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.splitlines()[0].split(",") == COLUMNS
    assert summary.stdout == handcalc.SUMMARY_AS_OF  # every figure, to the cent


def test_dry_run_of_a_folder_writes_nothing(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    handcalc.write(folder)
    dry = run(db_url, "import", str(folder), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "validated (dry run, nothing written): 9 contracts, 12 budgets, 14 work orders, 12 hours, 6 materials\n"
    )
    assert counts(db_url) == (0, 0, 0)


def test_summary_json(db_url: str, imported: Callable[[str], str]) -> None:
    done = run(imported(db_url), "summary", "--as-of", "2026-06-15", "--format", "json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert [list(row) for row in got] == [COLUMNS] * 9
    # money and fractions as exact decimal strings, undefined as null, days as a number
    assert got[0]["actual_total"] == "498.19"
    assert got[0]["days_to_end"] == 199
    assert got[2]["consumed_pct"] is None and got[2]["budget_total"] is None
    shown = [{k: "" if v is None else str(v) for k, v in row.items()} for row in got]
    assert shown == handcalc.summary_rows()


def test_summary_table(sqlite_url: str, imported: Callable[[str], str]) -> None:
    done = run(imported(sqlite_url), "summary", "--as-of", "2026-06-15")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["contract_number", "customer", "status"]
    assert lines[1].startswith("K-001") and "498.19" in lines[1]
    assert lines[-1] == "9 contract(s)"


def test_renewals_soonest_deadline_first(db_url: str, imported: Callable[[str], str]) -> None:
    done = run(imported(db_url), "renewals", "--as-of", "2026-06-15", "--format", "csv")
    assert done.returncode == 0, done.stderr
    advice_columns = [
        "contract_value", "suggested_action", "suggested_price", "price_change", "indexation_pct", "reason", "decision",
    ]  # fmt: skip
    assert done.stdout.splitlines()[0].split(",") == COLUMNS + advice_columns
    # within the default 90 days, by next deadline: K-003 end 06-30, K-002 notice 07-04,
    # K-004 notice 09-01 (06-15 + 78 d); K-006 (notice 08-03) was terminated
    hand = {r["contract_number"]: r for r in handcalc.summary_rows()}
    got = rows(done.stdout)
    assert [{c: r[c] for c in COLUMNS} for r in got] == [hand["K-003"], hand["K-002"], hand["K-004"]]
    for r in got:  # no decision yet; never a price below the contract value (no indexation set)
        assert r["decision"] == "" and r["indexation_pct"] == "0.00"
        if r["contract_value"]:
            assert float(r["suggested_price"]) >= float(r["contract_value"])


def test_renewals_within(sqlite_url: str, imported: Callable[[str], str]) -> None:
    url = imported(sqlite_url)
    done = run(url, "renewals", "--as-of", "2026-06-15", "--within", "77", "--format", "json")
    assert done.returncode == 0, done.stderr
    # 06-15 + 77 d = 08-31: K-004's notice deadline 09-01 falls outside
    assert [r["contract_number"] for r in json.loads(done.stdout)] == ["K-003", "K-002"]


def test_demo_then_summary_shows_every_status(db_url: str) -> None:
    demo = run(db_url, "demo", today="2026-11-27")
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith("demo portfolio loaded: 300 contracts")
    summary = run(db_url, "summary", "--format", "csv", today="2026-11-27")
    assert summary.returncode == 0, summary.stderr
    got = rows(summary.stdout)
    assert len(got) == 300
    assert {r["status"] for r in got} == STATUSES


def test_import_of_a_missing_file_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    db_url = sqlite_url
    paths = [str(p) for p in handcalc.write(tmp_path / "csv")]
    missing = tmp_path / "csv" / "uren.csv"
    done = run(db_url, "import", *paths, str(missing))
    assert done.returncode == 1
    assert f"error: {missing}: cannot open" in done.stderr
    assert "nothing imported" in done.stderr
    assert done.stdout == ""
    assert counts(db_url) == (0, 0, 0)


def test_import_of_an_unrecognised_file_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    db_url = sqlite_url
    paths = [str(p) for p in handcalc.write(tmp_path / "csv")]
    stray = tmp_path / "csv" / "notes.csv"
    stray.write_text("colour,size\nred,3\n")
    done = run(db_url, "import", *paths, str(stray))
    assert done.returncode == 1
    assert "notes.csv, row 1: cannot tell which entity" in done.stderr
    assert counts(db_url) == (0, 0, 0)


def test_a_malformed_date_names_file_row_and_column_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    paths = [str(p) for p in handcalc.write(tmp_path / "csv")]
    hours = tmp_path / "csv" / "hours.csv"
    lines = hours.read_text().splitlines()
    lines[4] = "WB-102,2026-02-30,Kees,work,4.5,48.00,70.00"  # row 5: no 30 February
    hours.write_text("\n".join(lines) + "\n")

    done = run(db_url, "import", *paths)

    assert done.returncode == 1
    assert "error: hours.csv, row 5, column date: " in done.stderr
    assert "2026-02-30" in done.stderr
    assert "nothing imported: 1 error(s)" in done.stderr
    assert counts(db_url) == (0, 0, 0)


@pytest.mark.parametrize(
    ("command", "as_of"), [("summary", "2026-13-01"), ("renewals", "15-06-2026"), ("backtest", "2026-02-30")]
)
def test_a_bad_as_of_is_refused(sqlite_url: str, command: str, as_of: str) -> None:
    done = run(sqlite_url, command, "--as-of", as_of)
    assert done.returncode == 2
    assert f"not a date: '{as_of}' (expected YYYY-MM-DD)" in done.stderr
    assert done.stdout == ""


def test_an_unreachable_database_is_a_clear_error(sqlite_url: str) -> None:
    done = run(sqlite_url, "summary", "--db", "postgresql://postgres@127.0.0.1:1/test")
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot open the database")
    assert "Traceback" not in done.stderr


# one process, as `python -m budgetcore` would be: an import into a database at the head (then:
# what it imported), and with streamlit and plotly blocked the read commands and --help
BLOCKED = """
import runpy
import sys

class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("streamlit", "plotly"):
            raise ImportError(f"{name} is blocked: the core must not need it")
        return None

from budgetcore.cli import main
for number, args in enumerate(a.split("\\x1f") for a in sys.argv[1:]):  # one command per argument
    code = main(args)
    if code:
        sys.exit(code)
    if number == 0:  # the import comes first: what it made Python import; then the UI is blocked
        print("modules after the import:", sorted({m for m in sys.modules
                                   if m.split(".")[0] in ("alembic", "openpyxl", "streamlit", "plotly")
                                   or m.startswith("budgetcore.figures") or m.startswith("budgetcore.review")}))
        sys.meta_path.insert(0, Blocked())
assert not any(m.split(".")[0] in ("streamlit", "plotly") for m in sys.modules), "imported the UI"
sys.argv = ["budgetcore", "--help"]
runpy.run_module("budgetcore", run_name="__main__")  # python -m budgetcore itself
"""


def test_the_command_line_runs_without_streamlit_and_an_import_imports_only_what_it_uses(
    sqlite_url: str, tmp_path: Path
) -> None:
    # a cron job's or an upload's import: no Alembic (the database is at the head), no figures,
    # no spreadsheet library for CSV files, no user interface (bench/small.py times it); then the
    # commands that read, none of which needs streamlit or plotly
    prepared(make_engine(sqlite_url)).dispose()
    files = [str(path) for path in handcalc.write(tmp_path / "csv")]
    commands = [
        ["import", *files],
        ["summary", "--as-of", "2026-06-15", "--format", "csv"],
        ["renewals", "--as-of", "2026-06-15", "--within", "365", "--format", "json"],
        ["report", "--as-of", "2026-06-15", "--within", "365", "--out", str(tmp_path / "pack.xlsx")],
        ["report", "--as-of", "2026-06-15", "--contract", "K-001", "--out", str(tmp_path / "K-001.html")],
        ["backtest", "--as-of", "2030-01-01", "--format", "json"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED, *("\x1f".join([*c, "--db", sqlite_url]) for c in commands)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "modules after the import: []" in done.stdout.splitlines(), done.stdout
    assert counts(sqlite_url)[0] > 0
    assert "usage: python -m budgetcore" in done.stdout
    assert (tmp_path / "pack.xlsx").stat().st_size > 0 and (tmp_path / "K-001.html").stat().st_size > 0


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["summary", "--as-of", "9999-12-31"], "dates from 1900-01-01 to 2199-12-31"),
        (["renewals", "--as-of", "0001-01-01"], "dates from 1900-01-01 to 2199-12-31"),
        (["renewals", "--within", "-999999999"], "a window from 0 to 3650 days"),
        (["renewals", "--within", "99999999999999"], "a window from 0 to 3650 days"),
        (["report", "--within", "99999999999999", "--out", "x.xlsx"], "a window from 0 to 3650 days"),
    ],
)
def test_out_of_range_dates_and_windows_are_refused_naming_the_range(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], args: list[str], allowed: str
) -> None:
    from budgetcore import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main([*args, "--db", sqlite_url])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert allowed in err and "Traceback" not in err


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from budgetcore import cli
    from budgetcore.figures import frame

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(frame, "load", broken)
    for debug in ([], ["--debug"]):
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(["summary", "--db", sqlite_url, *debug], out, err) == 3
        lines = err.getvalue().splitlines()
        assert lines[-1] == "error: summary failed: disk on fire second line (--debug shows the traceback)"
        assert ("Traceback (most recent call last):" in lines) == bool(debug)


def test_a_closed_output_pipe_ends_quietly_as_unix_tools_do(
    db_url: str, imported: Callable[[str], str]
) -> None:
    """`python -m budgetcore renewals | head -1`: the reader leaves before the command writes
    (here: the pipe is closed before the child starts writing, so every run meets it)."""
    import signal

    url = imported(db_url)
    child = subprocess.Popen(
        [sys.executable, "-m", "budgetcore", "renewals", "--as-of", "2026-06-15", "--within", "365",
         "--db", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read().decode()
    status = child.wait()
    assert err == ""
    # ended by SIGPIPE like `yes | head -1` (a shell reports 128 + 13 = 141), never a failure status
    assert status in (-signal.SIGPIPE, 128 + signal.SIGPIPE)
