"""Scheduled editions: the editor picks a moment, `publish-due` (cron, every
minute) publishes what is due. Consent is checked when the edition is
published, not when it is scheduled: a quote still waiting for its author then
stops the publish, the reason is kept on the challenge and the editors hear
of it by mail."""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from curation import audit
from curation.db import rows_changed, utcnow
from curation.errors import Conflict, DomainError, Invalid
from curation.models import Challenge, ChallengeState, User
from curation.publishing import services as publishing

SCHEDULABLE = (ChallengeState.CLOSED, ChallengeState.PUBLISHED)


def schedule(session: Session, challenge: Challenge, editor: User, when: dt.datetime, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if challenge.state not in SCHEDULABLE:
        raise Conflict("Close the challenge before scheduling it, so no new answers arrive meanwhile.")
    if when <= now:
        raise Invalid("Choose a moment in the future, or publish now.", field="publish_at")
    challenge.publish_at = when
    challenge.scheduled_by_id = editor.id
    challenge.schedule_problem = ""
    session.flush()
    audit.record(session, editor, "publication.scheduled", challenge, f"{challenge.title} for {when.isoformat()}")


def unschedule(session: Session, challenge: Challenge, editor: User) -> None:
    if challenge.publish_at is None:
        raise Conflict("This feature is not scheduled.")
    challenge.publish_at = None
    session.flush()
    audit.record(session, editor, "publication.unscheduled", challenge, challenge.title)


@dataclasses.dataclass
class Report:
    published: list[str] = dataclasses.field(default_factory=list)
    held: list[str] = dataclasses.field(default_factory=list)
    taken_by_another_run: int = 0


def due(session: Session, now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    rows = session.execute(
        select(Challenge.id, Challenge.publish_at)
        .where(Challenge.publish_at.is_not(None), Challenge.publish_at <= now)
        .order_by(Challenge.publish_at, Challenge.id)
    )
    return [(challenge_id, publish_at) for challenge_id, publish_at in rows if publish_at is not None]


def claim(session: Session, challenge_id: int, seen: dt.datetime) -> bool:
    """Clear the schedule only if it is still the one read: of several hosts
    running at once exactly one wins; the others match no row. The caller's
    commit (with the publish) makes it final."""
    return rows_changed(session.execute(
        update(Challenge)
        .where(Challenge.id == challenge_id, Challenge.publish_at == seen)
        .values(publish_at=None)
        .execution_options(synchronize_session=False)
    )) == 1


def publish_due(session: Session, now: dt.datetime | None = None) -> Report:
    """Publish each challenge whose moment has come, each in its own commit."""
    from curation.mail import services as mail

    now = now or utcnow()
    waiting = due(session, now)
    session.commit()
    report = Report()
    for challenge_id, seen in waiting:
        if not claim(session, challenge_id, seen):
            session.rollback()
            report.taken_by_another_run += 1
            continue
        challenge = session.get(Challenge, challenge_id, populate_existing=True)
        assert challenge is not None
        editor = session.get(User, challenge.scheduled_by_id) if challenge.scheduled_by_id else None
        try:
            if editor is None or not editor.is_active:
                raise Conflict("The editor who scheduled it can no longer publish; schedule it again.")
            publication = publishing.publish(session, challenge, editor, now=now)
            challenge.schedule_problem = ""
            mail.queue_feature_published(session, publication)
        except DomainError as problem:
            session.rollback()
            _hold(session, challenge_id, seen, problem.message)
            report.held.append(f"{challenge.title}: {problem.message}")
            continue
        session.commit()
        report.published.append(challenge.title)
    return report


def _hold(session: Session, challenge_id: int, seen: dt.datetime, reason: str) -> None:
    """The schedule is cleared and the reason kept, so the editor decides anew."""
    from curation.mail import services as mail

    if not claim(session, challenge_id, seen):
        session.rollback()
        return
    challenge = session.get(Challenge, challenge_id, populate_existing=True)
    assert challenge is not None
    challenge.schedule_problem = reason
    session.flush()
    audit.record(session, None, "publication.schedule_held", challenge, f"{challenge.title}: {reason}")
    mail.queue_scheduled_publish_held(session, challenge, reason, seen)
    session.commit()
