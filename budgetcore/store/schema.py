"""Creating and upgrading the schema with Alembic: an explicit step the app's start and the command
line take (`python -m budgetcore db upgrade` does it alone).

Opening an engine (database.make_engine) only opens it. prepare() reads the database's revision
(the alembic_version table) and, when it is behind, runs the revisions in store/migrations/versions
under the write lock, each step named in the log, so that reading the portfolio never writes and
two processes starting at once upgrade once. A new database gets the baseline and every revision
after it; a database from before Alembic is brought to the baseline first (pre_alembic.py) and
stamped. Revisions only go forward: a release never downgrades a database.

Alembic itself (a third of a second to import) is imported only when the database is behind:
every command and the app's start compare the stored revision with the newest one found by
reading the revision files' `revision = ...` lines (head), which tests/test_migrations.py holds
equal to Alembic's own answer.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, inspect

from budgetcore.store import aggregates, alert_log, decisions, locks  # noqa: F401 - tables
from budgetcore.store.database import SERVER_FAULTS, StorageError, fault_reason, transaction

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"
# a revision whose module sets rebuild_aggregates = True changes what the aggregates hold: every
# aggregate and snapshot is rebuilt once the database is at the head (with the head's models)
REBUILD_AFTER = "rebuilt every aggregate and snapshot for a revision that changed what they hold"


VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE)


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for budgetcore (no alembic.ini: the script folder is the package's)."""
    from alembic.config import Config

    found = Config()
    found.set_main_option("script_location", str(MIGRATIONS))
    found.attributes["connection"] = connection
    return found


@functools.cache
def head() -> str:
    """The newest revision of the code: the one no revision names as its down_revision, read from
    the revision files' text (one line of revisions, no branches), without importing Alembic."""
    named, below = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(text), _DOWN.search(text)
        if found:
            named.add(found.group(1))
            if down and down.group(1):
                below.add(down.group(1))
    heads = named - below
    if len(heads) != 1:
        raise RuntimeError(f"expected one head revision in {MIGRATIONS}, found {sorted(heads)}")
    return heads.pop()


def revision(connection: Connection) -> str | None:
    """The database's revision; None before Alembic (or for an empty database). Read from Alembic's
    version table with one SELECT, as Alembic reads it."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise StorageError(f"the database holds {len(rows)} revisions at once: {sorted(rows)}")
    return rows[0] if rows else None


def baseline_tables() -> sa.MetaData:
    """The baseline revision's frozen tables."""
    from alembic.script import ScriptDirectory

    module = ScriptDirectory.from_config(config()).get_revision(BASELINE).module
    return module.tables()


def prepare(engine: Engine) -> list[str]:
    """Bring the database to the newest revision; the steps taken, in order (none when it is there).

    Raises StorageError when the database cannot be reached or written (the message says why,
    in one line).
    """
    try:
        with engine.connect() as connection:
            current = revision(connection)
        steps = [] if current == head() else _upgrade(engine)
        with transaction(engine) as session:
            if inspect(session.connection()).has_table("contracts") and aggregates.save_snapshots_if_stale(
                session
            ):
                steps.append("saved the snapshots (one was missing or in an older format)")
    except StorageError:
        raise
    except (*SERVER_FAULTS, sa.exc.SQLAlchemyError, OSError) as exc:
        raise StorageError(f"cannot open or upgrade the database: {fault_reason(exc)}") from exc
    for step in steps:
        log.info("schema: %s (%s)", step, engine.url.render_as_string(hide_password=True))
    return steps


def _upgrade(engine: Engine) -> list[str]:
    from alembic import command
    from alembic.script import ScriptDirectory

    from budgetcore.store import pre_alembic

    steps: list[str] = []
    data: list[str] = []
    with engine.begin() as connection:
        locks.lock(connection)  # a second process starting at once waits, then finds it done
        current = revision(connection)
        if current == head():
            return steps
        cfg = config(connection)
        if current is None and inspect(connection).has_table("contracts"):
            found, data = pre_alembic.to_baseline(connection, baseline_tables())
            steps += found
            command.stamp(cfg, BASELINE)
            steps.append(f"a database from before Alembic: stamped {BASELINE}")
            current = BASELINE
        if current is not None and any(
            getattr(script.module, "rebuild_aggregates", False)
            for script in ScriptDirectory.from_config(cfg).iterate_revisions(head(), current)
        ):
            data.append(REBUILD_AFTER)
        command.upgrade(cfg, "head")
        steps.append(f"upgraded from {current or 'an empty database'} to {head()}")
    if data:
        with transaction(engine) as session:
            locks.write_lock(session)
            if pre_alembic.REBUILD_ALL in data or REBUILD_AFTER in data:
                aggregates.rebuild(session)
            if pre_alembic.PORTFOLIO_MONTHS in data:
                aggregates.rebuild_portfolio_months(session)
            if pre_alembic.BUDGETS in data:
                aggregates.rebuild_budgets(session)
            aggregates.save_snapshots(session)
        steps += data
    return steps


def prepared(engine: Engine) -> Engine:
    """The engine after prepare(): for callers that open a database to use it at once."""
    prepare(engine)
    return engine
