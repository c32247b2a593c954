"""An import killed midway (SIGKILL, no chance to clean up) leaves the database exactly as before."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from exchange_fixtures import TODAY, figures, snapshot
from forked import Child, ready
from sqlalchemy import create_engine, text

from budgetcore.exchange import demo
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

# The child (a process of its own, forked from one that imported budgetcore once: tests/forked.py)
# imports with a progress callback that reports on stdout and, from the point where the parent
# kills it on, pauses a little, so that the parent can see it writing and kill it in the middle
# even if the writer becomes much faster one day.
CHILD = """
import sys, time
from budgetcore.exchange.importing import import_paths
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

def progress(file, rows):
    print(file, rows, flush=True)
    if file == "hours.csv" and rows >= 20_000:
        time.sleep(0.01)

result = import_paths(prepared(make_engine(sys.argv[1])), [sys.argv[2]], progress=progress, source="kill-test")
print("done", result.ok, flush=True)
"""


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("big")
    counts = demo.write_csv(directory, contracts=1500, today=TODAY, seed=11)
    assert counts["hours"] > 40_000
    return directory


def _with_application_name(url: str, name: str) -> str:
    """The URL with its application_name set to name (so pg_stat_activity tells the child apart)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "application_name"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("application_name", name)])))


def _lines(output: Path) -> list[str]:
    """The whole lines the child has printed so far."""
    text = output.read_text() if output.exists() else ""
    return text.splitlines()[: text.count("\n")]


def _holds_write_transaction(db_url: str, application_name: str) -> bool:
    """Does another process hold an open transaction that has written to this database?"""
    if db_url.startswith("sqlite"):
        probe = create_engine(db_url, connect_args={"timeout": 0})
        try:
            with probe.connect() as conn:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # fails while another writer holds the lock
                conn.exec_driver_sql("ROLLBACK")
            return False
        except Exception as exc:
            return "locked" in str(exc)
        finally:
            probe.dispose()
    probe = create_engine(db_url)
    try:
        with probe.connect() as conn:
            return bool(
                conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE application_name = :name AND backend_xid IS NOT NULL"
                    ),
                    {"name": application_name},
                )
            )
    finally:
        probe.dispose()


def test_sigkill_midway_leaves_exactly_the_data_from_before(db_url, big_export, tmp_path: Path) -> None:
    engine = prepared(make_engine(db_url))
    assert demo.load(engine, contracts=8, today=TODAY).ok
    before, before_figures = snapshot(engine), figures(engine)
    engine.dispose()

    application_name = f"kill_{uuid.uuid4().hex[:8]}"
    child_url = db_url if db_url.startswith("sqlite") else _with_application_name(db_url, application_name)
    output = tmp_path / "child.out"
    ready()
    child = Child(CHILD, [child_url, str(big_export)], output)
    try:
        deadline = time.monotonic() + 120
        seen = ""
        while not (seen.startswith("hours.csv") and int(seen.split()[-1]) >= 20_000):
            assert child.process.is_alive() or child.process.exitcode is None, _lines(output)
            assert time.monotonic() < deadline, _lines(output)
            lines = _lines(output)
            assert not any(line.startswith("done") for line in lines), (
                "the import finished before it could be killed"
            )
            seen = lines[-1] if lines else ""
            time.sleep(0.005)
        assert _holds_write_transaction(db_url, application_name), "the child is not writing"
        assert child.process.is_alive()
        os.kill(child.process.pid, signal.SIGKILL)
        child.process.join(timeout=30)
        assert child.process.exitcode == -signal.SIGKILL
        assert not any(line.startswith("done") for line in _lines(output))
    finally:
        if child.process.exitcode is None:
            child.process.kill()
            child.process.join()

    engine = prepared(make_engine(db_url))
    try:
        deadline = time.monotonic() + 30  # PostgreSQL ends the killed client's session on its own
        while _holds_write_transaction(db_url, application_name) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert snapshot(engine) == before
        assert figures(engine) == before_figures
        # and the database is fully usable: the same small import runs again to the same figures
        assert demo.load(engine, contracts=8, today=TODAY).ok
        assert figures(engine) == before_figures
    finally:
        engine.dispose()
