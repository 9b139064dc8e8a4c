"""The command line: init-db, create-user, invite, demo, and /healthz."""
from sqlalchemy import func, select

from curation.models import Answer, Challenge, ChallengeState, Role, User


def test_init_db_can_run_twice(runner):
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_create_user_makes_the_first_editor(runner, session):
    result = runner.invoke(args=["create-user", "Ed@Example.org", "--name", "Ed Itor", "--role", "editor",
                                 "--password", "a long enough passphrase"])
    assert result.exit_code == 0, result.output
    user = session.scalars(select(User)).one()
    assert (user.email, user.role) == ("ed@example.org", Role.EDITOR)


def test_create_user_prompts_for_a_hidden_password(runner, session):
    result = runner.invoke(args=["create-user", "t@example.org", "--name", "T", "--role", "therapist"],
                           input="a long enough passphrase\na long enough passphrase\n")
    assert result.exit_code == 0, result.output
    assert "a long enough passphrase" not in result.output


def test_create_user_refuses_a_weak_password_plainly(runner):
    result = runner.invoke(args=["create-user", "t@example.org", "--name", "T", "--role", "therapist", "--password", "short"])
    assert result.exit_code != 0 and "at least 12 characters" in result.output


def test_invite_prints_the_url_last(runner, client):
    result = runner.invoke(args=["invite", "new@example.org"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert "/auth/invite/" in url
    assert client.get(url[url.index("/auth/"):]).status_code == 200


def test_demo_loads_an_open_edition_and_prints_logins(runner, session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "editor@example.org" in result.output
    challenge = session.scalars(select(Challenge)).one()
    assert challenge.state == ChallengeState.OPEN
    assert session.scalar(select(func.count()).select_from(Answer)) == 3


def test_demo_refuses_a_database_with_accounts(runner, make):
    make.editor()
    assert runner.invoke(args=["demo"]).exit_code != 0


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
