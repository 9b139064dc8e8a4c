"""The therapist's own answers: save, submit, withdraw."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from curation import audit
from curation.answers.lifecycle import EDITABLE, move
from curation.db import rows_changed, utcnow
from curation.errors import Conflict, Invalid, NotAllowed, NotFound
from curation.excerpts import count_words
from curation.models import (
    Answer,
    AnswerHistory,
    AnswerState,
    Challenge,
    ChallengeState,
    ConsentRecord,
    Credit,
    ExcerptConsent,
    PrivacyAcknowledgement,
    QuoteCard,
    QuoteChange,
    User,
)
from curation.security import clean_text

MAX_ANSWER_CHARS = 20_000
# The exact words of the consent box and the excerpt decision, as shown: a
# consent record keeps the words the person agreed to, not a paraphrase.
CONSENT_STATEMENT = "I agree that my answer may be published, credited as I chose above."
EXCERPT_STATEMENTS = {True: "Yes, publish these words", False: "No, I do not agree to this excerpt"}


class Outcome(enum.StrEnum):
    SAVED = "saved"
    SUBMITTED = "submitted"
    CHANGES_SAVED = "changes_saved"  # a submitted answer, changed and still submitted
    KEPT_AS_DRAFT = "kept_as_draft"  # submit refused after the deadline; the text is safe


def own_answer(session: Session, challenge: Challenge, author: User, *, for_update: bool = False) -> Answer | None:
    statement = select(Answer).where(Answer.challenge_id == challenge.id, Answer.author_id == author.id)
    if for_update:
        # On PostgreSQL two saves of one answer (a double click, an editor's review
        # meanwhile) would both act on what they read before the other committed:
        # the row lock makes them take turns, each seeing the other's outcome.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.scalar(statement)


def own_answer_or_404(session: Session, challenge: Challenge, author: User) -> Answer:
    answer = own_answer(session, challenge, author)
    if answer is None:
        raise NotFound("You have no answer to this challenge yet.")
    return answer


def answers_of(session: Session, author: User) -> list[Answer]:
    return list(
        session.scalars(
            select(Answer)
            .where(Answer.author_id == author.id)
            .options(selectinload(Answer.challenge), selectinload(Answer.history))
            .order_by(Answer.updated_at.desc())
        )
    )


def own_answers_by_challenge(session: Session, author: User, challenge_ids: list[int]) -> dict[int, Answer]:
    if not challenge_ids:
        return {}
    rows = session.scalars(
        select(Answer).where(Answer.author_id == author.id, Answer.challenge_id.in_(challenge_ids))
    )
    return {a.challenge_id: a for a in rows}


def submit_problem(challenge: Challenge, answer: Answer | None, now: dt.datetime) -> str | None:
    """Why this answer (or a new one) cannot be submitted now, in words for its
    author; None when it can."""
    if answer is not None and answer.state == AnswerState.CHANGES_REQUESTED:
        # The editor asked for this revision, so the deadline does not apply.
        if challenge.state in (ChallengeState.OPEN, ChallengeState.CLOSED):
            return None
        return "This challenge has been published, so answers can no longer change."
    if challenge.accepts_answers(now):
        return None
    if challenge.state == ChallengeState.OPEN:
        return "This challenge is closed for new answers: its deadline has passed."
    return "This challenge is closed for new answers."


def save(
    session: Session,
    challenge: Challenge,
    author: User,
    *,
    body: str,
    credit: Credit | str,
    consent: bool,
    submit: bool,
    now: dt.datetime | None = None,
) -> tuple[Answer, Outcome]:
    """Keep the author's text; submit it too when asked and allowed.

    When submitting is not allowed any more (deadline, closed challenge) the text
    is still saved as a draft and the outcome says so.
    """
    now = now or utcnow()
    body = clean_text(body)  # forms clean it too; a script or CLI caller might not
    if challenge.state == ChallengeState.DRAFT:
        raise NotFound("There is no such challenge.")
    if len(body) > MAX_ANSWER_CHARS:
        raise Invalid(f"An answer can be at most {MAX_ANSWER_CHARS:,} characters long.")
    answer = own_answer(session, challenge, author, for_update=True)
    if answer is None:
        answer = _create_draft(session, challenge, author)
        if answer.state not in EDITABLE:
            raise NotAllowed(_not_editable_message(answer))
    elif answer.state not in EDITABLE:
        raise NotAllowed(_not_editable_message(answer))
    elif answer.state == AnswerState.SUBMITTED and not challenge.accepts_answers(now):
        raise NotAllowed(
            "Your submitted answer can no longer be changed: the challenge stopped taking "
            "answers. The editor will review the version you submitted."
        )

    if answer.state == AnswerState.WITHDRAWN:
        move(session, answer, AnswerState.DRAFT, author, now=now, action="answer.redrafted", detail="")
    # A submitted answer stays submitted: saving changes to it submits the new
    # words, so they too carry consent and keep to the word limit.
    submit = submit or answer.state == AnswerState.SUBMITTED
    answer.body = body
    answer.credit = Credit(credit)
    answer.has_consent = bool(consent)
    answer.updated_at = now

    if not submit:
        session.flush()
        return answer, Outcome.SAVED

    problem = submit_problem(challenge, answer, now)
    if problem is not None:
        if answer.state == AnswerState.SUBMITTED:
            raise NotAllowed(problem)
        session.flush()
        return answer, Outcome.KEPT_AS_DRAFT
    if not body.strip():
        raise Invalid("Please write your answer before submitting it.", field="body")
    if not consent:
        raise Invalid("Please tick the box to agree to publication before submitting.", field="consent")
    words = count_words(body)
    if challenge.word_limit and words > challenge.word_limit:
        raise Invalid(
            f"Your answer has {words} words; this challenge asks for at most "
            f"{challenge.word_limit}. Your text is kept below: shorten it, or save it as a draft."
        )
    record_consent(session, answer, "submit", CONSENT_STATEMENT, body, now)
    if answer.state == AnswerState.SUBMITTED:
        answer.submitted_at = now  # consent now covers the changed words
        session.flush()
        return answer, Outcome.CHANGES_SAVED
    move(session, answer, AnswerState.SUBMITTED, author, now=now)
    return answer, Outcome.SUBMITTED


def _create_draft(session: Session, challenge: Challenge, author: User) -> Answer:
    """A new draft; if a double click already made one, use that one."""
    answer = Answer(challenge_id=challenge.id, author_id=author.id, state=AnswerState.DRAFT)
    try:
        with session.begin_nested():
            session.add(answer)
            session.flush()
    except IntegrityError:
        existing = own_answer(session, challenge, author, for_update=True)
        if existing is None:
            raise
        return existing
    audit.record(session, author, "answer.drafted", answer)
    return answer


def _not_editable_message(answer: Answer) -> str:
    if answer.state == AnswerState.APPROVED:
        return "Your answer has been approved, so it can no longer be changed here."
    return "Your answer has been reviewed, so it can no longer be changed here."


def withdraw(session: Session, answer: Answer, author: User) -> None:
    if answer.author_id != author.id:
        raise NotFound("There is no such answer.")
    if answer.published_at is not None:
        raise NotAllowed(
            "This answer is part of a published feature. To take it back, withdraw your "
            "consent on “My answers” and the editor will publish a correction."
        )
    if answer.state == AnswerState.WITHDRAWN:
        return
    move(session, answer, AnswerState.WITHDRAWN, author)


def autosave(session: Session, challenge: Challenge, author: User, *, body: str, credit: str, consent: bool) -> Answer:
    """A draft kept while typing. A submitted answer changes only when its author
    presses a button, so autosave leaves it alone."""
    answer = own_answer(session, challenge, author)
    if answer is not None and answer.state == AnswerState.SUBMITTED:
        raise Conflict("Your answer is submitted; changes are saved when you press “Save changes”.")
    answer, _ = save(session, challenge, author, body=body, credit=credit, consent=consent, submit=False)
    return answer


def decide_excerpt(
    session: Session, answer: Answer, author: User, *, accept: bool, note: str = "", kind: str = "excerpt"
) -> None:
    """The author agrees to the editor's excerpt (or the card's excerpt), or sends it back with a note."""
    field = "card_excerpt" if kind == "card" else "excerpt"  # the columns: <field>, <field>_consent, <field>_author_note
    what = "card excerpt" if kind == "card" else "excerpt"
    words = getattr(answer, field)
    if answer.author_id != author.id or answer.state != AnswerState.APPROVED or not words:
        raise NotFound(f"There is no {what} waiting for your decision.")
    if getattr(answer, f"{field}_consent") == ExcerptConsent.NONE:
        raise NotFound(f"There is no {what} waiting for your decision.")
    if answer.published_at is not None:
        raise NotAllowed(
            f"This {what} is published as you agreed to it. To take it back, withdraw your "
            "consent on “My answers” and the editor will publish a correction."
        )
    setattr(answer, f"{field}_consent", ExcerptConsent.ACCEPTED if accept else ExcerptConsent.DECLINED)
    setattr(answer, f"{field}_author_note", note.strip())
    record_consent(
        session, answer, f"{field}_accepted" if accept else f"{field}_declined", EXCERPT_STATEMENTS[accept], words
    )
    session.flush()
    audit.record(
        session,
        author,
        f"answer.{field}_accepted" if accept else f"answer.{field}_declined",
        answer,
        words if accept else (note.strip() or "no note"),
    )


def withdraw_consent(session: Session, answer: Answer, author: User, now: dt.datetime | None = None) -> None:
    """After publication: the quote must come out in a correction."""
    now = now or utcnow()
    if answer.author_id != author.id:
        raise NotFound("There is no such answer.")
    if answer.published_at is None:
        raise Conflict("This answer is not published; you can simply withdraw it.")
    if answer.consent_withdrawn_at is not None:
        return
    answer.consent_withdrawn_at = now
    answer.has_consent = False
    move(session, answer, AnswerState.WITHDRAWN, author, now=now,
         action="answer.consent_withdrawn", detail="a correction is owed")


def own_answer_by_id_or_404(session: Session, author: User, answer_id: int) -> Answer:
    answer = session.get(Answer, answer_id)
    if answer is None or answer.author_id != author.id:
        raise NotFound("There is no such answer.")
    return answer


def record_consent(
    session: Session, answer: Answer, kind: str, statement: str, words: str | None, at: dt.datetime | None = None
) -> ConsentRecord:
    """What the author agreed to (or declined): the statement they saw, the words and credit it covered, when."""
    record = ConsentRecord(
        answer_id=answer.id,
        user_id=answer.author_id,
        kind=kind,
        statement=statement,
        words=words or "",
        credit=str(answer.credit),
        at=at or utcnow(),
    )
    session.add(record)
    session.flush()
    return record


def consents_in_force(session: Session, answers: list[Answer]) -> dict[int, ConsentRecord]:
    """Per answer, the record its publication rests on: the last acceptance of
    its excerpt where it has one, else its last submit."""
    if not answers:
        return {}
    wanted = {a.id: ("excerpt_accepted" if a.excerpt else "submit") for a in answers}
    records = session.scalars(
        select(ConsentRecord).where(ConsentRecord.answer_id.in_(wanted)).order_by(ConsentRecord.id)
    )
    return {r.answer_id: r for r in records if r.kind == wanted[r.answer_id]}


def delete_answers(session: Session, ids: list[int]) -> int:
    """Remove answers for good (retention, erasure) with every row that refers to
    them; cards of versions no longer public keep their image, not the link."""
    if not ids:
        return 0
    session.execute(update(QuoteCard).where(QuoteCard.answer_id.in_(ids)).values(answer_id=None))
    for dependent in (ConsentRecord, AnswerHistory, QuoteChange, PrivacyAcknowledgement):
        session.execute(delete(dependent).where(dependent.answer_id.in_(ids)))
    removed = rows_changed(session.execute(delete(Answer).where(Answer.id.in_(ids))))
    session.flush()
    return removed
