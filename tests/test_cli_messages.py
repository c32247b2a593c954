"""The command line on a database it can read but not write, on both engines: every writing command
says so in one line (no SQL, no parameters, no paths) and claims nothing it did not do."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import handcalc
import pytest
from conftest import ENGINES
from sqlalchemy import Engine

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.review import alert_mail
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

WRITES = (
    ["decide", "K-003", "--action", "renew"],
    ["contract", "archive", "K-001"],
    ["contract", "delete", "K-001", "--yes"],
    ["users", "add", "someone@example.com", "--role", "viewer"],
    ["alerts", "--send", "--as-of", "2026-06-15"],
    ["demo"],
    ["demo", "--remove"],
)


@pytest.fixture(scope="module", params=ENGINES)
def read_only_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    schema_template: Callable[[Engine], None],
):
    """(URL the command line reads but cannot write, the folder it lives in): the hand-built portfolio,
    imported once per engine for the module (no command can change it); SQLite: the file made
    immutable (chattr +i, read-only even for root); PostgreSQL: every transaction read-only."""
    folder = tmp_path_factory.mktemp("read-only")
    if request.param == "sqlite":
        db_url = f"sqlite:///{folder / 'hand.db'}"
    else:
        db_url = request.getfixturevalue("pg_module_url")
    engine = make_engine(db_url)
    schema_template(engine)  # conftest: the schema prepare() makes, without an Alembic run
    assert import_paths(prepared(engine), handcalc.write(folder / "csv")).ok
    engine.dispose()
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        files = [f for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if f.exists()]
        for file in files:
            subprocess.run(["chattr", "+i", str(file)], check=True)
        yield db_url, str(folder)
        for file in files:
            subprocess.run(["chattr", "-i", str(file)], check=True)
    else:
        yield db_url.replace("options=", "options=-cdefault_transaction_read_only%3Don%20"), str(folder)


@pytest.mark.parametrize("command", WRITES, ids=lambda c: " ".join(c[:2]))
def test_a_read_only_database_is_said_in_one_line_without_sql(
    read_only_url, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, folder = read_only_url
    monkeypatch.setenv(alert_mail.SMTP_ENV, "smtp://127.0.0.1:9")  # never reached
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([*command, "--db", url], out=out, err=err)
    said = out.getvalue() + err.getvalue()
    assert code != 0, said
    assert out.getvalue() == "", said  # nothing claimed: not "no role -> viewer", not "loaded: no rows"
    for leak in ("[SQL", "INSERT INTO", "UPDATE ", "parameters", "sqlite3.", "psycopg.", folder, "Traceback"):
        assert leak not in said, said
    assert "read-only" in said or "readonly" in said, said
    assert len(err.getvalue().strip().splitlines()) <= 2, said
