"""Sessions that end on the server, and a lock-out counted in the database."""
import datetime as dt

from sqlalchemy import func, select, update

from curation import db
from curation.accounts import services as accounts
from curation.models import AuditEntry, LoginSession, User
from tests.conftest import PASSWORD, Auth, csrf, fresh, running_app


def _logged_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    assert client.get("/account").status_code == 200
    return client


def _copy(client, app):
    """A second browser holding a copy of this one's cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session", domain="curation.test").value, domain="curation.test")
    return thief


def test_after_logout_a_copy_of_the_cookie_is_refused(app, make):
    user = make.therapist()
    client = _logged_in(app, user)
    thief = _copy(client, app)
    assert thief.get("/my/answers").status_code == 200
    Auth(client).logout()
    assert client.get("/my/answers").headers["Location"].startswith("/auth/login")
    assert thief.get("/my/answers").headers["Location"].startswith("/auth/login")


def test_log_out_everywhere_ends_every_session_of_that_person_only(app, make, session):
    user, colleague = make.therapist(), make.therapist()
    phone, laptop, theirs = _logged_in(app, user), _logged_in(app, user), _logged_in(app, colleague)
    assert "logged in on 2 devices" in laptop.get("/account").get_data(as_text=True)
    response = laptop.post("/account/logout-everywhere", data={"csrf_token": csrf(laptop, "/account")})
    assert response.headers["Location"] == "/auth/login"
    for device in (phone, laptop):
        assert device.get("/my/answers").status_code == 302
    assert theirs.get("/my/answers").status_code == 200
    assert fresh(session).scalar(select(func.count()).select_from(AuditEntry).filter_by(action="user.logged_out_everywhere")) == 1


def test_a_session_idle_longer_than_the_setting_has_ended(app, make, session):
    user = make.therapist()
    client = _logged_in(app, user)
    assert app.config["SESSION_IDLE_DAYS"] == 14
    assert app.permanent_session_lifetime == dt.timedelta(days=14)
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=13, hours=23)
    session.execute(update(LoginSession).values(last_seen_at=long_ago))
    session.commit()
    assert client.get("/my/answers").status_code == 200  # used again just in time: kept alive
    assert fresh(session).scalars(select(LoginSession)).one().last_seen_at > long_ago + dt.timedelta(days=1)
    session.execute(update(LoginSession).values(last_seen_at=long_ago - dt.timedelta(hours=2)))
    session.commit()
    assert client.get("/my/answers").headers["Location"].startswith("/auth/login")


def test_a_cookie_naming_another_persons_session_is_refused(app, make):
    user, other = make.therapist(), make.therapist()
    mine, theirs = _logged_in(app, user), _logged_in(app, other)
    with mine.session_transaction() as mine_cookie, theirs.session_transaction() as their_cookie:
        mine_cookie["login_session"] = their_cookie["login_session"]
    assert mine.get("/my/answers").status_code == 302


def _attempt(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf(client)})


def test_the_lock_out_holds_across_workers_and_says_when_to_try_again(app, make, session, tmp_path):
    user, colleague = make.therapist(), make.therapist()
    # A second app on the same database stands for another worker or host.
    with running_app(app.config["DATABASE_URL"], tmp_path, SERVER_NAME="curation.test") as other_worker:
        workers = [app.test_client(), other_worker.test_client()]
        statuses = [_attempt(workers[n % 2], user.email, "wrong password!").status_code for n in range(5)]
        assert statuses == [401] * 5
        for worker in workers:
            response = _attempt(worker, user.email, PASSWORD)  # even the right password waits
            assert response.status_code == 429
            text = response.get_data(as_text=True)
            assert "locked until" in text and "in about 1 minute" in text
        assert _attempt(workers[1], colleague.email, PASSWORD).status_code == 302  # nobody else is locked
    locked = fresh(session).get(User, user.id)
    assert locked.failed_logins == 5 and locked.locked_until is not None
    assert session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="user.locked")) == 1


def test_each_wrong_password_after_the_lock_doubles_it_and_the_right_one_resets_the_count(app, make, session):
    user = make.therapist()
    client = app.test_client()
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    for _ in range(5):
        _attempt(client, user.email, "wrong password!")
    session.execute(update(User).values(locked_until=past))
    session.commit()
    assert _attempt(client, user.email, "wrong password!").status_code == 401
    lock = fresh(session).get(User, user.id).locked_until - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(seconds=100) < lock <= dt.timedelta(minutes=2)
    session.execute(update(User).values(locked_until=past))
    session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 302
    assert (fresh(session).get(User, user.id).failed_logins, session.get(User, user.id).locked_until) == (0, None)


def _while_the_hash_is_checked(monkeypatch, session, user, **changes):
    """Another worker changes the account while this login checks its hash,
    which happens with no transaction open."""
    real_check = accounts.check_password
    changed = []

    def check_while_another_writes(password_hash, password):
        if not changed:
            session.execute(update(User).where(User.id == user.id).values(**changes))
            session.commit()
            changed.append(True)
        return real_check(password_hash, password)

    monkeypatch.setattr(accounts, "check_password", check_while_another_writes)


def test_a_login_whose_account_is_locked_while_its_password_is_checked_is_refused(app, make, session, monkeypatch):
    user = make.therapist()
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    _while_the_hash_is_checked(monkeypatch, session, user, failed_logins=5, locked_until=until)
    response = _attempt(app.test_client(), user.email, PASSWORD)
    assert response.status_code == 429 and "locked until" in response.get_data(as_text=True)
    assert fresh(session).get(User, user.id).failed_logins == 5  # the right password reset nothing


def test_a_password_changed_while_the_old_one_is_checked_lets_only_the_new_one_in(app, make, session, monkeypatch):
    user = make.therapist()
    _while_the_hash_is_checked(monkeypatch, session, user,
                               password_hash=accounts.hash_password("a different long passphrase"))
    assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 401
    assert fresh(session).get(User, user.id).failed_logins == 1


def test_a_login_holds_no_transaction_while_it_checks_the_password(app, make, monkeypatch):
    user = make.therapist()
    real_check = accounts.check_password
    open_while_checking = []

    def check(password_hash, password):
        open_while_checking.append(db.session.in_transaction())
        return real_check(password_hash, password)

    monkeypatch.setattr(accounts, "check_password", check)
    assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 302
    assert open_while_checking == [False]


def test_the_lock_grows_to_an_hour_at_most(app, make, session):
    user = make.therapist()
    session.execute(update(User).values(failed_logins=40))
    session.commit()
    now = dt.datetime.now(dt.timezone.utc)
    with app.app_context():
        assert accounts.authenticate(fresh(session), user.email, "wrong password!", now=now) is None
    assert session.get(User, user.id).locked_until == now + dt.timedelta(hours=1)
    session.rollback()


def test_an_unknown_address_locks_nothing(app, make, client):
    make.therapist()
    statuses = {_attempt(client, "nobody@example.org", "wrong password!").status_code for _ in range(7)}
    assert statuses == {401}
