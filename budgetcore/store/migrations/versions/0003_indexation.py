"""Indexation (issue 20): the contract's own yearly indexation in percent, contracts.indexation_pct.

Nullable (millionths of a percent, models.Amount: 2.5 % is 2500000); a contract without one is
indexed by the setting "yearly indexation". Nothing to fill: no aggregate holds it (the contracts
snapshot does, and its format changed with this release, so it is saved again at the next start).

Revision ID: 0003_indexation
Revises: 0002_scope
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_indexation"
down_revision = "0002_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("indexation_pct", sa.BigInteger(), nullable=True))
