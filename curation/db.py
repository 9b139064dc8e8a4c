"""Engine, one Session per request, and the declarative Base.

The session lives on `flask.g`, is created on first use and closed at
teardown, which drops whatever the request did not commit.
"""
from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator
from werkzeug.local import LocalProxy

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: say which zone it is in")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    # pre_ping lets the pool notice a database that went away and came back
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _tune_sqlite(dbapi_connection, _record):
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
    # so SAVEPOINTs work.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers carry on while a writer commits (several gunicorn workers)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(connection):
    # A request that may write takes the write lock up front: a deferred
    # transaction that reads and then writes fails at once ("database is
    # locked") when another worker wrote in between, instead of waiting.
    may_write = has_request_context() and request.method not in ("GET", "HEAD")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write else "BEGIN")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["curation.engine"] = engine
    app.extensions["curation.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["curation.engine"]


def new_session() -> Session:
    """A session outside a request (CLI commands, scripts)."""
    return current_app.extensions["curation.sessionmaker"]()


def _get_session() -> Session:
    if "db_session" not in g:
        g.db_session = new_session()
    return g.db_session


def _close_session(_exc=None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


session: Session = LocalProxy(_get_session)  # type: ignore[assignment]
