"""How far an open challenge has come: who of the active therapists has
submitted, who is drafting, who has not started, and one reminder each."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from curation import audit
from curation.db import utcnow
from curation.errors import Conflict, NotFound
from curation.mail import services as mail
from curation.models import (
    Answer,
    AnswerState,
    Challenge,
    ChallengeState,
    OutboxMail,
    Role,
    User,
)

# Answers in these states have words but are not submitted.
DRAFTING = (AnswerState.DRAFT, AnswerState.WITHDRAWN)


@dataclasses.dataclass(frozen=True)
class Progress:
    submitted: list[User]
    drafting: list[User]
    not_started: list[User]
    reminded: set[int]
    closes_at: dt.datetime | None
    days_left: int | None  # None without a deadline; 0 once it has passed

    @property
    def active(self) -> int:
        return len(self.submitted) + len(self.drafting) + len(self.not_started)

    @property
    def cells(self) -> list[str]:
        """One cell of the bar per active therapist, submitted first."""
        return ["submitted"] * len(self.submitted) + ["drafting"] * len(self.drafting) + ["not-started"] * len(self.not_started)

    def was_reminded(self, therapist: User) -> bool:
        return therapist.id in self.reminded


def _active_therapists(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.role == Role.THERAPIST, User.is_deactivated.is_(False)).order_by(User.name, User.id)
        )
    )


def _reminded(session: Session, challenge: Challenge) -> set[int]:
    prefix = _reminder_key(challenge, None)
    keys = session.scalars(select(OutboxMail.dedupe_key).where(OutboxMail.dedupe_key.startswith(prefix)))
    return {int(key.rsplit(":", 1)[1]) for key in keys if key}


def _reminder_key(challenge: Challenge, therapist: User | None) -> str:
    return f"personal_reminder:{challenge.id}:" + (str(therapist.id) if therapist else "")


def of(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> Progress:
    """In three statements, whatever the number of therapists."""
    now = now or utcnow()
    rows = session.execute(select(Answer.author_id, Answer.state).where(Answer.challenge_id == challenge.id))
    states = {author_id: state for author_id, state in rows}
    groups: dict[str, list[User]] = {"submitted": [], "drafting": [], "not_started": []}
    for therapist in _active_therapists(session):
        state = states.get(therapist.id)
        group = "not_started" if state is None else "drafting" if state in DRAFTING else "submitted"
        groups[group].append(therapist)
    days_left = None
    if challenge.closes_at is not None:
        days_left = max(0, math.ceil((challenge.closes_at - now) / dt.timedelta(days=1)))
    return Progress(**groups, reminded=_reminded(session, challenge), closes_at=challenge.closes_at, days_left=days_left)


def remind(session: Session, challenge: Challenge, therapist_id: int, editor: User) -> User:
    """One reminder per therapist and challenge, to someone who has not submitted."""
    therapist = session.get(User, therapist_id)
    if therapist is None or therapist.role != Role.THERAPIST or therapist.is_deactivated:
        raise NotFound("There is no such active therapist.")
    if challenge.state != ChallengeState.OPEN:
        raise Conflict("Reminders go out only while the challenge is open.")
    answer_state = session.scalar(
        select(Answer.state).where(Answer.challenge_id == challenge.id, Answer.author_id == therapist.id)
    )
    if answer_state is not None and answer_state not in DRAFTING:
        raise Conflict(f"{therapist.name} has already submitted an answer.")
    if not therapist.wants_notifications:
        raise Conflict(f"{therapist.name} has turned off mail from the tool, so no reminder was sent.")
    queued = mail.queue_personal_reminder(
        session, challenge, therapist, dedupe_key=_reminder_key(challenge, therapist), has_draft=answer_state is not None
    )
    if queued is None:
        raise Conflict(f"{therapist.name} has already been reminded of this challenge.")
    audit.record(session, editor, "challenge.reminder_sent", challenge, therapist.name)
    return therapist
