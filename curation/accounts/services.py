"""Accounts: users, logins, invitations, deactivation."""
from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from curation import audit, db
from curation.accounts import sessions as login_sessions
from curation.db import utcnow
from curation.errors import Conflict, Invalid, NotAllowed, NotFound
from curation.models import AccountToken, Invitation, Role, TokenPurpose, User
from curation.security import check_password, hash_password, is_safe_link, password_problem
from curation.text import one_line

INVITATION_LIFETIME = dt.timedelta(days=14)
TOKEN_LIFETIMES = {
    TokenPurpose.PASSWORD_RESET: dt.timedelta(hours=1),
    TokenPurpose.EMAIL_CHANGE: dt.timedelta(days=2),
}
# Wrong passwords in a row before the account is locked; each further one
# doubles the lock, up to an hour. The per-address limit of Flask-Limiter
# still applies on top, so one address cannot try many accounts either.
LOCK_AFTER = 5
FIRST_LOCK = dt.timedelta(minutes=1)
LONGEST_LOCK = dt.timedelta(hours=1)
@functools.cache
def _dummy_hash() -> str:
    """Compared against when the e-mail is unknown, so both failures take as
    long; made on first use, so a command or worker that never logs anyone in
    does not pay for a hash when it starts."""
    return hash_password(secrets.token_urlsafe(16))


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
        # the CLI's create-user has no form to filter what it is given
        name=one_line(name),
        credentials=one_line(credentials),
        role=Role(role),
        password_hash=password_hash,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor or user, "user.created", user, f"{user.email} as {user.role}")
    return user


class AccountLocked(NotAllowed):
    """Too many wrong passwords for this account: no password is tried until `until`."""

    def __init__(self, until: dt.datetime):
        super().__init__("This account is locked for a while after too many wrong passwords.", field="password")
        self.until = until


def authenticate(session: Session, email: str, password: str, now: dt.datetime | None = None) -> User | None:
    """The user, or None; callers say the same thing for every failure. Raises
    AccountLocked while the account is locked (the caller commits either way,
    so the count of failures is kept)."""
    now = now or utcnow()
    seen = session.execute(
        select(User.id, User.password_hash, User.locked_until).where(User.email == normalize_email(email))
    ).first()
    # The hash takes a fifth of a second, longer on a busy machine: checked
    # with no transaction open, so on SQLite fifty people logging in at once
    # do not wait for one another's hashes behind the database's write lock.
    db.end_reading(session)
    if seen is None:
        check_password(_dummy_hash(), password)
        return None
    if seen.locked_until is not None and seen.locked_until > now:
        raise AccountLocked(seen.locked_until)
    right = check_password(seen.password_hash, password)
    # Then the verdict is written under the row lock (PostgreSQL; SQLite's
    # write lock does the same), where the account is looked at again: an
    # attempt that a concurrent one locked out meanwhile is refused, so none
    # slips past a lock.
    user = session.scalar(
        select(User).where(User.id == seen.id).with_for_update().execution_options(populate_existing=True)
    )
    if user is None:
        return None
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if user.password_hash != seen.password_hash:
        right = check_password(user.password_hash, password)  # changed while the first was checked
    if not right:
        _count_failure(session, user, now)
        return None
    if user.is_deactivated:
        return None
    if not user.has_two_step:
        reset_failures(session, user)
    return user


def reset_failures(session: Session, user: User) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        session.flush()


def check_lock(user: User, now: dt.datetime | None = None) -> None:
    if user.locked_until is not None and user.locked_until > (now or utcnow()):
        raise AccountLocked(user.locked_until)


def count_failure(session: Session, user: User, now: dt.datetime | None = None) -> None:
    """A wrong password or a wrong second-step code: both count towards the lock."""
    _count_failure(session, user, now or utcnow())


def _count_failure(session: Session, user: User, now: dt.datetime) -> None:
    failures = session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
    ).scalar_one()
    if failures >= LOCK_AFTER:
        user.locked_until = now + min(FIRST_LOCK * 2 ** (failures - LOCK_AFTER), LONGEST_LOCK)
        session.flush()
        audit.record(session, None, "user.locked", user, f"{failures} wrong passwords in a row")


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
        raise Invalid(
            "That person already has an account. If they forgot their password, they can choose "
            "a new one with “Forgot your password?” on the login page."
        )
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


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def invitation_state(invitation: Invitation, now: dt.datetime | None = None) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if (now or utcnow()) >= invitation.expires_at:
        return InvitationState.EXPIRED
    return InvitationState.PENDING


# Which editor action an invitation allows in which state. Resend and renew both
# make a new link (the old one stops working) valid for INVITATION_LIFETIME again.
INVITATION_MOVES: dict[str, set[InvitationState]] = {
    "resend": {InvitationState.PENDING},
    "renew": {InvitationState.EXPIRED, InvitationState.REVOKED},
    "revoke": {InvitationState.PENDING, InvitationState.EXPIRED},
}


def can(invitation: Invitation, action: str, now: dt.datetime | None = None) -> bool:
    return invitation_state(invitation, now) in INVITATION_MOVES[action]


def move_invitation(
    session: Session, invitation: Invitation, action: str, actor: User, now: dt.datetime | None = None
) -> str | None:
    """The one place an editor changes an invitation; returns the new link's token
    when the move makes one."""
    now = now or utcnow()
    state = invitation_state(invitation, now)
    if action not in INVITATION_MOVES or state not in INVITATION_MOVES[action]:
        raise Conflict(f"This invitation is {state}, so it cannot be {_PAST[action]}.")
    token = None
    if action == "revoke":
        invitation.revoked_at = now
    else:
        if find_by_email(session, invitation.email) is not None:
            raise Invalid("That person has an account now; they can log in or reset their password.")
        token = secrets.token_urlsafe(32)
        invitation.token_hash = _token_hash(token)
        invitation.revoked_at = None
        invitation.expires_at = now + INVITATION_LIFETIME
        invitation.invited_by_id = actor.id
    session.flush()
    audit.record(session, actor, f"invitation.{_PAST[action]}", invitation, f"{invitation.email} ({state} before)")
    return token


_PAST = {"resend": "resent", "renew": "renewed", "revoke": "revoked"}


def get_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("There is no such invitation.")
    return invitation


def find_invitation(session: Session, token: str) -> Invitation | None:
    return session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))


def usable_invitation(session: Session, token: str, now: dt.datetime | None = None) -> Invitation:
    invitation = find_invitation(session, token)
    problem = invitation_problem(invitation, now)
    if problem or invitation is None:
        raise NotFound(problem or "")
    return invitation


def invitation_problem(invitation: Invitation | None, now: dt.datetime | None = None) -> str | None:
    """Why an invitation link cannot be used, in words for the person holding it."""
    if invitation is None:
        return ("This invitation link is not valid: it may have been replaced by a newer one. "
                "Use the newest link you received, or ask an editor for a new one.")
    state = invitation_state(invitation, now)
    if state == InvitationState.ACCEPTED:
        return "This invitation was used already: the account exists. Log in with it."
    if state == InvitationState.REVOKED:
        return "This invitation was withdrawn. If you still want to join, ask an editor for a new one."
    if state == InvitationState.EXPIRED:
        return "This invitation has expired. Please ask the editor who invited you for a new one."
    return None


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
    problem = invitation_problem(invitation, now)
    if problem:
        raise NotFound(problem)
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
    if deactivated and user.is_editor and active_editor_count(session) <= 1:
        raise Invalid("The last active editor cannot be deactivated.")
    user.is_deactivated = deactivated
    # Signs the user out on every device: their login cookies stop matching.
    user.session_version += 1
    login_sessions.end_all(session, user)
    session.flush()
    audit.record(session, actor, "user.deactivated" if deactivated else "user.reactivated", user, user.email)


def active_editor_count(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == Role.EDITOR, User.is_deactivated.is_(False))
    ) or 0


def set_role(session: Session, user: User, role: Role, *, actor: User) -> None:
    role = Role(role)
    if user.role == role:
        return
    if user.is_editor and active_editor_count(session) <= 1:
        raise Invalid("The last active editor must stay an editor.")
    user.role = role
    user.session_version += 1
    session.flush()
    audit.record(session, actor, "user.role_changed", user, f"{user.email} is now {role}")


def change_password(session: Session, user: User, current: str, new: str, *, keep_session: str | None = None) -> None:
    if not check_password(user.password_hash, current):
        raise Invalid("Your current password is not right.", field="current_password")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise Invalid(problem)
    user.password_hash = hash_password(new)
    user.session_version += 1
    login_sessions.end_all(session, user, keep=keep_session)
    session.flush()
    audit.record(session, user, "user.password_changed", user)


def end_every_session(session: Session, user: User) -> None:
    """"Log out everywhere": every browser of this person, this one included."""
    user.session_version += 1
    login_sessions.end_all(session, user)
    session.flush()
    audit.record(session, user, "user.logged_out_everywhere", user)


def people(session: Session) -> tuple[list[User], list[Invitation]]:
    """Everyone with an account, and every invitation not used yet (pending,
    expired or withdrawn), newest first."""
    users = session.scalars(
        select(User).where(User.erased_at.is_(None)).order_by(User.role, User.name)
    ).all()
    open_invitations = session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.invited_by))
        .where(Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ).all()
    return list(users), list(open_invitations)


# --- links sent by mail: password reset, new e-mail address ---------------------------


def _issue_token(
    session: Session, user: User, purpose: TokenPurpose, now: dt.datetime, *, requested_from: str = "",
    new_email: str | None = None,
) -> tuple[AccountToken, str]:
    """A single-use link; any earlier unused one of the same kind stops working."""
    for older in session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None)
        )
    ):
        older.used_at = now
    token = secrets.token_urlsafe(32)
    record = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=_token_hash(token),
        new_email=new_email,
        requested_from=(requested_from or "")[:64],
        created_at=now,
        expires_at=now + TOKEN_LIFETIMES[purpose],
    )
    session.add(record)
    session.flush()
    return record, token


def request_password_reset(
    session: Session, email: str, *, requested_from: str, now: dt.datetime | None = None
) -> tuple[AccountToken, str] | None:
    """A reset link for an active account; None (and nothing to tell) otherwise."""
    now = now or utcnow()
    user = find_by_email(session, email)
    if user is None or user.is_deactivated:
        return None
    record, token = _issue_token(session, user, TokenPurpose.PASSWORD_RESET, now, requested_from=requested_from)
    audit.record(session, None, "user.password_reset_requested", user, f"from {record.requested_from or 'unknown'}")
    return record, token


def find_token(session: Session, token: str, purpose: TokenPurpose) -> AccountToken | None:
    return session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _token_hash(token), AccountToken.purpose == purpose)
    )


def token_problem(record: AccountToken | None, now: dt.datetime | None = None) -> str | None:
    """Why this link cannot be used, in plain words; None when it can."""
    if record is None:
        return "This link is not valid. Check that you copied all of it, or ask for a new one."
    if record.used_at is not None:
        return "This link was used already, or a newer one replaced it. Each link works once."
    if (now or utcnow()) >= record.expires_at:
        return "This link has expired. Please ask for a new one."
    return None


def reset_password(session: Session, record: AccountToken, password: str, now: dt.datetime | None = None) -> User:
    now = now or utcnow()
    if token_problem(record, now):
        raise NotFound(token_problem(record, now) or "")
    user = record.user
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise Invalid(problem, field="password")
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    user.session_version += 1
    record.used_at = now
    login_sessions.end_all(session, user, now)
    session.flush()
    audit.record(session, user, "user.password_reset", user, "every session ended")
    return user


# --- one's own profile --------------------------------------------------------------


def update_profile(session: Session, user: User, *, name: str, credentials: str, profile_url: str = "", actor: User) -> bool:
    """Name and credentials (and one's own profile link). Published features keep
    the name they were published with; a correction shows the new one."""
    name, credentials, profile_url = name.strip(), credentials.strip(), profile_url.strip()
    if not name:
        raise Invalid("Please give a name.", field="name")
    if profile_url and not (is_safe_link(profile_url) and profile_url.lower().startswith(("https://", "http://"))):
        raise Invalid("The link must be a web address starting with https:// or http://.", field="profile_url")
    before = (user.name, user.credentials, user.profile_url)
    user.name, user.credentials = name, credentials
    if actor.id == user.id:
        user.profile_url = profile_url
    if before == (user.name, user.credentials, user.profile_url):
        return False
    session.flush()
    audit.record(session, actor, "user.profile_changed", user, f"{before[0]}, {before[1]} → {user.name}, {user.credentials}")
    return True


def request_email_change(
    session: Session, user: User, new_email: str, *, requested_from: str = "", now: dt.datetime | None = None
) -> tuple[AccountToken, str] | None:
    """A link to the new address; the old one keeps working until it is used.
    None when the address is the current one."""
    now = now or utcnow()
    new_email = normalize_email(new_email)
    if new_email == user.email:
        return None
    if find_by_email(session, new_email) is not None:
        raise Invalid("Another account uses that address already.", field="email")
    record, token = _issue_token(
        session, user, TokenPurpose.EMAIL_CHANGE, now, requested_from=requested_from, new_email=new_email
    )
    audit.record(session, user, "user.email_change_requested", user, f"{user.email} → {new_email}")
    return record, token


def confirm_email_change(session: Session, record: AccountToken, now: dt.datetime | None = None) -> tuple[User, str]:
    """The new address takes over; returns the person and their old address."""
    now = now or utcnow()
    problem = token_problem(record, now)
    if problem:
        raise NotFound(problem)
    user = record.user
    new_email = record.new_email or ""
    if find_by_email(session, new_email) is not None:
        raise Invalid("Another account took that address meanwhile, so it cannot be yours.")
    old_email = user.email
    user.email = new_email
    record.used_at = now
    session.flush()
    audit.record(session, user, "user.email_changed", user, f"{old_email} → {new_email}")
    return user, old_email


def addresses_of(session: Session, user: User) -> set[str]:
    """The person's address now and every new address they asked for before."""
    earlier = session.scalars(
        select(AccountToken.new_email).where(
            AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.EMAIL_CHANGE
        )
    )
    return {user.email, *(address for address in earlier if address)}
