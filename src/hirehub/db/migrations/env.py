"""Alembic environment: runs on the connection handed in by hirehub.db.migrate (both engines)."""

from __future__ import annotations

from alembic import context

from hirehub.db.models import load_all

target_metadata = load_all()
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `hirehub db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
