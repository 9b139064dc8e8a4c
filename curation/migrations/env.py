"""Alembic environment: runs on the connection `curation.schema` hands over.

There is no alembic.ini: `curation.schema.alembic_config()` builds the
configuration in Python, so an installed package migrates its database with
`flask --app curation init-db` alone.
"""
from __future__ import annotations

from alembic import context

from curation import models  # noqa: F401  (registers the tables on Base.metadata)
from curation.db import Base
from curation.schema import configure_context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through `flask --app curation init-db` (or curation.schema), "
        "which hands Alembic the app's database connection."
    )
configure_context(context, connection, Base.metadata)
with context.begin_transaction():
    context.run_migrations()
