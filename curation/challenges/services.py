"""Challenges: create, edit, and the moves between states."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation import audit, editor_markdown
from curation.errors import Conflict, NotFound
from curation.models import Answer, AnswerState, Challenge, ChallengeState, User

EDITABLE_FIELDS = (
    "title", "topic", "question", "intro", "challengers", "outro", "closes_at", "word_limit",
    "challenge_text", "challengers_text", "results_title",
)
OPTIONAL_TEXT = ("intro", "outro", "challenge_text", "challengers_text", "results_title")
# The fields written in Markdown, each rendered once into its `<name>_html` column.
MARKDOWN_FIELDS = ("intro", "outro", "challenge_text", "challengers_text")

# Which state may follow which; publishing and unpublishing live in publishing.
TRANSITIONS: dict[ChallengeState, set[ChallengeState]] = {
    ChallengeState.DRAFT: {ChallengeState.OPEN},
    ChallengeState.OPEN: {ChallengeState.CLOSED},
    ChallengeState.CLOSED: {ChallengeState.OPEN, ChallengeState.PUBLISHED},
    ChallengeState.PUBLISHED: {ChallengeState.PUBLISHED, ChallengeState.CLOSED},
}


def may_move(challenge: Challenge, to: ChallengeState | str) -> bool:
    """Whether the table allows this move now; pages ask this instead of restating it."""
    return ChallengeState(to) in TRANSITIONS[challenge.state]


def get(session: Session, challenge_id: int) -> Challenge:
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound("There is no such challenge.")
    return challenge


def get_visible_to_therapists(session: Session, challenge_id: int) -> Challenge:
    """Therapists never see a challenge still in draft."""
    challenge = get(session, challenge_id)
    if challenge.state == ChallengeState.DRAFT:
        raise NotFound("There is no such challenge.")
    return challenge


def _apply(challenge: Challenge, fields: dict[str, Any]) -> None:
    for name in EDITABLE_FIELDS:
        if name in fields:
            # an optional section left out of a form is empty, not missing
            setattr(challenge, name, "" if fields[name] is None and name in OPTIONAL_TEXT else fields[name])
    for name in MARKDOWN_FIELDS:
        setattr(challenge, f"{name}_html", editor_markdown.to_html(getattr(challenge, name) or ""))


def create(session: Session, editor: User, fields: dict[str, Any]) -> Challenge:
    challenge = Challenge(state=ChallengeState.DRAFT)
    _apply(challenge, fields)
    session.add(challenge)
    session.flush()
    audit.record(session, editor, "challenge.created", challenge, challenge.title)
    return challenge


def update(session: Session, challenge: Challenge, editor: User, fields: dict[str, Any]) -> None:
    _apply(challenge, fields)
    session.flush()
    audit.record(session, editor, "challenge.edited", challenge, challenge.title)


def move(session: Session, challenge: Challenge, to: ChallengeState, actor: User) -> None:
    """The one place a challenge changes state."""
    if to not in TRANSITIONS[challenge.state]:
        raise Conflict(
            f"This challenge is {challenge.state}; it cannot be made {to} from there."
        )
    before = challenge.state
    challenge.state = to
    session.flush()
    audit.record(session, actor, f"challenge.{to}", challenge, f"{before} → {to}")


def open_challenge(session: Session, challenge: Challenge, editor: User) -> None:
    move(session, challenge, ChallengeState.OPEN, editor)


def close_challenge(session: Session, challenge: Challenge, editor: User) -> None:
    move(session, challenge, ChallengeState.CLOSED, editor)


def all_with_counts(session: Session) -> list[tuple[Challenge, dict[str, int]]]:
    """Every challenge, newest first, with its answers counted by state (two queries)."""
    challenges = session.scalars(select(Challenge).order_by(Challenge.created_at.desc(), Challenge.id.desc())).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for challenge_id, state, number in session.execute(
        select(Answer.challenge_id, Answer.state, func.count(Answer.id)).group_by(Answer.challenge_id, Answer.state)
    ):
        counts[challenge_id][AnswerState(state).value] = number
    return [(c, counts[c.id]) for c in challenges]


def open_for_therapists(session: Session) -> list[Challenge]:
    return list(
        session.scalars(
            select(Challenge).where(Challenge.state == ChallengeState.OPEN).order_by(Challenge.closes_at, Challenge.id)
        )
    )
