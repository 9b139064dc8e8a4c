"""Forged Host headers: links come from the site's address, never from the
request; hosts outside CURATION_TRUSTED_HOSTS get a plain 400."""
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from curation import create_app
from curation.models import ChallengeState, OutboxMail, Publication, SiteSetting
from tests.conftest import PASSWORD, csrf, fresh, running_app

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://curation.example.org"
FORGED = "evil.example"


@pytest.fixture
def served(database_url, tmp_path, app):
    """The app as deployed: with an address of its own (the `app` fixture's
    database, so `make` arranges what it serves)."""
    def serve(**config):
        return running_app(database_url, tmp_path / "served", **config)
    return serve


class _OnHost(FlaskClient):
    """A client whose every request (the login's too) names `host` in its
    Host header, as a client of a forged or unusual address would."""

    host = "localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def _client_on(app, host: str):
    app.test_client_class = type("OnHost", (_OnHost,), {"host": host})
    return app.test_client()


def _login(client, user):
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 302


def test_the_invitation_link_names_the_base_url_whatever_host_the_request_named(served, make, session):
    editor = make.editor()
    with served(BASE_URL=BASE) as app:
        client = _client_on(app, FORGED)
        _login(client, editor)
        page = client.post("/editor/people", data={"email": "new@example.org", "role": "therapist",
                                                   "csrf_token": csrf(client, "/editor/people")})
        assert page.status_code == 200
        shown = re.search(r"https?://[^\"'<\s]+/auth/invite/[\w-]+", page.get_data(as_text=True)).group()
    mail = fresh(session).scalars(select(OutboxMail).filter_by(kind="invitation")).one()
    assert shown.startswith(f"{BASE}/auth/invite/")
    assert shown in mail.text_body
    assert FORGED not in mail.text_body + mail.html_body


def _published(make, session, app):
    editor = make.editor()
    challenge = make.challenge(editor, title="Rest")
    make.approved(challenge, editor)
    challenge.state = ChallengeState.CLOSED
    session.commit()
    return editor, challenge


def test_feed_ids_and_links_follow_the_stored_address_not_each_requests_host(served, make, session):
    editor, challenge = _published(make, session, None)
    session.add(SiteSetting(key="base_url", value=BASE))
    session.commit()
    with served() as app:
        client = _client_on(app, FORGED)
        _login(client, editor)
        assert client.post(f"/editor/challenges/{challenge.id}/publish",
                           data={"csrf_token": csrf(client, f"/editor/challenges/{challenge.id}/publish")}).status_code == 302
        feeds = [_client_on(app, host).get("/feed.atom").get_data(as_text=True) for host in (FORGED, "other.example")]
    assert feeds[0] == feeds[1]
    entry = ElementTree.fromstring(feeds[0]).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text.startswith(f"{BASE}/features/")
    snapshot = fresh(session).scalars(select(Publication)).one().html
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', snapshot).group(1)
    assert canonical.startswith(f"{BASE}/features/")
    assert FORGED not in snapshot


def test_the_configured_base_url_wins_over_the_stored_one(served, make, session):
    session.add(SiteSetting(key="base_url", value="https://stored.example"))
    session.commit()
    with served(BASE_URL=BASE + "/") as app:
        body = _client_on(app, FORGED).get("/feed.atom").get_data(as_text=True)
    assert f'href="{BASE}/feed.atom"' in body and "stored.example" not in body


def test_a_base_url_with_a_path_puts_every_link_under_it(served):
    with served(BASE_URL=f"{BASE}/curation/") as app:
        assert (app.config["SERVER_NAME"], app.config["PREFERRED_URL_SCHEME"], app.config["APPLICATION_ROOT"]) == (
            "curation.example.org", "https", "/curation")
        with app.app_context():
            from curation.urls import external_url

            assert external_url("public.feed") == f"{BASE}/curation/feed.atom"


def test_a_base_url_naming_another_host_still_serves_a_request_to_the_machines_address(served):
    # Flask 3.1: SERVER_NAME no longer restricts which hosts are answered
    with served(BASE_URL=BASE) as app:
        assert _client_on(app, "127.0.0.1:8000").get("/healthz").status_code == 200
        assert _client_on(app, "127.0.0.1:8000").get("/auth/login").status_code in (200, 302)


def test_an_untrusted_host_gets_a_plain_400_not_a_traceback(served, make):
    editor = make.editor()
    with served(BASE_URL=BASE, TRUSTED_HOSTS="curation.example.org, localhost", PROPAGATE_EXCEPTIONS=False) as app:
        for method, path in (("get", "/"), ("get", "/auth/login"), ("post", "/auth/login"), ("get", "/nowhere"),
                             ("get", "/editor/"), ("post", "/editor/people")):
            response = getattr(_client_on(app, FORGED), method)(path, data={"email": editor.email})
            assert response.status_code == 400, (method, path)
            assert response.mimetype == "text/plain"
            assert "does not answer to that host" in response.get_data(as_text=True)
        trusted = _client_on(app, "localhost")
        assert trusted.get("/auth/login").status_code == 200
        _login(trusted, editor)  # the site's own host is trusted without being listed
        assert _client_on(app, "curation.example.org").get("/healthz").status_code == 200


def test_trusted_hosts_come_from_the_environment_as_a_comma_separated_list(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("CURATION_TRUSTED_HOSTS", "a.example, b.example")
    monkeypatch.setenv("CURATION_BASE_URL", "https://c.example")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k"})
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example", "c.example"]
    assert app.config["SERVER_NAME"] == "c.example"


def test_a_base_url_that_is_not_an_address_is_refused_at_start(tmp_path, database_url):
    with pytest.raises(ValueError, match="CURATION_BASE_URL"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "BASE_URL": "curation.example.org"})


def test_the_invite_command_prints_a_link_under_the_base_url(served):
    with served(BASE_URL=BASE) as app:
        result = app.test_cli_runner().invoke(args=["invite", "new@example.org"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith(f"{BASE}/auth/invite/")


def test_reminders_link_to_the_base_url_without_a_request(served, make, session):
    import datetime as dt

    challenge = make.challenge(closes_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    make.answer(challenge, submit=False)
    with served(BASE_URL=BASE) as app:
        result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    mails = fresh(session).scalars(select(OutboxMail).filter_by(kind="reminder")).all()
    assert mails and all(f"{BASE}/challenges/{challenge.id}/answer" in m.text_body for m in mails)


def test_nothing_in_the_package_fakes_a_request():
    package = Path(__file__).resolve().parents[2] / "curation"
    found = subprocess.run(["grep", "-rn", "test_request_context", str(package)], capture_output=True, text=True, check=False)
    assert found.stdout == ""


def test_first_run_setup_records_the_address_the_editor_confirmed(served, session):
    with served() as app:
        client = _client_on(app, "curation.internal:8080")
        page = client.get("/auth/setup").get_data(as_text=True)
        assert 'value="http://curation.internal:8080"' in page  # the address used, to confirm
        response = client.post("/auth/setup", data={
            "email": "first@example.org", "name": "First Editor", "password": PASSWORD, "password_confirm": PASSWORD,
            "base_url": "https://curation.example.org/", "csrf_token": csrf(client, "/auth/setup")})
        assert response.status_code == 302
    assert fresh(session).get(SiteSetting, "base_url").value == "https://curation.example.org"


def test_first_run_setup_refuses_an_address_that_is_not_one_and_keeps_the_rest(served, session):
    with served() as app:
        client = _client_on(app, "localhost")
        response = client.post("/auth/setup", data={
            "email": "first@example.org", "name": "First Editor", "password": PASSWORD, "password_confirm": PASSWORD,
            "base_url": "javascript:alert(1)", "csrf_token": csrf(client, "/auth/setup")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "address as it is typed in a browser" in page
    assert 'value="first@example.org"' in page
    assert fresh(session).scalar(select(func.count()).select_from(SiteSetting)) == 0


def test_first_run_setup_does_not_ask_when_the_base_url_is_configured(served):
    with served(BASE_URL=BASE) as app:
        page = _client_on(app, "localhost").get("/auth/setup").get_data(as_text=True)
    assert 'name="base_url"' not in page
