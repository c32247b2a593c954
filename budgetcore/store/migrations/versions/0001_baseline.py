"""The baseline: the schema of main before Alembic (9751766, 7 December 2026), the first revision.

A new database gets every table from here; a database from before Alembic is brought to this
schema by store/schema.prepare (pre_alembic.py) and stamped with it. Its tables are written out
here, not taken from store/models.py, so that this revision stays what it was when later
revisions change the models. Money columns are Fixed in the models: BIGINT millionths here.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def tables() -> sa.MetaData:
    """The baseline schema's tables, indexes and constraints."""
    metadata = sa.MetaData()
    sa.Table(
        "alert_statuses",
        metadata,
        sa.Column("contract_number", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("contract_number"),
    )
    sa.Table(
        "audit_trail",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=254), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_audit_trail_action", "audit_trail", ["action"], unique=False)
    _index(metadata, "ix_audit_trail_actor", "audit_trail", ["actor"], unique=False)
    _index(metadata, "ix_audit_trail_at", "audit_trail", ["at"], unique=False)
    sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_number", sa.String(length=50), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    sa.Table(
        "import_log",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    sa.Table(
        "meta",
        metadata,
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    sa.Table(
        "portfolio_months",
        metadata,
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("labour", sa.BigInteger(), nullable=False),
        sa.Column("material", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
    )
    sa.Table(
        "sent_alerts",
        metadata,
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("contract_number", sa.String(length=50), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    _index(metadata, "ix_sent_alerts_contract_number", "sent_alerts", ["contract_number"], unique=False)
    sa.Table(
        "snapshots",
        metadata,
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    sa.Table(
        "users",
        metadata,
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("email"),
    )
    sa.Table(
        "contracts",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=50), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("notice_period_days", sa.Integer(), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("renewal_months", sa.Integer(), nullable=True),
        sa.Column("contract_value", sa.BigInteger(), nullable=True),
        sa.Column("planned_visits", sa.Integer(), nullable=True),
        sa.Column("account_manager", sa.String(length=100), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("archived_on", sa.Date(), nullable=True),
        sa.Column("previous_contract", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_number"),
    )
    _index(metadata, "ix_contracts_account_manager", "contracts", ["account_manager"], unique=False)
    _index(metadata, "ix_contracts_customer_id", "contracts", ["customer_id"], unique=False)
    _index(metadata, "ix_contracts_end_date", "contracts", ["end_date"], unique=False)
    _index(metadata, "ix_contracts_type", "contracts", ["type"], unique=False)
    sa.Table(
        "budget_lines",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "category", "period_key"),
    )
    sa.Table(
        "budget_periods",
        metadata,
        sa.Column("budget_line_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("budget_line_id"),
    )
    _index(metadata, "ix_budget_periods_contract_id", "budget_periods", ["contract_id"], unique=False)
    sa.Table(
        "contract_budgets",
        metadata,
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("labour", sa.BigInteger(), nullable=False),
        sa.Column("material", sa.BigInteger(), nullable=False),
        sa.Column("other", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("contract_id"),
    )
    sa.Table(
        "contract_months",
        metadata,
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("in_term", sa.Boolean(), nullable=False),
        sa.Column("labour", sa.BigInteger(), nullable=False),
        sa.Column("material", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("contract_id", "month", "in_term"),
    )
    _index(metadata, "ix_contract_months_month", "contract_months", ["month"], unique=False)
    sa.Table(
        "contract_totals",
        metadata,
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("labour", sa.BigInteger(), nullable=False),
        sa.Column("material", sa.BigInteger(), nullable=False),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("outside_lines", sa.Integer(), nullable=False),
        sa.Column("outside_cost", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("contract_id"),
    )
    sa.Table(
        "renewal_decisions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("proposed_value", sa.BigInteger(), nullable=True),
        sa.Column("proposed_start", sa.Date(), nullable=True),
        sa.Column("proposed_end", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(
        metadata,
        "ix_renewal_decisions_contract",
        "renewal_decisions",
        ["contract_id", "decided_at"],
        unique=False,
    )
    sa.Table(
        "work_orders",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_number", sa.String(length=50), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("work_order_number"),
    )
    _index(metadata, "ix_work_orders_contract_date", "work_orders", ["contract_id", "date"], unique=False)
    _index(metadata, "ix_work_orders_date", "work_orders", ["date"], unique=False)
    sa.Table(
        "hour_lines",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("employee", sa.String(length=100), nullable=True),
        sa.Column("hour_type", sa.String(length=30), nullable=True),
        sa.Column("hours", sa.BigInteger(), nullable=False),
        sa.Column("cost_rate", sa.BigInteger(), nullable=False),
        sa.Column("sales_rate", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_hour_lines_date", "hour_lines", ["date"], unique=False)
    _index(metadata, "ix_hour_lines_work_order_id", "hour_lines", ["work_order_id"], unique=False)
    sa.Table(
        "material_lines",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("article_code", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    _index(metadata, "ix_material_lines_date", "material_lines", ["date"], unique=False)
    _index(metadata, "ix_material_lines_work_order_id", "material_lines", ["work_order_id"], unique=False)
    return metadata


def _index(metadata: sa.MetaData, name: str, table: str, columns: list[str], *, unique: bool) -> None:
    found = metadata.tables[table]
    sa.Index(name, *(found.c[c] for c in columns), unique=unique)


def upgrade() -> None:
    tables().create_all(op.get_bind())
