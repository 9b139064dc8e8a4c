"""How far an open challenge has come: how many of the active therapists have
submitted, are drafting or have not started, the first of those who have not
submitted by name, and one reminder each."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from curation import audit
from curation.answers.lifecycle import NOT_SUBMITTED
from curation.challenges import services as challenges
from curation.db import utcnow
from curation.errors import Conflict, NotFound
from curation.mail import services as mail
from curation.models import (
    Answer,
    Challenge,
    ChallengeState,
    OutboxMail,
    Role,
    User,
)

# A practice has some tens of therapists: up to this many the editor sees every
# name with its reminder button; beyond it the first ones by name and how many more.
NAMES_SHOWN = 50
# Up to this many active therapists the bar has a cell each; beyond it as many
# cells, each a share of them, so the bar stays readable and the page small.
BAR_CELLS = 50


@dataclasses.dataclass(frozen=True)
class Group:
    """Therapists at one stage: how many, and the first of them by name."""

    count: int
    first: list[User]

    @property
    def more(self) -> int:
        return self.count - len(self.first)


@dataclasses.dataclass(frozen=True)
class Progress:
    submitted: int
    drafting: Group
    not_started: Group
    reminded: set[int]
    closes_at: dt.datetime | None
    days_left: int | None  # None without a deadline; 0 once it has passed

    @property
    def active(self) -> int:
        return self.submitted + self.drafting.count + self.not_started.count

    @property
    def cells(self) -> list[str]:
        """The bar, submitted first: a cell per active therapist, or BAR_CELLS
        shares of them, where every stage that has someone keeps a cell."""
        counts = {"submitted": self.submitted, "drafting": self.drafting.count, "not-started": self.not_started.count}
        if self.active > BAR_CELLS:
            counts = _shares(counts, BAR_CELLS)
        return [stage for stage, count in counts.items() for _ in range(count)]

    def was_reminded(self, therapist: User) -> bool:
        return therapist.id in self.reminded


def _shares(counts: dict[str, int], cells: int) -> dict[str, int]:
    """`cells` split in proportion to `counts` (largest remainders), at least one
    for each non-zero count, taken from the largest share."""
    total = sum(counts.values())
    exact = {stage: count * cells / total for stage, count in counts.items()}
    shares = {stage: math.floor(value) for stage, value in exact.items()}
    by_remainder = sorted(exact, key=lambda stage: exact[stage] - shares[stage], reverse=True)
    for stage in by_remainder[: cells - sum(shares.values())]:
        shares[stage] += 1
    for stage, count in counts.items():
        if count and not shares[stage]:
            shares[max(shares, key=shares.__getitem__)] -= 1
            shares[stage] = 1
    return shares


_ACTIVE_THERAPIST = (User.role == Role.THERAPIST, User.is_deactivated.is_(False))
# editors and deactivated therapists: few, and found by seeking the users' index
_NOT_ACTIVE = or_(
    User.role.in_([role for role in Role if role != Role.THERAPIST]),
    and_(User.role == Role.THERAPIST, User.is_deactivated.is_(True)),
)


def _active_counts(
    session: Session, challenge: Challenge, answers_by_state: Mapping[str, int]
) -> tuple[int, dict[str, int]]:
    """The active therapists, and their answers by state, from the challenge's
    answers by state less those of the people who are not active therapists.

    Only those few are read one by one (with the state of their answer, if any):
    counting the active ones directly would read every therapist, and checking
    the author of each answer would read every author's row."""
    everyone = session.scalar(select(func.count()).select_from(User)) or 0
    their_answer = (
        select(Answer.state).where(Answer.challenge_id == challenge.id, Answer.author_id == User.id).scalar_subquery()
    )
    not_active = {state: n for state, n in session.execute(
        select(their_answer, func.count()).select_from(User).where(_NOT_ACTIVE).group_by(their_answer)
    )}
    by_state = {state: n - not_active.get(state, 0) for state, n in answers_by_state.items()}
    return everyone - sum(not_active.values()), by_state


def _first_by_name(session: Session, count: int, *where) -> list[User]:
    """The first NAMES_SHOWN by name; no statement when there is nobody to list."""
    if not count:
        return []
    return list(
        session.scalars(
            select(User).where(*_ACTIVE_THERAPIST, *where).order_by(User.name, User.id).limit(NAMES_SHOWN)
        )
    )


def _reminded(session: Session, challenge: Challenge, therapists: list[User]) -> set[int]:
    """Which of the therapists shown were reminded: their own keys, by the unique index."""
    if not therapists:
        return set()
    keys = session.scalars(
        select(OutboxMail.dedupe_key).where(OutboxMail.dedupe_key.in_([_reminder_key(challenge, t) for t in therapists]))
    )
    return {int(key.rsplit(":", 1)[1]) for key in keys if key}


def _reminder_key(challenge: Challenge, therapist: User) -> str:
    return f"personal_reminder:{challenge.id}:{therapist.id}"


def of(
    session: Session,
    challenge: Challenge,
    answers_by_state: Mapping[str, int] | None = None,
    now: dt.datetime | None = None,
) -> Progress:
    """From the challenge's answers by state (`challenges.counts_of`, which the
    review page has already), in at most five more statements, none of which
    reads more than NAMES_SHOWN people or the few who are not active therapists."""
    now = now or utcnow()
    if answers_by_state is None:
        answers_by_state = challenges.counts_of(session, challenge)
    active, by_state = _active_counts(session, challenge, answers_by_state)
    drafting = sum(n for state, n in by_state.items() if state in NOT_SUBMITTED)
    submitted = sum(by_state.values()) - drafting
    not_started = active - submitted - drafting
    drafting_ids = select(Answer.author_id).where(Answer.challenge_id == challenge.id, Answer.state.in_(NOT_SUBMITTED))
    drafting_first = _first_by_name(session, drafting, User.id.in_(drafting_ids))
    # walks the therapists by name and stops at the NAMES_SHOWN-th without an answer
    has_answered = exists().where(Answer.challenge_id == challenge.id, Answer.author_id == User.id)
    not_started_first = _first_by_name(session, not_started, ~has_answered)
    days_left = None
    if challenge.closes_at is not None:
        days_left = max(0, math.ceil((challenge.closes_at - now) / dt.timedelta(days=1)))
    return Progress(
        submitted=submitted,
        drafting=Group(drafting, drafting_first),
        not_started=Group(not_started, not_started_first),
        reminded=_reminded(session, challenge, drafting_first + not_started_first),
        closes_at=challenge.closes_at,
        days_left=days_left,
    )


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
    if answer_state is not None and answer_state not in NOT_SUBMITTED:
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
