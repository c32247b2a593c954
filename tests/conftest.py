"""Shared fixtures: an engine on SQLite and on PostgreSQL, each test in a fresh database."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import shutil
import struct
import sys
import uuid
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from budgetcore import i18n
from budgetcore.exchange import limits
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

PG_URL = os.environ.get("BUDGETCORE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENGINES = ("sqlite", "postgresql")
BOMB_MB = 400  # as found: a 400 KB workbook whose shared strings unpack to one 400 MB string


# The longest modules first, in a run on one process (-n 0). Under `-n 2 --dist loadfile` xdist
# (3.x) deals the modules out by their number of tests, most first, and this order does not count
# (the browser modules, few tests but long, come near the end, beside short modules). Dealt out in
# this order instead (--no-loadscope-reorder), the suite took as long (228.6 s against 226.2 s in
# the same half hour; docs/performance.md), so xdist's order stays.
LONGEST_FIRST = (
    "test_signin.py", "test_browser.py", "test_engine.py", "test_hostile_browser.py", "test_app.py",
    "test_import.py", "test_import_page.py", "test_aggregates.py", "test_import_fuzz.py", "test_columnar.py",
    "test_concurrency.py", "test_contract_detail.py", "test_lifecycle.py", "test_storage.py",
    "test_portfolio.py", "test_review_pages.py", "test_before.py", "test_reports.py", "test_backtest.py",
)  # fmt: skip


# Every test on PostgreSQL that makes and drops a schema leaves its tables' rows in the system
# catalogs as dead rows, and a server whose autovacuum is off (this machine's is) never removes
# them: here pg_attribute had grown to 280 MB and pg_class to 54 MB over a day of runs, and the
# suite's PostgreSQL backends took 44 CPU s a run instead of 28. A VACUUM of those catalogs at the
# start of a run (before the workers start) makes their space reusable: 0.1 s when they are clean.
CATALOGS = ("pg_attribute", "pg_class", "pg_depend", "pg_type", "pg_index", "pg_constraint",
            "pg_attrdef", "pg_namespace", "pg_sequence", "pg_trigger", "pg_proc", "pg_shdepend")  # fmt: skip


def pytest_sessionstart(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller did it
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("VACUUM " + ", ".join(f"pg_catalog.{name}" for name in CATALOGS))
    except OperationalError:
        pass  # no server: the tests on PostgreSQL fail and say so
    finally:
        admin.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    # within a module, the tests on the shared demo (warm_demo, warm_handcalc) first, one after another: a test
    # with fresh_app between them would empty the caches they share
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), not _on_warm_demo(item)))


def _on_warm_demo(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return ("warm_demo" in names or "warm_handcalc" in names) and "fresh_app" not in names


# The collector's full passes walk every object the tests keep alive (the session's shared
# portfolios, Streamlit's and SQLAlchemy's caches): 13 % of a worker's time with the default
# thresholds (700, 10, 10) on test_engine, test_app and test_import, 2 % with these (a young
# collection every 20,000 allocations still frees the short-lived cycles). A test process only:
# the app and the processes the tests start keep Python's defaults.
gc.set_threshold(20_000, 20, 100)

# a browser's assertion waits up to 20 s (playwright's default is 5): a loaded CI machine draws slowly
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once() -> Iterator[None]:
    """AppTest scans every installed package's metadata for Streamlit components at each new
    AppTest (0.15 s); the installed packages do not change during a run, so scan once."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found: list = []

    def once(*args: object, **kwargs: object) -> list:
        if not found:
            found.append(scan(*args, **kwargs))
        return list(found[0])

    manifest_scanner.scan_component_manifests = once
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(scope="session", autouse=True)
def _scripts_compiled_once() -> Iterator[None]:
    """AppTest reads and compiles dashboard.py and the page it runs at each run (a new ScriptCache
    per run: 7 ms a script here); a server compiles each once and keeps it. The scripts do not
    change during a run of the tests: one cache for every AppTest run, as a server has."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared
    yield
    app_test.ScriptCache = ScriptCache


@pytest.fixture(autouse=True)
def _no_default_database(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No test may touch data/budgetcore.db: point the default at a temporary file."""
    monkeypatch.setenv("BUDGETCORE_DB_URL", f"sqlite:///{tmp_path / 'default.db'}")


APP_TODAY = dt.date(2026, 11, 27)  # the day the AppTest modules run the app on


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def handcalc_app(
    db_url: str, tmp_path: Path, fresh_app: None, app_on, schema_template: Callable[[Engine], None]
) -> str:
    """The hand-built portfolio (handcalc.py) on this engine, the app under AppTest on it (fresh
    caches); its database URL. The schema is schema_template's (as prepare() makes it, without an
    Alembic run per test)."""
    import handcalc

    from budgetcore.exchange.importing import import_paths

    engine = _laid(db_url, schema_template)
    assert import_paths(engine, handcalc.write(tmp_path / "csv")).ok
    engine.dispose()
    return app_on(db_url)


@pytest.fixture(scope="module", params=ENGINES)
def _warm_handcalc_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    schema_template: Callable[[Engine], None],
) -> Iterator[str]:
    """The URL of the hand-built portfolio (handcalc.py) on each engine in turn, imported once per
    module for its tests that only read it: a SQLite file whose teardown checks that no test wrote
    into it, a PostgreSQL schema read in read-only transactions (a write fails)."""
    import handcalc

    from budgetcore.exchange.importing import import_paths

    folder = tmp_path_factory.mktemp("handcalc")
    with ExitStack() as stack:
        if request.param == "sqlite":
            path = folder / "handcalc.db"
            url = f"sqlite:///{path}"
        else:
            url = stack.enter_context(_pg_schema())
        engine = make_engine(url)
        schema_template(engine)
        assert import_paths(prepared(engine), handcalc.write(folder / "csv")).ok
        engine.dispose()  # SQLite: the last connection folds the write-ahead log into the file
        if request.param == "sqlite":
            with _left_unwritten(path, "a test on warm_handcalc wrote into the shared portfolio"):
                yield url
        else:
            yield pg_schema_url(url.split("application_name=", 1)[1], read_only=True)


@pytest.fixture
def warm_handcalc(app_on, _warm_handcalc_url: str) -> str:
    """The hand-built portfolio on each engine in turn, the app under AppTest on it, shared by the
    module's tests that only read it (the same URL for each, so the app's caches stay warm from
    test to test: conftest's collection order runs them before the module's fresh_app tests); its
    database URL."""
    return app_on(_warm_handcalc_url)


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """app_on(url): the app under AppTest runs on the database at url as it is (no demo loaded
    into it), on APP_TODAY, from the repository root; returns url."""

    def use(url: str) -> str:
        monkeypatch.setenv("BUDGETCORE_DB_URL", url)
        monkeypatch.setenv("BUDGETCORE_TODAY", APP_TODAY.isoformat())
        monkeypatch.setenv("BUDGETCORE_NO_DEMO", "1")
        monkeypatch.chdir(ROOT)
        return url

    return use


@pytest.fixture
def fresh_app(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path, demo_database
) -> None:
    """The app under AppTest as a server runs it: today is APP_TODAY, no cache carries over from
    another test's database, and the default database holds the demo as the app's first start
    loads it (built once per session), unless the test also asks for `empty`.
    """
    import streamlit as st

    monkeypatch.setenv("BUDGETCORE_TODAY", APP_TODAY.isoformat())
    st.cache_data.clear()
    st.cache_resource.clear()
    if "empty" not in request.fixturenames:
        demo_database(APP_TODAY, tmp_path / "default.db")


@pytest.fixture(scope="module")
def _warm_demo_url(tmp_path_factory: pytest.TempPathFactory, demo_database) -> Iterator[str]:
    """The URL of one copy of the demo (as fresh_app puts it) per module, for its tests that only
    read it; the module's end checks that no test wrote into it."""
    path = tmp_path_factory.mktemp("warm") / "demo.db"
    demo_database(APP_TODAY, path)
    with _left_unwritten(path, "a test on warm_demo wrote into the shared demo"):
        yield f"sqlite:///{path}"


@contextmanager
def _left_unwritten(path: Path, message: str) -> Iterator[None]:
    """Fails with message when the SQLite file at path, or its write-ahead log, was written
    while the block ran (the guard of a database that tests share to read only)."""
    before = path.read_bytes()
    yield
    wal = path.with_name(path.name + "-wal")
    written = path.read_bytes() != before or (wal.exists() and wal.stat().st_size > 0)
    assert not written, message


@pytest.fixture
def warm_demo(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app under AppTest on the module's one copy of the demo (the same URL for every test, so
    the app's caches stay warm from test to test), today APP_TODAY: for tests that only read the
    demo and whose claim does not need a cold start. A test that also asks for fresh_app gets
    fresh_app's own copy instead (and runs after the module's tests on warm_demo: conftest's
    collection order)."""
    if "fresh_app" in request.fixturenames:
        return
    monkeypatch.setenv("BUDGETCORE_TODAY", APP_TODAY.isoformat())
    monkeypatch.setenv("BUDGETCORE_DB_URL", request.getfixturevalue("_warm_demo_url"))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dt.date, Path], None]:
    """put(today, path): a SQLite file at path holding what the app's first start loads into an
    empty database on that day (demo.load_if_empty), built once per day and copied."""
    from budgetcore.exchange import demo

    built: dict[dt.date, Path] = {}

    def put(today: dt.date, path: Path) -> None:
        if today not in built:
            template = tmp_path_factory.mktemp("demo") / "demo.db"
            engine = prepared(make_engine(f"sqlite:///{template}"))
            assert demo.load_if_empty(engine, today=today)
            engine.dispose()  # the last connection folds the write-ahead log into the file
            built[today] = template
        shutil.copyfile(built[today], path)

    return put


# The tests' PostgreSQL sessions commit without waiting for the WAL's flush to disk: what a commit
# makes visible to the other sessions is the same, only a crash of the server itself could lose the
# last ones, and no test crashes it. A commit then costs no fsync, which on a machine whose disk
# other work keeps busy took 2 to 10 ms (laying a schema and dropping it: 0.4 s -> 0.07 s there).
PG_SESSION = "-csynchronous_commit%3Doff"


def pg_schema_url(schema: str, read_only: bool = False) -> str:
    """A URL whose sessions see schema; read_only: every transaction read-only (a write fails)."""
    sep = "&" if "?" in PG_URL else "?"
    options = f"{PG_SESSION}%20-cdefault_transaction_read_only%3Don" if read_only else PG_SESSION
    # application_name lets the teardown find (and end) every connection of this test
    return f"{PG_URL}{sep}options={options}%20-csearch_path%3D{schema}&application_name={schema}"


def _end_sessions(conn: Connection, schema: str) -> None:
    """End every connection of the schema's URLs (their application_name) but conn's own: one left
    open (idle in transaction) by the code under test would block DROP SCHEMA or TRUNCATE forever."""
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = :name AND pid <> pg_backend_pid()"
        ),
        {"name": schema},
    )


@contextmanager
def _pg_schema() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty PostgreSQL schema, dropped afterwards
    (the name is the URL's application_name)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        PG_URL, isolation_level="AUTOCOMMIT", connect_args={"options": PG_SESSION.replace("%3D", "=")}
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            _end_sessions(conn, schema)
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
    """A URL of an empty database on each engine in turn (on PostgreSQL, for a test that asks for
    `engine` and not for pg_url as well, a schema laid already: _laid_schemas)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if "engine" in request.fixturenames and "pg_url" not in request.fixturenames:
        return request.getfixturevalue("_laid_pg_url")
    return request.getfixturevalue("pg_url")


# What a laid schema must still be to be reused, read from the catalog (a few ms): its tables,
# columns, indexes, constraints, triggers and functions, and the revision prepare() wrote into
# alembic_version. A test that altered a table, dropped an index or left a view gets its schema
# dropped instead of reused.
_CATALOG = """
SELECT string_agg(line, ';' ORDER BY line) FROM (
  SELECT c.relname || ' ' || c.relkind::text || ' ' || coalesce(x.indisunique::text || ' ' || x.indkey::text || ' '
    || coalesce(pg_get_expr(x.indpred, x.indrelid), ''), '') AS line
    FROM pg_class c LEFT JOIN pg_index x ON x.indexrelid = c.oid WHERE c.relnamespace = '{schema}'::regnamespace
  UNION ALL SELECT c.relname || '.' || a.attname || ' ' || a.atttypid::text || ' ' || a.atttypmod::text || ' '
    || a.attnotnull::text || ' ' || a.atthasdef::text
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = '{schema}'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT 'constraint ' || conname || ' ' || contype::text || ' ' || conkey::text || ' ' || coalesce(confkey::text, '')
    FROM pg_constraint WHERE connamespace = '{schema}'::regnamespace
  UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
    WHERE r.relnamespace = '{schema}'::regnamespace AND NOT t.tgisinternal
  UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = '{schema}'::regnamespace
  UNION ALL SELECT 'revision ' || version_num FROM {schema}.alembic_version
) lines
"""

# The tables of a schema that hold rows (to empty: TRUNCATE of an empty table costs as much as of a
# full one, 3 ms of the server's CPU each) and its sequences (to start at 1 again, as new ones).
_FILLED = """
SELECT format('SELECT %L WHERE EXISTS (SELECT FROM %I.%I)', relname, nspname, relname) FROM pg_class
JOIN pg_namespace n ON n.oid = relnamespace WHERE relkind = 'r' AND nspname = '{schema}' AND relname <> 'alembic_version'
"""


_LAID_URLS: set[str] = set()  # the URLs _laid_schemas gave: their schema is laid already


@pytest.fixture(scope="session")
def _laid_schemas(
    schema_template: Callable[[Engine], None],
) -> Iterator[Callable[[], AbstractContextManager[str]]]:
    """take(): a context giving the URL of a PostgreSQL schema that schema_template laid and that
    holds nothing but what prepare() writes into it (the revision), under a fresh name (the URL's
    application_name, as _pg_schema's; caches keyed on the URL never see an earlier test's).

    The schemas are this process's own and reused: at a test's end its connections are ended, each
    table that holds rows is emptied (TRUNCATE: new, empty files, as in a new schema) and every
    sequence starts at 1 again, provided the catalog is still the one laid (else the schema is
    dropped). Laying a schema and dropping it cost PostgreSQL 100 ms of CPU a test, a renaming
    and an emptying a few ms (plus 3 ms a table the test filled)."""
    admin = create_engine(
        PG_URL, isolation_level="AUTOCOMMIT", connect_args={"options": PG_SESSION.replace("%3D", "=")}
    )
    free: list[tuple[str, str]] = []  # a schema's name, its catalog as laid

    def state(cursor, schema: str) -> str:
        return cursor.execute(_CATALOG.replace("{schema}", schema)).fetchone()[0]

    @contextmanager
    def take() -> Iterator[str]:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            if free:
                old, laid = free.pop()
                conn.exec_driver_sql(f"ALTER SCHEMA {old} RENAME TO {schema}")
            else:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
                laid = ""
        url = pg_schema_url(schema)
        _LAID_URLS.add(url)
        if not laid:
            engine = make_engine(url)
            schema_template(engine)
            engine.dispose()
            with admin.connect() as conn:
                laid = state(conn.connection.cursor(), schema)
        try:
            yield url
        finally:
            _LAID_URLS.discard(url)
            with admin.connect() as conn:
                _end_sessions(conn, schema)
                cursor = conn.connection.cursor()
                if state(cursor, schema) == laid:
                    probes = [row[0] for row in cursor.execute(_FILLED.replace("{schema}", schema))]
                    filled = [row[0] for row in cursor.execute(" UNION ALL ".join(probes))]
                    if filled:
                        names = ", ".join(f"{schema}.{name}" for name in filled)
                        cursor.execute(f"TRUNCATE {names} CASCADE")
                    cursor.execute(
                        "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE c.relkind = 'S' AND n.nspname = %(name)s",
                        {"name": schema},
                    )
                    free.append((schema, laid))
                else:
                    cursor.execute(f"DROP SCHEMA {schema} CASCADE")

    yield take
    with admin.connect() as conn:
        for schema, _ in free:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture
def _laid_pg_url(_laid_schemas: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    """A PostgreSQL schema for one test, laid already (_laid_schemas)."""
    with _laid_schemas() as url:
        yield url


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Engine], None]:
    """lay(engine): give an empty database on either engine the schema that prepare() makes, the
    way prepare() made it once per session: SQLite gets a copy of a prepared file, PostgreSQL the
    statements prepare() sent to an empty schema, replayed as one script (0.1 s instead of prepare's Alembic
    run, 0.4 s on SQLite and 1 s on PostgreSQL a test). tests/test_migrations.py and
    test_storage.py run prepare() itself on empty databases (the db_url fixture)."""
    made: dict[str, object] = {}

    def sqlite_file() -> Path:
        if "sqlite" not in made:
            path = tmp_path_factory.mktemp("schema") / "prepared.db"
            prepared(make_engine(f"sqlite:///{path}")).dispose()  # WAL folded into the file
            made["sqlite"] = path
        return made["sqlite"]  # type: ignore[return-value]

    def pg_script() -> str:
        if "postgresql" not in made:
            sent: list[str] = []

            def record(conn, cursor, statement, parameters, context, executemany) -> None:
                if not statement.lstrip().upper().startswith("SELECT"):  # reads change nothing
                    assert not parameters, statement  # Alembic's DDL and version rows are literal SQL
                    sent.append(statement)

            with _pg_schema() as url:
                engine = make_engine(url)
                event.listen(engine, "before_cursor_execute", record)
                prepared(engine).dispose()
            # one script, sent in one round trip (the simple query protocol runs it all, in order)
            made["postgresql"] = ";\n".join(sent)
        return made["postgresql"]  # type: ignore[return-value]

    def lay(engine: Engine) -> None:
        if engine.dialect.name == "sqlite":
            shutil.copyfile(sqlite_file(), engine.url.database)
            return
        connection = engine.raw_connection()
        try:
            connection.cursor().execute(pg_script())
            connection.commit()
        finally:
            connection.close()

    return lay


@pytest.fixture
def engine(db_url: str, schema_template: Callable[[Engine], None]) -> Iterator[Engine]:
    """An engine on an empty database of each kind (db_url), its schema prepared."""
    # on a schema _laid_schemas laid: prepare() finds it at the head, as after schema_template
    engine = prepared(make_engine(db_url)) if db_url in _LAID_URLS else _laid(db_url, schema_template)
    yield engine
    engine.dispose()


def _laid(url: str, schema_template: Callable[[Engine], None]) -> Engine:
    """An engine on the empty database at url, given the schema by schema_template."""
    engine = make_engine(url)
    schema_template(engine)
    return prepared(engine)  # at the head already: prepare() finds nothing to do


@pytest.fixture
def new_sqlite(schema_template: Callable[[Engine], None]) -> Iterator[Callable[[Path], Engine]]:
    """new_sqlite(path): an engine on a new SQLite file at path with the schema prepare() makes
    (schema_template's copy, not an Alembic run per database), disposed after the test."""
    engines: list[Engine] = []

    def make(path: Path) -> Engine:
        engines.append(_laid(f"sqlite:///{path}", schema_template))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="session")
def _shared_databases(
    tmp_path_factory: pytest.TempPathFactory, schema_template: Callable[[Engine], None]
) -> Iterator[Callable[[str, Hashable, Callable[[Engine], None]], str]]:
    """get(kind, key, fill): the database on that engine that fill(engine) filled, from empty with
    its schema prepared, once per session for each key: a SQLite file (to copy), a PostgreSQL
    schema (to read only)."""
    built: dict[tuple[str, Hashable], str] = {}
    schemas = ExitStack()

    def get(kind: str, key: Hashable, fill: Callable[[Engine], None]) -> str:
        if (kind, key) not in built:
            if kind == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'shared.db'}"
            else:
                url = schemas.enter_context(_pg_schema())
            engine = make_engine(url)
            schema_template(engine)
            fill(prepared(engine))
            engine.dispose()  # SQLite: the last connection folds the write-ahead log into the file
            built[kind, key] = url
        return built[kind, key]

    with schemas:
        yield get


@pytest.fixture(params=ENGINES)
def shared_engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _shared_databases: Callable[[str, Hashable, Callable[[Engine], None]], str],
) -> Iterator[Callable[[Hashable, Callable[[Engine], None]], Engine]]:
    """shared_engine(key, fill): an engine on each engine in turn holding what fill(engine) writes
    into an empty database, for tests that only read it. fill runs once per session for each
    engine and key (the same key, the same contents): on SQLite each test gets a copy of the file;
    on PostgreSQL the tests share the schema in read-only transactions (a write fails)."""
    engines: list[Engine] = []

    def make(key: Hashable, fill: Callable[[Engine], None]) -> Engine:
        url = _shared_databases(request.param, key, fill)
        if request.param == "sqlite":
            copy = tmp_path / f"shared-{len(engines)}.db"
            shutil.copyfile(url.split("///", 1)[1], copy)
            url = f"sqlite:///{copy}"
        else:
            url = pg_schema_url(url.split("application_name=", 1)[1], read_only=True)
        engines.append(make_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def demo_engine(
    shared_engine: Callable[[Hashable, Callable[[Engine], None]], Engine],
) -> Callable[..., Engine]:
    """demo_engine(**arguments): an engine on each engine in turn holding what
    demo.load(engine, **arguments) imports into an empty database, for tests that only read it
    (shared_engine: loaded once per session for each engine and arguments)."""
    from budgetcore.exchange import demo

    def make(**arguments: object) -> Engine:
        def fill(engine: Engine) -> None:
            assert demo.load(engine, **arguments).ok

        return shared_engine(("demo", tuple(sorted(arguments.items()))), fill)

    return make


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


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real workbook (openpyxl opens it) whose one shared string unpacks to BOMB_MB MB.

    Written member by member (zip_member): its shared strings are one deflated MB of "A", fully
    flushed, so the same bytes for every MB, written BOMB_MB times (0.2 s; zipfile's level 9
    over 400 MB took 2.6 s a test process)."""
    book = Workbook()
    book.active.title = "contracts"
    book.active.append(["x"])
    saved = io.BytesIO()
    book.save(saved)
    base = zipfile.ZipFile(saved)
    path = tmp_path_factory.mktemp("bomb") / "contracts.xlsx"
    # openpyxl writes inline strings: point A1 at shared string 0, and declare the part
    edits = {
        "xl/worksheets/sheet1.xml": (b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>'),
        "[Content_Types].xml": (b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": (b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.'
                                       b"openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
                                       b'" Target="sharedStrings.xml"/></Relationships>'),
    }  # fmt: skip
    head = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')  # fmt: skip
    tail = b"</t></si></sst>"
    block = b"A" * limits.MB
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    each = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)  # the same for every MB after
    last = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(BOMB_MB):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    with path.open("wb") as out:
        directory = []
        for member in base.infolist():
            content = base.read(member)
            if member.filename in edits:
                old, new = edits[member.filename]
                assert old in content
                content = content.replace(old, new)
            packed = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = packed.compress(content) + packed.flush()
            directory.append(_zip_member(out, member.filename, [data], zlib.crc32(content), len(content)))
        size = len(head) + BOMB_MB * len(block) + len(tail)
        chunks = [first, *([each] * BOMB_MB), last]
        directory.append(_zip_member(out, "xl/sharedStrings.xml", chunks, crc, size))
        _zip_end(out, directory)
    assert path.stat().st_size < 500_000
    return path


def _zip_member(out, name: str, chunks: list[bytes], crc: int, size: int) -> bytes:
    """Write one deflated member (its local header, then chunks: its deflate stream) at out's
    position; its central directory entry (APPNOTE.TXT 4.3.7 and 4.3.12)."""
    offset, packed, encoded = out.tell(), sum(map(len, chunks)), name.encode()
    fields = (20, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, packed, size, len(encoded), 0)  # 0x21: 1 Jan 1980
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded)
    for chunk in chunks:
        out.write(chunk)
    return (
        struct.pack("<IH", 0x02014B50, 20)
        + struct.pack("<HHHHHIIIHH", *fields)
        + struct.pack("<HHHII", 0, 0, 0, 0, offset)
        + encoded
    )


def _zip_end(out, directory: list[bytes]) -> None:
    """The central directory and its end record (APPNOTE.TXT 4.3.16)."""
    start = out.tell()
    for entry in directory:
        out.write(entry)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), size, start, 0))


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), one per test process: every browser module's contexts and
    tabs are its (a launch costs its processes' start, about half a CPU second)."""
    from browser_support import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def _desktop_context(browser):
    """A desktop-sized browser context (1440 x 1000, downloads kept) that prefers reduced motion
    (browser_support.CONTEXT)."""
    from browser_support import CONTEXT

    return browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, **CONTEXT)


@pytest.fixture(scope="module")
def desktop(browser):
    """One desktop context of the module's own: its HTTP and code caches hold the app's scripts
    once, instead of once per test, and are cold at its first visit (test_browser holds that a
    first visit fetches plotly's code)."""
    context = _desktop_context(browser)
    yield context
    context.close()


@pytest.fixture(scope="session")
def _tab(browser):
    """The process's one tab of its one shared desktop context (shared_tab)."""
    context = _desktop_context(browser)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="module")
def shared_tab(_tab):
    """The test process's shared desktop tab (one renderer for every module that uses it: a new tab
    costs Chromium a renderer's start). Signed out (no cookies) when the module starts; at its end
    on a blank page, before the module's server stops (a page of a stopped server keeps trying
    to reconnect)."""
    _tab.context.clear_cookies()
    yield _tab
    _tab.goto("about:blank")
    _tab.context.clear_cookies()


@pytest.fixture
def page(desktop):
    """A fresh page in the module's desktop context, signed out (no cookies from an earlier test)."""
    desktop.clear_cookies()
    page = desktop.new_page()
    yield page
    page.close()
