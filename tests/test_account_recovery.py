"""Forgotten passwords, one's own profile and a new e-mail address, through the
pages and a real SMTP server."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from curation.models import AccountToken, AuditEntry, OutboxMail, User
from tests.conftest import PASSWORD, Auth, csrf, fresh
from tests.test_mail import _body, _links, inbox  # noqa: F401  (the SMTP server fixture)

NEW = "a brand new passphrase"


def _deliver(app, runner):
    app.extensions["curation.mail_sender"].wait()
    runner.invoke(args=["send-mail"])


def _link(inbox, address, path):  # noqa: F811
    mails = inbox.to(address)
    assert mails, f"no mail to {address}"
    text = _body(mails[-1])
    links = [link for link in _links(text) if path in link]
    assert links, text
    return mails[-1], text, links[0].replace("http://curation.test", "")


def _ask_reset(client, email):
    return client.post("/auth/reset", data={"email": email, "csrf_token": csrf(client, "/auth/reset")})


def _reset(client, path, password=NEW):
    return client.post(path, data={"password": password, "password_confirm": password, "csrf_token": csrf(client, "/auth/reset")})


def test_the_login_page_links_to_the_reset_page(client, make):
    make.therapist()
    assert 'href="/auth/reset"' in client.get("/auth/login").get_data(as_text=True)


def test_a_reset_by_mail_sets_a_new_password_ends_other_sessions_and_is_audited(app, make, session, runner, inbox):  # noqa: F811
    user = make.therapist(email="dana@example.org")
    elsewhere = app.test_client()
    Auth(elsewhere).login(user)
    client = app.test_client()
    response = _ask_reset(client, "Dana@Example.org")
    assert response.status_code == 200 and "on its way" in response.get_data(as_text=True)
    _deliver(app, runner)
    mail, text, path = _link(inbox, "dana@example.org", "/auth/reset/")
    assert "dana@example.org" in text and "127.0.0.1" in text  # who asked: the address and the time
    assert "If it was not you" in text and "one hour" in text
    assert client.get(path).status_code == 200
    response = _reset(client, path)
    assert response.status_code == 302
    assert client.get("/my/answers").status_code == 200  # this browser is logged in
    assert elsewhere.get("/my/answers").status_code == 302  # every other session ended
    assert Auth(app.test_client()).login("dana@example.org", PASSWORD).status_code == 401
    assert Auth(app.test_client()).login("dana@example.org", NEW).status_code == 302
    actions = [a.action for a in fresh(session).scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "user.password_reset_requested" in actions and "user.password_reset" in actions
    # used once: the same link now says so, with the way to log in
    response = client.get(path)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "used already" in page and 'href="/auth/login"' in page
    assert _reset(app.test_client(), path, "yet another passphrase ok").status_code == 410


def test_the_reset_answer_is_the_same_whether_or_not_an_account_exists(app, make, session, client):
    make.therapist(email="known@example.org")
    pages = []
    for email in ("known@example.org", "unknown@example.org"):
        page = _ask_reset(client, email).get_data(as_text=True)
        pages.append(page.replace(email, "ADDRESS"))
    assert pages[0] == pages[1]
    assert [m.recipient for m in fresh(session).scalars(select(OutboxMail))] == ["known@example.org"]


def test_an_expired_an_unknown_and_a_replaced_reset_link_are_refused(app, make, session, client):
    user = make.therapist()
    from curation.accounts import services as accounts

    first, first_token = accounts.request_password_reset(session, user.email, requested_from="")
    second, second_token = accounts.request_password_reset(session, user.email, requested_from="")
    session.commit()
    assert "used already" in client.get(f"/auth/reset/{first_token}").get_data(as_text=True)  # replaced
    assert client.get("/auth/reset/not-a-token").status_code == 404
    session.execute(update(AccountToken).where(AccountToken.id == second.id).values(
        expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    session.commit()
    response = client.get(f"/auth/reset/{second_token}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert _reset(client, f"/auth/reset/{second_token}").status_code == 410
    assert fresh(session).get(User, user.id).password_hash == user.password_hash


def test_a_reset_link_lives_one_hour_and_only_its_hash_is_kept(app, make, session):
    from curation.accounts import services as accounts

    user = make.therapist()
    record, token = accounts.request_password_reset(session, user.email, requested_from="")
    assert record.expires_at - record.created_at == dt.timedelta(hours=1)
    assert token not in record.token_hash and len(record.token_hash) == 64
    session.rollback()


def test_a_weak_new_password_is_refused_and_the_link_still_works(app, make, session, client):
    from curation.accounts import services as accounts

    user = make.therapist()
    _, token = accounts.request_password_reset(session, user.email, requested_from="")
    session.commit()
    response = _reset(client, f"/auth/reset/{token}", "password1234")
    assert response.status_code == 400 and "too easy to guess" in response.get_data(as_text=True)
    assert _reset(client, f"/auth/reset/{token}").status_code == 302


def test_a_reset_unlocks_a_locked_account(app, make, session, client):
    from curation.accounts import services as accounts

    user = make.therapist()
    session.execute(update(User).values(failed_logins=9, locked_until=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)))
    session.commit()
    _, token = accounts.request_password_reset(fresh(session), user.email, requested_from="")
    session.commit()
    _reset(client, f"/auth/reset/{token}")
    assert Auth(app.test_client()).login(user, NEW).status_code == 302


def test_reset_requests_are_rate_limited(app, make):
    from curation import create_app, db

    limited = create_app({**{k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY", "SERVER_NAME")},
                          "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    try:
        client = limited.test_client()
        statuses = [_ask_reset(client, "someone@example.org").status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
    finally:
        with limited.app_context():
            db.engine().dispose()


# --- own profile ---------------------------------------------------------------------

def _account(client, **data):
    return client.post("/account", data={**data, "csrf_token": csrf(client, "/account")})


def test_a_person_changes_name_credentials_and_profile_link(app, make, session, auth, client):
    user = make.therapist(name="Ravi Patel", credentials="RP (Qualifying)")
    auth.login(user)
    response = _account(client, name="Ravi Patel", credentials="RP", profile_url="https://practice.example/team/ravi")
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "next correction" in page
    changed = fresh(session).get(User, user.id)
    assert (changed.name, changed.credentials, changed.profile_url) == ("Ravi Patel", "RP", "https://practice.example/team/ravi")
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="user.profile_changed")) == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://practice.example/x", "https://exa\u200bmple.org"])
def test_a_profile_link_that_is_not_a_web_address_is_refused_and_nothing_is_lost(app, make, session, auth, client, url):
    user = make.therapist(name="Ravi Patel")
    auth.login(user)
    response = _account(client, name="Ravi P.", credentials="RP", profile_url=url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "https://" in page and 'value="Ravi P."' in page
    assert fresh(session).get(User, user.id).name == "Ravi Patel"


def test_the_wrong_current_password_is_named_under_that_field(app, make, auth, client):
    auth.login(make.therapist())
    response = client.post("/account", data={"current_password": "not it at all", "password": NEW, "password_confirm": NEW,
                                             "csrf_token": csrf(client, "/account")})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    current = page.index('id="current_password"')
    new = page.index('id="password"')
    error = page.index("Your current password is not right")
    assert current < error < new


def test_an_editor_corrects_a_persons_name_and_a_therapist_cannot(app, make, session, auth, client, post):
    editor, user = make.editor(), make.therapist(name="Ravi Patel", credentials="RP (Qualifying)")
    auth.login(editor)
    assert f'href="/editor/people/{user.id}/edit"' in client.get("/editor/people").get_data(as_text=True)
    response = post(f"/editor/people/{user.id}/edit", data={"name": "Ravi Patel", "credentials": "RP"})
    assert response.status_code == 302
    assert fresh(session).get(User, user.id).credentials == "RP"
    assert post("/editor/people/99999/edit", data={"name": "X", "credentials": ""}).status_code == 404
    other = app.test_client()
    Auth(other).login(make.therapist())
    response = other.post(f"/editor/people/{user.id}/edit", data={"name": "Hacked", "csrf_token": csrf(other, "/account")})
    assert response.status_code == 403
    assert fresh(session).get(User, user.id).name == "Ravi Patel"


def test_a_new_address_is_used_once_confirmed_from_it_and_the_old_one_hears_of_it(app, make, session, runner, inbox):  # noqa: F811
    user = make.therapist(email="old@example.org", name="Dana Whitfield")
    client = app.test_client()
    Auth(client).login(user)
    assert _account(client, name="Dana Whitfield", credentials="RP", email="new@example.org").status_code == 302
    assert "until then, log in with old@example.org" in client.get("/account").get_data(as_text=True)
    _deliver(app, runner)
    _, notice, _ = _link(inbox, "old@example.org", "/auth/login")
    assert "new@example.org" in notice and "If it was not you" in notice
    _, text, path = _link(inbox, "new@example.org", "/account/email/")
    # until confirmed, the old address logs in and the new one does not
    assert Auth(app.test_client()).login("new@example.org").status_code == 401
    assert Auth(app.test_client()).login("old@example.org").status_code == 302
    stranger = app.test_client()
    assert "new@example.org" in stranger.get(path).get_data(as_text=True)
    assert stranger.post(path, data={"csrf_token": csrf(stranger, path)}).status_code == 302
    assert fresh(session).get(User, user.id).email == "new@example.org"
    assert Auth(app.test_client()).login("new@example.org").status_code == 302
    assert Auth(app.test_client()).login("old@example.org").status_code == 401
    response = stranger.post(path, data={"csrf_token": csrf(stranger, "/auth/login")})
    assert response.status_code == 410


def test_an_address_another_account_uses_is_refused(app, make, session, auth, client):
    make.therapist(email="taken@example.org")
    user = make.therapist(name="Dana Whitfield")
    auth.login(user)
    response = _account(client, name="Dana Whitfield", credentials="RP", email="taken@example.org")
    assert response.status_code == 400 and "Another account uses that address" in response.get_data(as_text=True)
    assert fresh(session).scalar(select(func.count()).select_from(OutboxMail)) == 0


def test_an_expired_address_link_changes_nothing(app, make, session, client):
    from curation.accounts import services as accounts

    user = make.therapist()
    record, token = accounts.request_email_change(session, user, "new@example.org")
    record.expires_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    session.commit()
    path = f"/account/email/{token}"
    assert client.post(path, data={"csrf_token": csrf(client)}).status_code == 410
    assert fresh(session).get(User, user.id).email == user.email
    assert re.search(r"expired", client.get(path).get_data(as_text=True))
