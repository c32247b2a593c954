"""Whether the demo is there, in one look (issue 24): partial indexes of the demo's rows.

Every import asks whether the database holds the demo portfolio (store/database.is_demo); without
an index that was a scan of every contract and work order (0.1 to 0.3 s at 175,000 contracts on
a quiet machine, over a second on a busy one). models.demo_index names the two indexes; nothing
to fill.

Revision ID: 0005_demo_index
Revises: 0004_calls
"""

from __future__ import annotations

from alembic import op

from budgetcore.store.models import demo_index

revision = "0005_demo_index"
down_revision = "0004_calls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("contracts", "work_orders"):
        index = demo_index(table)
        op.create_index(
            index.name,
            table,
            ["id"],
            sqlite_where=index.dialect_options["sqlite"]["where"],
            postgresql_where=index.dialect_options["postgresql"]["where"],
        )
