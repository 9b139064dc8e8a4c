"""Challenges: create, edit, and the moves between states."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation import audit, editor_markdown
from curation.errors import Conflict, NotFound
from curation.models import (
    Answer,
    AnswerState,
    AuditEntry,
    Challenge,
    ChallengeState,
    User,
)

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


def counts_of(session: Session, challenge: Challenge) -> dict[str, int]:
    """The challenge's answers counted by state, in one query."""
    return {
        AnswerState(state).value: number
        for state, number in session.execute(
            select(Answer.state, func.count(Answer.id)).where(Answer.challenge_id == challenge.id).group_by(Answer.state)
        )
    }


@dataclasses.dataclass(frozen=True)
class NextStep:
    """What the challenge needs from the editor now, and the other actions that make sense.

    `key` is one of: open, wait, review, order, close, publish, reopen, correction, done.
    """

    key: str
    text: str
    count: int = 0
    also: frozenset[str] = frozenset()  # preview, order, publish: offered beside the next step


def ordered_ids(session: Session) -> set[int]:
    """Challenges whose quotes the editor has put in order at least once (from the audit log)."""
    return set(
        session.scalars(
            select(AuditEntry.subject_id).where(
                AuditEntry.action == "challenge.reordered", AuditEntry.subject_type == "challenge"
            ).distinct()
        )
    )


def is_ordered(session: Session, challenge: Challenge) -> bool:
    return session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "challenge.reordered",
            AuditEntry.subject_type == "challenge",
            AuditEntry.subject_id == challenge.id,
        ).limit(1)
    ) is not None


def next_step(
    challenge: Challenge, counts: dict[str, int], *, ordered: bool = False, correction_owed: bool = False
) -> NextStep:
    submitted = counts.get(AnswerState.SUBMITTED, 0)
    approved = counts.get(AnswerState.APPROVED, 0)
    drafts = counts.get(AnswerState.DRAFT, 0) + counts.get(AnswerState.CHANGES_REQUESTED, 0)
    also = {"preview"}
    if approved > 1:
        also.add("order")
    if challenge.state in (ChallengeState.CLOSED, ChallengeState.PUBLISHED) and approved:
        also.add("publish")

    def step(key: str, text: str, count: int = 0) -> NextStep:
        return NextStep(key, text, count, frozenset(also - {key}))

    if challenge.state == ChallengeState.DRAFT:
        return step("open", "Open it for answers: therapists get an e-mail and can answer until the deadline.")
    if challenge.state == ChallengeState.PUBLISHED:
        if correction_owed:
            return step("correction", "The public page does not show your latest changes yet: see below what a correction changes.")
        return step("done", "Published.")
    if submitted:
        return step("review", f"Review {submitted} submitted answer{'' if submitted == 1 else 's'}.", submitted)
    if challenge.state == ChallengeState.OPEN:
        if not approved:
            waiting = f" {drafts} therapist{' is' if drafts == 1 else 's are'} still writing." if drafts else ""
            return step("wait", "Wait for answers: none is waiting for review." + waiting, drafts)
        if approved > 1 and not ordered:
            return step("order", f"Put the {approved} approved quotes in the order that reads best.", approved)
        return step("close", "Close it when enough answers are in, so none arrives while you publish.")
    if not approved:
        return step("reopen", "No answer is approved yet: reopen it for answers, or review the ones you have.")
    if approved > 1 and not ordered:
        return step("order", f"Put the {approved} approved quotes in the order that reads best.", approved)
    return step("publish", "Preview it, then publish.", approved)
