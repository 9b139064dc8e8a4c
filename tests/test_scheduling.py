"""Scheduled editions: publish_at in the practice's time zone, "scheduled
for …", unscheduling, and `publish-due` publishing what is due exactly once,
with consent checked at the moment of publishing."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from curation.models import (
    Answer,
    AuditEntry,
    Challenge,
    ChallengeState,
    ExcerptConsent,
    OutboxMail,
    Publication,
)
from curation.publishing import scheduling
from tests.conftest import Auth, csrf, fresh


@pytest.fixture
def ready(app, make, session, client):
    app.config["TIMEZONE"] = "America/Toronto"
    editor, challenge = make.ready_to_publish("Rest is a kindness.")
    Auth(client).login(editor)
    return editor, challenge


def _schedule(client, challenge_id: int, publish_at: str):
    page = f"/editor/challenges/{challenge_id}/publish"
    return client.post(page, data={"csrf_token": csrf(client, page), "publish_at": publish_at})


def _make_due(session, challenge_id: int) -> None:
    challenge = fresh(session).get(Challenge, challenge_id)
    challenge.publish_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    session.commit()


def _publications(session) -> int:
    return fresh(session).scalar(select(func.count(Publication.id)))


def test_an_edition_is_scheduled_in_the_practices_time_zone_and_shown(client, session, ready):
    _, challenge = ready
    response = _schedule(client, challenge.id, "2099-01-15T09:30")
    assert response.status_code == 302
    stored = fresh(session).get(Challenge, challenge.id)
    assert stored.publish_at == dt.datetime(2099, 1, 15, 14, 30, tzinfo=dt.timezone.utc)  # 09:30 in Toronto, winter
    assert _publications(session) == 0
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Scheduled for <strong>15 January 2099, 09:30</strong>" in page


def test_a_moment_in_the_past_or_not_a_moment_is_refused_and_the_typed_value_kept(client, session, ready):
    _, challenge = ready
    past = _schedule(client, challenge.id, "2001-01-01T09:00")
    assert past.status_code == 400 and "Choose a moment in the future" in past.get_data(as_text=True)
    assert 'value="2001-01-01T09:00"' in past.get_data(as_text=True)
    garbled = _schedule(client, challenge.id, "next tuesday")
    assert garbled.status_code == 400 and "YYYY-MM-DDTHH:MM" in garbled.get_data(as_text=True)
    assert fresh(session).get(Challenge, challenge.id).publish_at is None


def test_an_open_challenge_cannot_be_scheduled(client, session, make):
    editor = make.editor()
    challenge = make.challenge(editor)
    Auth(client).login(editor)
    response = _schedule(client, challenge.id, "2099-01-15T09:30")
    assert response.status_code == 302
    assert "Close the challenge" in client.get(response.location).get_data(as_text=True)
    assert fresh(session).get(Challenge, challenge.id).publish_at is None


def test_an_edition_can_be_unscheduled(runner, client, session, ready):
    _, challenge = ready
    _schedule(client, challenge.id, "2099-01-15T09:30")
    page = f"/editor/challenges/{challenge.id}/publish"
    assert "Scheduled for" in client.get(page).get_data(as_text=True)
    assert client.post(f"/editor/challenges/{challenge.id}/unschedule", data={"csrf_token": csrf(client, page)}).status_code == 302
    assert fresh(session).get(Challenge, challenge.id).publish_at is None
    assert "Scheduled for" not in client.get(page).get_data(as_text=True)
    assert "Nothing is due" in runner.invoke(args=["publish-due"]).output
    assert _publications(session) == 0


def test_publish_due_publishes_what_is_due_once_and_nothing_early(app, runner, client, session, ready):
    _, challenge = ready
    _schedule(client, challenge.id, "2099-01-15T09:30")
    assert "Nothing is due" in runner.invoke(args=["publish-due"]).output
    assert _publications(session) == 0

    _make_due(session, challenge.id)
    result = runner.invoke(args=["publish-due"])
    assert result.exit_code == 0 and "Published “What Is Rest?”" in result.output
    stored = fresh(session).get(Challenge, challenge.id)
    assert stored.state == ChallengeState.PUBLISHED and stored.publish_at is None
    assert app.test_client().get(f"/features/{stored.slug}").status_code == 200
    assert app.test_client().get(f"/features/{stored.slug}/quotes/1.png").status_code == 200

    assert "Nothing is due" in runner.invoke(args=["publish-due"]).output
    assert _publications(session) == 1


def test_publishing_by_hand_replaces_the_schedule(runner, client, session, ready):
    _, challenge = ready
    _schedule(client, challenge.id, "2099-01-15T09:30")
    page = f"/editor/challenges/{challenge.id}/publish"
    assert client.post(page, data={"csrf_token": csrf(client, page), "version_seen": 0}).status_code == 302
    assert fresh(session).get(Challenge, challenge.id).publish_at is None
    assert "Nothing is due" in runner.invoke(args=["publish-due"]).output
    assert _publications(session) == 1


def test_of_two_runs_at_the_same_moment_only_one_claims_the_edition(app, client, session, ready):
    _, challenge = ready
    _schedule(client, challenge.id, "2099-01-15T09:30")
    _make_due(session, challenge.id)
    seen = fresh(session).get(Challenge, challenge.id).publish_at
    with app.app_context():
        from curation import db

        other = db.new_session(writes=True)
    try:
        assert scheduling.claim(session, challenge.id, seen)
        session.commit()
        assert not scheduling.claim(other, challenge.id, seen)
        other.rollback()
    finally:
        other.close()


def test_a_consent_pending_at_the_moment_of_publishing_holds_the_edition_and_tells_the_editors(runner, client, session, make, ready):
    editor, challenge = ready
    _schedule(client, challenge.id, "2099-01-15T09:30")
    # After scheduling, the editor set an excerpt the author has not agreed to yet.
    answer = fresh(session).scalars(select(Answer).where(Answer.challenge_id == challenge.id)).one()
    answer.excerpt = "Rest is…"
    answer.excerpt_consent = ExcerptConsent.PENDING
    session.commit()
    _make_due(session, challenge.id)

    result = runner.invoke(args=["publish-due"])
    assert "Not published: What Is Rest?" in result.output
    stored = fresh(session).get(Challenge, challenge.id)
    assert stored.state == ChallengeState.CLOSED and stored.publish_at is None
    assert "agree to the exact words" in stored.schedule_problem
    assert _publications(session) == 0
    [mail] = session.scalars(select(OutboxMail).where(OutboxMail.kind == "scheduled_publish_held")).all()
    assert mail.recipient == editor.email and "agree to the exact words" in mail.text_body
    assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "publication.schedule_held")) == 1
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Not published as scheduled" in page

    # Run again: nothing more happens, no second mail.
    runner.invoke(args=["publish-due"])
    assert fresh(session).scalar(select(func.count(OutboxMail.id)).where(OutboxMail.kind == "scheduled_publish_held")) == 1
