"""Alembic environment: runs on the connection the server hands over (see db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from deepworkzone.server.orm import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through deepworkzone.server.db.migrate()")
_run(connection)
