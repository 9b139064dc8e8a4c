"""The outbox: mails are written in the transaction of their event and sent after commit."""
from __future__ import annotations

import json

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation.models import Answer, AnswerState, Challenge, Invitation, OutboxMail, Publication, Role, User


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
        subject=subject,
        text_body=render_template(f"mail/{template}.txt", **context),
        html_body=render_template(f"mail/{template}.html", **context),
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


def _therapists_to_notify(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User).where(
                User.role == Role.THERAPIST, User.is_deactivated.is_(False), User.wants_notifications.is_(True)
            )
        )
    )


def queue_challenge_opened(session: Session, challenge: Challenge) -> int:
    queued = 0
    for therapist in _therapists_to_notify(session):
        if queue(
            session,
            kind="challenge_opened",
            recipient=therapist.email,
            subject=f"New challenge: {challenge.topic}",
            template="challenge_opened",
            dedupe_key=f"challenge_opened:{challenge.id}:{therapist.id}",
            challenge=challenge,
            therapist=therapist,
        ):
            queued += 1
    return queued


def queue_answer_reviewed(session: Session, answer: Answer) -> OutboxMail | None:
    author = answer.author
    if not author.wants_notifications or author.is_deactivated:
        return None
    return queue(
        session,
        kind="answer_reviewed",
        recipient=author.email,
        subject=f"Your answer on “{answer.challenge.topic}”: {answer.state.replace('_', ' ')}",
        template="answer_reviewed",
        answer=answer,
        author=author,
        challenge=answer.challenge,
        AnswerState=AnswerState,
    )


def queue_feature_published(session: Session, publication: Publication) -> int:
    """Each quoted author hears that the feature is out, with their own card."""
    quotes = json.loads(publication.data)["quotes"]
    authors = {
        u.id: u for u in session.scalars(select(User).where(User.id.in_([q["consent"]["author_id"] for q in quotes])))
    }
    queued = 0
    for quote in quotes:
        author = authors.get(quote["consent"]["author_id"])
        if author is None or not author.wants_notifications or author.is_deactivated:
            continue
        if queue(
            session,
            kind="feature_published",
            recipient=author.email,
            subject=f"Published: {publication.title}",
            template="feature_published",
            dedupe_key=f"feature_published:{publication.id}:{author.id}",
            publication=publication,
            author=author,
            quote=quote,
        ):
            queued += 1
    return queued


def _editors(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.EDITOR, User.is_deactivated.is_(False))))


def _queue_to_editors(session: Session, *, kind: str, subject: str, template: str, key: str, **context) -> int:
    return sum(
        1
        for editor in _editors(session)
        if queue(session, kind=kind, recipient=editor.email, subject=subject, template=template,
                 dedupe_key=f"{key}:{editor.id}", editor=editor, **context)
    )


def queue_excerpt_decided(session: Session, answer: Answer) -> int:
    return _queue_to_editors(
        session,
        kind="excerpt_decided",
        subject=f"{answer.author.name} {answer.excerpt_consent} the excerpt for “{answer.challenge.topic}”",
        template="excerpt_decided",
        key=f"excerpt_decided:{answer.id}:{answer.excerpt_consent}:{hash(answer.excerpt or '') & 0xffffffff}",
        answer=answer,
    )


def queue_consent_withdrawn(session: Session, answer: Answer) -> int:
    return _queue_to_editors(
        session,
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
