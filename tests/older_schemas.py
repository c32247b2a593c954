"""Making a database of today's schema look like one from an earlier release, for upgrade tests."""

from __future__ import annotations

from sqlalchemy import Connection, text

# the columns each revision after the baseline added, newest first (store/migrations/versions)
ADDED = (
    ("0005_demo_index", ()),  # two indexes (INDEXES), no column
    ("0004_calls", (("contract_months", "calls"), ("contract_totals", "calls"))),
    ("0003_indexation", (("contracts", "indexation_pct"),)),
    ("0002_scope", (
        ("work_orders", "billable"), ("hour_lines", "revenue"), ("material_lines", "revenue"),
        *((t, c) for t in ("contract_months", "contract_totals")
          for c in ("extra_cost", "extra_revenue", "extra_lines", "extra_unpriced")),
    )),
)  # fmt: skip
AFTER_BASELINE = tuple(column for _, columns in ADDED for column in columns)
INDEXES = {"0005_demo_index": ("ix_contracts_demo", "ix_work_orders_demo")}  # the indexes a revision made


def at_revision(connection: Connection, revision: str) -> None:
    """As a database at this revision: the columns later revisions added dropped, and stamped so."""
    for later, columns in ADDED:
        if later == revision:
            break
        for index in INDEXES.get(later, ()):
            connection.execute(text(f"DROP INDEX {index}"))
        for table, column in columns:
            connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    connection.execute(text(f"UPDATE alembic_version SET version_num = '{revision}'"))


def at_baseline(connection: Connection) -> None:
    """As a database at the baseline revision: the columns later revisions added dropped, and
    stamped 0001_baseline."""
    at_revision(connection, "0001_baseline")


def before_alembic(connection: Connection) -> None:
    """As main's database before Alembic: the baseline's schema and no alembic_version."""
    at_baseline(connection)
    connection.execute(text("DROP TABLE alembic_version"))
