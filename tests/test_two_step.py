"""Two-step sign-in for editors: TOTP set up with a QR code, one-time recovery
codes, and a setting that requires it of every editor."""
import re
import time

import pyotp
from sqlalchemy import func, select

from curation.models import AuditEntry, RecoveryCode, User
from tests.conftest import PASSWORD, Auth, csrf, fresh


def _setup(client):
    page = client.get("/account/two-step").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'<code class="address">([A-Z2-7]+)</code>', page).group(1)
    response = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now(),
                                                       "csrf_token": csrf(client, "/account/two-step")})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", response.get_data(as_text=True))
    return secret, codes


def _next_code(secret):
    """The code of the next 30 seconds (accepted, a clock a little off): the
    current one was spent on the setup, and a code works once."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _code(client, code, path="/auth/two-step"):
    return client.post(path, data={"code": code, "csrf_token": csrf(client, "/auth/reset")})


def test_an_editor_turns_it_on_and_then_needs_a_code_after_the_password(app, make, session, auth, client):
    editor = make.editor()
    auth.login(editor)
    secret, codes = _setup(client)
    assert len(codes) == 10
    stored = fresh(session).scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # kept hashed
    auth.logout()
    response = auth.login(editor)
    assert response.headers["Location"] == "/auth/two-step"
    assert client.get("/editor/").status_code == 302  # the password alone is not a login
    assert _code(client, "000000").status_code == 401
    assert _code(client, _next_code(secret)).status_code == 302
    assert client.get("/editor/").status_code == 200


def test_a_recovery_code_works_once(app, make, session, auth, client):
    editor = make.editor()
    auth.login(editor)
    _, codes = _setup(client)
    auth.logout()
    auth.login(editor)
    assert _code(client, codes[0].upper()).status_code == 302
    auth.logout()
    auth.login(editor)
    assert _code(client, codes[0]).status_code == 401
    assert fresh(session).scalar(select(func.count()).select_from(AuditEntry).filter_by(action="user.recovery_code_used")) == 1


def test_the_code_page_without_a_password_first_sends_to_the_login(client, make):
    make.editor()
    response = _code(client, "123456")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"


def test_wrong_codes_count_towards_the_lock(app, make, session, auth, client):
    editor = make.editor()
    auth.login(editor)
    secret, _ = _setup(client)
    auth.logout()
    auth.login(editor)
    statuses = [_code(client, "000000").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert _code(client, pyotp.TOTP(secret).now()).status_code == 429


def test_a_wrong_first_code_turns_nothing_on_and_a_therapist_cannot_set_it_up(app, make, session, auth, client):
    editor = make.editor()
    auth.login(editor)
    client.get("/account/two-step")
    response = client.post("/account/two-step", data={"code": "000000", "csrf_token": csrf(client, "/account/two-step")})
    assert response.status_code == 400 and "not the one your app shows" in response.get_data(as_text=True)
    assert fresh(session).get(User, editor.id).totp_enabled_at is None
    therapist = app.test_client()
    Auth(therapist).login(make.therapist())
    assert therapist.get("/account/two-step").status_code == 403


def test_the_setting_sends_editors_without_it_to_the_setup_and_keeps_it_on(app, make, session, auth, client):
    app.config["REQUIRE_TWO_STEP_FOR_EDITORS"] = True
    editor = make.editor()
    therapist = app.test_client()
    Auth(therapist).login(make.therapist())
    assert therapist.get("/my/answers").status_code == 200  # therapists are not asked
    auth.login(editor)
    response = client.get("/editor/")
    assert response.headers["Location"] == "/account/two-step"
    secret, codes = _setup(client)
    assert client.get("/editor/").status_code == 200
    response = client.post("/account/two-step/off", data={"code": pyotp.TOTP(secret).now(),
                                                          "csrf_token": csrf(client, "/account")})
    assert fresh(session).get(User, editor.id).totp_enabled_at is not None


def test_an_editor_turns_it_off_with_a_code(app, make, session, auth, client):
    editor = make.editor()
    auth.login(editor)
    secret, _ = _setup(client)
    client.post("/account/two-step/off", data={"code": "000000", "csrf_token": csrf(client, "/account")})
    assert fresh(session).get(User, editor.id).totp_enabled_at is not None
    client.post("/account/two-step/off", data={"code": _next_code(secret), "csrf_token": csrf(client, "/account")})
    assert fresh(session).get(User, editor.id).totp_enabled_at is None
    auth.logout()
    assert Auth(app.test_client()).login(editor, PASSWORD).headers["Location"] == "/editor/"


def test_a_code_used_once_is_refused_the_second_time(app, make, session, auth, client):
    import datetime as dt

    from curation.accounts import two_step

    editor = make.editor()
    secret, start = two_step.new_secret(), dt.datetime.now(dt.timezone.utc)
    totp = pyotp.TOTP(secret)
    with app.app_context():
        two_step.turn_on(session, editor, secret, totp.at(start), now=start)
        later = start + dt.timedelta(seconds=90)
        assert two_step.check(session, editor, totp.at(later), now=later)
        assert not two_step.check(session, editor, totp.at(later), now=later)  # replayed
        assert not two_step.check(session, editor, totp.at(later - dt.timedelta(seconds=30)), now=later)  # older
        assert two_step.check(session, editor, totp.at(later + dt.timedelta(seconds=30)),
                              now=later + dt.timedelta(seconds=30))
        session.commit()
    # through the login page too: the code that logged in once does not again
    other = make.editor()
    auth.login(other)
    code = _next_code(_setup(client)[0])
    auth.logout()
    auth.login(other)
    assert _code(client, code).status_code == 302
    auth.logout()
    auth.login(other)
    assert _code(client, code).status_code == 401
