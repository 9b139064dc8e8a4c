"""One run at a time of each cron job, across processes and hosts.

Cron starts a job whether or not its last run has finished, and several hosts
may each run the same crontab. `@cron_job("send-mail")` under a command's
`@with_appcontext` makes a run that finds another one going either skip (say
so in one line, exit 0: the other run does the work) or wait for it to finish,
and says which in the command's --help.

The lock is where every run of the job can see it and dies with the process
that holds it, so a run that crashed never blocks the next: on PostgreSQL a
session-level advisory lock (per schema), on SQLite (one host by design) an flock on a file
beside the database.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app
from sqlalchemy import text

from curation import db

# The first of the two keys of every job's advisory lock: other advisory locks
# (schema.MIGRATION_LOCK) use the one-key form, which never collides with this.
_JOB_LOCKS = 0x4A4F4253  # "JOBS"
Command = TypeVar("Command", bound=Callable)

_SKIPS = "When another {name} is running, this one says so and stops (exit 0): the other does the work."
_WAITS = "When another {name} is running, this one waits for it to finish, then runs."


@contextlib.contextmanager
def held(name: str, *, wait: bool) -> Iterator[bool]:
    """Hold the lock of job `name` inside the block; yields False (at once)
    when another run holds it and `wait` is False."""
    engine = db.engine()
    lock = _advisory_lock if engine.dialect.name == "postgresql" else _file_lock
    with lock(name, wait=wait) as is_held:
        yield is_held


@contextlib.contextmanager
def _advisory_lock(name: str, *, wait: bool) -> Iterator[bool]:
    connection = db.engine().connect()
    try:
        # Advisory locks belong to the whole database: an installation that
        # lives in a schema of its own shares them with the others there, so
        # the schema is part of the key.
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        key = {"jobs": _JOB_LOCKS, "job": _job_key(f"{schema}/{name}")}
        if wait:
            connection.execute(text("SELECT pg_advisory_lock(:jobs, :job)"), key)
            is_held = True
        else:
            is_held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:jobs, :job)"), key).scalar())
        # the lock belongs to the connection, not the transaction: nothing stays open
        connection.commit()
        yield is_held
        if is_held:
            connection.execute(text("SELECT pg_advisory_unlock(:jobs, :job)"), key)
            connection.commit()
    except BaseException:
        # a pooled connection must not keep the lock for whoever uses it next
        connection.invalidate()
        raise
    finally:
        connection.close()


def _job_key(name: str) -> int:
    # the same number on every host and Python version (hash() is not), as an int4
    return zlib.crc32(name.encode()) - 2**31


@contextlib.contextmanager
def _file_lock(name: str, *, wait: bool) -> Iterator[bool]:
    handle = os.open(lock_path(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        # closing releases the lock; the file stays, removing it would race
        os.close(handle)


def lock_path(name: str) -> Path:
    """Beside the database file (every process that shares it finds the lock), or
    in instance/ for a database in memory."""
    database = db.engine().url.database
    if database and database != ":memory:":
        return Path(f"{database}.{name}.lock")
    return Path(current_app.instance_path) / f"{name}.lock"


def cron_job(name: str, *, wait: bool = False) -> Callable[[Command], Command]:
    """Run the command as the only running instance of job `name`; see the module."""

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def run_alone(*args, **kwargs):
            with held(name, wait=wait) as is_held:
                if not is_held:
                    click.echo(f"Another {name} is running; this one stops and leaves the work to it.")
                    return None
                return command(*args, **kwargs)

        rule = (_WAITS if wait else _SKIPS).format(name=name)
        run_alone.__doc__ = f"{(command.__doc__ or '').rstrip()}\n\n{rule}"
        return run_alone  # type: ignore[return-value]

    return decorate
