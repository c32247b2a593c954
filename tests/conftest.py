"""Shared fixtures: an engine on SQLite and on PostgreSQL, each test in a fresh database."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text

from budgetcore import i18n
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

PG_URL = os.environ.get("BUDGETCORE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(autouse=True)
def _no_default_database(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No test may touch data/budgetcore.db: point the default at a temporary file."""
    monkeypatch.setenv("BUDGETCORE_DB_URL", f"sqlite:///{tmp_path / 'default.db'}")


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    # application_name lets the teardown find (and end) every connection of this test
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}&application_name={schema}"


@contextmanager
def _pg_schema() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            # a connection left open (idle in transaction) by the code under test
            # would block DROP SCHEMA forever; end it so one leak cannot hang the suite
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test."""
    with _pg_schema() as url:
        yield url


@pytest.fixture(scope="module")
def pg_module_url() -> Iterator[str]:
    """A fresh PostgreSQL schema shared by one module's tests (for data they only read)."""
    with _pg_schema() as url:
        yield url


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A URL of an empty database on each engine in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = prepared(make_engine(db_url))
    yield engine
    engine.dispose()


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every English key that t() is asked to put into Dutch while the pages render.

    Modules bound t at import (from budgetcore.i18n import t), so each binding is
    replaced, as is i18n.t itself for the pages, which import it on every run.
    """
    original, keys = i18n.t, set()

    def recording(text: str, lang: str = i18n.DEFAULT_LANGUAGE, /, **values: object) -> str:
        if lang == "nl":
            keys.add(text)
        return original(text, lang, **values)

    for module in list(sys.modules.values()):
        if (
            getattr(module, "__name__", "").startswith("budgetcore")
            and getattr(module, "t", None) is original
        ):
            monkeypatch.setattr(module, "t", recording)
    monkeypatch.setattr(i18n, "t", recording)
    yield keys
