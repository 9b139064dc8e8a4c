"""Logins and sessions: rate limits, one message for every failure, cookie
flags, logout everywhere, and password rules after NIST SP 800-63B."""
import re

import pytest

from curation import create_app, db
from curation.security import password_problem
from tests.conftest import PASSWORD, csrf, fresh

FAILURE = re.compile(r'<p class="error" role="alert">([^<]+)</p>')


@pytest.fixture
def limited_app(app):
    """The same database, with the login limit on (tests turn it off elsewhere)."""
    limited = create_app({**{k: app.config[k] for k in ("TESTING", "DATABASE_URL", "SECRET_KEY", "SERVER_NAME")},
                          "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    yield limited
    with limited.app_context():
        db.engine().dispose()


def test_login_is_rate_limited_and_a_forged_forwarded_for_does_not_reset_it(limited_app, make):
    user = make.therapist()
    client = limited_app.test_client()
    token = csrf(client)
    statuses = []
    for n in range(6):
        response = client.post("/auth/login", data={"email": user.email, "password": "wrong password!", "csrf_token": token},
                               headers={"X-Forwarded-For": f"203.0.113.{n}"})
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 429, 429, 429]
    assert "Too many attempts" in response.get_data(as_text=True)
    # Even the right password waits: guessing cannot continue by luck.
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429


def test_invitation_acceptance_is_rate_limited(limited_app, make, session):
    from curation.accounts import services as accounts
    from curation.models import Role

    _, token = accounts.invite(session, email="new@example.org", role=Role.THERAPIST, invited_by=make.editor())
    session.commit()
    client = limited_app.test_client()
    csrf_token = csrf(client, f"/auth/invite/{token}")
    statuses = [client.post(f"/auth/invite/{token}", data={"name": "N", "password": "short", "password_confirm": "short",
                                                          "csrf_token": csrf_token}).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]


def test_every_login_failure_says_the_same(make, client, app, session):
    from curation.accounts import services as accounts

    make.therapist(email="known@example.org")
    gone = make.therapist(email="gone@example.org")
    accounts.set_deactivated(fresh(session), gone, True, actor=make.editor())
    session.commit()
    messages = set()
    for email, password in (("known@example.org", "wrong password!"), ("nobody@example.org", PASSWORD),
                            ("gone@example.org", PASSWORD), ("KNOWN@example.org ", "wrong password!")):
        response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf(client)})
        assert response.status_code == 401
        messages |= set(FAILURE.findall(response.get_data(as_text=True)))
    assert len(messages) == 1, messages


def _session_cookie(response):
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1].lower()


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(app, make):
    user = make.therapist()
    plain = app.test_client()
    cookie = _session_cookie(plain.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(plain)}))
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = app.test_client()
    page = secure.get("/auth/login", base_url="https://curation.test").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = secure.post("/auth/login", base_url="https://curation.test",
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                           headers={"Referer": "https://curation.test/auth/login"})
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "httponly" in cookie and "samesite=lax" in cookie and "; secure" in cookie
    # The remember-me cookie, should it ever be used, is no weaker.
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_deactivation_logs_out_every_device_and_reactivation_does_not_revive_them(app, make, auth, post):
    editor, user = make.editor(), make.therapist()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(device)})
        assert device.get("/my/answers").status_code == 200
    auth.login(editor)
    assert post(f"/editor/people/{user.id}/deactivate").status_code == 302
    for device in (phone, laptop):
        assert device.get("/my/answers").headers["Location"].startswith("/auth/login")
    assert post(f"/editor/people/{user.id}/reactivate").status_code == 302
    for device in (phone, laptop):
        assert device.get("/my/answers").status_code == 302
    # A deactivated person cannot simply log in again meanwhile either.
    post(f"/editor/people/{user.id}/deactivate")
    response = phone.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(phone)})
    assert response.status_code == 401


def test_changing_the_password_logs_out_the_other_devices_only(app, make):
    user = make.therapist()
    here, elsewhere = app.test_client(), app.test_client()
    for device in (here, elsewhere):
        device.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(device)})
    new = "a different long passphrase"
    response = here.post("/account", data={"current_password": PASSWORD, "password": new, "password_confirm": new,
                                           "csrf_token": csrf(here, "/account")})
    assert response.status_code == 302
    assert here.get("/my/answers").status_code == 200
    assert elsewhere.get("/my/answers").status_code == 302


@pytest.mark.parametrize("password, accepted", [
    ("elevenchars", False),                              # too short
    ("twelve chars", True),                              # length is what counts
    ("correct horse battery staple", True),              # no digits, capitals or symbols needed
    ("ÜNÏCÖDÉ pässphrase ✓ 日本", True),                  # any characters, spaces included
    ("rides a blue bicycle at dawn " * 5, True),         # long passphrases are welcome
    ("password1234", False),                             # a common password
    ("Password1234", False),                             # whatever the case
    ("x" * 64 + "yz12", False),                          # long but repetitive
    ("theoperson1234", False),                           # the person's own name
    ("Theo Person 2026", False),
    ("qwertyuiop123", False),                            # a keyboard walk
    ("aaaaaaaaaaaaaaaa", False),                         # repetitive
    ("abababababab", False),                             # repetitive
    ("therapist@example.org", False),                    # the e-mail address itself
    ("x" * 257, False),                                  # beyond the length anyone types
])
def test_password_rules_follow_nist_length_and_a_strength_estimate_not_composition(password, accepted):
    problem = password_problem(password, email="therapist@example.org", name="Theo Person")
    assert (problem is None) == accepted, problem


def test_a_refused_password_says_why_in_plain_words(make, client, session):
    from curation.accounts import services as accounts
    from curation.models import Role

    _, token = accounts.invite(session, email="new@example.org", role=Role.THERAPIST, invited_by=make.editor())
    session.commit()
    response = client.post(f"/auth/invite/{token}", data={
        "name": "New Person", "password": "password1234", "password_confirm": "password1234",
        "csrf_token": csrf(client, f"/auth/invite/{token}")})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_data(as_text=True)
