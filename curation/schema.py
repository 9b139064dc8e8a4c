"""Creating and upgrading the database schema, with Alembic migrations.

`upgrade()` brings any database to the newest revision: an empty one gets the
whole schema, an older one the missing revisions. A database made by the
versions of Curation that created tables directly (no `alembic_version` table
yet) holds exactly the first revision's schema, so it is stamped with that
revision first and then upgraded like any other.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from curation import db
from curation.db import UTCDateTime

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The revision that the tables made before migrations existed correspond to.
BASELINE = "0001"
MIGRATION_LOCK = 0x43555241  # "CURA": any constant the app's other locks do not use


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def configure_context(context: Any, connection: Connection, metadata) -> None:
    """The one configuration both upgrades and autogenerate run with."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: Alembic rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def _render_item(type_: str, obj: Any, autogen_context) -> str | bool:
    # Migrations stay free of app types: UTCDateTime is a plain DateTime column.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def upgrade(revision: str = "head") -> None:
    """Migrate the app's database to `revision` in one transaction."""
    with db.engine().connect() as connection:
        on_sqlite = connection.dialect.name == "sqlite"
        if on_sqlite:
            # SQLite adds a constraint by rebuilding the table (copy, drop, rename):
            # with foreign keys on, the drop would fail or cascade into the rows that
            # point at it. The pragma only takes effect outside a transaction.
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Hosts that each run init-db when deployed take turns: the later
                    # ones find the schema already upgraded and do nothing.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                _stamp_tables_made_before_migrations(connection)
                command.upgrade(alembic_config(connection), revision)
                if on_sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the upgrade left rows pointing at rows that do not exist")
        finally:
            if on_sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _sqlite_pragma(connection: Connection, pragma: str) -> None:
    # on the sqlite3 connection itself: SQLAlchemy would begin a transaction first
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(pragma)


def current_revision() -> str | None:
    with db.engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stamp_tables_made_before_migrations(connection: Connection) -> None:
    tables = set(inspect(connection).get_table_names())
    if "users" in tables and "alembic_version" not in tables:
        command.stamp(alembic_config(connection), BASELINE)


def new_revision(message: str) -> None:
    """Write a new revision from the difference between the models and the
    app's database (bring that database to head first, and read the result)."""
    with db.engine().begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
