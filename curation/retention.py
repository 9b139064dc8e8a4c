"""Retention: what is deleted when, by `flask --app curation purge` (cron, daily).

Every rule is a delete of rows older than a period from the settings, so a
second run the same day finds nothing more to do.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from curation.answers import services as answers
from curation.db import rows_changed
from curation.models import (
    AccountToken,
    Answer,
    AnswerState,
    Invitation,
    LoginSession,
    OutboxMail,
)

# Days, each a setting of its own (CURATION_RETENTION_...).
DEFAULTS = {
    "RETENTION_WITHDRAWN_DAYS": 90,  # withdrawn answers, never published
    "RETENTION_REJECTED_DAYS": 365,  # rejected answers, after the decision
    "RETENTION_OUTBOX_DAYS": 90,  # mail sent that long ago
    "RETENTION_TOKENS_DAYS": 7,  # reset and address links, invitations: after they expired or were used
    "RETENTION_SESSIONS_DAYS": 30,  # login sessions, after they ended or went idle
}


@dataclasses.dataclass(frozen=True)
class Periods:
    withdrawn: dt.timedelta
    rejected: dt.timedelta
    outbox: dt.timedelta
    tokens: dt.timedelta
    sessions: dt.timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Periods:
        def days(key: str) -> dt.timedelta:
            return dt.timedelta(days=float(config.get(key, DEFAULTS[key])))

        return cls(*(days(key) for key in DEFAULTS))


def purge(session: Session, periods: Periods, now: dt.datetime) -> dict[str, int]:
    """Delete what is due; returns how many rows of each kind went."""
    counts = {
        "withdrawn answers": _delete_answers(session, and_(
            Answer.state == AnswerState.WITHDRAWN, Answer.published_at.is_(None),
            Answer.updated_at < now - periods.withdrawn)),
        "rejected answers": _delete_answers(session, and_(
            Answer.state == AnswerState.REJECTED, Answer.published_at.is_(None),
            Answer.updated_at < now - periods.rejected)),
    }
    counts["sent mail"] = rows_changed(session.execute(
        delete(OutboxMail).where(OutboxMail.sent_at.is_not(None), OutboxMail.sent_at < now - periods.outbox)
    ))
    counts["spent links"] = rows_changed(session.execute(
        delete(AccountToken).where(or_(
            AccountToken.expires_at < now - periods.tokens,
            and_(AccountToken.used_at.is_not(None), AccountToken.used_at < now - periods.tokens)))
    ))
    counts["expired invitations"] = rows_changed(session.execute(
        delete(Invitation).where(
            Invitation.accepted_at.is_(None),
            or_(Invitation.expires_at < now - periods.tokens,
                and_(Invitation.revoked_at.is_not(None), Invitation.revoked_at < now - periods.tokens)))
    ))
    counts["ended sessions"] = rows_changed(session.execute(
        delete(LoginSession).where(or_(
            and_(LoginSession.ended_at.is_not(None), LoginSession.ended_at < now - periods.sessions),
            LoginSession.last_seen_at < now - periods.sessions))
    ))
    session.flush()
    return counts


def _delete_answers(session: Session, condition) -> int:
    return answers.delete_answers(session, list(session.scalars(select(Answer.id).where(condition))))
