"""Scale-out: several app processes on one PostgreSQL database, each seeing the others' imports at once.

More users than one process serves are served by more processes behind a proxy (docs/deploy.md).
Each process caches figures per data version, which every import bumps in the database, and
every page run reads that version: a second process shows what an import through any process
(here the command line) wrote, at its next page load, with no restart and no message between
them. Two real servers (`streamlit run dashboard.py`) are driven on the wire (tests/wire.py).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser_support import streamlit_apps
from wire import visit

from budgetcore import cli
from budgetcore.exchange import demo
from budgetcore.exchange.formats import COLUMNS, ENTITIES

TODAY = dt.date(2026, 11, 27)
FIRST, LATER = 12, 8  # contracts imported before the servers start, and while they run


def _export(folder: Path, rows: dict[str, list[list[str]]], numbers: set[str]) -> Path:
    orders = {w[0] for w in rows["work_orders"] if w[1] in numbers}
    keep = {"contracts": 0, "budgets": 0, "work_orders": 1}
    folder.mkdir()
    for entity in ENTITIES:
        chosen = [
            r for r in rows[entity] if (r[keep[entity]] in numbers if entity in keep else r[0] in orders)
        ]
        with (folder / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow([c.name for c in COLUMNS[entity]])
            out.writerows(chosen)
    return folder


def _contracts_shown(*bases: str) -> list[str]:
    """The overview's "Contracts" figure for every contract (running or not), on a new session
    of each server in bases (all at once)."""

    async def visits() -> list:
        return await asyncio.gather(
            *(
                visit(
                    base.replace("http://", "ws://") + "/_stcore/stream",
                    base,
                    "overview",
                    "",
                    "contracts=all",
                    timeout=60,
                )
                for base in bases
            )
        )

    with ThreadPoolExecutor(1) as pool:  # this thread's event loop may be playwright's (conftest's browser)
        found = pool.submit(asyncio.run, visits()).result()
    assert all(f.error is None for f in found), [f.error for f in found]
    return [f.metrics["Contracts"] for f in found]


def test_two_app_processes_on_one_database_see_each_others_imports(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: dict[str, list[list[str]]] = {e: [] for e in ENTITIES}
    demo.generate(
        lambda e, cells: rows[e].append([str(c) for c in cells]), contracts=FIRST + LATER, today=TODAY
    )
    numbers = [c[0] for c in rows["contracts"]]
    assert (
        cli.main(["import", str(_export(tmp_path / "first", rows, set(numbers[:FIRST]))), "--db", pg_url])
        == 0
    )
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    with streamlit_apps(pg_url, logs, BUDGETCORE_TODAY=TODAY.isoformat()) as (one, two):
        assert _contracts_shown(one, two) == [str(FIRST)] * 2
        # another process imports (the command line here; an Import page of either server alike)
        later = _export(tmp_path / "later", rows, set(numbers[FIRST:]))
        assert cli.main(["import", str(later), "--db", pg_url]) == 0
        assert _contracts_shown(two, one) == [str(FIRST + LATER)] * 2
    capsys.readouterr()
