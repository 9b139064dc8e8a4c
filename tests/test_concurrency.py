"""Many people at once, against a real gunicorn with 4 workers on the suite's
database (SQLite, or PostgreSQL when CURATION_TEST_DATABASE_URL is set).

Figures print with `pytest -s`. Everything stays on the loopback interface;
the client pool is bounded in threads and every request in time.
"""
from __future__ import annotations

import collections
import concurrent.futures
import functools
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.models import Answer, AnswerState, AuditEntry, Challenge, Publication
from curation.review.services import approved_in_order
from tests.conftest import PASSWORD, REDIS_URL, fresh, publish_form

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
THERAPISTS = 50
CLIENT_THREADS = 16
REQUEST_TIMEOUT = 30  # seconds, per request
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class GunicornServer:
    """`gunicorn -w 4 wsgi:app` on a free loopback port, stopped on exit."""

    def __init__(self, database_url: str, log_path: Path, **settings: str):
        self.database_url = database_url
        self.log_path = log_path
        self.settings = settings
        self.process: subprocess.Popen | None = None
        self.base = ""

    def __enter__(self) -> "GunicornServer":
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "CURATION_DATABASE_URL": self.database_url,
            # one key for all workers: a session made by one is read by the others
            "CURATION_SECRET_KEY": "concurrency-test-key",
            "CURATION_RATELIMIT_ENABLED": "false",
            **{f"CURATION_{name}": value for name, value in self.settings.items()},
        }
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer /healthz within a minute")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def errors_logged(self) -> list[str]:
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if "Traceback" in line]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to check, not to follow


class Browser:
    """One person's cookies and forms, over plain HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepRedirects
        )

    def request(self, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of one GET, or POST when fields are given."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace"), answer.headers.get("Location", "")

    def csrf(self, path: str) -> str:
        status, page, _ = self.request(path)
        match = _TOKEN.search(page)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def post_form(self, path: str, fields: dict) -> tuple[int, str, str]:
        """Open the form page, then send it, as a person would."""
        return self.request(path, {"csrf_token": self.csrf(path), **fields})

    def log_in(self, email: str, password: str = PASSWORD) -> int:
        return self.post_form("/auth/login", {"email": email, "password": password})[0]


def at_once(*calls):
    """Run the calls in parallel threads released together (a double click)."""
    barrier = threading.Barrier(len(calls))

    def released(call):
        barrier.wait(timeout=REQUEST_TIMEOUT)
        return call()

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pair:
        return [f.result(timeout=REQUEST_TIMEOUT * 2) for f in [pair.submit(released, c) for c in calls]]


@pytest.fixture
def server(app, database_url, tmp_path):
    with GunicornServer(database_url, tmp_path / "gunicorn.log") as running:
        yield running
        assert running.errors_logged() == [], "the server logged a traceback"


@pytest.fixture
def quick_passwords(monkeypatch):
    """Fifty accounts, one scrypt hash: the load is on the server, which checks
    each login's password at scrypt's real cost, not on the setup."""
    monkeypatch.setattr(accounts, "hash_password",
                        functools.cache(lambda password: generate_password_hash(password, method="scrypt")))


def test_fifty_therapists_answering_at_once_store_each_answer_exactly_once(server, make, session, quick_passwords):
    challenge = make.challenge()
    therapists = [make.therapist() for _ in range(THERAPISTS)]
    desk = f"/challenges/{challenge.id}/answer"
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()

    def answer_as(number: int, email: str) -> str:
        browser = Browser(server.base)
        assert browser.log_in(email) == 302
        responses = []
        if number % 2 == 0:  # half save a draft first; the other half submit straight away
            responses.append(browser.post_form(desk, answer_fields(f"Draft {number}", save=True)))
        # the double click: the same form, token and all, sent twice at the same moment
        form = {"csrf_token": browser.csrf(desk), **answer_fields(f"Answer {number}")}
        responses += at_once(lambda: browser.request(desk, form), lambda: browser.request(desk, form))
        final_text = f"Answer {number}, edited after submitting: rest is a practice."
        responses.append(browser.post_form(desk, answer_fields(final_text, save=True)))
        with lock:
            statuses.update(status for status, _, _ in responses)
        return final_text

    with concurrent.futures.ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = {pool.submit(answer_as, n, t.email): t for n, t in enumerate(therapists)}
        sent = {futures[f].id: f.result(timeout=300) for f in concurrent.futures.as_completed(futures, timeout=600)}

    fresh(session)
    stored = session.scalars(select(Answer).where(Answer.challenge_id == challenge.id)).all()
    per_author = collections.Counter(a.author_id for a in stored)
    submitted_events = collections.Counter(
        session.scalars(select(AuditEntry.subject_id).where(AuditEntry.action == "answer.submitted"))
    )
    lost = set(sent) - set(per_author)
    duplicated = [author for author, count in per_author.items() if count > 1]
    print(
        f"\n[load] {len(sent)} therapists, {sum(statuses.values())} answer posts "
        f"({THERAPISTS // 2} drafts, {THERAPISTS * 2} submits as double clicks, {THERAPISTS} edits); "
        f"answers stored: {len(stored)}, lost: {len(lost)}, duplicated: {len(duplicated)}; "
        f"responses: {dict(sorted(statuses.items()))}"
    )
    assert set(statuses) == {302}, "every save, submit and edit should succeed"
    assert not lost and not duplicated and len(stored) == THERAPISTS
    for answer in stored:
        assert answer.state == AnswerState.SUBMITTED
        assert answer.body == sent[answer.author_id]
    assert all(count == 1 for count in submitted_events.values()) and len(submitted_events) == THERAPISTS


def answer_fields(body: str, *, save: bool = False) -> dict:
    return {"body": body, "credit": "full", "consent": "y", ("save" if save else "submit"): "1"}


def close(session, challenge, editor) -> None:
    challenges.close_challenge(session, challenge, editor)
    session.commit()


def test_two_editors_reordering_at_once_one_wins_the_other_gets_409(server, make, session):
    first, second = make.editor(), make.editor()
    challenge = make.challenge(first)
    quotes = [make.approved(challenge, first).id for _ in range(4)]
    close(session, challenge, first)
    editors = [Browser(server.base), Browser(server.base)]
    for browser, editor in zip(editors, (first, second), strict=True):
        assert browser.log_in(editor.email) == 302
    order_page = f"/editor/challenges/{challenge.id}/order"
    proposals = [list(reversed(quotes)), quotes[1:] + quotes[:1]]
    outcomes: collections.Counter[int] = collections.Counter()

    for round_number in range(5):
        fresh(session)
        version = session.get(Challenge, challenge.id).order_version
        forms = [{"csrf_token": b.csrf(order_page), "version": str(version)} for b in editors]
        results = at_once(*[
            functools.partial(b.request, order_page, {**form, "order": ",".join(map(str, proposal))})
            for b, form, proposal in zip(editors, forms, proposals, strict=True)
        ])
        statuses = sorted(status for status, _, _ in results)
        outcomes.update(statuses)
        assert statuses == [302, 409], f"round {round_number}: {statuses}"
        fresh(session)
        stored = [a.id for a in approved_in_order(session, session.get(Challenge, challenge.id))]
        assert stored in proposals
        assert session.get(Challenge, challenge.id).order_version == version + 1
        proposals.reverse()  # let the other editor's order be the newer one next round
    print(f"\n[reorder] 5 rounds of two editors saving at once: {dict(outcomes)} (302 saved, 409 refused)")


def test_two_editors_publishing_at_once_make_one_publication(server, make, session):
    first, second = make.editor(), make.editor()
    challenge = make.challenge(first)
    for _ in range(2):
        make.approved(challenge, first)
    close(session, challenge, first)
    publish_page = f"/editor/challenges/{challenge.id}/publish"
    editors = [Browser(server.base), Browser(server.base)]
    forms = []
    for browser, editor in zip(editors, (first, second), strict=True):
        assert browser.log_in(editor.email) == 302
        forms.append(publish_form(csrf_token=browser.csrf(publish_page), version_seen="0"))

    results = at_once(*[functools.partial(b.request, publish_page, form) for b, form in zip(editors, forms, strict=True)])

    fresh(session)
    publications = session.scalars(select(Publication).where(Publication.challenge_id == challenge.id)).all()
    landed_on = sorted(
        "the feature" if "/features/" in location else "the publish page" if location.endswith(publish_page) else location
        for _, _, location in results
    )
    print(f"\n[publish] two editors at once: statuses {[s for s, _, _ in results]}, publications made: {len(publications)}")
    assert [p.version for p in publications] == [1]
    assert landed_on == ["the feature", "the publish page"]  # the second is told someone published
    status, page, _ = Browser(server.base).request(f"/features/{publications[0].slug}")
    assert status == 200 and challenge.title in page


@pytest.mark.redis
def test_login_limit_is_counted_once_across_workers_in_redis(app, database_url, tmp_path, make):
    import redis

    prefix = f"curation-test-{uuid.uuid4().hex[:8]}"
    therapist = make.therapist()
    limits = {"RATELIMIT_ENABLED": "true", "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
              "LOGIN_RATE_LIMIT": "5 per minute"}
    store = redis.Redis.from_url(REDIS_URL)
    try:
        with GunicornServer(database_url, tmp_path / "gunicorn.log", **limits) as server:
            # new connections each time, spread over the 4 workers
            statuses = [Browser(server.base).log_in(therapist.email, "not the password") for _ in range(8)]
            stored_keys = store.keys(f"*{prefix}*")
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
    print(f"\n[limit] 8 wrong passwords through 4 workers: {statuses}")
    assert statuses == [401] * 5 + [429] * 3
    assert stored_keys, "the limiter should count in Redis"
