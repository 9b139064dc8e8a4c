"""Fixtures for the adversarial tests: a world with objects of two therapists,
and every route of the app with real ids filled in."""
import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from curation.accounts import services as accounts
from curation.challenges import services as challenges
from curation.db import Base
from curation.models import Answer, Role
from curation.publishing import services as publishing
from curation.suggestions import services as suggestions
from curation.therapists import services as therapists
from tests.conftest import fresh


@pytest.fixture
def quick_passwords(monkeypatch):
    """Many accounts or logins: hash cheaply here (hashing has its own tests)."""
    monkeypatch.setattr(accounts, "hash_password", lambda pw: generate_password_hash(pw, method="pbkdf2:sha256:1"))


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


@pytest.fixture
def world(app, session, make):
    """An edition in progress and a published one, with objects of two therapists."""
    editor = make.editor()
    owner, other, spare, leaving = make.therapist(), make.therapist(), make.therapist(), make.therapist()
    published = make.challenge(editor, title="Already Out")
    make.approved(published, editor, owner)
    challenges.close_challenge(session, published, editor)
    with app.test_request_context():
        publishing.publish(session, published, editor)
    session.commit()
    current = make.challenge(editor)
    own_answer = make.approved(current, editor, owner, body="The owners private words about rest.",
                               excerpt="The owners private words")
    invitation, token = accounts.invite(session, email="newcomer@example.org", role=Role.THERAPIST, invited_by=editor)
    suggestion = suggestions.submit(session, topic="A reader's idea", details="", email="")
    therapists.save_public_page(session, spare, wanted=True, bio="", profile_url="")
    session.commit()
    return {
        "users": {"therapist": owner, "other_therapist": other, "editor": editor, "deactivated": leaving},
        "spare": spare,
        "values": {
            "challenge_id": current.id,
            "answer_id": own_answer.id,
            "user_id": spare.id,
            "slug": published.slug,
            "number": 1,
            "version": 1,
            "token": token,
            "invitation_id": invitation.id,
            "action": "resend",
            "suggestion_id": suggestion.id,
        },
        # Routes whose object must be another one than the defaults.
        "overrides": {
            "publishing.version": {"challenge_id": published.id},
            "therapists.page": {"slug": spare.public_slug},
            "answers.withdraw_consent": {"answer_id": fresh(session).scalar(
                select(Answer.id).where(Answer.challenge_id == published.id))},
            "answers.propose_correction": {"answer_id": fresh(session).scalar(
                select(Answer.id).where(Answer.challenge_id == published.id))},
            "answers.quote_change_decision": {"answer_id": fresh(session).scalar(
                select(Answer.id).where(Answer.challenge_id == published.id))},
        },
        "own_answer_id": own_answer.id,
    }


def url_of(app, rule, world):
    values = {name: world["values"][name] for name in rule.arguments}
    values.update({k: v for k, v in world["overrides"].get(rule.endpoint, {}).items() if k in rule.arguments})
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def snapshot(session) -> dict[str, list[str]]:
    """Every row of every table, to prove a refused request changed nothing."""
    fresh(session)
    return {table.name: sorted(repr(tuple(row)) for row in session.execute(select(table))) for table in Base.metadata.sorted_tables}
