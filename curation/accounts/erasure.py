"""Erasure when someone leaves: their name, address, credentials and unpublished
words go; each published quote of theirs is kept anonymously or removed, as the
editor chooses per feature, by publishing a correction (a new, audited version),
never by editing a snapshot.

Superseded and unpublished versions that still carry them are purged (deleted
with their cards), not kept for editors: the point of erasure is that no copy
names them. The audit log keeps the events, with their name and address
replaced by the erased placeholder.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, selectinload

from curation import audit
from curation.accounts import services as accounts
from curation.answers import services as answers
from curation.db import utcnow
from curation.errors import Conflict, Invalid
from curation.models import (
    AccountToken,
    Answer,
    AuditEntry,
    Challenge,
    ChallengeState,
    Credit,
    Invitation,
    LoginSession,
    OutboxMail,
    Publication,
    PublicationJob,
    QuoteCard,
    RecoveryCode,
    User,
)
from curation.security import hash_password

ERASED_NAME = "Former member"
KEEP_ANONYMOUS, REMOVE = "anonymous", "remove"
_PLACEHOLDER = "[erased]"


def published_features(session: Session, user: User) -> list[Challenge]:
    """The published features that quote this person now: one choice each."""
    return list(
        session.scalars(
            select(Challenge)
            .join(Answer, Answer.challenge_id == Challenge.id)
            .where(
                Answer.author_id == user.id,
                Answer.published_at.is_not(None),
                Challenge.state == ChallengeState.PUBLISHED,
            )
            .order_by(Challenge.id)
        )
    )


def erase(
    session: Session, user: User, *, choices: dict[int, str], editor: User, now: dt.datetime | None = None
) -> dict[str, int]:
    """Everything in one transaction: scrub, correct, purge. Returns counts for the editor."""
    now = now or utcnow()
    if user.id == editor.id:
        raise Invalid("You cannot erase your own account; ask another editor.")
    if user.erased_at is not None:
        raise Conflict("This person was erased already.")
    if user.is_editor and not user.is_deactivated and accounts.active_editor_count(session) <= 1:
        raise Invalid("The last active editor cannot be erased.")
    # the credit lines first (full and first name with credentials), then the name alone
    old_names = [f"{n}, {user.credentials}" for n in (user.name, user.first_name) if user.credentials] + [user.name]
    addresses = accounts.addresses_of(session, user)
    features = {c.id: c for c in published_features(session, user)}
    kept, to_delete = 0, []
    for answer in session.scalars(select(Answer).where(Answer.author_id == user.id)):
        if answer.challenge_id in features and answer.published_at is not None:
            answer.excerpt_author_note = answer.card_excerpt_author_note = ""
            if choices.get(answer.challenge_id, KEEP_ANONYMOUS) == KEEP_ANONYMOUS:
                answer.credit = Credit.ANONYMOUS
                kept += 1
                continue
        to_delete.append(answer)
        if answer.position is not None:
            answer.challenge.order_version += 1  # the order a page showed no longer holds
    # their removed words also leave the audit entries that quoted them
    removed_words = [t for a in to_delete for t in (a.body, a.excerpt, a.card_excerpt) if t and t.strip()]
    _scrub_person(session, user, now)
    # gone before the corrections are compiled, so no new version can quote them
    answers.delete_answers(session, [a.id for a in to_delete])
    for challenge in features.values():
        _publish_correction(session, challenge, editor)
    purged = _purge_versions_naming(session, user)
    _scrub_traces(session, user, old_names + removed_words, addresses)
    counts = {"corrected": len(features), "kept_anonymous": kept, "removed": len(to_delete), "versions_purged": purged}
    audit.record(session, editor, "user.erased", user, ", ".join(f"{k}: {v}" for k, v in counts.items()))
    return counts


def _publish_correction(session: Session, challenge: Challenge, editor: User) -> None:
    """The one place erasure changes what readers see: a new version, or the
    feature taken down when none of its quotes remain."""
    from curation.publishing import services as publishing

    if publishing.approved_in_order(session, challenge):
        publishing.publish(session, challenge, editor)
    else:
        publishing.unpublish(session, challenge, editor)


def _scrub_person(session: Session, user: User, now: dt.datetime) -> None:
    user.name = ERASED_NAME
    user.email = f"erased-{user.id}@erased.invalid"
    user.credentials = user.profile_url = user.bio = ""
    user.public_slug, user.has_public_page = None, False
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # nobody knows it
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.is_deactivated, user.wants_notifications = True, False
    user.session_version += 1
    user.erased_at = now
    for table in (LoginSession, AccountToken, RecoveryCode):
        session.execute(delete(table).where(table.user_id == user.id))


def _purge_versions_naming(session: Session, user: User) -> int:
    """Versions no reader sees any more (superseded, unpublished) that quote this person."""
    old = session.scalars(
        select(Publication).where(or_(Publication.superseded_at.is_not(None), Publication.unpublished_at.is_not(None)))
    ).all()
    naming = [p.id for p in old if any(q["consent"]["author_id"] == user.id for q in json.loads(p.data)["quotes"])]
    if naming:
        session.execute(delete(QuoteCard).where(QuoteCard.publication_id.in_(naming)))
        # their jobs are done or moot: each job brings the outside in line with what is public now
        session.execute(
            update(PublicationJob).where(PublicationJob.publication_id.in_(naming)).values(publication_id=None)
        )
        session.execute(delete(Publication).where(Publication.id.in_(naming)))
    return len(naming)


def _scrub_traces(session: Session, user: User, old_names: list[str], addresses: set[str]) -> None:
    """Mail to them goes; invitations and audit entries keep the event, not the person."""
    session.execute(delete(OutboxMail).where(OutboxMail.recipient.in_(addresses)))
    session.execute(
        update(Invitation).where(or_(Invitation.email.in_(addresses), Invitation.user_id == user.id))
        .values(email=user.email)
    )
    words = [w for w in (*old_names, *addresses) if w.strip()]
    entries = session.scalars(
        select(AuditEntry).options(selectinload(AuditEntry.actor))
        .where(or_(*(AuditEntry.detail.contains(w, autoescape=True) for w in words)))
    )
    for entry in entries:
        for word in words:
            entry.detail = entry.detail.replace(word, _PLACEHOLDER)
    session.flush()
