"""Correcting the words of a published quote, only with its author's consent.

An editor may propose a new excerpt (or the whole answer instead); the author
accepts or declines it as they did their first excerpt. An author may propose
corrected wording; an editor approves it, with or without an excerpt that the
author then accepts. The answer's words change only once both sides agreed;
the next published correction then carries them.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from curation import audit
from curation.db import utcnow
from curation.errors import Conflict, Invalid, NotFound
from curation.excerpts import ELLIPSIS, check_excerpt, excerpt_spans
from curation.models import (
    Answer,
    ExcerptConsent,
    Party,
    QuoteChange,
    QuoteChangeKind,
    QuoteChangeState,
    User,
)
from curation.security import clean_text

# Shown beside the words the author agrees to, and kept with their consent.
CONSENT_STATEMENT = "I agree that these exact words may be published as my quote, credited as I chose."
OPEN = (QuoteChangeState.PENDING, QuoteChangeState.APPROVED)
STALE = (
    "These words are no longer the ones waiting for a decision: newer words were proposed "
    "or this proposal was already answered. Nothing was changed; the page now shows the current proposal."
)


Q = QuoteChangeState
# Which state may follow which; who may make a move is asked by awaits_author / awaits_editor.
TRANSITIONS: dict[QuoteChangeState, set[QuoteChangeState]] = {
    Q.PENDING: {Q.APPROVED, Q.ACCEPTED, Q.DECLINED, Q.SUPERSEDED},
    Q.APPROVED: {Q.ACCEPTED, Q.DECLINED, Q.SUPERSEDED},
    Q.ACCEPTED: set(),
    Q.DECLINED: set(),
    Q.SUPERSEDED: set(),
}


def _move(change: QuoteChange, to: QuoteChangeState, now: dt.datetime) -> None:
    """The one place a proposal changes state."""
    if to not in TRANSITIONS[change.state]:
        raise Conflict(STALE)
    change.state = to
    change.decided_at = now


def _require_published(answer: Answer) -> None:
    if answer.published_at is None or answer.consent_withdrawn_at is not None:
        raise Invalid(
            "Only the words of a published quote are corrected this way. This answer is not "
            "published, so its words are still settled in review."
        )


def open_change(session: Session, answer: Answer) -> QuoteChange | None:
    return session.scalar(
        select(QuoteChange)
        .where(QuoteChange.answer_id == answer.id, QuoteChange.state.in_(OPEN))
        .order_by(QuoteChange.id.desc())
        .limit(1)
    )


def open_changes_by_answer(session: Session, answer_ids: list[int]) -> dict[int, QuoteChange]:
    if not answer_ids:
        return {}
    rows = session.scalars(
        select(QuoteChange)
        .where(QuoteChange.answer_id.in_(answer_ids), QuoteChange.state.in_(OPEN))
        .order_by(QuoteChange.id)
    )
    return {c.answer_id: c for c in rows}


def _supersede_open(session: Session, answer: Answer, now: dt.datetime) -> None:
    for change in session.scalars(
        select(QuoteChange).where(QuoteChange.answer_id == answer.id, QuoteChange.state.in_(OPEN))
    ):
        _move(change, Q.SUPERSEDED, now)


def propose_by_editor(
    session: Session, answer: Answer, editor: User, *, excerpt: str, note: str = "", now: dt.datetime | None = None
) -> QuoteChange:
    """New words for a published quote: an excerpt, or the whole answer when empty."""
    now = now or utcnow()
    _require_published(answer)
    excerpt = excerpt.strip()
    if excerpt and excerpt.replace("...", ELLIPSIS) != answer.body.strip():
        kind, text = QuoteChangeKind.EXCERPT, check_excerpt(answer.body, excerpt)
    else:
        kind, text = QuoteChangeKind.WHOLE_ANSWER, answer.body
    if (text if kind == QuoteChangeKind.EXCERPT else None) == answer.excerpt:
        raise Invalid("These are the words already published; change the excerpt to propose new ones.", field="excerpt")
    _supersede_open(session, answer, now)
    change = QuoteChange(
        answer_id=answer.id, proposed_by=Party.EDITOR, proposer_id=editor.id, kind=kind, text=text,
        note=note.strip(), state=QuoteChangeState.PENDING, created_at=now,
    )
    session.add(change)
    session.flush()
    audit.record(session, editor, "quote.change_proposed", answer, f"{kind}: {text}")
    return change


def propose_by_author(
    session: Session, answer: Answer, author: User, *, body: str, note: str = "", now: dt.datetime | None = None
) -> QuoteChange:
    """The author's corrected wording, for an editor to approve."""
    now = now or utcnow()
    if answer.author_id != author.id:
        raise NotFound("There is no such answer.")
    _require_published(answer)
    body = clean_text(body).strip()
    if not body:
        raise Invalid("Please write the corrected wording of your answer.", field="body")
    if body == answer.body.strip():
        raise Invalid("This is the wording already published; change the words you want corrected.", field="body")
    limit = answer.challenge.word_limit
    words = len(body.split())
    if limit and words > limit:
        raise Invalid(f"The corrected answer has {words} words; this challenge asks for at most {limit}.", field="body")
    _supersede_open(session, answer, now)
    change = QuoteChange(
        answer_id=answer.id, proposed_by=Party.AUTHOR, proposer_id=author.id, kind=QuoteChangeKind.WORDING,
        text=body, note=note.strip(), state=QuoteChangeState.PENDING, created_at=now,
    )
    session.add(change)
    session.flush()
    audit.record(session, author, "quote.correction_requested", answer, body)
    return change


def _current(session: Session, answer: Answer, change_id: int | None) -> QuoteChange:
    """The proposal the decision is about, if it is still the one open; else 409."""
    change = session.get(QuoteChange, change_id) if change_id else None
    if change is None or change.answer_id != answer.id:
        raise NotFound("There is no such proposal.")
    if change.state not in OPEN or change.id != getattr(open_change(session, answer), "id", None):
        raise Conflict(STALE)
    return change


def proposed_spans(change: QuoteChange) -> list[tuple[str, bool]]:
    """What the proposed words keep of the answer (or of the author's new wording)."""
    base = change.text if change.kind == QuoteChangeKind.WORDING else change.answer.body
    return excerpt_spans(base, change.words)


def awaits_author(change: QuoteChange | None) -> bool:
    """Words the author is asked to accept: the editor's proposal, or the editor's
    excerpt of the author's own wording."""
    if change is None:
        return False
    if change.proposed_by == Party.EDITOR:
        return change.state == QuoteChangeState.PENDING
    return change.state == QuoteChangeState.APPROVED


def awaits_editor(change: QuoteChange | None) -> bool:
    return change is not None and change.proposed_by == Party.AUTHOR and change.state == QuoteChangeState.PENDING


def decide_as_author(
    session: Session, answer: Answer, author: User, *, change_id: int | None, accept: bool, note: str = "",
    now: dt.datetime | None = None,
) -> QuoteChange:
    now = now or utcnow()
    if answer.author_id != author.id:
        raise NotFound("There is no such answer.")
    change = _current(session, answer, change_id)
    if not awaits_author(change):
        raise Conflict(STALE)
    change.response_note = note.strip()
    if accept:
        _apply(session, change, author, now)
    else:
        _move(change, Q.DECLINED, now)
        audit.record(session, author, "quote.change_declined", answer, note.strip() or "no note")
    session.flush()
    return change


def decide_as_editor(
    session: Session, answer: Answer, editor: User, *, change_id: int | None, approve: bool, excerpt: str = "",
    note: str = "", now: dt.datetime | None = None,
) -> QuoteChange:
    now = now or utcnow()
    change = _current(session, answer, change_id)
    if not awaits_editor(change):
        raise Conflict(STALE)
    change.response_note = note.strip()
    if not approve:
        _move(change, Q.DECLINED, now)
        audit.record(session, editor, "quote.correction_declined", answer, note.strip() or "no note")
    elif excerpt.strip() and excerpt.strip().replace("...", ELLIPSIS) != change.text:
        # the author consents to the exact words: their own wording, cut, is asked again
        change.excerpt = check_excerpt(change.text, excerpt)
        _move(change, Q.APPROVED, now)
        audit.record(session, editor, "quote.correction_approved", answer, f"with an excerpt: {change.excerpt}")
    else:
        audit.record(session, editor, "quote.correction_approved", answer, "the whole corrected answer")
        _apply(session, change, answer.author, now)
    session.flush()
    return change


def _apply(session: Session, change: QuoteChange, author: User, now: dt.datetime) -> None:
    """Both sides agreed: the answer takes the new words, with the author's consent on record."""
    answer = change.answer
    if change.kind == QuoteChangeKind.WORDING:
        answer.body = change.text
        answer.excerpt = change.excerpt
    elif change.kind == QuoteChangeKind.EXCERPT:
        answer.excerpt = change.text
    else:
        answer.excerpt = None
    answer.excerpt_consent = ExcerptConsent.ACCEPTED if answer.excerpt else ExcerptConsent.NONE
    answer.excerpt_author_note = change.response_note
    _move(change, Q.ACCEPTED, now)
    change.applied_at = change.consented_at = now
    change.consent_by_id = author.id
    change.consented_words = answer.quote_text
    change.consent_statement = CONSENT_STATEMENT
    if not answer.excerpt:
        answer.submitted_at = now  # a whole answer's consent is dated by its submission
    session.flush()
    # the publication's consent record reads the time of the excerpt in force from here
    audit.record(
        session, author, "answer.excerpt_accepted" if answer.excerpt else "quote.change_accepted", answer,
        answer.quote_text,
    )


def unpublished_changes(session: Session, answer: Answer) -> list[QuoteChange]:
    """Agreed changes of this answer's words that no published version carries yet."""
    changes = session.scalars(
        select(QuoteChange)
        .where(QuoteChange.answer_id == answer.id, QuoteChange.state == QuoteChangeState.ACCEPTED)
        .order_by(QuoteChange.applied_at, QuoteChange.id)
    )
    return [
        c for c in changes
        if answer.published_at is None or (c.applied_at is not None and c.applied_at > answer.published_at)
    ]


def answers_with_unpublished_changes():
    """The ids of published answers whose agreed new words wait for a correction (a subquery)."""
    return (
        select(QuoteChange.answer_id)
        .join(Answer, Answer.id == QuoteChange.answer_id)
        .where(
            QuoteChange.state == QuoteChangeState.ACCEPTED,
            Answer.published_at.is_not(None),
            QuoteChange.applied_at > Answer.published_at,
        )
    )


def correction_requests(session: Session) -> list[QuoteChange]:
    """Authors' corrected wordings waiting for an editor, oldest first."""
    return list(
        session.scalars(
            select(QuoteChange)
            .where(QuoteChange.proposed_by == Party.AUTHOR, QuoteChange.state == QuoteChangeState.PENDING)
            .options(selectinload(QuoteChange.answer).selectinload(Answer.author),
                     selectinload(QuoteChange.answer).selectinload(Answer.challenge))
            .order_by(QuoteChange.created_at, QuoteChange.id)
        )
    )


_WORDS_AND_SPACE = re.compile(r"\s+|\S+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(text, "same" | "removed" | "added") runs, word by word, for the editor to read."""
    before, after = _WORDS_AND_SPACE.findall(old), _WORDS_AND_SPACE.findall(new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("".join(before[i1:i2]), "same"))
            continue
        if i2 > i1:
            runs.append(("".join(before[i1:i2]), "removed"))
        if j2 > j1:
            runs.append(("".join(after[j1:j2]), "added"))
    return runs
