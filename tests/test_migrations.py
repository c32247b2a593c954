"""Databases that survive upgrades, on both engines: a database written by the product of 27 November
and one written by main before Alembic (tests/fixtures/schemas, made by build_dumps.py, with imports,
decisions, roles and audit entries) open in today's code with every row and figure intact, at the
newest revision; a new database gets every revision; a second start changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, text

from budgetcore import cli
from budgetcore.figures import portfolio
from budgetcore.store import aggregates, schema
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import Base

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "schemas"
AS_OF = dt.date(2026, 6, 15)
DERIVED = {"snapshots"}  # caches in a format of their day: saved again by the upgrade
# what the maintained aggregates hold changed with the scope split (0002_scope: covered work only,
# the work billed on top beside it): the upgrade rebuilds them, checked below against a rebuild
AGGREGATES = {"contract_months", "contract_totals", "portfolio_months", "contract_budgets", "budget_periods"}
# what each product's summary showed that no rule change since can move: the data's own figures
KEPT = ("contract_number", "customer", "budget_total", "end_date", "notice_deadline")


def load(name: str, db_url: str) -> None:
    """The fixture's dump into the empty database at db_url (SQLite: its file; PostgreSQL: its schema)."""
    if db_url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(db_url.split("///", 1)[1])
        connection.executescript((FIXTURES / f"{name}.sqlite.sql").read_text())
        connection.close()
        return
    schema_name = db_url.split("search_path%3D", 1)[1].split("&", 1)[0]
    dump = (FIXTURES / f"{name}.postgresql.sql").read_text()
    dump = dump.replace("CREATE SCHEMA SCHEMA_NAME;", "").replace("SCHEMA_NAME", schema_name)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "test"],
                   input=dump, text=True, check=True, capture_output=True)  # fmt: skip


def rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table the database has (but the derived ones), sorted, in plain SQL."""
    found = {}
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table in DERIVED or table == "alembic_version":
                continue
            columns = [c["name"] for c in inspect(connection).get_columns(table)]
            quoted = ", ".join(f'"{c}"' for c in columns)
            found[table] = sorted(
                (dict(zip(columns, r, strict=True)) for r in connection.execute(text(f'SELECT {quoted} FROM "{table}"'))),
                key=repr,
            )  # fmt: skip
    return found


def summary(url: str) -> list[dict[str, str]]:
    out, err = io.StringIO(), io.StringIO()
    assert (
        cli.main(["summary", "--as-of", AS_OF.isoformat(), "--format", "csv", "--db", url], out=out, err=err)
        == 0
    ), err.getvalue()
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def figures(engine: Engine) -> list:
    with transaction(engine) as session:
        return portfolio.portfolio(session, AS_OF)


@pytest.mark.parametrize("name", ["nov27", "main"])
def test_an_earlier_database_opens_with_every_row_and_figure_intact(name: str, db_url: str) -> None:
    load(name, db_url)
    raw = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    before = rows(raw)
    engine = make_engine(db_url)
    steps = schema.prepare(engine)
    assert f"upgraded from {schema.BASELINE} to {schema.head()}" in steps
    after = rows(raw)
    raw.dispose()
    for table, found in before.items():  # every row of every table it had, every value of it
        if table in AGGREGATES:
            continue
        columns = set(found[0]) if found else set()
        assert [{k: v for k, v in r.items() if k in columns} for r in after[table]] == found, table
    assert set(after) >= {t for t in Base.metadata.tables if t not in DERIVED}  # and today's tables
    assert before["contracts"] and before["hour_lines"] and before["import_log"]
    if name == "main":
        assert before["renewal_decisions"] and before["audit_trail"] and before["users"]
    with engine.connect() as connection:
        assert schema.revision(connection) == schema.head()
    assert schema.prepare(engine) == []  # the next start: nothing to do

    shown = summary(engine.url.render_as_string(hide_password=False))
    earlier = list(csv.DictReader((FIXTURES / f"{name}.summary.csv").open()))
    assert [{k: r[k] for k in KEPT} for r in shown] == [{k: r[k] for k in KEPT} for r in earlier]
    # all the cost that product counted is still counted: covered (actual_total) or billed on top
    for now, then in zip(shown, earlier, strict=True):
        assert Decimal(now["actual_total"]) + Decimal(now["extra_cost"]) == Decimal(then["actual_total"])
    if name == "main":  # the same rules for a contract without work billed on top: every figure as shown then
        unbilled = [
            (now, then) for now, then in zip(shown, earlier, strict=True) if Decimal(now["extra_cost"]) == 0
        ]
        assert unbilled
        for now, then in unbilled:
            assert {k: now[k] for k in then} == then
    # the maintained aggregates the upgrade kept or built are what a rebuild from the lines makes
    kept = figures(engine)
    with transaction(engine) as session:
        aggregates.rebuild(session)
        aggregates.save_snapshots(session)
    assert figures(engine) == kept
    assert sum(f.actual_total for f in kept) > Decimal(0)
    engine.dispose()


def test_a_new_database_gets_every_revision(db_url: str) -> None:
    engine = make_engine(db_url)
    assert schema.prepare(engine) == [f"upgraded from an empty database to {schema.head()}"]
    with engine.connect() as connection:
        assert schema.revision(connection) == schema.head()
        tables = set(inspect(connection).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    with transaction(engine) as session:  # the revisions made what the models describe
        for table in Base.metadata.sorted_tables:
            session.execute(select(*table.columns).limit(1)).all()
    engine.dispose()


def test_the_command_line_upgrades_on_its_own(db_url: str) -> None:
    load("main", db_url)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["db", "upgrade", "--db", db_url], out=out, err=err) == 0, err.getvalue()
    assert f"at revision {schema.head()}" in out.getvalue()
    assert "stamped 0001_baseline" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["db", "upgrade", "--db", db_url], out=out, err=err) == 0
    assert out.getvalue() == f"the database is at revision {schema.head()}: nothing to do\n"


def test_the_head_and_the_revision_read_without_alembic_are_alembics(db_url: str) -> None:
    """schema.head() reads the revision files' text and schema.revision() the version table, so
    that a database at the head opens without importing Alembic: both say what Alembic says."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    assert schema.head() == ScriptDirectory.from_config(schema.config()).get_current_head()
    engine = make_engine(db_url)
    for step in ("empty", "upgraded"):
        with engine.connect() as connection:
            ours = schema.revision(connection)
            assert ours == MigrationContext.configure(connection).get_current_revision(), step
        schema.prepare(engine)
    assert ours == schema.head()
    engine.dispose()


def test_a_command_on_a_database_at_the_head_does_not_import_alembic(tmp_path: Path, new_sqlite) -> None:
    url = f"sqlite:///{tmp_path / 'at-head.db'}"
    new_sqlite(tmp_path / "at-head.db").dispose()  # the schema prepare() makes (schema_template's copy)
    probe = (
        "import sys; from budgetcore import cli; cli.main(['summary', '--db', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'pandas')))"
    )
    done = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stderr


def test_whether_the_demo_is_there_is_one_look_through_its_own_index(db_url: str, schema_template) -> None:
    """database.is_demo (asked by every import) reads the partial demo indexes of revision
    0005, which an upgraded database gets too."""
    import older_schemas

    from budgetcore.store.database import is_demo

    engine = make_engine(db_url)
    schema_template(engine)  # at the head, then taken back to 0004
    with engine.begin() as connection:
        older_schemas.at_revision(connection, "0004_calls")
    assert f"upgraded from 0004_calls to {schema.head()}" in schema.prepare(engine)
    for table in ("contracts", "work_orders"):
        assert f"ix_{table}_demo" in {i["name"] for i in inspect(engine).get_indexes(table)}
    if engine.dialect.name == "sqlite":  # the planner takes the index for is_demo's own statements
        from sqlalchemy import exists

        from budgetcore.store.models import Contract, WorkOrder

        with engine.connect() as connection:
            for model in (Contract, WorkOrder):
                stmt = select(exists().where(model.demo.is_(True)))
                sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
                plan = connection.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
                assert any(f"USING INDEX ix_{model.__tablename__}_demo" in str(row) for row in plan), plan
    with transaction(engine) as session:
        assert not is_demo(session)
    engine.dispose()
