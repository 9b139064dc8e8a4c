"""The privacy check applied to answers and quotes: what is flagged, what an
editor acknowledged, and what still stops a publication."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from curation import audit
from curation.errors import Invalid, NotFound
from curation.models import Answer, AnswerState, Challenge, PrivacyAcknowledgement, User
from curation.practice import services as practice_settings
from curation.review.services import approved_in_order

if TYPE_CHECKING:
    from curation.privacy.check import Flag


@dataclasses.dataclass(frozen=True)
class Marked:
    """A flag with its sentence around it, ready for a template to escape and mark."""

    flag: Flag
    before: str
    after: str
    acknowledgement: PrivacyAcknowledgement | None = None

    @property
    def kind(self) -> str:
        return self.flag.kind

    @property
    def passage(self) -> str:
        return self.flag.passage

    @property
    def reason(self) -> str:
        return self.flag.reason

    @property
    def key(self) -> str:
        return self.flag.key

    @property
    def headline(self) -> str:
        return self.flag.headline


def _check(text: str) -> list[Flag]:
    # The check's patterns compile when it is first imported, which cron
    # commands and workers that never read an answer need not pay for.
    from curation.privacy.check import check

    return check(text)


def _mark(text: str, flag: Flag, acknowledgement: PrivacyAcknowledgement | None = None) -> Marked:
    return Marked(flag, text[flag.sentence_start:flag.start], text[flag.end:flag.sentence_end], acknowledgement)


def marked(text: str) -> list[Marked]:
    """The flags of a text, each in its sentence: the desk and the review page."""
    return [_mark(text, f) for f in _check(text or "")]


def quote_texts(answer: Answer) -> list[str]:
    """Every text of this answer that publishing would show: the quote, and the
    card's words where the card has its own."""
    texts = [answer.quote_text]
    if answer.card_excerpt:
        texts.append(answer.card_excerpt)
    return texts


def quote_flags(answer: Answer) -> list[tuple[str, Flag]]:
    """(text, flag) for every distinct flag in what would be published."""
    seen, found = set(), []
    for text in quote_texts(answer):
        for flag in _check(text):
            if flag.key not in seen:
                seen.add(flag.key)
                found.append((text, flag))
    return found


def _acknowledgements(session: Session, answer_ids: list[int]) -> dict[tuple[int, str], PrivacyAcknowledgement]:
    if not answer_ids:
        return {}
    rows = session.scalars(
        select(PrivacyAcknowledgement)
        .where(PrivacyAcknowledgement.answer_id.in_(answer_ids))
        .options(selectinload(PrivacyAcknowledgement.acknowledged_by))
    )
    return {(row.answer_id, row.flag_key): row for row in rows}


@dataclasses.dataclass(frozen=True)
class QuoteCheck:
    answer: Answer
    marks: list[Marked]

    @property
    def open_marks(self) -> list[Marked]:
        return [m for m in self.marks if m.acknowledgement is None]


def publish_checks(session: Session, challenge: Challenge, quotes: list[Answer] | None = None) -> list[QuoteCheck]:
    """The approved quotes that carry flags, each flag with its acknowledgement if any."""
    quotes = approved_in_order(session, challenge) if quotes is None else quotes
    acknowledged = _acknowledgements(session, [a.id for a in quotes])
    checks = []
    for answer in quotes:
        marks = [_mark(text, f, acknowledged.get((answer.id, f.key))) for text, f in quote_flags(answer)]
        if marks:
            checks.append(QuoteCheck(answer, marks))
    return checks


def unacknowledged_flags(session: Session, challenge: Challenge) -> list[tuple[Answer, Flag]]:
    """What stops publishing: flags in the quotes that no editor has acknowledged.
    An excerpt that leaves the passage out leaves its flag out too."""
    return [(c.answer, m.flag) for c in publish_checks(session, challenge) for m in c.open_marks]


def acknowledge(session: Session, answer: Answer, editor: User, flag_key: str) -> PrivacyAcknowledgement:
    """The editor has read this flagged passage and publishes it as it stands."""
    if answer.state != AnswerState.APPROVED:
        raise NotFound("Only an approved quote has flags to acknowledge.")
    flag = next((f for _, f in quote_flags(answer) if f.key == flag_key), None)
    if flag is None:
        raise Invalid("That passage is no longer in the quote: the words have changed since the page was shown.")
    existing = session.scalar(
        select(PrivacyAcknowledgement).where(
            PrivacyAcknowledgement.answer_id == answer.id, PrivacyAcknowledgement.flag_key == flag_key
        )
    )
    if existing is not None:
        return existing
    row = PrivacyAcknowledgement(
        answer_id=answer.id, flag_key=flag_key, kind=flag.kind, passage=flag.passage, acknowledged_by_id=editor.id
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same click twice: one acknowledgement
        stored = session.scalar(
            select(PrivacyAcknowledgement).where(
                PrivacyAcknowledgement.answer_id == answer.id, PrivacyAcknowledgement.flag_key == flag_key
            )
        )
        assert stored is not None
        return stored
    audit.record(session, editor, "privacy.acknowledged", answer, f"{flag.kind}: “{flag.passage}”")
    return row


@dataclasses.dataclass(frozen=True)
class PublishSummary:
    """What the publish page shows of the privacy check."""

    checks: list[QuoteCheck]
    crisis_line: str
    adds_crisis_resources: bool

    @property
    def open_count(self) -> int:
        return sum(len(c.open_marks) for c in self.checks)

    @property
    def has_crisis_flag(self) -> bool:
        return any(m.kind == "crisis" for c in self.checks for m in c.marks)


def publish_summary(session: Session, challenge: Challenge, quotes: list[Answer]) -> PublishSummary:
    return PublishSummary(
        publish_checks(session, challenge, quotes),
        practice_settings.load(session)["crisis_resources"].strip(),
        challenge.adds_crisis_resources,
    )


def set_crisis_resources(session: Session, challenge: Challenge, editor: User, add: bool) -> None:
    if challenge.adds_crisis_resources == add:
        return
    challenge.adds_crisis_resources = add
    session.flush()
    audit.record(session, editor, "privacy.crisis_resources_" + ("added" if add else "removed"), challenge)


def crisis_line(session: Session, challenge: Challenge) -> str:
    """The line a publication of this challenge shows under the feature, or ""."""
    if not challenge.adds_crisis_resources:
        return ""
    return practice_settings.load(session)["crisis_resources"].strip()
