"""Making a database of today's schema look like one from an earlier release, for upgrade tests."""

from __future__ import annotations

from sqlalchemy import Connection, text

# the columns each revision after the baseline added, newest first (store/migrations/versions)
AFTER_BASELINE = (
    ("contract_months", "calls"),  # 0004_calls
    ("contract_totals", "calls"),
    ("contracts", "indexation_pct"),  # 0003_indexation
    ("work_orders", "billable"),  # 0002_scope
    ("hour_lines", "revenue"),
    ("material_lines", "revenue"),
    *((t, c) for t in ("contract_months", "contract_totals")
      for c in ("extra_cost", "extra_revenue", "extra_lines", "extra_unpriced")),
)  # fmt: skip


def at_baseline(connection: Connection) -> None:
    """As a database at the baseline revision: the columns later revisions added dropped, and
    stamped 0001_baseline."""
    for table, column in AFTER_BASELINE:
        connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    connection.execute(text("UPDATE alembic_version SET version_num = '0001_baseline'"))


def before_alembic(connection: Connection) -> None:
    """As main's database before Alembic: the baseline's schema and no alembic_version."""
    at_baseline(connection)
    connection.execute(text("DROP TABLE alembic_version"))
