"""Alembic's environment for budgetcore: store/schema.py runs the revisions on its own connection
(config.attributes["connection"]), in the transaction it holds under the write lock."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
# batch mode: SQLite changes a column by copying its table, PostgreSQL with ALTER TABLE
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
