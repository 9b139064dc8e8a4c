"""`flask --app curation …` in a process of its own that starts in a tenth of a
second instead of a second of CPU.

tests/test_cron_overlap.py starts a hundred commands, several at once, because
the locks that matter are between processes. Started as `python -m flask`, each
spends most of its life importing the same modules. Here each is forked from
one server process that imported them once (multiprocessing's fork server, as
gunicorn's --preload does for its workers); from there it is the real command
line: its own process, environment, working directory, database connections
and locks, `flask.cli.main()` reading the same argv, an exit code and the
output it printed. Interpreter start and imports are all that is shared; the
real `python -m flask` start is tried by tests/test_migrations.py and by the
dying lock holder in tests/test_cron_overlap.py.
"""
from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import pkgutil
import subprocess
import sys
import tempfile
import threading
from importlib.metadata import entry_points
from pathlib import Path

import flask.cli

import curation

ROOT = Path(__file__).resolve().parent.parent
# Set where this module is imported: in the fork server, before any command
# forks; in a command's own process only if the server failed to preload it.
_IMPORTED_IN = os.getpid()


def _import_what_a_command_uses() -> None:
    for module in pkgutil.walk_packages(curation.__path__, "curation."):
        if not module.name.startswith("curation.migrations"):  # Alembic runs those, by path
            importlib.import_module(module.name)
    for command in entry_points(group="flask.commands"):  # Flask's CLI loads these on every start
        command.load()
    for dialect in ("sqlite.pysqlite", "postgresql.psycopg"):  # the first engine loads its driver
        importlib.import_module(f"sqlalchemy.dialects.{dialect}")


_import_what_a_command_uses()

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])
_STARTING = threading.Lock()
_started = False


def _start_server_once() -> None:
    # Python 3.11's fork server looks for modules from its working directory, not
    # from this process's sys.path: start it in the checkout, before the first command.
    global _started
    with _STARTING:
        if not _started:
            with contextlib.chdir(ROOT):
                multiprocessing.forkserver.ensure_running()
            _started = True


def _run(argv: list[str], environment: dict[str, str], output_path: str) -> None:
    if _IMPORTED_IN == os.getpid():
        raise RuntimeError("the fork server did not preload tests.forked_commands: each command imported the app itself")
    os.chdir(ROOT)
    os.environ.clear()
    os.environ.update(environment)
    output = os.open(output_path, os.O_WRONLY | os.O_TRUNC)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    sys.argv = argv
    flask.cli.main()


class FlaskCommand:
    """A started command, answering as much of `subprocess.Popen` as the tests use."""

    def __init__(self, args: list[str], environment: dict[str, str]):
        self.args = ["flask", "--app", "curation", *args]
        handle, self._output_path = tempfile.mkstemp(prefix="curation-command-", suffix=".log")
        os.close(handle)
        self._output: str | None = None
        _start_server_once()
        self._process = _CONTEXT.Process(target=_run, args=(self.args, dict(environment), self._output_path))
        self._process.start()

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self._process.exitcode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        if self._output is None:
            path = Path(self._output_path)
            self._output = path.read_text(encoding="utf-8", errors="replace")
            path.unlink()
        return self._process.exitcode

    def communicate(self, timeout: float | None = None) -> tuple[str, None]:
        self.wait(timeout)
        return self._output or "", None

    def kill(self) -> None:
        self._process.kill()
