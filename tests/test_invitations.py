"""Invitations an editor can manage: resend, withdraw, see expired ones and
renew them; a spent link says why and where to go."""
import datetime as dt

from sqlalchemy import func, select, update

from curation.accounts import services as accounts
from curation.models import AuditEntry, Invitation, Role
from tests.conftest import PASSWORD, Auth, csrf, fresh
from tests.test_mail import _body, _links, inbox  # noqa: F401  (the SMTP server fixture)


def _invite(session, editor, email="newcomer@example.org"):
    invitation, token = accounts.invite(session, email=email, role=Role.THERAPIST, invited_by=editor)
    session.commit()
    return invitation, token


def _accept(client, token):
    path = f"/auth/invite/{token}"
    return client.post(path, data={"name": "Nia New", "credentials": "RP", "password": PASSWORD,
                                   "password_confirm": PASSWORD, "csrf_token": csrf(client)})


def test_a_resent_invitation_has_a_new_link_and_the_old_one_stops_working(app, make, session, auth, post, client, runner, inbox):  # noqa: F811
    editor = make.editor(name="Edna Editor")
    invitation, old_token = _invite(session, editor)
    auth.login(editor)
    response = post(f"/editor/invitations/{invitation.id}/resend")
    assert response.status_code == 200
    assert "/auth/invite/" in response.get_data(as_text=True)
    app.extensions["curation.mail_sender"].wait()
    runner.invoke(args=["send-mail"])
    [mail] = inbox.to("newcomer@example.org")
    text = _body(mail)
    [link] = [u for u in _links(text) if "/auth/invite/" in u]
    assert old_token not in link
    # names the inviter and the practice, says what the series is and asks, signs off
    assert "Edna Editor of Our practice" in text and "in their own words" in text
    assert "nothing is published without your consent" in text and "With thanks" in text
    stranger = app.test_client()
    response = stranger.get(f"/auth/invite/{old_token}")
    assert response.status_code == 404 and 'href="/auth/login"' in response.get_data(as_text=True)
    assert _accept(stranger, link.split("/auth/invite/")[1]).status_code == 302


def test_a_withdrawn_invitation_says_so_and_links_to_the_login(app, make, session, auth, post):
    editor = make.editor()
    invitation, token = _invite(session, editor)
    auth.login(editor)
    assert post(f"/editor/invitations/{invitation.id}/revoke").status_code == 302
    response = app.test_client().get(f"/auth/invite/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "withdrawn" in page and 'href="/auth/login"' in page
    assert _accept(app.test_client(), token).status_code == 410
    assert fresh(session).scalar(select(func.count()).select_from(AuditEntry).filter_by(action="invitation.revoked")) == 1


def test_expired_invitations_are_listed_and_can_be_renewed(app, make, session, auth, post, client):
    editor = make.editor()
    invitation, token = _invite(session, editor, "late@example.org")
    session.execute(update(Invitation).values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)))
    session.commit()
    expired = app.test_client().get(f"/auth/invite/{token}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    auth.login(editor)
    page = client.get("/editor/people").get_data(as_text=True)
    assert "late@example.org" in page and "expired" in page and "Renew and send" in page
    assert post(f"/editor/invitations/{invitation.id}/resend").status_code == 409  # only a waiting one is resent
    response = post(f"/editor/invitations/{invitation.id}/renew")
    assert response.status_code == 200
    renewed = fresh(session).get(Invitation, invitation.id)
    assert renewed.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=13)


def test_an_accepted_invitation_cannot_be_moved_and_others_cannot_reach_the_actions(app, make, session, auth, post):
    editor = make.editor()
    invitation, token = _invite(session, editor)
    assert _accept(app.test_client(), token).status_code == 302
    auth.login(editor)
    for action in ("resend", "renew", "revoke"):
        assert post(f"/editor/invitations/{invitation.id}/{action}").status_code == 409
    assert post("/editor/invitations/99999/revoke").status_code == 404
    assert post(f"/editor/invitations/{invitation.id}/delete").status_code == 404
    therapist = app.test_client()
    Auth(therapist).login(make.therapist())
    assert therapist.post(f"/editor/invitations/{invitation.id}/revoke",
                          data={"csrf_token": csrf(therapist, "/account")}).status_code == 403


def test_reinviting_an_existing_account_points_to_the_password_reset(app, make, auth, post):
    user = make.therapist()
    auth.login(make.editor())
    page = post("/editor/people", {"email": user.email, "role": "therapist"}).get_data(as_text=True)
    assert "already has an account" in page and "Forgot your password?" in page


def test_the_invitation_page_wraps_a_long_address(app, make, session, client):
    _, token = _invite(session, make.editor(), "a.very.long.address.for.a.small.screen.indeed@example.org")
    page = client.get(f"/auth/invite/{token}").get_data(as_text=True)
    assert 'class="lead address"' in page
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".address" in css and "overflow-wrap: anywhere" in css


def test_the_home_page_of_an_empty_site_offers_the_first_editor_setup(app, client, make):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/auth/setup"' in page and "No features are published yet" not in page
    make.editor()
    page = client.get("/").get_data(as_text=True)
    assert 'href="/auth/setup"' not in page and "No features are published yet" in page
