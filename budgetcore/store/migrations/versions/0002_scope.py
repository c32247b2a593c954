"""Scope (issue 21): work orders covered or billed on top, the lines' revenue, the billed aggregates.

Adds work_orders.billable, hour_lines.revenue and material_lines.revenue, and the extra_*
columns of contract_months and contract_totals; fills each priced line's revenue (quantity x
sales price in millionths, rounded half to even, as the import computes it). Before this
revision the covered columns held every line: `rebuild_aggregates` asks store/schema to rebuild
every aggregate and snapshot once the upgrade is done, so an upgraded database shows the same
figures as a fresh import of the same files.

Revision ID: 0002_scope
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from budgetcore.store.models import product_units

revision = "0002_scope"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

rebuild_aggregates = True  # store/schema rebuilds the aggregates and snapshots after the upgrade


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(sa.Column("billable", sa.Boolean(), nullable=True))
    for name in ("hour_lines", "material_lines"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("revenue", sa.BigInteger(), nullable=True))
    for name in ("contract_months", "contract_totals"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("extra_cost", sa.BigInteger(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("extra_revenue", sa.BigInteger(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("extra_lines", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("extra_unpriced", sa.Integer(), nullable=False, server_default="0"))
    connection = op.get_bind()
    for name, quantity, price in (
        ("hour_lines", "hours", "sales_rate"),
        ("material_lines", "quantity", "unit_price"),
    ):
        table = sa.table(name, sa.column("id"), sa.column(quantity), sa.column(price), sa.column("revenue"))
        last = 0
        while batch_rows := connection.execute(  # by id ranges: no cursor open while writing
            sa.select(table.c.id, table.c[quantity], table.c[price])
            .where(table.c.id > last, table.c[price].is_not(None), table.c.revenue.is_(None))
            .order_by(table.c.id)
            .limit(20_000)
        ).all():
            connection.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("line"))
                .values(revenue=sa.bindparam("units")),
                [{"line": i, "units": product_units(int(q), int(p))} for i, q, p in batch_rows],
            )
            last = batch_rows[-1][0]
