"""What the tool holds about one person, for GET /my/data.json.

Each section is a small function (session, person) → (name, data); the export
is the list of them, so an area that adds a table about people adds a function
to SECTIONS instead of editing the others.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from curation.accounts import services as accounts
from curation.models import (
    Answer,
    AuditEntry,
    ConsentRecord,
    Invitation,
    LoginSession,
    OutboxMail,
    User,
)

Section = Callable[[Session, User], tuple[str, Any]]


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def profile(session: Session, user: User) -> tuple[str, Any]:
    return "profile", {
        "id": user.id,
        "name": user.name,
        "credentials": user.credentials,
        "email": user.email,
        "role": str(user.role),
        "profile_url": user.profile_url,
        "has_public_page": user.has_public_page,
        "public_slug": user.public_slug,
        "bio": user.bio,
        "wants_notifications": user.wants_notifications,
        "two_step_sign_in": user.has_two_step,
        "is_deactivated": user.is_deactivated,
        "created_at": _time(user.created_at),
    }


def _history(session: Session, answer_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    history: dict[int, list[dict[str, Any]]] = {answer_id: [] for answer_id in answer_ids}
    if not answer_ids:
        return history
    entries = session.scalars(
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .where(AuditEntry.subject_type == "answer", AuditEntry.subject_id.in_(answer_ids))
        .order_by(AuditEntry.id)
    )
    for entry in entries:
        history[entry.subject_id].append({  # type: ignore[index]
            "at": _time(entry.at),
            "action": entry.action,
            "by": entry.actor.name if entry.actor else None,
            "detail": entry.detail,
        })
    return history


def answers(session: Session, user: User) -> tuple[str, Any]:
    """Every answer in every state, with the editor's and the author's notes and its history."""
    rows = list(
        session.scalars(
            select(Answer).options(selectinload(Answer.challenge)).where(Answer.author_id == user.id).order_by(Answer.id)
        )
    )
    history = _history(session, [a.id for a in rows])
    return "answers", [
        {
            "id": a.id,
            "challenge": {"id": a.challenge_id, "title": a.challenge.title, "question": a.challenge.question},
            "state": str(a.state),
            "body": a.body,
            "credit": str(a.credit),
            "has_consent": a.has_consent,
            "editor_note": a.editor_note,
            "excerpt": a.excerpt,
            "excerpt_consent": str(a.excerpt_consent),
            "excerpt_author_note": a.excerpt_author_note,
            "card_excerpt": a.card_excerpt,
            "card_excerpt_consent": str(a.card_excerpt_consent),
            "card_excerpt_author_note": a.card_excerpt_author_note,
            "created_at": _time(a.created_at),
            "updated_at": _time(a.updated_at),
            "submitted_at": _time(a.submitted_at),
            "reviewed_at": _time(a.reviewed_at),
            "published_at": _time(a.published_at),
            "consent_withdrawn_at": _time(a.consent_withdrawn_at),
            "history": history[a.id],
        }
        for a in rows
    ]


def consents(session: Session, user: User) -> tuple[str, Any]:
    records = session.scalars(select(ConsentRecord).where(ConsentRecord.user_id == user.id).order_by(ConsentRecord.id))
    return "consents", [
        {"answer_id": r.answer_id, "kind": r.kind, "statement": r.statement, "words": r.words, "credit": r.credit,
         "at": _time(r.at)}
        for r in records
    ]


def mails(session: Session, user: User) -> tuple[str, Any]:
    addresses = accounts.addresses_of(session, user)
    rows = session.scalars(select(OutboxMail).where(OutboxMail.recipient.in_(addresses)).order_by(OutboxMail.id))
    return "mails", [
        {"to": m.recipient, "kind": m.kind, "subject": m.subject, "text": m.text_body,
         "queued_at": _time(m.created_at), "sent_at": _time(m.sent_at)}
        for m in rows
    ]


def sessions(session: Session, user: User) -> tuple[str, Any]:
    rows = session.scalars(select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id))
    return "login_sessions", [
        {"created_at": _time(s.created_at), "last_seen_at": _time(s.last_seen_at), "ended_at": _time(s.ended_at)}
        for s in rows
    ]


def invitations(session: Session, user: User) -> tuple[str, Any]:
    rows = session.scalars(
        select(Invitation).where(or_(Invitation.user_id == user.id, Invitation.email == user.email)).order_by(Invitation.id)
    )
    return "invitations", [
        {"email": i.email, "role": str(i.role), "created_at": _time(i.created_at),
         "accepted_at": _time(i.accepted_at), "revoked_at": _time(i.revoked_at)}
        for i in rows
    ]


def account_history(session: Session, user: User) -> tuple[str, Any]:
    """What happened to the account itself (logins locked, passwords and addresses changed)."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.subject_type == "user", AuditEntry.subject_id == user.id).order_by(AuditEntry.id)
    )
    return "account_history", [{"at": _time(e.at), "action": e.action, "detail": e.detail} for e in rows]


SECTIONS: list[Section] = [profile, answers, consents, mails, sessions, invitations, account_history]


def collect(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    data: dict[str, Any] = {"exported_at": now.isoformat()}
    for section in SECTIONS:
        name, value = section(session, user)
        data[name] = value
    return data
