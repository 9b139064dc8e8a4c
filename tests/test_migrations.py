"""The schema comes from Alembic migrations, matches the models, and keeps data
across upgrades (on whichever database the suite runs on)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from curation import create_app, db, schema
from curation.db import Base
from curation.models import Answer, AnswerState, Challenge, User
from curation.security import hash_password
from tests.conftest import PASSWORD, PG_URL, Auth

ROOT = Path(__file__).resolve().parent.parent
OLDEST = ScriptDirectory(str(schema.MIGRATIONS)).get_base()


@pytest.fixture
def bare_app(database_url, tmp_path):
    """An app whose database has no tables yet."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-only-key",
                      "RATELIMIT_ENABLED": False, "SERVER_NAME": "curation.test"})
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        db.engine().dispose()


def differences_from_models(app) -> list:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_schema_built_by_migrations_matches_the_models(app):
    assert differences_from_models(app) == []
    with app.app_context():
        assert schema.current_revision() == ScriptDirectory(str(schema.MIGRATIONS)).get_current_head()


def test_migrations_create_every_check_constraint_of_the_models(app):
    # autogenerate does not compare CHECK constraints, so count them by name
    expected = {
        (table.name, constraint.name)
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    with app.app_context(), db.engine().connect() as connection:
        inspector = inspect(connection)
        found = {
            (table, check["name"])
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }
    assert expected and expected <= found


def test_database_refuses_a_state_the_models_do_not_know(app, make):
    make.therapist()
    with app.app_context(), db.engine().connect() as connection:
        with pytest.raises(IntegrityError):
            connection.execute(text("UPDATE users SET role = 'superuser'"))


def test_upgrade_keeps_every_row_written_under_the_oldest_revision(bare_app):
    with bare_app.app_context():
        schema.upgrade(OLDEST)
        with db.engine().begin() as connection:
            insert_edition_with_plain_sql(connection)
        schema.upgrade()
    assert differences_from_models(bare_app) == []

    with bare_app.app_context():
        session = db.new_session(writes=False)
    therapist = session.scalar(select(User).where(User.email == "theo@example.org"))
    challenge = session.scalar(select(Challenge))
    stored = session.scalars(select(Answer).order_by(Answer.id)).all()
    assert therapist.name == "Theo Rest" and therapist.credentials == "RP"
    assert challenge.title == "What Do Therapists Really Think About Rest?"
    assert [(a.author.email, a.state, a.body) for a in stored] == [
        ("theo@example.org", AnswerState.SUBMITTED, "Rest is a kindness we owe ourselves."),
        ("tara@example.org", AnswerState.DRAFT, "Still thinking."),
    ]

    session.close()

    client = bare_app.test_client()
    assert Auth(client).login("theo@example.org").status_code == 302
    assert "Rest is a kindness we owe ourselves." in client.get("/my/answers").get_data(as_text=True)


def insert_edition_with_plain_sql(connection) -> None:
    """Rows as the oldest revision's tables take them; never changes with the models."""
    now = "2026-01-05 09:00:00"
    for user_id, email, name, role in (
        (1, "edna@example.org", "Edna Editor", "editor"),
        (2, "theo@example.org", "Theo Rest", "therapist"),
        (3, "tara@example.org", "Tara Draft", "therapist"),
    ):
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, credentials, role, password_hash, is_deactivated,"
                " session_version, wants_notifications, created_at)"
                " VALUES (:id, :email, :name, 'RP', :role, :hash, false, 1, true, :now)"
            ),
            {"id": user_id, "email": email, "name": name, "role": role, "hash": hash_password(PASSWORD), "now": now},
        )
    connection.execute(
        text(
            "INSERT INTO challenges (id, title, topic, question, intro, intro_html, challengers, outro,"
            " outro_html, state, order_version, created_at, updated_at)"
            " VALUES (1, 'What Do Therapists Really Think About Rest?', 'Rest', 'What is rest?', 'We asked.',"
            " '<p>We asked.</p>', 'Psychotherapists', 'Join us.', '<p>Join us.</p>', 'open', 1, :now, :now)"
        ),
        {"now": now},
    )
    for answer_id, author_id, body, state, submitted_at in (
        (1, 2, "Rest is a kindness we owe ourselves.", "submitted", now),
        (2, 3, "Still thinking.", "draft", None),
    ):
        connection.execute(
            text(
                "INSERT INTO answers (id, challenge_id, author_id, body, credit, has_consent, state, editor_note,"
                " excerpt_consent, excerpt_author_note, submitted_at, created_at, updated_at)"
                " VALUES (:id, 1, :author, :body, 'full', true, :state, '', 'none', '', :submitted_at, :now, :now)"
            ),
            {"id": answer_id, "author": author_id, "body": body, "state": state, "submitted_at": submitted_at, "now": now},
        )
    if connection.dialect.name == "postgresql":
        # rows inserted with explicit ids leave the sequences behind
        for table in ("users", "challenges", "answers"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def test_init_db_adopts_a_database_made_before_migrations(bare_app):
    with bare_app.app_context():
        # the tables those versions made: the first revision's, with no alembic_version
        schema.upgrade(schema.BASELINE)
        with db.engine().begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
            insert_edition_with_plain_sql(connection)
    result = bare_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with bare_app.app_context():
        assert schema.current_revision() == ScriptDirectory(str(schema.MIGRATIONS)).get_current_head()
        with db.engine().connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 2


def test_init_db_twice_changes_nothing(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with bare_app.app_context(), db.engine().begin() as connection:
        insert_edition_with_plain_sql(connection)
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    assert "The database is ready." in second.output
    assert differences_from_models(bare_app) == []
    with bare_app.app_context(), db.engine().connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 3


@pytest.mark.postgres
def test_hosts_running_init_db_at_the_same_moment_take_turns(bare_app, database_url):
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    environment = {**os.environ, "CURATION_DATABASE_URL": database_url, "CURATION_SECRET_KEY": "test-only-key"}
    with admin.connect() as gate:
        # hold the hosts at the migration lock, then let them all go at once
        gate.execute(text("SELECT pg_advisory_lock(:key)"), {"key": schema.MIGRATION_LOCK})
        hosts = [
            subprocess.Popen([sys.executable, "-m", "flask", "--app", "curation", "init-db"], env=environment,
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(3)
        ]
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = :key"
        deadline = time.monotonic() + 60
        while gate.execute(text(waiting), {"key": schema.MIGRATION_LOCK}).scalar() < 3:
            assert time.monotonic() < deadline, "init-db did not wait for the migration lock"
            time.sleep(0.1)
        gate.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": schema.MIGRATION_LOCK})
        outputs = [host.communicate(timeout=120)[0] for host in hosts]
    admin.dispose()
    assert [host.returncode for host in hosts] == [0, 0, 0], outputs
    assert differences_from_models(bare_app) == []
