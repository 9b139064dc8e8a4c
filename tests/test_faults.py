"""Things going wrong: a failure halfway through publishing, the database or
Redis going away and coming back while the app keeps running."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import html5lib
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from curation import create_app, db
from curation.challenges import services as challenges
from curation.models import Answer, AuditEntry, Challenge, ChallengeState, Publication, QuoteCard
from curation.publishing import services as publishing
from tests.conftest import REDIS_URL, Auth, csrf, fresh, publish_form

DATABASE_AWAY = "The database is not answering right now."


class CuttableProxy:
    """A TCP relay on loopback whose link can be cut and restored: the server
    behind it seems to go away (open connections drop, new ones are refused)."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_open = True
        self.links: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.is_open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.links.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        with self.lock:
            for s in sockets:
                self.links.discard(s)
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self) -> None:
        self.is_open = False
        with self.lock:
            links = list(self.links)
        self._drop(*links)

    def restore(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


# -- a failure halfway through publishing -------------------------------------------------


def ready_to_publish(make, session, quotes: int = 3):
    editor = make.editor()
    challenge = make.challenge(editor)
    for _ in range(quotes):
        make.approved(challenge, editor)
    challenges.close_challenge(session, challenge, editor)
    session.commit()
    return editor, challenge


def snapshot_of_tables(session, challenge_id: int) -> dict:
    fresh(session)
    return {
        "publications": [
            (p.version, p.html, p.superseded_at, p.unpublished_at)
            for p in session.scalars(select(Publication).where(Publication.challenge_id == challenge_id).order_by(Publication.version))
        ],
        "cards": session.scalar(select(func.count(QuoteCard.id))),
        "audit": session.scalar(select(func.count(AuditEntry.id))),
        "state": session.get(Challenge, challenge_id).state,
        "published answers": sorted(
            (a.id, a.published_at) for a in session.scalars(select(Answer).where(Answer.challenge_id == challenge_id))
        ),
    }


def break_publishing_halfway(monkeypatch) -> None:
    """The snapshot is frozen and stored, then the next step fails (the cards
    are drawn after the commit now, so the break is inside the publish itself)."""

    def fail(*args, **kwargs):
        raise RuntimeError("injected: marking the published answers failed")

    monkeypatch.setattr(publishing, "_mark_published_answers", fail)


@pytest.mark.parametrize("already_published", [True, False], ids=["correction", "first publication"])
def test_failure_halfway_through_publishing_changes_nothing(app, client, make, session, monkeypatch, already_published):
    editor, challenge = ready_to_publish(make, session)
    Auth(client).login(editor)
    publish_page = f"/editor/challenges/{challenge.id}/publish"
    if already_published:
        assert client.post(publish_page, data=publish_form(csrf_token=csrf(client, publish_page), version_seen=0)).status_code == 302
    before = snapshot_of_tables(session, challenge.id)
    slug = session.get(Challenge, challenge.id).slug
    reader = app.test_client()  # an editor's view carries their messages; readers get the stored page
    public_before = reader.get(f"/features/{slug}") if already_published else None

    break_publishing_halfway(monkeypatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production would, not raise into the test
    response = client.post(
        publish_page, data=publish_form(csrf_token=csrf(client, publish_page), version_seen=1 if already_published else 0)
    )

    assert response.status_code == 500
    assert snapshot_of_tables(session, challenge.id) == before
    if already_published:
        public_after = reader.get(f"/features/{slug}")
        assert public_after.status_code == 200 and public_after.data == public_before.data
        assert before["state"] == ChallengeState.PUBLISHED and len(before["publications"]) == 1
    else:
        assert before["publications"] == [] and before["state"] == ChallengeState.CLOSED
        assert client.get("/").status_code == 200


# -- the database going away and coming back ---------------------------------------------


class ServerOutage:
    """PostgreSQL going away: the app reaches it through a proxy that is cut."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
        self.url = url.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)

    def cut(self, served) -> None:
        self.proxy.cut()

    def restore(self) -> None:
        self.proxy.restore()

    def close(self) -> None:
        self.proxy.close()


class FileOutage:
    """SQLite has no server to lose; its file going missing is the nearest thing."""

    def __init__(self, database_url: str):
        self.url = database_url
        self.path = Path(make_url(database_url).database)
        self.moved = self.path.with_name(self.path.name + ".away")

    def cut(self, served) -> None:
        # open connections would keep reading the moved file: close them first
        with served.app_context():
            db.engine().dispose()
        self.path.rename(self.moved)
        self.path.mkdir()  # a directory where the file was: it cannot be opened

    def restore(self) -> None:
        self.path.rmdir()
        self.moved.rename(self.path)

    def close(self) -> None:
        pass


@pytest.fixture
def database_outage(database_url):
    outage = ServerOutage(database_url) if database_url.startswith("postgresql") else FileOutage(database_url)
    yield outage
    outage.close()


def test_database_away_gives_503_meanwhile_and_service_after_without_restart(app, make, session, database_outage):
    therapist = make.therapist()
    challenge = make.challenge()
    served = create_app({"DATABASE_URL": database_outage.url, "SECRET_KEY": "test-only-key", "RATELIMIT_ENABLED": False,
                         "SERVER_NAME": "curation.test", "PROPAGATE_EXCEPTIONS": False})
    client = served.test_client()
    assert Auth(client).login(therapist).status_code == 302
    desk = f"/challenges/{challenge.id}/answer"
    assert client.get(desk).status_code == 200
    token = csrf(client, desk)

    database_outage.cut(served)
    away = {path: client.get(path) for path in ("/healthz", "/", desk)}
    sent_while_away = client.post(desk, data={"csrf_token": token, "body": "Typed during the outage.", "credit": "full",
                                              "consent": "y", "save": "1"})

    assert {path: r.status_code for path, r in away.items()} == {"/healthz": 503, "/": 503, desk: 503}
    assert DATABASE_AWAY in away["/"].get_data(as_text=True)
    assert sent_while_away.status_code == 503
    assert "Typed during the outage." in sent_while_away.get_data(as_text=True)  # handed back, not lost

    database_outage.restore()
    healthz = client.get("/healthz")
    assert (healthz.status_code, healthz.get_data(as_text=True)) == (200, "ok")
    assert client.get("/").status_code == 200
    sent_again = client.post(desk, data=form_on(sent_while_away.get_data(as_text=True), desk))
    assert sent_again.status_code == 302
    fresh(session)
    assert session.scalar(select(Answer.body).where(Answer.author_id == therapist.id)) == "Typed during the outage."
    with served.app_context():
        db.engine().dispose()


def form_on(page: str, action: str) -> dict[str, str]:
    """The fields of the form that posts to `action`, as a browser would send them."""
    parsed = html5lib.parse(page, namespaceHTMLElements=False)
    form = next(f for f in parsed.iter("form") if f.get("action") == action)
    fields = {i.get("name"): i.get("value", "") for i in form.iter("input") if i.get("name")}
    fields.update({t.get("name"): t.text or "" for t in form.iter("textarea")})
    return fields


# -- Redis, where login attempts are counted, going away ----------------------------------


@pytest.fixture
def limiter_alive(monkeypatch):
    """The limiter is one object per process (one app in production); a test
    that saw Redis fail leaves it counting in memory, so start each from alive."""
    from curation.extensions import limiter

    monkeypatch.setattr(limiter, "_storage_dead", False)


def limited_app(database_url: str, storage_uri: str, **settings):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-only-key", "SERVER_NAME": "curation.test",
                       "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage_uri, "PROPAGATE_EXCEPTIONS": False,
                       **settings})


def test_login_is_still_limited_when_redis_cannot_be_reached(app, database_url, make, limiter_alive):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        nowhere = probe.getsockname()[1]
    limited = limited_app(database_url, f"redis://127.0.0.1:{nowhere}/0", LOGIN_RATE_LIMIT="3 per minute")
    therapist = make.therapist()
    auth = Auth(limited.test_client())
    statuses = [auth.login(therapist, "not the password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]  # counted in memory meanwhile, never a 500


@pytest.mark.redis
def test_login_carries_on_while_redis_goes_away_and_comes_back(app, database_url, make, limiter_alive):
    import redis

    url = make_url(REDIS_URL)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 6379)
    prefix = f"curation-faults-{proxy.port}"
    store = redis.Redis.from_url(REDIS_URL)
    therapist = make.therapist()
    try:
        limited = limited_app(database_url, f"redis://127.0.0.1:{proxy.port}/{url.database or 0}",
                              RATELIMIT_KEY_PREFIX=prefix)
        statuses = [Auth(limited.test_client()).login(therapist).status_code]
        counted_in_redis = bool(store.keys(f"*{prefix}*"))
        proxy.cut()
        statuses.append(Auth(limited.test_client()).login(therapist).status_code)
        proxy.restore()
        statuses.append(Auth(limited.test_client()).login(therapist).status_code)
    finally:
        proxy.close()
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
    assert counted_in_redis
    assert statuses == [302, 302, 302]
