"""Review: the queue, decisions, excerpts, and the order of the quotes."""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from curation import audit
from curation.answers.lifecycle import QUEUE_STATES, REVIEWABLE, move
from curation.challenges import services as challenges
from curation.db import rows_changed, utcnow
from curation.errors import Conflict, Invalid, NotFound
from curation.excerpts import ELLIPSIS, Cut, cut
from curation.excerpts import check_excerpt as check_excerpt  # the rule a review applies, named here too
from curation.models import Answer, AnswerState, Challenge, ExcerptConsent, User

PER_PAGE = 20


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


DECISION_STATE = {
    Decision.APPROVE: AnswerState.APPROVED,
    Decision.REQUEST_CHANGES: AnswerState.CHANGES_REQUESTED,
    Decision.REJECT: AnswerState.REJECTED,
}


def decision_for(state: AnswerState) -> str | None:
    """The decision that led to this state, to show it chosen when reviewing again."""
    return next((d.value for d, s in DECISION_STATE.items() if s == state), None)


@dataclasses.dataclass
class Reviewed:
    """The excerpt and card excerpt a review checked, if any."""

    excerpt: Cut | None = None
    card_excerpt: Cut | None = None


@dataclasses.dataclass
class QueuePage:
    answers: list[Answer]
    total: int
    page: int
    pages: int


def queue(
    session: Session,
    challenge: Challenge,
    *,
    state: AnswerState | None = None,
    page: int = 1,
    answers_by_state: Mapping[str, int] | None = None,
) -> QueuePage:
    """One page of the queue in a fixed number of statements, however long the
    queue; the total comes from the challenge's answers by state, which the
    review page counts once for everything it shows."""
    states = (state,) if state in REVIEWABLE else QUEUE_STATES
    if answers_by_state is None:
        answers_by_state = challenges.counts_of(session, challenge)
    total = sum(answers_by_state.get(s, 0) for s in states)
    where = (Answer.challenge_id == challenge.id, Answer.state.in_(states))
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    answers = session.scalars(
        select(Answer)
        .where(*where)
        .options(selectinload(Answer.author))
        .order_by(Answer.submitted_at.desc(), Answer.id.desc())  # queued answers all have one
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return QueuePage(list(answers), total, page, pages)


def get_for_review(session: Session, answer_id: int) -> Answer:
    answer = session.get(Answer, answer_id)
    if answer is None or answer.state not in REVIEWABLE:
        raise NotFound("There is no such answer to review.")
    return answer


def review(
    session: Session,
    answer: Answer,
    editor: User,
    *,
    decision: Decision | str,
    note: str = "",
    excerpt: str = "",
    card_excerpt: str = "",
    now: dt.datetime | None = None,
) -> Reviewed:
    """Decide on the answer; returns the excerpts it checked, so the mail that
    shows their cuts need not check them again."""
    now = now or utcnow()
    decision = Decision(decision)
    if answer.state not in REVIEWABLE:
        raise Conflict("This answer is not waiting for review any more.")
    target = DECISION_STATE[decision]
    if decision == Decision.REQUEST_CHANGES and not note.strip():
        raise Invalid("Please say in the note what you would like changed.", field="note")

    excerpt, card_excerpt = excerpt.strip(), card_excerpt.strip()
    if answer.published_at is not None and decision == Decision.APPROVE and (
        (excerpt or None) != answer.excerpt or (card_excerpt or None) != answer.card_excerpt
    ):
        raise Invalid(
            "This quote is published as its author agreed to it. To change its words, propose new "
            "words below: the author is asked first, and a correction then publishes them.",
            field="excerpt",
        )
    checked = Reviewed()
    if decision == Decision.APPROVE:
        if excerpt and excerpt.replace("...", ELLIPSIS) != answer.body.strip():
            checked.excerpt = cut(answer.body, excerpt)
            new_excerpt = checked.excerpt.text
            if new_excerpt != answer.excerpt or answer.excerpt_consent == ExcerptConsent.NONE:
                answer.excerpt = new_excerpt
                answer.excerpt_consent = ExcerptConsent.PENDING
                answer.excerpt_author_note = ""
        else:
            answer.excerpt = None
            answer.excerpt_consent = ExcerptConsent.NONE
            answer.excerpt_author_note = ""
    else:
        answer.excerpt = None
        answer.excerpt_consent = ExcerptConsent.NONE
        answer.excerpt_author_note = ""
    checked.card_excerpt = _set_card_excerpt(answer, card_excerpt if decision == Decision.APPROVE else "")

    detail = f"{answer.state} → {target}"
    if answer.excerpt:
        detail += " with an excerpt"
    move(session, answer, target, editor, note=note, now=now, detail=detail)
    return checked


def _set_card_excerpt(answer: Answer, card_excerpt: str) -> Cut | None:
    """The square card's words: the excerpt's own-words rule, and asked of the author
    again whenever they change."""
    if not card_excerpt:
        answer.card_excerpt, answer.card_excerpt_consent, answer.card_excerpt_author_note = None, ExcerptConsent.NONE, ""
        return None
    try:
        checked = cut(answer.body, card_excerpt)
    except Invalid as problem:
        raise Invalid(problem.message.replace("The excerpt", "The card excerpt"), field="card_excerpt") from None
    if checked.text != answer.card_excerpt or answer.card_excerpt_consent == ExcerptConsent.NONE:
        answer.card_excerpt, answer.card_excerpt_consent, answer.card_excerpt_author_note = (
            checked.text, ExcerptConsent.PENDING, "")
    return checked


def approved_in_order(session: Session, challenge: Challenge) -> list[Answer]:
    return list(
        session.scalars(
            select(Answer)
            .where(Answer.challenge_id == challenge.id, Answer.state == AnswerState.APPROVED)
            .options(selectinload(Answer.author))
            .order_by(Answer.position.nulls_last(), Answer.id)
        )
    )


def parse_order(raw: str) -> list[int]:
    try:
        return [int(part) for part in raw.replace(" ", "").split(",") if part]
    except ValueError:
        raise Invalid("The order must be a list of answer numbers separated by commas.") from None


def save_order(
    session: Session, challenge: Challenge, editor: User, *, answer_ids: list[int], version: int
) -> None:
    """Store a new order if `version` is still the current one; else Conflict.

    The version check and the bump are one UPDATE, so two editors saving at
    once cannot both win.
    """
    approved = approved_in_order(session, challenge)
    bumped = rows_changed(session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id, Challenge.order_version == version)
        .values(order_version=Challenge.order_version + 1)
        .execution_options(synchronize_session=False)
    ))
    if bumped != 1:
        raise Conflict(
            "Someone else changed the quotes or their order since you opened this page, "
            "so your order was not saved. Reload the page to see the current order, "
            "then arrange it again."
        )
    if sorted(answer_ids) != sorted(a.id for a in approved) or len(set(answer_ids)) != len(answer_ids):
        raise Invalid("The order must list every approved quote exactly once.")
    by_id = {a.id: a for a in approved}
    for position, answer_id in enumerate(answer_ids, start=1):
        by_id[answer_id].position = position
    session.flush()
    session.refresh(challenge, ["order_version"])
    audit.record(session, editor, "challenge.reordered", challenge, ", ".join(map(str, answer_ids)))


def moves(quotes: list[Answer]) -> list[dict[str, str | None]]:
    """For each quote, the whole order after moving it up or down one place,
    so the board works as plain forms without JavaScript."""
    ids = [a.id for a in quotes]
    result = []
    for i in range(len(ids)):
        up = down = None
        if i > 0:
            swapped = ids[:]
            swapped[i - 1], swapped[i] = swapped[i], swapped[i - 1]
            up = ",".join(map(str, swapped))
        if i < len(ids) - 1:
            swapped = ids[:]
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            down = ",".join(map(str, swapped))
        result.append({"up": up, "down": down})
    return result
