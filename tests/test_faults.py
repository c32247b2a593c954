"""Server faults survived: a read-only SQLite file and a dropped PostgreSQL connection are said as
server faults, change nothing, and the same engine works again once the fault ends."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from budgetcore.exchange.importing import import_tables, read_uploads
from budgetcore.figures import settings
from budgetcore.store import database
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import Contract
from budgetcore.store.schema import prepared

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = b"contract_number,customer,start_date,end_date\nK-1,Alpha,2026-01-01,2026-12-31\n"
ASSERT_FAULT = "server fault, nothing written (the files are not at fault)"


def contracts(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Contract)) or 0


def save_window(engine: Engine, days: int) -> None:
    with database.writing(engine) as session:
        chosen = settings.load(session)
        settings.save(session, type(chosen)(**{**chosen.__dict__, "renewal_window_days": days}))


def window(engine: Engine) -> int:
    with transaction(engine) as session:
        return settings.load(session).renewal_window_days


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    """An engine on a SQLite file, and the file; chattr +i makes it read-only even for root."""
    path = tmp_path / "ro.db"
    engine = prepared(make_engine(f"sqlite:///{path}"))
    yield engine, path
    writable(path)
    engine.dispose()


def read_only_files(path: Path) -> None:
    """The database file and SQLite's write-ahead log and index beside it, if any, read-only (chattr
    +i): a connection still open writes to the log, and an immutable log refuses that too."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            subprocess.run(["chattr", "+i", str(file)], check=True)


def writable(path: Path) -> None:
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            subprocess.run(["chattr", "-i", str(file)], check=True)


def test_a_read_only_sqlite_file_is_a_server_fault_and_the_engine_recovers(read_only) -> None:
    engine, path = read_only
    engine.dispose()  # the app's pooled connections open anew while the file is read-only
    subprocess.run(["chattr", "+i", str(path)], check=True)
    assert window(engine) == 90  # reading still works

    with pytest.raises(database.ServerFaultError, match="readonly database"):
        save_window(engine, 30)
    tables, _ = read_uploads([("contracts.csv", CONTRACTS)])
    result = import_tables(engine, tables)
    assert result.fault and not result.written
    assert [p.message.split(":")[0] for p in result.errors] == [ASSERT_FAULT]
    assert (window(engine), contracts(engine)) == (90, 0), "nothing changed"

    subprocess.run(["chattr", "-i", str(path)], check=True)  # the fault ends: the same engine writes
    save_window(engine, 30)
    assert import_tables(engine, read_uploads([("contracts.csv", CONTRACTS)])[0]).written
    assert (window(engine), contracts(engine)) == (30, 1)


def _drop_connections(pg_url: str) -> None:
    name = pg_url.rsplit("application_name=", 1)[1]
    admin = create_engine(pg_url.split("?")[0], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ended = conn.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                 " WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": name},
        ).scalar()  # fmt: skip
    admin.dispose()
    assert ended


def test_a_dropped_postgresql_connection_is_survived(pg_url: str) -> None:
    engine = prepared(make_engine(pg_url))
    assert window(engine) == 90  # a pooled connection now exists
    _drop_connections(pg_url)
    save_window(engine, 30)  # an idle connection the server dropped is replaced at checkout
    assert window(engine) == 30

    with pytest.raises(database.ServerFaultError):  # dropped in the middle of a write
        with database.writing(engine) as session:
            settings.save(session, settings.Settings(renewal_window_days=60))
            _drop_connections(pg_url)
            session.flush()
            session.execute(text("SELECT 1"))
    assert window(engine) == 30, "nothing changed"

    assert import_tables(
        engine, read_uploads([("contracts.csv", CONTRACTS)])[0]
    ).written  # the next write works
    assert contracts(engine) == 1
    engine.dispose()


def test_the_settings_page_says_a_read_only_database_is_a_server_fault_and_recovers(
    read_only, monkeypatch: pytest.MonkeyPatch
) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    engine, path = read_only
    monkeypatch.setenv("BUDGETCORE_DB_URL", f"sqlite:///{path}")
    monkeypatch.setenv("BUDGETCORE_NO_DEMO", "1")
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/settings.py").run()
    read_only_files(path)
    st.cache_resource.clear()  # the app opens its connections anew while the files are read-only

    at.number_input(key="s_window").set_value(45)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert [e.value.split(" (")[0] for e in at.error] == ["Server fault: the database could not save this"]
    assert window(engine) == 90

    writable(path)  # the fault ends; the app is not restarted
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception and not at.error
    assert window(engine) == 45
