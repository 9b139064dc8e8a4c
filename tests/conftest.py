"""Fixtures: a fresh app and database per test, clients, factories, query counting.

The suite runs on SQLite by default. With CURATION_TEST_DATABASE_URL set to a
PostgreSQL URL it runs there instead, each test in a schema of its own.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import create_engine, event, make_url, text

from curation import create_app, db, schema
from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.challenges import services as challenges
from curation.models import Challenge, Role, SiteSetting, User
from curation.review import services as review

# The suite starts a hundred Python processes (cron commands, gunicorn and its
# workers, migrations, xdist's workers): where the environment says not to write
# compiled code, each would compile the whole package from source, a sixth of
# its start. They share one cache instead, outside the checkout.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / f"curation-tests-pycache-{os.getuid()}"))

PASSWORD = "a long enough passphrase"
# A practice that has replaced the placeholders settings ship with, so its features may be published.
PRACTICE = {"practice_name": "Lakeside Counselling", "booking_url": "https://lakeside.example/book"}
REDIS_URL = os.environ.get("CURATION_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _postgres_url() -> tuple[str, str]:
    """The PostgreSQL URL to run on, or "" and why not (printed at the end)."""
    url = os.environ.get("CURATION_TEST_DATABASE_URL", "")
    if not url:
        return "", "set CURATION_TEST_DATABASE_URL"
    try:
        probe = create_engine(url, connect_args={"connect_timeout": 3})
        with probe.connect():
            pass
        probe.dispose()
    except Exception as error:  # any failure to connect means "no server here"
        return "", f"no server answered at {url} ({type(error).__name__})"
    return url, ""


def _redis_problem() -> str:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # any failure means "no Redis here"
        return f"no Redis answered at {REDIS_URL} ({type(error).__name__})"
    return ""


def _wordpress() -> tuple[dict, str]:
    """The real WordPress to test against (.ci/wordpress.sh starts one), or why not."""
    names = ("URL", "USER", "APP_PASSWORD")
    settings = {f"WORDPRESS_{n}": os.environ.get(f"CURATION_TEST_WORDPRESS_{n}", "") for n in names}
    if not all(settings.values()):
        return {}, "set CURATION_TEST_WORDPRESS_URL, _USER and _APP_PASSWORD (.ci/wordpress.sh start prints them)"
    try:
        import requests

        requests.get(settings["WORDPRESS_URL"].rstrip("/") + "/wp-json/", timeout=5).raise_for_status()
    except Exception as error:  # any failure means "no WordPress here"
        return {}, f"no WordPress answered at {settings['WORDPRESS_URL']} ({type(error).__name__})"
    return settings, ""


PG_URL, PG_PROBLEM = _postgres_url()
REDIS_PROBLEM = _redis_problem()
WORDPRESS, WORDPRESS_PROBLEM = _wordpress()


# One Chromium for the whole run, shared by tests/browser and any other test that
# looks at a page: Playwright's sync API allows one running instance per thread.
# Debian's chromium-headless-shell first, the same Chromium built without the
# browser's own window and UI layers (what Playwright runs headless by default):
# the browser tests take half the CPU they take in the full browser's headless
# mode. The full browser serves where only it is installed.
_HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = Path(os.environ.get("CURATION_CHROMIUM")
                or (_HEADLESS_SHELL if _HEADLESS_SHELL.exists() else "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


NO_BROWSER = "BROWSER TESTS NOT RUN"


def why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} missing"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = why_no_browser()
    if reason is not None:
        pytest.fail(f"CURATION_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def postgres_schema():
    """The URL of a new schema of the PostgreSQL database, dropped on exit."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with postgres_schema() as url:
        yield url


@functools.cache
def _migrated_sqlite_file() -> Path:
    """One SQLite file brought to the newest revision, once per test process:
    a test's new database starts as a copy of it, which takes a millisecond
    where running every migration takes a fifth of a second."""
    folder = Path(tempfile.mkdtemp(prefix="curation-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "migrated.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test-only-key"})
    app.instance_path = str(folder)
    with app.app_context():
        schema.upgrade()
        db.engine().dispose()
    assert not path.with_name(path.name + "-wal").exists(), "the template's log should be folded in on close"
    return path


def _start_from_migrated_copy(database_url: str) -> bool:
    """A new SQLite database starts as the template's copy; True if it did."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        shutil.copyfile(_migrated_sqlite_file(), url.database)
        return True
    return False


# Each test makes a new app, and with it a Jinja environment that would parse
# and compile every template it renders again, a quarter of a typical test's
# time. Jinja's own cache keeps the compiled code in a folder of this user's
# (keyed by template name and source checksum, so an edited template is
# compiled anew), shared by every test process.
TEMPLATE_CODE = FileSystemBytecodeCache()


@contextlib.contextmanager
def running_app(database_url: str, instance_path, **config):
    """A test app on its own database, schema upgraded, engine disposed after."""
    # Flask-Limiter's on/off switch belongs to the one Limiter of the process and
    # the app made last sets it: the template database's app is made first.
    copied = _start_from_migrated_copy(database_url)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-only-key",
            "RATELIMIT_ENABLED": False,
            # scrypt costs 0.2 s a hash; tests/test_accounts.py checks the real one
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            # tests run the publishing jobs themselves (run_jobs), at a moment they choose
            "JOBS_AFTER_REQUEST": False,
            **config,
        }
    )
    app.instance_path = str(instance_path)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    if not copied:  # a copy is at the newest revision; asking Alembic would cost 20 ms a test
        with app.app_context():
            schema.upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine().dispose()


@pytest.fixture
def app(database_url, tmp_path):
    with running_app(database_url, tmp_path, SERVER_NAME="curation.test") as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session for arranging and checking; the app's own requests use theirs.

    No app context stays pushed during the test: Flask would reuse it for every
    test-client request, sharing `g` (and its database session) between them.
    """
    # Deferred, as every test session was: one holding the write lock between
    # statements would make the app's own writes wait for it.
    with app.app_context():
        s = db.new_session(writes=False)
    yield s
    s.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Factory:
    """Small builders for the objects tests need; each commits."""

    def __init__(self, session, app):
        self.session = session
        self.app = app
        self.count = 0
        self.practice_set = False

    def _next(self) -> int:
        self.count += 1
        return self.count

    def _begin(self) -> None:
        """End a read left open by a test (a lazy load, say): on SQLite a write
        in it fails once a request committed since, and every login does commit
        (its server-side session)."""
        if not (self.session.new or self.session.dirty or self.session.deleted):
            self.session.commit()

    def user(self, role: Role, name: str | None = None, credentials: str = "RP", email: str | None = None) -> User:
        self._begin()
        n = self._next()
        # in the app's context, so the password gets the test app's cheap hash, not scrypt's 0.2 s
        with self.app.app_context():
            user = accounts.create_user(
                self.session,
                email=email or f"{role}{n}@example.org",
                name=name or f"{'Edna' if role == Role.EDITOR else 'Theo'} Person{n}",
                role=role,
                credentials=credentials,
                password=PASSWORD,
            )
        self.session.commit()
        return user

    def editor(self, **kw) -> User:
        return self.user(Role.EDITOR, **kw)

    def therapist(self, **kw) -> User:
        return self.user(Role.THERAPIST, **kw)

    def practice(self) -> None:
        """The practice's own name and booking link, once: every challenge built here may be published."""
        if self.practice_set:
            return
        for key, value in PRACTICE.items():
            self.session.merge(SiteSetting(key=key, value=value))
        self.session.commit()
        self.practice_set = True

    def challenge(self, editor: User | None = None, *, state: str = "open", **fields) -> Challenge:
        self._begin()
        self.practice()
        editor = editor or self.editor()
        values = {
            "title": "What Do Therapists Really Think About Rest?",
            "topic": "Rest",
            "question": "In your own words, what is rest?",
            "intro": "We asked.",
            "challengers": "Psychotherapists",
            "outro": "Join us next time.",
            "closes_at": None,
            "word_limit": None,
        }
        values.update(fields)
        challenge = challenges.create(self.session, editor, values)
        if state in ("open", "closed"):
            challenges.open_challenge(self.session, challenge, editor)
        if state == "closed":
            challenges.close_challenge(self.session, challenge, editor)
        self.session.commit()
        return challenge

    def answer(self, challenge, author=None, *, body="Rest is a kindness we owe ourselves.", credit="full", submit=True):
        self._begin()
        author = author or self.therapist()
        answer, _ = answers.save(
            self.session, challenge, author, body=body, credit=credit, consent=True, submit=submit
        )
        self.session.commit()
        return answer

    def approved(self, challenge, editor, author=None, *, excerpt="", **kw):
        answer = self.answer(challenge, author, **kw)
        self._begin()
        review.review(self.session, answer, editor, decision="approve", excerpt=excerpt)
        self.session.commit()
        return answer

    def ready_to_publish(self, *bodies: str, title: str = "What Is Rest?") -> tuple[User, Challenge]:
        """An editor and a closed challenge with one approved quote per body, in that order."""
        editor = self.editor()
        challenge = self.challenge(editor, title=title)
        for body in bodies or ("Rest is a kindness.",):
            self.approved(challenge, editor, body=body)
        challenges.close_challenge(self.session, challenge, editor)
        self.session.commit()
        return editor, challenge


@pytest.fixture
def make(app, session):
    return Factory(session, app)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = PASSWORD):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return self.client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf(self.client)})

    def logout(self):
        return self.client.post("/auth/logout", data={"csrf_token": csrf(self.client)})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(app):
    """A new client of its own, logged in through the login form as `user`."""

    def logged_in(user: User):
        client = app.test_client()
        response = Auth(client).login(user)
        assert response.status_code == 302, f"{user.email} could not log in"
        return client

    return logged_in


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf(client, path: str = "/auth/login") -> str:
    """A valid CSRF token for this client's session.

    Signed here from the session's secret, as Flask-WTF signs it, once the
    session holds one; read from a real form the first time."""
    with client.session_transaction() as cookie:
        raw = cookie.get("csrf_token")
    if raw is not None:
        app = client.application
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
    page = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(page)
    if match is None:
        # the login page redirects once logged in: any page with a form will do
        page = client.get("/account").get_data(as_text=True)
        match = _TOKEN.search(page)
    assert match, "no CSRF token found on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def post(client):
    """POST with a valid CSRF token, as a browser would."""

    def _post(path, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf(client))
        return client.post(path, data=data, **kw)

    return _post


def publish_form(**fields) -> dict:
    """What the publish confirmation's form sends: publishing asks first, and this says yes."""
    return {"confirm": "yes", **fields}


@pytest.fixture
def count_queries(app):
    """Counts the SQL statements run inside the `with` block."""

    @contextlib.contextmanager
    def counter():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine()
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


def run_jobs(app):
    """Run the publishing jobs that are due, as the app's sender thread would
    after the request (cards, static files, the WordPress copy)."""
    from curation.publishing import jobs

    return jobs.run_pending(app)


def fresh(session):
    """See what the app committed since: end this session's snapshot and forget
    what it loaded (objects stay loaded after a commit; a rollback with no
    transaction open would not expire them)."""
    session.rollback()
    session.expire_all()
    return session


# Tests that need a server: on a machine without it they are not run, and the
# summary says so loudly; CI sets CURATION_REQUIRE_POSTGRES=1 (and
# CURATION_REQUIRE_REDIS=1, CURATION_REQUIRE_WORDPRESS=1) so that a missing
# server fails the run instead.
def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs the suite to run on PostgreSQL")
    config.addinivalue_line("markers", "redis: needs a Redis server (CURATION_TEST_REDIS_URL)")
    config.addinivalue_line("markers", "wordpress: needs a real WordPress (CURATION_TEST_WORDPRESS_URL, _USER, _APP_PASSWORD)")


def pytest_sessionstart(session):
    for variable, server, problem in (
        ("CURATION_REQUIRE_POSTGRES", "PostgreSQL", PG_PROBLEM),
        ("CURATION_REQUIRE_REDIS", "Redis", REDIS_PROBLEM),
        ("CURATION_REQUIRE_WORDPRESS", "WordPress", WORDPRESS_PROBLEM),
    ):
        if os.environ.get(variable) == "1" and problem:
            pytest.exit(f"{variable}=1 but {server} is not available: {problem}", returncode=pytest.ExitCode.USAGE_ERROR)


_NOT_RUN = pytest.StashKey[list]()


def pytest_collection_modifyitems(config, items):
    _skip_browser_tests_without_a_browser(items)
    unavailable = [
        marker
        for marker, problem in (("postgres", PG_PROBLEM), ("redis", REDIS_PROBLEM), ("wordpress", WORDPRESS_PROBLEM))
        if problem
    ]
    kept, not_run = [], []
    for item in items:
        needs_missing_server = any(item.get_closest_marker(marker) for marker in unavailable)
        (not_run if needs_missing_server else kept).append(item)
    if not_run:
        config.hook.pytest_deselected(items=not_run)
        items[:] = kept
    config.stash[_NOT_RUN] = [item.nodeid for item in not_run]


def _skip_browser_tests_without_a_browser(items) -> None:
    reason = why_no_browser()
    if reason is None or os.environ.get("CURATION_REQUIRE_BROWSER") == "1":
        return  # with a browser required, the `browser` fixture fails each test, saying why
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=f"{NO_BROWSER}: {reason}"))


def pytest_terminal_summary(terminalreporter, config):
    lines = []
    if PG_PROBLEM:
        lines.append(f"PostgreSQL run not made: {PG_PROBLEM}")
    if REDIS_PROBLEM:
        lines.append(f"Redis tests not run: {REDIS_PROBLEM}")
    if WORDPRESS_PROBLEM:
        lines.append(f"WordPress tests not run: {WORDPRESS_PROBLEM}")
    for nodeid in config.stash.get(_NOT_RUN, []):
        lines.append(f"  not run: {nodeid}")
    if lines:
        terminalreporter.section("servers", sep="!", yellow=True, bold=True)
        for line in lines:
            terminalreporter.write_line(line, yellow=True, bold=True)
    # read from the reports, which reach this process also when xdist's workers ran the tests
    if any(NO_BROWSER in str(report.longrepr) for report in terminalreporter.stats.get("skipped", [])):
        terminalreporter.write_sep("!", f"{NO_BROWSER}: {why_no_browser()}", red=True, bold=True)
        terminalreporter.write_line(
            "Install Chromium (apt-get install -y chromium-headless-shell) to run them; "
            "CURATION_REQUIRE_BROWSER=1 turns this into a failure."
        )
