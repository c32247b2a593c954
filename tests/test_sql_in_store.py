"""SQL lives in budgetcore/store/ only (docs/architecture.md, The layers): no module outside it
builds a statement or runs one.

Read from the source (ast), so it fails on the line that breaks the rule:
- an import from sqlalchemy of anything but the types a caller passes along (Engine,
  Connection, Session, the exceptions): select, func, text, union_all, a column type ... build
  statements;
- a call of .execute, .exec_driver_sql, .scalars (on anything), or of .scalar, .get, .query,
  .add, .add_all, .merge, .delete on a session, connection or cursor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "budgetcore" / "store"

# what a module outside store/ may take from sqlalchemy: types it passes along, errors it catches
PASSED_ALONG = {
    "sqlalchemy": {"Engine", "Connection"},
    "sqlalchemy.engine": {"Engine", "Connection"},
    "sqlalchemy.orm": {"Session"},
}
ALWAYS_SQL = {"execute", "executemany", "exec_driver_sql", "scalars"}
SQL_ON_A_SESSION = {"scalar", "get", "query", "add", "add_all", "merge", "delete", "cursor", "copy"}
SESSION_NAMES = ("session", "connection", "conn", "cursor")


def _receiver(node: ast.expr) -> str:
    """The last name of what a method is called on: session, self.session -> 'session'."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver(node.func)
    return ""


def sql_in(source: str) -> list[str]:
    """Where a module's source builds or runs SQL: 'line: what', one each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            module = node.module or ""
            if module == "sqlalchemy.exc":
                continue
            allowed = PASSED_ALONG.get(module, set())
            found += [
                f"{node.lineno}: from {module} import {a.name}" for a in node.names if a.name not in allowed
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, on = node.func.attr, _receiver(node.func.value).lower()
            if method in ALWAYS_SQL or (method in SQL_ON_A_SESSION and on.endswith(SESSION_NAMES)):
                found.append(f"{node.lineno}: {on}.{method}()")
    return found


def modules_outside_store() -> list[Path]:
    return sorted(
        p
        for p in [
            *(ROOT / "budgetcore").rglob("*.py"),
            *(ROOT / "app_pages").rglob("*.py"),
            ROOT / "dashboard.py",
        ]
        if STORE not in p.parents
    )


def test_no_module_outside_store_builds_or_runs_sql() -> None:
    modules = modules_outside_store()
    assert len(modules) > 50  # the walk found the package
    offences = {}
    for path in modules:
        name = path.relative_to(ROOT).as_posix()
        if found := sql_in(path.read_text(encoding="utf-8")):
            offences[name] = found
    assert not offences, "SQL outside budgetcore/store/ (move it into a store module):\n" + "\n".join(
        f"  {name}:{where}" for name, found in offences.items() for where in found
    )


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import select\n",
        "from sqlalchemy import Engine, func\n",
        "import sqlalchemy as sa\n",
        "from sqlalchemy.orm import aliased\n",
        "from sqlalchemy.sql import text\n",
        "def f(session):\n    return session.execute(q)\n",
        "def f(self):\n    return self.session.scalar(q)\n",
        "def f(engine):\n    with engine.connect() as conn:\n        conn.scalars(q)\n",
        "def f(session):\n    session.add(row)\n",
        "def f(session):\n    return session.get(Contract, 1)\n",
    ],
)
def test_the_check_sees_sql(source: str) -> None:
    assert sql_in(source)


@pytest.mark.parametrize(
    "source",
    [
        "from sqlalchemy import Engine\n",
        "from sqlalchemy.orm import Session\n",
        "from sqlalchemy.exc import SQLAlchemyError, OperationalError\n",
        "import pyarrow as pa\nx = pa.scalar(1)\n",
        "seen = set()\nseen.add(1)\nd = {}\nd.get('a')\n",
    ],
)
def test_the_check_passes_what_is_no_sql(source: str) -> None:
    assert not sql_in(source)
