"""The life of an answer: which state may follow which, who may make each move,
and the one function that makes it.

Every other module asks here: the services before they act, the templates
through the `can_…` helpers, so no page restates a rule in its own words.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation import audit
from curation.db import utcnow
from curation.errors import Conflict, NotFound
from curation.models import (
    Answer,
    AnswerHistory,
    AnswerState,
    ExcerptConsent,
    Party,
    User,
)

Actor = Party
S = AnswerState
_EDITOR_DECISIONS = {S.APPROVED: Actor.EDITOR, S.CHANGES_REQUESTED: Actor.EDITOR, S.REJECTED: Actor.EDITOR}

# From-state → {to-state: who may make that move}. An editor may revise a
# decision (approve again with another excerpt, reject after approving); the
# author may always take an answer back until it is published.
TRANSITIONS: dict[AnswerState, dict[AnswerState, Actor]] = {
    S.DRAFT: {S.SUBMITTED: Actor.AUTHOR, S.WITHDRAWN: Actor.AUTHOR},
    S.SUBMITTED: {S.WITHDRAWN: Actor.AUTHOR, **_EDITOR_DECISIONS},
    S.CHANGES_REQUESTED: {S.SUBMITTED: Actor.AUTHOR, S.WITHDRAWN: Actor.AUTHOR, **_EDITOR_DECISIONS},
    S.APPROVED: {S.WITHDRAWN: Actor.AUTHOR, **_EDITOR_DECISIONS},
    S.REJECTED: {S.WITHDRAWN: Actor.AUTHOR, **_EDITOR_DECISIONS},
    S.WITHDRAWN: {S.DRAFT: Actor.AUTHOR},
}

# States in which the author may still change the text.
EDITABLE = frozenset({S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.WITHDRAWN})
# States an editor ever sees: drafts belong to their authors alone.
QUEUE_STATES = (S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED)
REVIEWABLE = frozenset(QUEUE_STATES)
# Answers in these states do not count as submitted: their authors get reminders.
NOT_SUBMITTED = (S.DRAFT, S.WITHDRAWN)
# Every state, in the order an answer usually lives them (the dashboard's columns).
ALL_STATES = (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED, S.WITHDRAWN)


def actor_role(answer: Answer, actor: User) -> Actor:
    if actor.id == answer.author_id:
        return Actor.AUTHOR
    if actor.is_editor:
        return Actor.EDITOR
    raise NotFound("There is no such answer.")


def may_move(answer: Answer, to: AnswerState, role: Actor) -> bool:
    return TRANSITIONS[answer.state].get(to) == role


def move(
    session: Session,
    answer: Answer,
    to: AnswerState,
    actor: User,
    *,
    note: str = "",
    now: dt.datetime | None = None,
    action: str | None = None,
    detail: str | None = None,
) -> None:
    """The one place an answer changes state: checks the table, keeps the
    quotes' order, stamps the times, writes the history (with this move's own
    note) and the audit entry."""
    now = now or utcnow()
    role = actor_role(answer, actor)
    before = answer.state
    if not may_move(answer, to, role):
        raise Conflict(f"This answer is {describe(before)}; it cannot be {describe(to)} from there.")
    challenge = answer.challenge
    if to == S.APPROVED and before != S.APPROVED:
        answer.position = _next_position(session, answer)
        challenge.order_version += 1
    elif to != S.APPROVED and answer.position is not None:
        answer.position = None
        challenge.order_version += 1
    answer.state = to
    if to == S.SUBMITTED:
        answer.submitted_at = now  # when the author consented to these exact words
    # the note of the decision in force: an author's move leaves none standing
    answer.editor_note = note.strip() if role == Actor.EDITOR else ""
    if role == Actor.EDITOR:
        answer.reviewed_at = now
    session.add(
        AnswerHistory(
            answer_id=answer.id, from_state=before, to_state=to, party=role, actor_id=actor.id, note=note.strip(), at=now
        )
    )
    session.flush()
    audit.record(session, actor, action or f"answer.{to}", answer, f"{before} → {to}" if detail is None else detail)


def _next_position(session: Session, answer: Answer) -> int:
    highest = session.scalar(
        select(func.max(Answer.position)).where(
            Answer.challenge_id == answer.challenge_id, Answer.state == S.APPROVED
        )
    )
    return (highest or 0) + 1


# What each move did, said as a person would.
_MOVE_LINES = {
    S.SUBMITTED: "submitted the answer",
    S.APPROVED: "approved it",
    S.CHANGES_REQUESTED: "asked for changes",
    S.REJECTED: "decided not to use it",
    S.WITHDRAWN: "withdrew it",
    S.DRAFT: "took it back as a draft",
}


def history_line(entry: AnswerHistory) -> str:
    if entry.from_state == S.CHANGES_REQUESTED and entry.to_state == S.SUBMITTED:
        return "resubmitted the answer with changes"
    if entry.from_state == entry.to_state:
        return f"{_MOVE_LINES[entry.to_state]} again"
    return _MOVE_LINES[entry.to_state]


def current_decision(answer: Answer) -> AnswerHistory | None:
    """The editor's decision the answer stands on now, if its last move was one."""
    last = answer.history[-1] if answer.history else None
    return last if last is not None and last.party == Actor.EDITOR else None


def current_note(answer: Answer) -> str:
    """The note of the decision in force; none once the author has moved since."""
    decision = current_decision(answer)
    if decision is not None:
        return decision.note
    # answers reviewed before the history was kept have only the column
    return "" if answer.history else answer.editor_note


# How a state reads in a sentence about the answer: "Your answer is …".
_DESCRIPTIONS = {
    S.DRAFT: "a draft",
    S.SUBMITTED: "submitted",
    S.CHANGES_REQUESTED: "back with you: an editor asked for changes",
    S.APPROVED: "approved",
    S.REJECTED: "not selected",
    S.WITHDRAWN: "withdrawn",
}


def describe(state: AnswerState | str) -> str:
    return _DESCRIPTIONS[AnswerState(state)]


# The state as a sentence to the author, and as the editor's flash after deciding.
_TO_AUTHOR = {
    S.DRAFT: "Your answer is a draft: only you can see it.",
    S.SUBMITTED: "Your answer is submitted.",
    S.CHANGES_REQUESTED: "An editor asked for changes.",
    S.APPROVED: "Your answer is approved.",
    S.REJECTED: "The editor decided not to use your answer this time.",
    S.WITHDRAWN: "You withdrew your answer.",
}
_DECIDED = {
    S.APPROVED: "{name}’s answer is approved.",
    S.CHANGES_REQUESTED: "{name} is asked for changes, with your note.",
    S.REJECTED: "{name}’s answer will not be used.",
}


def state_sentence(state: AnswerState | str) -> str:
    return _TO_AUTHOR[AnswerState(state)]


def decided_sentence(answer: Answer) -> str:
    return _DECIDED[answer.state].format(name=answer.author.name)


# What the author said to an excerpt, to the author ("you") and to the editor.
_CONSENT_TO_AUTHOR = {
    ExcerptConsent.PENDING: "you have not decided yet",
    ExcerptConsent.ACCEPTED: "you agreed to these words",
    ExcerptConsent.DECLINED: "you declined this excerpt",
    ExcerptConsent.NONE: "no excerpt",
}
_CONSENT_TO_EDITOR = {
    ExcerptConsent.PENDING: "waiting for the author",
    ExcerptConsent.ACCEPTED: "accepted",
    ExcerptConsent.DECLINED: "declined",
    ExcerptConsent.NONE: "no excerpt",
}


def consent_to_author(consent: ExcerptConsent | str) -> str:
    return _CONSENT_TO_AUTHOR[ExcerptConsent(consent)]


def consent_to_editor(consent: ExcerptConsent | str) -> str:
    return _CONSENT_TO_EDITOR[ExcerptConsent(consent)]


# The helpers the templates ask instead of restating the rules.
def can_edit(answer: Answer | None) -> bool:
    return answer is None or answer.state in EDITABLE


def can_withdraw(answer: Answer | None) -> bool:
    return answer is not None and answer.published_at is None and S.WITHDRAWN in TRANSITIONS[answer.state]


def can_withdraw_consent(answer: Answer | None) -> bool:
    return answer is not None and answer.published_at is not None and answer.consent_withdrawn_at is None


def can_review(answer: Answer | None) -> bool:
    return answer is not None and answer.state in REVIEWABLE


def is_quoted(answer: Answer | None) -> bool:
    """Approved: one of the feature's quotes, in the editor's order."""
    return answer is not None and answer.state == S.APPROVED


def has_excerpt_to_show(answer: Answer | None) -> bool:
    return answer is not None and is_quoted(answer) and bool(answer.excerpt)


def has_card_excerpt_to_show(answer: Answer | None) -> bool:
    return answer is not None and is_quoted(answer) and bool(answer.card_excerpt)


def can_answer_excerpt(answer: Answer | None) -> bool:
    """The author may still accept or decline the editor's excerpt (or card excerpt)."""
    return answer is not None and is_quoted(answer) and answer.published_at is None


def is_waiting_for_changes(answer: Answer | None) -> bool:
    """The editor asked for a revision: resubmitting is open even after the deadline."""
    return answer is not None and answer.state == S.CHANGES_REQUESTED


def saves_as_changes(answer: Answer | None) -> bool:
    """A submitted answer stays submitted: saving it saves changes, never a draft,
    and autosave leaves it alone."""
    return answer is not None and answer.state == S.SUBMITTED


def excerpt_declined(answer: Answer) -> bool:
    return bool(answer.excerpt) and answer.excerpt_consent == ExcerptConsent.DECLINED


TEMPLATE_HELPERS = {
    f.__name__: f
    for f in (
        can_edit,
        can_withdraw,
        can_withdraw_consent,
        can_review,
        is_quoted,
        has_excerpt_to_show,
        has_card_excerpt_to_show,
        can_answer_excerpt,
        is_waiting_for_changes,
        saves_as_changes,
        excerpt_declined,
        describe,
        state_sentence,
        consent_to_author,
        consent_to_editor,
        current_note,
        history_line,
    )
}
