"""Commands started at the same moment on one database, as cron and people do:
none fails with "database is locked", each does its work exactly once.

The commands run as real `flask --app curation …` processes against the
suite's database file (SQLite, or PostgreSQL when CURATION_TEST_DATABASE_URL
is set), because the lock that matters is between processes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from curation.models import AuditEntry, User
from tests.conftest import PASSWORD, fresh

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
COMMAND_TIMEOUT = 120  # seconds, per process


def flask_command(database_url: str, *args: str, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "CURATION_DATABASE_URL": database_url,
        "CURATION_SECRET_KEY": "cron-overlap-test-key",
        **{f"CURATION_{name}": value for name, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "curation", *args],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def run_at_once(database_url: str, commands: list[list[str]], **settings: str) -> list[tuple[int, str]]:
    """Start every command, released together, and wait for all: (exit code, output) each."""
    gate = threading.Barrier(len(commands))
    results: list[tuple[int, str]] = [(-1, "")] * len(commands)

    def run(number: int, args: list[str]) -> None:
        gate.wait(timeout=COMMAND_TIMEOUT)
        process = flask_command(database_url, *args, **settings)
        output, _ = process.communicate(timeout=COMMAND_TIMEOUT)
        results[number] = (process.returncode, output)

    threads = [threading.Thread(target=run, args=(n, args)) for n, args in enumerate(commands)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(COMMAND_TIMEOUT * 2)
    return results


def test_four_create_user_at_once_all_succeed(app, database_url, session):
    # Each reads (is the address taken?), hashes the password for a fifth of a
    # second, then writes: the others write in between.
    emails = [f"editor{n}@example.org" for n in range(4)]
    commands = [["create-user", email, "--name", f"Editor {n}", "--role", "editor", "--password", PASSWORD]
                for n, email in enumerate(emails)]

    results = run_at_once(database_url, commands)

    failures = [output for code, output in results if code != 0]
    assert failures == [], failures
    fresh(session)
    assert sorted(session.scalars(select(User.email))) == emails
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.created")) == 4
