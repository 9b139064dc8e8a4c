"""Accounts: the first editor, logins, invitations, people, deactivation."""
import datetime as dt
import re

import pytest
from sqlalchemy import select

from curation.accounts import services as accounts
from curation.errors import Invalid, NotFound
from curation.models import Invitation, Role, User
from tests.conftest import PASSWORD, csrf, fresh, now


def test_an_empty_site_offers_to_create_the_first_editor(client):
    assert client.get("/auth/login").headers["Location"].endswith("/auth/setup")
    response = client.post("/auth/setup", data={
        "email": "First@Example.org", "name": "Fay First", "credentials": "", "password": PASSWORD,
        "password_confirm": PASSWORD, "csrf_token": csrf(client, "/auth/setup")})
    assert response.headers["Location"].endswith("/editor/")
    assert client.get("/editor/").status_code == 200


def test_setup_is_gone_once_someone_exists(make, client):
    make.editor()
    assert client.get("/auth/setup").status_code == 404


def test_setup_refuses_a_short_password_and_keeps_the_rest(client):
    response = client.post("/auth/setup", data={
        "email": "a@example.org", "name": "Fay First", "credentials": "RP", "password": "short",
        "password_confirm": "short", "csrf_token": csrf(client, "/auth/setup")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "at least 12 characters" in page and "Fay First" in page


def test_login_says_the_same_for_unknown_email_and_wrong_password(make, client):
    make.therapist(email="known@example.org")
    messages = []
    for email, password in (("known@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)):
        response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf(client)})
        assert response.status_code == 401
        messages.append(re.search(r'<p class="error" role="alert">([^<]+)</p>', response.get_data(as_text=True)).group(1))
    assert messages[0] == messages[1]


def test_login_goes_to_next_only_on_this_site(make, client):
    user = make.therapist()
    response = client.post("/auth/login?next=/my/answers", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.headers["Location"] == "/my/answers"
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/account")})
    response = client.post("/auth/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.headers["Location"] == "/challenges/"


def test_protected_pages_send_anonymous_visitors_to_login(client, make):
    make.editor()
    response = client.get("/editor/")
    assert response.status_code == 302 and "/auth/login?next=/editor/" in response.headers["Location"]


def test_an_invitation_works_once_and_its_token_is_stored_hashed(make, session, client):
    editor = make.editor()
    invitation, token = accounts.invite(session, email="New@Example.org", role=Role.THERAPIST, invited_by=editor)
    session.commit()
    assert token not in invitation.token_hash and invitation.email == "new@example.org"
    path = f"/auth/invite/{token}"
    data = {"name": "Nia New", "credentials": "RP", "password": PASSWORD, "password_confirm": PASSWORD, "csrf_token": csrf(client, path)}
    assert client.post(path, data=data).status_code == 302
    other = client.application.test_client()
    response = other.get(path)
    assert response.status_code == 410
    assert "used already" in response.get_data(as_text=True) and 'href="/auth/login"' in response.get_data(as_text=True)
    fresh(session)
    user = session.scalars(select(User).filter_by(email="new@example.org")).one()
    assert user.role == Role.THERAPIST and user.credentials == "RP"


def test_an_expired_invitation_is_refused(make, session):
    invitation, token = accounts.invite(session, email="late@example.org", role=Role.THERAPIST, invited_by=None,
                                        now=now() - dt.timedelta(days=15))
    with pytest.raises(NotFound, match="expired"):
        accounts.usable_invitation(session, token)


def test_a_new_invitation_replaces_the_old_link(session):
    _, first = accounts.invite(session, email="x@example.org", role=Role.THERAPIST, invited_by=None)
    _, second = accounts.invite(session, email="x@example.org", role=Role.THERAPIST, invited_by=None)
    with pytest.raises(NotFound):
        accounts.usable_invitation(session, first)
    assert accounts.usable_invitation(session, second)


def test_inviting_an_existing_account_is_refused(make, session):
    user = make.therapist()
    with pytest.raises(Invalid):
        accounts.invite(session, email=user.email.upper(), role=Role.THERAPIST, invited_by=None)


def test_editors_invite_through_the_people_page(make, auth, client, post, session):
    auth.login(make.editor())
    response = post("/editor/people", {"email": "pat@example.org", "role": "editor"})
    page = response.get_data(as_text=True)
    assert "/auth/invite/" in page and "pat@example.org" in page
    fresh(session)
    assert session.scalars(select(Invitation)).one().role == Role.EDITOR


def test_deactivating_signs_the_person_out_everywhere(make, app, auth, client, post):
    editor = make.editor()
    therapist = make.therapist()
    their_browser = app.test_client()
    their_browser.post("/auth/login", data={"email": therapist.email, "password": PASSWORD, "csrf_token": csrf(their_browser)})
    assert their_browser.get("/my/answers").status_code == 200
    auth.login(editor)
    assert post(f"/editor/people/{therapist.id}/deactivate").status_code == 302
    assert their_browser.get("/my/answers").status_code == 302
    response = their_browser.post("/auth/login", data={"email": therapist.email, "password": PASSWORD, "csrf_token": csrf(their_browser)})
    assert response.status_code == 401


def test_the_last_editor_cannot_be_deactivated(make, session):
    editor = make.editor()
    other = make.therapist()
    with pytest.raises(Invalid):
        accounts.set_deactivated(session, editor, True, actor=editor)
    accounts.set_deactivated(session, other, True, actor=editor)
    assert other.is_deactivated


def test_changing_the_password_signs_out_other_devices(make, app, auth, client, post):
    user = make.therapist()
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(other_device)})
    auth.login(user)
    new = "an entirely new passphrase"
    response = post("/account", {"current_password": PASSWORD, "password": new, "password_confirm": new})
    assert response.status_code == 302
    assert client.get("/my/answers").status_code == 200
    assert other_device.get("/my/answers").status_code == 302


@pytest.mark.parametrize("password", ["short", "password1234", "aaaaaaaaaaaaaaaa"])
def test_weak_passwords_are_refused(session, password):
    with pytest.raises(Invalid):
        accounts.create_user(session, email="w@example.org", name="W", role=Role.THERAPIST, password=password)


def test_a_long_passphrase_without_symbols_is_fine(session):
    assert accounts.create_user(session, email="p@example.org", name="P", role=Role.THERAPIST, password="correct horse battery staple")


def test_an_editor_changes_someones_role_and_it_is_audited(make, auth, client, post, session):
    editor = make.editor()
    therapist = make.therapist()
    auth.login(editor)
    assert post(f"/editor/people/{therapist.id}/role", {"role": "editor"}).status_code == 302
    fresh(session)
    assert session.get(User, therapist.id).role == Role.EDITOR
    assert "user.role_changed" in client.get("/editor/audit").get_data(as_text=True)
    assert post(f"/editor/people/{therapist.id}/role", {"role": "owner"}).status_code == 400


def test_the_last_editor_keeps_the_role(make, session):
    editor = make.editor()
    with pytest.raises(Invalid):
        accounts.set_role(session, editor, Role.THERAPIST, actor=editor)


def test_a_real_installation_stores_passwords_with_scrypt(database_url, tmp_path):
    """The rest of the suite hashes cheaply; an app without that setting must not."""
    from curation import db
    from tests.conftest import running_app

    with running_app(database_url, tmp_path, PASSWORD_HASH_METHOD=None) as real_app:
        with real_app.app_context():
            s = db.new_session(writes=True)
            user = accounts.create_user(s, email="real@example.org", name="Rita Real", role=Role.EDITOR,
                                        credentials="", password=PASSWORD)
            assert user.password_hash.startswith("scrypt:")
            assert accounts.authenticate(s, "real@example.org", PASSWORD) == user
            s.close()
