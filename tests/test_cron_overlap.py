"""Commands started at the same moment on one database, as cron and people do:
none fails with "database is locked", each does its work exactly once, while
gunicorn serves and its mail thread sends.

The commands run as `flask --app curation …` in processes of their own against
the suite's database (SQLite, or PostgreSQL when CURATION_TEST_DATABASE_URL is
set), because the locks that matter are between processes; they are forked
from one that imported the app once (tests/forked_commands.py), so that a
hundred of them cost seconds, not minutes. Figures print with
`pytest -s`. The tests of the locks themselves run in this process.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select

from curation import cron, db
from curation.models import (
    Answer,
    AnswerState,
    AuditEntry,
    Invitation,
    OutboxMail,
    Publication,
    User,
)
from tests import test_concurrency as load_test
from tests.conftest import PASSWORD, csrf, fresh, postgres_schema, running_app
from tests.forked_commands import FlaskCommand
from tests.test_concurrency import (  # noqa: F401
    Browser,
    GunicornServer,
    answer_fields,
    quick_passwords,
)
from tests.test_mail import Inbox, _free_port

ROOT = Path(__file__).resolve().parent.parent
# Generous: 32 commands share two cores with the server and fifty therapists'
# requests; these tests are about outcomes, not speed.
COMMAND_TIMEOUT = 600  # seconds, per process
COPIES = int(os.environ.get("CURATION_OVERLAP_COPIES", "8"))  # of each command, started together
# With every command at once, fewer copies of each: 32 commands beside gunicorn
# and its fifty therapists already keep two cores busy; 64 turn the test into
# one of SQLite's lock queue on an overloaded machine (a request waits its 30 s
# and gives up), not of the commands' work done once.
COPIES_TOGETHER = int(os.environ.get("CURATION_OVERLAP_COPIES_TOGETHER", "4"))
THERAPISTS = 50
_OUTBOX_ID = re.compile(r"<outbox-(\d+)-")


@dataclasses.dataclass(frozen=True)
class Scene:
    """What the database holds before the commands start."""

    therapists: list[str]  # their e-mail addresses
    closing_soon_id: int  # a challenge none of them answers, closing in two days


@dataclasses.dataclass(frozen=True)
class CronCommand:
    """One kind of command in the table below: the arguments of its n-th copy,
    and what must be true once all copies have run (its work done once)."""

    name: str
    args: Callable[[int], list[str]]
    check: Callable[[object, Scene, int], None] = lambda session, scene, copies: None
    # what must be waiting for it, made in the test's process (given its CLI runner) before the copies start
    before: Callable[[object], object] = lambda runner: None

    def __str__(self) -> str:
        return self.name


def _created_once(session, scene: Scene, copies: int) -> None:
    made = session.execute(select(User.email, User.id).where(User.email.like("person%@example.org"))).all()
    assert collections.Counter(email for email, _ in made) == {f"person{n}@example.org": 1 for n in range(copies)}
    audited = session.scalars(
        select(AuditEntry.subject_id).where(AuditEntry.action == "user.created", AuditEntry.subject_type == "user")
    )
    assert collections.Counter(audited) >= collections.Counter(user_id for _, user_id in made)


def _invited_once(session, scene: Scene, copies: int) -> None:
    addresses = [f"invitee{n}@example.org" for n in range(copies)]
    assert collections.Counter(session.scalars(select(Invitation.email))) == {a: 1 for a in addresses}
    mailed = session.scalars(select(OutboxMail.recipient).where(OutboxMail.kind == "invitation"))
    assert collections.Counter(mailed) == {a: 1 for a in addresses}


EXPORTS = Path(tempfile.gettempdir()) / f"curation-overlap-exports-{os.getpid()}"


def _nothing_published(session, scene: Scene, copies: int) -> None:
    assert session.scalar(select(func.count()).select_from(Publication)) == 0


def _nothing_purged(session, scene: Scene, copies: int) -> None:
    assert set(scene.therapists) <= set(session.scalars(select(User.email)))


def _exported(session, scene: Scene, copies: int) -> None:
    for n in range(copies):
        assert (EXPORTS / f"copy-{n}" / "index.html").is_file() and (EXPORTS / f"copy-{n}" / "feed.atom").is_file()


def _reminded_once(session, scene: Scene, copies: int) -> None:
    reminded = session.scalars(select(OutboxMail.recipient).where(OutboxMail.kind == "reminder"))
    assert collections.Counter(reminded) == {email: 1 for email in scene.therapists}


# Every command cron or a person may start while others run. A new command
# joins with the arguments of its n-th copy and the check of its work.
COMMANDS = [
    CronCommand("create-user", lambda n: ["create-user", f"person{n}@example.org", "--name", f"Person {n}",
                                          "--role", "editor", "--password", PASSWORD], _created_once),
    CronCommand("invite", lambda n: ["invite", f"invitee{n}@example.org"], _invited_once),
    # every mail sent once is checked after every test
    CronCommand("send-mail", lambda n: ["send-mail"], before=lambda runner: runner.invoke(args=["send-reminders"])),
    CronCommand("send-reminders", lambda n: ["send-reminders"], _reminded_once),
    # nothing is due or past its retention here: these show they run beside the rest without failing
    CronCommand("publish-due", lambda n: ["publish-due"], _nothing_published),
    CronCommand("run-jobs", lambda n: ["run-jobs"]),
    CronCommand("purge", lambda n: ["purge"], _nothing_purged),
    CronCommand("export-static", lambda n: ["export-static", str(EXPORTS / f"copy-{n}")], _exported),
]


def flask_command(database_url: str, *args: str, **settings: str) -> FlaskCommand:
    env = {
        **os.environ,
        "CURATION_DATABASE_URL": database_url,
        "CURATION_SECRET_KEY": "cron-overlap-test-key",
        **{f"CURATION_{name}": value for name, value in settings.items()},
    }
    return FlaskCommand(list(args), env)


def run_at_once(database_url: str, commands: list[list[str]], *, also: Callable[[], object] | None = None,
                **settings: str) -> list[tuple[int, str]]:
    """Start every command (and `also`, in this process), released together, and
    wait for all: (exit code, output) of each command."""
    gate = threading.Barrier(len(commands) + (also is not None))
    results: list[tuple[int, str]] = [(-1, "did not finish")] * len(commands)

    def run(number: int, args: list[str]) -> None:
        gate.wait(timeout=COMMAND_TIMEOUT)
        process = flask_command(database_url, *args, **settings)
        try:
            output, _ = process.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        results[number] = (process.returncode, output)

    threads = [threading.Thread(target=run, args=(n, args)) for n, args in enumerate(commands)]
    for thread in threads:
        thread.start()
    if also is not None:
        gate.wait(timeout=COMMAND_TIMEOUT)
        also()
    for thread in threads:
        thread.join(COMMAND_TIMEOUT * 2)
    return results


def failures(results: list[tuple[int, str]], commands: list[list[str]]) -> list[str]:
    """What each command that failed said last, or its exception's own line."""
    return [
        f"{' '.join(args[:2])} exited {code}: "
        + next((line for line in output.splitlines() if "Error:" in line), output.strip()[-300:])
        + "".join(f" at{line.strip()[4:]}" for line in output.splitlines() if '/curation/' in line)[-300:]
        for (code, output), args in zip(results, commands, strict=True)
        if code != 0
    ]


@pytest.fixture
def smtp():
    """An SMTP server for the app's processes: (what it received, its port)."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


def mail_settings(port: int) -> dict[str, str]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "MAIL_DEFAULT_SENDER": "blog@practice.example"}


def received_once(session, box: Inbox) -> tuple[int, collections.Counter]:
    """How many mails the outbox holds, and how often each arrived; all sent by now."""
    rows = session.scalars(select(OutboxMail)).all()
    arrived = collections.Counter(
        int(_OUTBOX_ID.match(message["Message-ID"]).group(1)) for message in box.messages
    )
    assert all(row.sent_at is not None for row in rows), "some mail was never sent"
    assert arrived == {row.id: 1 for row in rows}, "a mail arrived twice, or one never arrived"
    return len(rows), arrived


def drain(database_url: str, session, settings: dict[str, str]) -> None:
    """Send what the last runs left (queued after they looked), and wait for
    mail being sent meanwhile by the server's thread."""
    process = flask_command(database_url, "send-mail", **settings)
    assert process.wait(timeout=COMMAND_TIMEOUT) == 0
    deadline = time.monotonic() + 60
    while unsent := fresh(session).scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).all():
        assert time.monotonic() < deadline, "mail still unsent a minute after the last run: " + "; ".join(
            f"{m.kind} to {m.recipient}, {m.attempts} attempt(s), next at {m.next_attempt_at:%H:%M:%S}: {m.last_error}"
            for m in unsent[:5]
        )
        time.sleep(0.5)


def arrange(make, therapists: int) -> Scene:
    people = [make.therapist() for _ in range(therapists)]
    soon = make.challenge(topic="Soon", closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    return Scene([t.email for t in people], soon.id)


@pytest.mark.slow
def test_four_create_user_at_once_all_succeed(app, database_url, session):
    # Each reads (is the address taken?), hashes the password for a fifth of a
    # second, then writes: the others write in between.
    emails = [f"editor{n}@example.org" for n in range(4)]
    commands = [["create-user", email, "--name", f"Editor {n}", "--role", "editor", "--password", PASSWORD]
                for n, email in enumerate(emails)]

    results = run_at_once(database_url, commands)

    assert failures(results, commands) == []
    fresh(session)
    assert sorted(session.scalars(select(User.email))) == emails
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.created")) == 4


def skipped(results: list[tuple[int, str]]) -> int:
    return sum("Another " in output and " is running" in output for _, output in results)


@pytest.mark.slow
@pytest.mark.usefixtures("quick_passwords")
@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_copies_of_one_command_started_together_do_its_work_once(command, app, database_url, make, session, runner, smtp):
    box, port = smtp
    scene = arrange(make, 5)
    command.before(runner)
    commands = [command.args(n) for n in range(COPIES)]

    results = run_at_once(database_url, commands, **mail_settings(port))

    assert failures(results, commands) == []
    drain(database_url, session, mail_settings(port))
    command.check(fresh(session), scene, COPIES)
    mails, _ = received_once(session, box)
    print(f"\n[{command}] {COPIES} at once: 0 failed, {skipped(results)} stood aside for a run going; {mails} mail(s) sent once each")


@pytest.mark.slow
@pytest.mark.usefixtures("quick_passwords")
def test_every_command_at_once_while_fifty_therapists_answer_and_the_server_sends_mail(
    app, database_url, make, session, smtp, tmp_path, monkeypatch
):
    # 32 commands share the CPU with the server: a request may wait its turn
    # longer than the load test's 30 s, which is about latency
    monkeypatch.setattr(load_test, "REQUEST_TIMEOUT", COMMAND_TIMEOUT)
    box, port = smtp
    scene = arrange(make, THERAPISTS)
    editor = make.editor()
    answered = make.challenge(editor, topic="Rest")
    to_open = make.challenge(editor, topic="Play", state="draft")
    commands = [command.args(n) for command in COMMANDS for n in range(COPIES_TOGETHER)]
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    desk = f"/challenges/{answered.id}/answer"

    with GunicornServer(database_url, tmp_path / "gunicorn.log", **mail_settings(port)) as server:

        def answer_as(number: int, email: str) -> None:
            browser = Browser(server.base)
            logged_in = browser.log_in(email)
            assert logged_in == 302, f"{email} could not log in ({logged_in}); the server's log: {server.log_path}"
            responses = [(logged_in, "", "")]
            responses.append(browser.post_form(desk, answer_fields(f"Answer {number}: rest is a practice.")))
            with lock:
                statuses.update(status for status, _, _ in responses)

        def open_challenge() -> None:
            # its mail to every therapist goes out from the server's own thread
            browser = Browser(server.base)
            assert browser.log_in(editor.email) == 302
            token = browser.csrf(f"/editor/challenges/{to_open.id}/edit")
            status, _, _ = browser.request(f"/editor/challenges/{to_open.id}/open", {"csrf_token": token})
            with lock:
                statuses[status] += 1

        def serve_the_load() -> None:
            with concurrent.futures.ThreadPoolExecutor(16) as pool:
                futures = [pool.submit(answer_as, n, email) for n, email in enumerate(scene.therapists)]
                futures.append(pool.submit(open_challenge))
                for future in concurrent.futures.as_completed(futures, timeout=COMMAND_TIMEOUT * 2):
                    future.result()

        started = time.monotonic()
        results = run_at_once(database_url, commands, also=serve_the_load, **mail_settings(port))
        took = time.monotonic() - started
        assert failures(results, commands) == []
        drain(database_url, session, mail_settings(port))
        assert server.errors_logged() == [], "the server logged a traceback"

    failed = failures(results, commands)
    stored = session.scalars(select(Answer).where(Answer.challenge_id == answered.id)).all()
    mails, arrived = received_once(session, box)
    kinds = collections.Counter(session.scalars(select(OutboxMail.kind)))
    print(
        f"\n[cron overlap] {len(commands)} commands ({COPIES_TOGETHER} each of {', '.join(map(str, COMMANDS))}) "
        f"with {THERAPISTS} therapists answering through gunicorn -w 4, in {took:.0f} s: "
        f"{len(failed)} failed, {skipped(results)} stood aside; responses {dict(sorted(statuses.items()))}; "
        f"answers stored {len(stored)}; mails {mails}, each arrived {set(arrived.values())} time(s): {dict(kinds)}"
    )
    assert failed == []
    assert set(statuses) == {302}, "every login, answer and opening should succeed"
    assert collections.Counter(a.author.email for a in stored) == {email: 1 for email in scene.therapists}
    assert all(a.state == AnswerState.SUBMITTED for a in stored)
    for command in COMMANDS:
        command.check(session, scene, COPIES_TOGETHER)
    assert kinds["challenge_opened"] == THERAPISTS


# --- the locks themselves, in this process ----------------------------------------------

def test_a_cron_job_finding_another_run_going_says_so_and_exits_0(app, make, session, runner, smtp):
    box, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    arrange(make, 1)
    assert "Queued 1 reminder" in runner.invoke(args=["send-reminders"]).output

    with app.app_context(), cron.held("send-mail", wait=False) as is_held:
        assert is_held
        result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "Another send-mail is running; this one stops and leaves the work to it."
    assert box.envelopes == []

    result = runner.invoke(args=["send-mail"])  # the lock is free again
    assert result.exit_code == 0 and "Sent 1 mail(s)" in result.output
    assert len(box.envelopes) == 1


def test_one_job_running_does_not_stop_another(app, make, runner):
    arrange(make, 1)
    with app.app_context(), cron.held("send-mail", wait=False):
        result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "Queued 1 reminder" in result.output


@pytest.mark.postgres
def test_a_job_running_for_another_installation_in_the_same_database_does_not_stop_this_one(app, make, runner, tmp_path):
    # PostgreSQL's advisory locks belong to the whole database; another
    # installation in a schema of its own must not make this one stand aside.
    arrange(make, 1)
    with postgres_schema() as other_url, running_app(other_url, tmp_path / "other") as other:
        with contextlib.ExitStack() as holding:
            with other.app_context():  # only to take the lock: the command below runs in this test's app
                assert holding.enter_context(cron.held("send-reminders", wait=False))
            result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "Queued 1 reminder" in result.output, result.output


@pytest.mark.parametrize("command", ["send-mail", "send-reminders", "publish-due", "run-jobs", "purge"])
def test_each_cron_command_says_in_its_help_what_it_does_when_another_run_is_going(runner, command):
    help_text = " ".join(runner.invoke(args=[command, "--help"]).output.split())
    assert f"When another {command} is running, this one says so and stops (exit 0)" in help_text


def test_a_job_that_waits_runs_as_soon_as_the_other_run_ends(app):
    events: list[str] = []
    waiting = threading.Event()

    def second_run():
        with app.app_context():
            waiting.set()
            with cron.held("export", wait=True) as is_held:
                events.append(f"second ran: {is_held}")

    with app.app_context(), cron.held("export", wait=True):
        other = threading.Thread(target=second_run)
        other.start()
        waiting.wait(10)
        time.sleep(0.3)  # long enough for the second to be blocked on the lock
        events.append("first done")
    other.join(10)
    assert events == ["first done", "second ran: True"]


@pytest.mark.slow
def test_a_run_that_died_holding_the_lock_leaves_it_free(app, database_url):
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import time\n"
            "from curation import create_app, cron\n"
            "with create_app().app_context(), cron.held('send-mail', wait=False) as is_held:\n"
            "    print(is_held, flush=True)\n"
            "    time.sleep(300)\n"
        )],
        cwd=ROOT, env={**os.environ, "CURATION_DATABASE_URL": database_url, "CURATION_SECRET_KEY": "k"},
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        with app.app_context(), cron.held("send-mail", wait=False) as is_held:
            assert not is_held
    finally:
        holder.kill()  # no clean exit: as a crash, or the OOM killer
        holder.wait()
    with app.app_context(), cron.held("send-mail", wait=False) as is_held:
        assert is_held


# --- which sessions write ---------------------------------------------------------------

def begins(app, work) -> list[str]:
    """The BEGIN statements `work` sends: SQLite's say whether they take the write lock."""
    statements: list[str] = []

    def record(connection, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def expected_begin(app, writes: bool) -> list[str]:
    with app.app_context():
        on_sqlite = db.engine().dialect.name == "sqlite"
    # PostgreSQL begins implicitly, as before; its row and advisory locks do the rest
    return ([("BEGIN IMMEDIATE" if writes else "BEGIN")] if on_sqlite else [])


@pytest.mark.parametrize("writes", [True, False])
def test_a_session_opened_outside_a_request_begins_as_it_says(app, writes):
    def work():
        with app.app_context(), db.new_session(writes=writes) as own:
            own.scalar(select(func.count()).select_from(User))
            own.commit()
            own.scalar(select(func.count()).select_from(User))  # and again after each commit

    assert begins(app, work) == expected_begin(app, writes) * 2


def test_a_request_writes_by_its_method_unless_its_view_declares_otherwise(app, client, make):
    def confirm_by_link():
        return f"{db.session.scalar(select(func.count()).select_from(User))} people"

    app.add_url_rule("/confirm-by-link", "confirm_by_link", db.writes(confirm_by_link))
    editor = make.editor()
    token = csrf(client)

    assert begins(app, lambda: client.get("/healthz")) == expected_begin(app, writes=False)
    assert begins(app, lambda: client.get("/confirm-by-link")) == expected_begin(app, writes=True)
    # logging in writes: the server-side session, the count of failed attempts
    login = {"email": editor.email, "password": PASSWORD, "csrf_token": token}
    assert begins(app, lambda: client.post("/auth/login", data=login))[:1] == expected_begin(app, writes=True)[:1]
    assert begins(app, lambda: client.post("/auth/logout", data={"csrf_token": token})) == expected_begin(app, writes=True)


def test_a_request_declared_to_read_only_that_writes_fails_in_tests(app, client, make):
    editor = make.editor()

    def rename():
        db.session.get(User, editor.id).name = "Renamed By A Link"
        db.session.commit()
        return "renamed"

    app.add_url_rule("/rename-by-link", "rename_by_link", rename)
    with pytest.raises(RuntimeError, match="mark it @db.writes"):
        client.get("/rename-by-link")
    assert fresh_name(app, editor.id) == editor.name


def fresh_name(app, user_id: int) -> str:
    with app.app_context(), db.new_session(writes=False) as own:
        return own.get(User, user_id).name
