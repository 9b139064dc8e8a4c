"""Engine, one Session per request, and the declarative Base.

The session lives on `flask.g`, is created on first use and closed at
teardown, which drops whatever the request did not commit.

Whoever opens a session says whether it may write, and on SQLite that decides
how its transactions begin. A transaction that reads and then writes, begun
the default (deferred) way, fails at once with "database is locked" when
another connection wrote in between, whatever the busy timeout: SQLite cannot
let it write on a snapshot that is no longer the newest. So a session that may
write begins each transaction with BEGIN IMMEDIATE, which takes the write lock
up front and waits its turn instead (up to REQUEST_LOCK_WAIT seconds in a
request, COMMAND_LOCK_WAIT elsewhere); a read-only one begins
deferred, so readers never wait for writers. On PostgreSQL both begin alike and
rely on row locks and advisory locks where they need them.

- A request writes when its view says so with `@db.writes` or `@db.reads_only`,
  and otherwise when its method is POST, PUT, PATCH or DELETE (the methods CSRF
  protects; GET and HEAD change nothing). Decided once, in `request_writes()`,
  when the request's session opens. A POST that only reads (logging in, which
  checks a password for a fifth of a second) says `@db.reads_only`, so that it
  does not hold the write lock meanwhile.
- Anything else opens its own: `with db.new_session(writes=True) as session:`
  in a command, a thread or a cron job; `writes=False` for one that only reads.
"""
from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
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
# The methods whose requests may write: the same ones CSRF protection covers.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# An execution option of the connections a writing session uses: how many
# seconds its transactions wait for SQLite's write lock. A request waits as long
# as someone at a browser and gunicorn's timeout allow; a command, the mail
# thread or a cron job has nobody waiting and waits longer rather than fail.
_LOCK_WAIT = "curation_lock_wait"
_HELD_SINCE = "curation_write_lock_held_since"
SLOW_WRITE_WARNING = 2.0  # seconds
REQUEST_LOCK_WAIT = 30
COMMAND_LOCK_WAIT = 120
View = TypeVar("View", bound=Callable)


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


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (the conditional updates that
    claim work rely on it); typed results do not carry the cursor's count."""
    return cast(CursorResult[Any], result).rowcount


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        event.listen(engine, "commit", _end_sqlite)
        event.listen(engine, "rollback", _end_sqlite)
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
    # See the module's docstring: a session that may write waits for the write
    # lock here rather than failing on its first write.
    lock_wait = connection.get_execution_options().get(_LOCK_WAIT)
    if lock_wait is None:
        connection.exec_driver_sql("BEGIN")
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(lock_wait * 1000)}")
    asked = time.monotonic()
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    connection.info[_HELD_SINCE] = (asked, time.monotonic())


def _end_sqlite(connection) -> None:
    # Everyone else's writes wait while one transaction holds the lock: one that
    # held it long is named in the log, so whoever runs the site can see what to shorten.
    times = connection.info.pop(_HELD_SINCE, None)
    if times is None:
        return
    asked, got = times
    held = time.monotonic() - got
    if held >= SLOW_WRITE_WARNING:
        where = f"{request.method} {request.path}" if has_request_context() else " ".join(sys.argv[:3])
        logging.getLogger(__name__).warning(
            "%s held the database's write lock for %.1f s (after waiting %.1f s for it)", where, held, got - asked
        )


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["curation.engine"] = engine
    app.extensions["curation.sessionmakers"] = {
        lock_wait: sessionmaker(bind=engine.execution_options(**{_LOCK_WAIT: lock_wait}), expire_on_commit=False)
        for lock_wait in (None, REQUEST_LOCK_WAIT, COMMAND_LOCK_WAIT)
    }
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["curation.engine"]


def new_session(*, writes: bool) -> Session:
    """A session of its own, outside a request (a CLI command, the mail thread,
    a cron job), closed by whoever opened it: `with db.new_session(writes=True) as s:`.

    `writes=True` when anything it does may write, even after reading first;
    each of its transactions then holds SQLite's write lock from BEGIN to
    COMMIT, so commit as soon as the work is done and never keep one open
    while waiting for something slow (a mail server, a remote site).
    """
    return _session(COMMAND_LOCK_WAIT if writes else None)


def _session(lock_wait: int | None) -> Session:
    return current_app.extensions["curation.sessionmakers"][lock_wait]()


def end_reading(session: Session) -> None:
    """End a transaction that has only read, before slow work that needs no
    database (a password hash): on SQLite a writing session's transaction holds
    the write lock for the whole database until it ends. The next statement
    begins a new one."""
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise RuntimeError("end_reading() on a session with changes: flush and commit them instead")
    session.commit()


def writes(view: View) -> View:
    """Declare that a view writes although it answers GET or HEAD (a link
    that confirms something, say); views for the writing methods need not."""
    view.writes = True  # type: ignore[attr-defined]
    return view


def reads_only(view: View) -> View:
    """Declare that a view never writes, whatever its method (put it right
    under the route decorator)."""
    view.writes = False  # type: ignore[attr-defined]
    return view


def request_writes() -> bool:
    """Whether this request may write: as its view declares, else by its method."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "writes", request.method in WRITING_METHODS)


def _get_session() -> Session:
    if "db_session" not in g:
        # Outside a request (a command reading a setting through the app's
        # helpers) the shared session only reads; work that writes opens its own.
        writes = request_writes() if has_request_context() else False
        g.db_session = _session(REQUEST_LOCK_WAIT if writes else None)
        if not writes:
            event.listen(g.db_session, "before_flush", _refuse_flush)
            event.listen(g.db_session, "do_orm_execute", _refuse_statement)
    return g.db_session


def _refuse_flush(session: Session, _context, _instances) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        _undeclared_write()


def _refuse_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _undeclared_write()


def _undeclared_write() -> None:
    problem = (
        f"{request.method} {request.path} writes, but its view ({request.endpoint}) is declared to only "
        "read: mark it @db.writes, or it risks 'database is locked' on SQLite"
    )
    # Tests fail on it; a site in service logs it and lets the write go ahead.
    if current_app.testing:
        raise RuntimeError(problem)
    current_app.logger.error(problem)


def _close_session(_exc=None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


session: Session = LocalProxy(_get_session)  # type: ignore[assignment]
