"""Server-side login sessions: the signed cookie names one, the database says
whether it is still alive. Logging out ends it for good, so a copy of the
cookie taken before is refused afterwards."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from curation.db import utcnow
from curation.models import LoginSession, User

# last_seen_at is written at most this often: a page view should not write each time.
TOUCH_EVERY = dt.timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, now: dt.datetime | None = None) -> str:
    """A new session for this browser; the token goes into the signed cookie only."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(id_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    session.flush()
    return token


def live(
    session: Session, user_id: int, token: str, idle: dt.timedelta, now: dt.datetime | None = None
) -> LoginSession | None:
    """The session the cookie names, if it is this person's, not ended and not idle too long."""
    now = now or utcnow()
    record = session.scalar(select(LoginSession).where(LoginSession.id_hash == _hash(token)))
    if record is None or record.user_id != user_id or record.ended_at is not None:
        return None
    return record if record.last_seen_at + idle > now else None


def needs_touch(record: LoginSession, now: dt.datetime | None = None) -> bool:
    return record.last_seen_at < (now or utcnow()) - TOUCH_EVERY


def touch(session: Session, session_id: int, now: dt.datetime | None = None) -> None:
    """Keeps an active session from timing out; one UPDATE, nothing read first."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
        .values(last_seen_at=now or utcnow())
    )


def end(session: Session, token: str, now: dt.datetime | None = None) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.id_hash == _hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )


def end_all(session: Session, user: User, now: dt.datetime | None = None, *, keep: str | None = None) -> None:
    """Every session of this person ends, except `keep` (the browser asking)."""
    where = [LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)]
    if keep:
        where.append(LoginSession.id_hash != _hash(keep))
    session.execute(update(LoginSession).where(*where).values(ended_at=now or utcnow()))


def live_count(session: Session, user: User, idle: dt.timedelta, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    return len(
        session.scalars(
            select(LoginSession.id).where(
                LoginSession.user_id == user.id,
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at > now - idle,
            )
        ).all()
    )
