"""The server's start (budgetcore/app/start.py, from dashboard.py's lifespan) prepares the database
once, each step in the log; the app's engine getter (caches.engine) only opens the engine."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, inspect, select

from budgetcore.app import caches, start
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import Contract

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def _contracts(url: str) -> int:
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return session.scalar(select(func.count()).select_from(Contract)) or 0
    finally:
        engine.dispose()


def test_the_getter_opens_the_engine_and_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the getter prepared the database")

    monkeypatch.setattr("budgetcore.store.schema.prepare", refused)
    monkeypatch.setattr("budgetcore.exchange.demo.load_if_empty", refused)
    st.cache_resource.clear()
    engine = caches.open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert inspect(engine).get_table_names() == []
    st.cache_resource.clear()
    engine.dispose()


def test_the_start_prepares_an_empty_database_with_the_demo_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'start.db'}"
    with caplog.at_level(logging.INFO, logger="budgetcore"):
        start.prepare_database(url)
    loaded = _contracts(url)
    assert loaded > 0
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("schema: ") for m in said), said
    assert any(m.startswith("demo: loaded into an empty database") for m in said), said
    assert any(m.startswith("start: database prepared") for m in said), said
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="budgetcore"):
        start.prepare_database(url)  # a second start: up to date, not empty
    said = [r.getMessage() for r in caplog.records]
    assert _contracts(url) == loaded
    assert not any(m.startswith(("schema: ", "demo: ")) for m in said), said
    assert any(m.startswith("start: database prepared") and "schema up to date" in m for m in said), said


def test_without_the_demo_the_start_prepares_the_schema_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(start.NO_DEMO_ENV, "1")
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    start.prepare_database(url)
    assert _contracts(url) == 0


def test_the_servers_lifespan_prepares_the_configured_database_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    monkeypatch.setenv("BUDGETCORE_DB_URL", url)
    spec = importlib.util.spec_from_file_location("dashboard_under_test", DASHBOARD)
    assert spec is not None and spec.loader is not None
    dashboard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dashboard)
    warmed: list[bool] = []
    monkeypatch.setattr(dashboard, "_warm", lambda: warmed.append(True))
    top = logging.getLogger("budgetcore")
    monkeypatch.setattr(top, "handlers", [])  # the console handler the start adds: this test's only
    monkeypatch.setattr(top, "level", top.level)

    async def serve() -> int:
        async with dashboard.lifespan(None):
            return _contracts(url)  # what the first visit finds

    with ThreadPoolExecutor(1) as pool:  # this thread's event loop may be playwright's (conftest's browser)
        assert pool.submit(asyncio.run, serve()).result() > 0
    assert warmed == [True]
    assert [type(h) for h in top.handlers] == [logging.StreamHandler]  # budgetcore's log on the console
