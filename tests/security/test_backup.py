"""`flask --app curation backup PATH`: a consistent copy while the app serves,
which restores into a working site with every answer in it."""
import shutil
import sqlite3
import threading

import pytest
from sqlalchemy import select

from curation import create_app, db, schema
from curation.models import Answer
from tests.conftest import PASSWORD, Factory


def _sqlite_app(path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test-only-key",
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": "curation.test"})
    with app.app_context():
        schema.upgrade()
    return app


@pytest.fixture
def live(tmp_path):
    """A serving SQLite site (the backup is for SQLite, whichever database the suite uses)."""
    app = _sqlite_app(tmp_path / "live.db")
    with app.app_context():
        session = db.new_session(writes=False)
    yield app, session
    session.close()
    with app.app_context():
        db.engine().dispose()


def _answer_bodies(app):
    with app.app_context():
        with db.new_session(writes=False) as session:
            return set(session.scalars(select(Answer.body)))


def test_a_backup_taken_while_others_write_restores_with_every_answer(live, tmp_path):
    app, session = live
    make = Factory(session, app)
    editor = make.editor()
    challenge = make.challenge(editor)
    for n in range(12):
        make.answer(challenge, body=f"Answer number {n}: rest is a kindness.")
    committed = _answer_bodies(app)

    # Another worker is in the middle of a write: it holds the write lock, uncommitted.
    writer = sqlite3.connect(tmp_path / "live.db", timeout=30, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE answers SET body = 'half-written change' WHERE id = 1")
    # And readers keep reading through the app meanwhile.
    stop = threading.Event()

    def keep_reading():
        while not stop.is_set():
            _answer_bodies(app)

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    finally:
        stop.set()
        reader.join()
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "12 answers" in result.output

    restored_path = tmp_path / "restored" / "curation.db"
    restored_path.parent.mkdir()
    shutil.copy(tmp_path / "copy.db", restored_path)
    restored = _sqlite_app(restored_path)
    assert _answer_bodies(restored) == committed
    assert "half-written change" not in _answer_bodies(restored)
    # The restored site works: the author logs in and finds their answer.
    with restored.app_context():
        with db.new_session(writes=False) as s:
            author_email = s.scalars(select(Answer).order_by(Answer.id)).first().author.email
    client = restored.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"email": author_email, "password": PASSWORD, "csrf_token": token})
    assert "Answer number 0: rest is a kindness." in client.get("/my/answers").get_data(as_text=True)
    with restored.app_context():
        db.engine().dispose()


def test_the_backup_is_one_self_contained_file(live, tmp_path):
    app, session = live
    make = Factory(session, app)
    make.answer(make.challenge(), body="Kept in one file.")
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "one.db")]).exit_code == 0
    assert not (tmp_path / "one.db-wal").exists()
    with sqlite3.connect(tmp_path / "one.db") as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT body FROM answers").fetchall() == [("Kept in one file.",)]


def test_backup_refuses_to_overwrite_the_live_database(live, tmp_path):
    app, _ = live
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "live.db")])
    assert result.exit_code != 0 and "live database itself" in result.output


def test_backup_into_a_missing_folder_says_so(live, tmp_path):
    app, _ = live
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "such" / "copy.db")])
    assert result.exit_code != 0 and "There is no folder" in result.output


def test_backup_points_postgresql_users_to_pg_dump(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test",
                      "SECRET_KEY": "test-only-key"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output
    assert not (tmp_path / "copy.db").exists()
