"""The outbox: mails are written in the transaction of their event and sent after commit."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation.models import (
    Answer,
    AnswerState,
    Challenge,
    ChallengeState,
    ExcerptConsent,
    Invitation,
    OutboxMail,
    Publication,
    Role,
    User,
)
from curation.publishing.compiling import FeatureData, QuoteData, feature_data
from curation.publishing.corrections import QuoteChange, quote_changes
from curation.review.services import excerpt_spans
from curation.site import services as site_settings
from curation.templating import external_url, local_time

# Answers in these states do not count as submitted: their authors get reminders.
NOT_SUBMITTED = (AnswerState.DRAFT, AnswerState.WITHDRAWN)


def queue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    template: str,
    dedupe_key: str | None = None,
    **context,
) -> OutboxMail | None:
    """Write one mail to the outbox; None when the same dedupe key was queued before."""
    if dedupe_key and session.scalar(select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)):
        return None
    mail = OutboxMail(
        kind=kind,
        recipient=recipient,
        subject=" ".join(subject.split()),  # a header holds one line, whatever a title held
        text_body=render_template(f"mail/{template}.txt", subject=subject, link=external_url, **context),
        html_body=render_template(f"mail/{template}.html", subject=subject, link=external_url, **context),
        dedupe_key=dedupe_key,
    )
    try:
        with session.begin_nested():
            session.add(mail)
            session.flush()
    except IntegrityError:
        return None
    return mail


def queue_invitation(session: Session, invitation: Invitation, url: str) -> OutboxMail | None:
    return queue(
        session,
        kind="invitation",
        recipient=invitation.email,
        subject="You are invited to Therapists Being Human",
        template="invitation",
        dedupe_key=f"invitation:{invitation.id}",
        invitation=invitation,
        url=url,
    )


def _wants_mail(user: User) -> bool:
    """Whether a notification may go to this person; account mails do not ask."""
    return user.wants_notifications and not user.is_deactivated


def _therapists_to_notify(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.role == Role.THERAPIST, User.is_deactivated.is_(False), User.wants_notifications.is_(True)
            ).order_by(User.id)
        )
    )


def _count_queued(mails) -> int:
    """How many of these were queued (a repeated dedupe key queues nothing)."""
    return sum(1 for mail in mails if mail is not None)


def queue_challenge_opened(session: Session, challenge: Challenge) -> int:
    return _count_queued(
        queue(
            session,
            kind="challenge_opened",
            recipient=therapist.email,
            subject=f"New challenge: {challenge.topic}",
            template="challenge_opened",
            dedupe_key=f"challenge_opened:{challenge.id}:{therapist.id}",
            challenge=challenge,
            therapist=therapist,
        )
        for therapist in _therapists_to_notify(session)
    )


def queue_answer_reviewed(session: Session, answer: Answer) -> OutboxMail | None:
    """One mail per review: an approval that waits for the author's consent to an
    excerpt asks for it (with the note); any other decision tells it, with the note."""
    author = answer.author
    if not _wants_mail(author):
        return None
    if answer.state == AnswerState.APPROVED and answer.excerpt and answer.excerpt_consent == ExcerptConsent.PENDING:
        return queue(
            session,
            kind="excerpt_awaiting_consent",
            recipient=author.email,
            subject=f"Your words for “{answer.challenge.topic}”: please check the excerpt",
            template="excerpt_awaiting_consent",
            answer=answer,
            author=author,
            challenge=answer.challenge,
            spans=excerpt_spans(answer.body, answer.excerpt),
        )
    return queue(
        session,
        kind="answer_reviewed",
        recipient=author.email,
        subject=f"Your answer on “{answer.challenge.topic}”: {answer.state.replace('_', ' ')}",
        template="answer_reviewed",
        answer=answer,
        author=author,
        challenge=answer.challenge,
    )


def queue_reminders(session: Session, now: dt.datetime) -> int:
    """One reminder per challenge, deadline and therapist who has not submitted,
    `reminder_days` before the deadline; running it again queues nothing new."""
    days = _reminder_days(session)
    closing_soon = session.scalars(
        select(Challenge)
        .where(
            Challenge.state == ChallengeState.OPEN,
            Challenge.closes_at.is_not(None),
            Challenge.closes_at > now,
            Challenge.closes_at <= now + dt.timedelta(days=days),
        )
        .order_by(Challenge.closes_at)
    ).all()
    if not closing_soon:
        return 0
    therapists = _therapists_to_notify(session)
    queued = 0
    for challenge in closing_soon:
        submitted = set(
            session.scalars(
                select(Answer.author_id).where(
                    Answer.challenge_id == challenge.id, Answer.state.not_in(NOT_SUBMITTED)
                )
            )
        )
        for therapist in therapists:
            if therapist.id in submitted:
                continue
            if queue(
                session,
                kind="reminder",
                recipient=therapist.email,
                subject=f"Reminder: “{challenge.topic}” closes {local_time(challenge.closes_at, '%-d %B')}",
                template="reminder",
                # a deadline moved later earns a new reminder; the same one never two
                dedupe_key=f"reminder:{challenge.id}:{challenge.closes_at:%Y%m%dT%H%M}:{therapist.id}",
                challenge=challenge,
                therapist=therapist,
            ):
                queued += 1
    return queued


def _reminder_days(session: Session) -> int:
    try:
        return max(1, int(site_settings.load(session)["reminder_days"]))
    except ValueError:
        return int(site_settings.DEFAULTS["reminder_days"])


@dataclasses.dataclass(frozen=True)
class Notice:
    """One quoted author's mail about a publication: that their words are out, or,
    after a correction, what changed in them."""

    author: User
    kind: str  # feature_published or feature_corrected
    quote: QuoteData | None  # their quote as it now stands; None when it was taken out
    change: QuoteChange | None

    @property
    def will_be_sent(self) -> bool:
        return _wants_mail(self.author)


def feature_notices(session: Session, data: FeatureData, previous: FeatureData | None) -> list[Notice]:
    """Who hears of publishing `data`: every quoted author the first time; after a
    correction of `previous`, only those whose words or credit changed."""
    now_quoted = {q["answer_id"]: q for q in data["quotes"]}
    wanted: list[tuple[int, QuoteData | None, QuoteChange | None]]
    if previous is None:
        wanted = [(q["consent"]["author_id"], q, None) for q in data["quotes"]]
    else:
        wanted = [(c.author_id, now_quoted.get(c.answer_id), c)
                  for c in quote_changes(previous["quotes"], data["quotes"]) if c.touches_author]
    authors = {u.id: u for u in session.scalars(select(User).where(User.id.in_([a for a, _, _ in wanted])))}
    notices = []
    for author_id, quote, change in wanted:
        author = authors.get(author_id)
        if author is None:  # erased since
            continue
        first_time = change is None or change.kind == "added"
        notices.append(Notice(author, "feature_published" if first_time else "feature_corrected", quote, change))
    return notices


def _previous_public(session: Session, publication: Publication) -> Publication | None:
    """The version this one replaced on the public site, if it replaced one."""
    return session.scalar(
        select(Publication).where(
            Publication.challenge_id == publication.challenge_id,
            Publication.version == publication.version - 1,
            Publication.superseded_at.is_not(None),
        )
    )


def queue_feature_published(session: Session, publication: Publication) -> int:
    """Each quoted author hears that the feature is out, with their own card; a
    correction mails only those whose words or credit it changed, with the change."""
    previous = _previous_public(session, publication)
    notices = feature_notices(session, feature_data(publication), feature_data(previous) if previous else None)
    return _count_queued(
        queue(
            session,
            kind=notice.kind,
            recipient=notice.author.email,
            subject=(f"Published: {publication.title}" if notice.kind == "feature_published"
                     else f"Corrected: {publication.title}"),
            template=notice.kind,
            dedupe_key=f"{notice.kind}:{publication.id}:{notice.author.id}",
            publication=publication,
            author=notice.author,
            quote=notice.quote,
            change=notice.change,
        )
        for notice in notices
        if notice.will_be_sent
    )


def _editors(session: Session, *, routine: bool) -> list[User]:
    """Active editors; for routine news only those who want mail."""
    where = [User.role == Role.EDITOR, User.is_deactivated.is_(False)]
    if routine:
        where.append(User.wants_notifications.is_(True))
    return list(session.scalars(select(User).where(*where).order_by(User.id)))


def _queue_to_editors(
    session: Session, *, routine: bool, kind: str, subject: str, template: str, key: str, **context
) -> int:
    return _count_queued(
        queue(session, kind=kind, recipient=editor.email, subject=subject, template=template,
              dedupe_key=f"{key}:{editor.id}", editor=editor, **context)
        for editor in _editors(session, routine=routine)
    )


def queue_excerpt_decided(session: Session, answer: Answer) -> int:
    # The same decision on the same words sent twice (a double click) is one mail.
    decision = f"{answer.excerpt_consent}\n{answer.excerpt or ''}\n{answer.excerpt_author_note}"
    return _queue_to_editors(
        session,
        routine=True,
        kind="excerpt_decided",
        subject=f"{answer.author.name} {answer.excerpt_consent} the excerpt for “{answer.challenge.topic}”",
        template="excerpt_decided",
        key=f"excerpt_decided:{answer.id}:{hashlib.sha256(decision.encode()).hexdigest()[:24]}",
        answer=answer,
    )


def queue_consent_withdrawn(session: Session, answer: Answer) -> int:
    """Every editor hears of it, whatever their mail preferences: a published page
    now shows words without their author's consent."""
    return _queue_to_editors(
        session,
        routine=False,
        kind="consent_withdrawn",
        subject=f"Correction owed: {answer.author.name} withdrew consent for “{answer.challenge.title}”",
        template="consent_withdrawn",
        key=f"consent_withdrawn:{answer.id}",
        answer=answer,
    )


def outbox_page(session: Session, number: int, per_page: int = 50) -> tuple[list[OutboxMail], int]:
    total = session.scalar(select(func.count(OutboxMail.id))) or 0
    mails = session.scalars(
        select(OutboxMail).order_by(OutboxMail.id.desc()).limit(per_page).offset((number - 1) * per_page)
    ).all()
    return list(mails), total


def set_notifications(session: Session, user: User, wanted: bool) -> None:
    user.wants_notifications = wanted
    session.flush()
