"""A database from before Alembic (the product of 27 November 2026 up to main at 9751766) brought to
the baseline revision's schema, so that store/schema.py can stamp it and run the revisions after it.

This is the one place that looks at what a database has instead of reading its revision: such a
database has no alembic_version table. Tables and indexes come from the baseline revision's own
frozen tables (migrations/versions/0001_baseline.py), never from today's models, so that a later
revision's change is made by that revision alone. Every column added to a table after it first
shipped is nullable or has a server default, so it can be added to a table with rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, inspect

# what an older database lacked and the data steps that fill it, run by schema.py once the
# schema is at head (today's code writes today's tables)
REBUILD_ALL = "rebuild every aggregate (a database from before contract_totals)"
PORTFOLIO_MONTHS = "build portfolio_months"
BUDGETS = "build contract_budgets and budget_periods"
SNAPSHOTS = "save the snapshots"


def to_baseline(connection: Connection, baseline: sa.MetaData) -> tuple[list[str], list[str]]:
    """Create the baseline's tables, columns and indexes this database lacks; (the steps taken,
    the data steps to run once the schema is at head)."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    steps: list[str] = []
    data: list[str] = []
    if "contract_totals" not in present:
        data.append(REBUILD_ALL)
    else:
        for table, step in (("portfolio_months", PORTFOLIO_MONTHS), ("contract_budgets", BUDGETS),
                            ("snapshots", SNAPSHOTS)):  # fmt: skip
            if table not in present:
                data.append(step)
    operations = Operations(MigrationContext.configure(connection))
    for table in baseline.sorted_tables:
        if table.name not in present:
            table.create(connection)
            steps.append(f"created table {table.name}")
            continue
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in columns:
                continue
            default = (
                column.server_default.arg if isinstance(column.server_default, sa.DefaultClause) else None
            )
            operations.add_column(
                table.name, sa.Column(column.name, column.type, nullable=True, server_default=default)
            )
            steps.append(f"added column {table.name}.{column.name}")
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)
                steps.append(f"created index {index.name}")
    return steps, data
