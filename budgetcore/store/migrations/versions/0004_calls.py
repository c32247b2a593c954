"""Scope, corrective work (issue 21): contract_months.calls and contract_totals.calls.

calls counts a contract's covered corrective work orders (call-outs), as visits counts its
periodic ones; the out-of-scope rule compares them with what the contract's type leads one to
expect (docs/metrics.md, Scope). The column starts at 0: `rebuild_aggregates` asks store/schema
to rebuild every aggregate and snapshot once the upgrade is done, so an upgraded database shows
the same figures as a fresh import of the same files.

Revision ID: 0004_calls
Revises: 0003_indexation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_calls"
down_revision = "0003_indexation"
branch_labels = None
depends_on = None

rebuild_aggregates = True  # store/schema rebuilds the aggregates and snapshots after the upgrade


def upgrade() -> None:
    for name in ("contract_months", "contract_totals"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("calls", sa.Integer(), nullable=False, server_default="0"))
