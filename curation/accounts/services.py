"""Accounts: users, logins, invitations, deactivation."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation import audit
from curation.db import utcnow
from curation.errors import Invalid, NotFound
from curation.models import Invitation, Role, User
from curation.security import check_password, hash_password, password_problem

INVITATION_LIFETIME = dt.timedelta(days=14)
# Compared against when the e-mail is unknown, so both failures take as long.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    credentials: str = "",
    actor: User | None = None,
) -> User:
    email = normalize_email(email)
    problem = password_problem(password, email=email, name=name)
    # Hashed (a fifth of a second) before the first query: a command's writing
    # transaction holds SQLite's write lock from its first statement on.
    password_hash = "" if problem else hash_password(password)
    if find_by_email(session, email) is not None:
        raise Invalid("There is already an account with that e-mail address.")
    if problem:
        raise Invalid(problem)
    user = User(
        email=email,
        name=name.strip(),
        credentials=credentials.strip(),
        role=Role(role),
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor or user, "user.created", user, f"{user.email} as {user.role}")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user, or None; callers say the same thing for every failure."""
    user = find_by_email(session, email)
    if user is None:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(user.password_hash, password) or user.is_deactivated:
        return None
    return user


def load_session_user(session: Session, cookie_id: str) -> User | None:
    """Flask-Login's loader: the id and the session version must both match."""
    try:
        user_id, version = (int(part) for part in cookie_id.split(":"))
    except ValueError:
        return None
    user = session.get(User, user_id)
    if user is None or user.session_version != version or user.is_deactivated:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    session: Session, *, email: str, role: Role, invited_by: User | None, now: dt.datetime | None = None
) -> tuple[Invitation, str]:
    """A single-use invitation; the token is returned once and only its hash is kept."""
    now = now or utcnow()
    email = normalize_email(email)
    if find_by_email(session, email) is not None:
        raise Invalid("That person already has an account.")
    for older in session.scalars(
        select(Invitation).where(Invitation.email == email, Invitation.accepted_at.is_(None))
    ):
        if older.revoked_at is None:
            older.revoked_at = now  # a new link replaces any earlier one
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=Role(role),
        token_hash=_token_hash(token),
        invited_by_id=invited_by.id if invited_by else None,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    audit.record(session, invited_by, "invitation.created", invitation, f"{email} as {invitation.role}")
    return invitation, token


def usable_invitation(session: Session, token: str, now: dt.datetime | None = None) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None or not invitation.is_usable(now or utcnow()):
        raise NotFound(
            "This invitation link is not valid any more: it was used already or it expired. "
            "Please ask an editor for a new one."
        )
    return invitation


def accept_invitation(
    session: Session,
    invitation: Invitation,
    *,
    name: str,
    credentials: str,
    password: str,
    now: dt.datetime | None = None,
) -> User:
    now = now or utcnow()
    if not invitation.is_usable(now):
        raise NotFound("This invitation link is not valid any more.")
    user = create_user(
        session,
        email=invitation.email,
        name=name,
        role=invitation.role,
        password=password,
        credentials=credentials,
    )
    invitation.accepted_at = now
    invitation.user_id = user.id
    session.flush()
    audit.record(session, user, "invitation.accepted", invitation, invitation.email)
    return user


def set_deactivated(session: Session, user: User, deactivated: bool, *, actor: User) -> None:
    if user.id == actor.id and deactivated:
        raise Invalid("You cannot deactivate your own account.")
    if deactivated and user.is_editor and _active_editor_count(session) <= 1:
        raise Invalid("The last active editor cannot be deactivated.")
    user.is_deactivated = deactivated
    # Signs the user out on every device: their login cookies stop matching.
    user.session_version += 1
    session.flush()
    audit.record(session, actor, "user.deactivated" if deactivated else "user.reactivated", user, user.email)


def _active_editor_count(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == Role.EDITOR, User.is_deactivated.is_(False))
    ) or 0


def set_role(session: Session, user: User, role: Role, *, actor: User) -> None:
    role = Role(role)
    if user.role == role:
        return
    if user.is_editor and _active_editor_count(session) <= 1:
        raise Invalid("The last active editor must stay an editor.")
    user.role = role
    user.session_version += 1
    session.flush()
    audit.record(session, actor, "user.role_changed", user, f"{user.email} is now {role}")


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not check_password(user.password_hash, current):
        raise Invalid("Your current password is not right.")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise Invalid(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    session.flush()
    audit.record(session, user, "user.password_changed", user)


def people(session: Session) -> tuple[list[User], list[Invitation]]:
    users = session.scalars(select(User).order_by(User.role, User.name)).all()
    pending = session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()
    return list(users), list(pending)
