"""Two-step sign-in (TOTP): a code from an authenticator app after the
password, or one of ten one-time recovery codes, kept hashed."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from curation import audit
from curation.db import utcnow
from curation.errors import Conflict, Invalid
from curation.models import RecoveryCode, User

ISSUER = "Therapists Being Human"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def setup_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> Markup:
    """An inline SVG: the content policy forbids inline script, not images."""
    # segno writes the SVG itself; the URI is encoded in its squares, never in its markup
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app"))  # nosec B704


def _normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step whose code this is; one step either side, so a phone's clock
    a little off still works."""
    digits = _normalize(code)
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _is_current_code(secret: str, code: str, now: dt.datetime) -> bool:
    return _matching_step(secret, code, now) is not None


def turn_on(session: Session, user: User, secret: str, code: str, now: dt.datetime | None = None) -> list[str]:
    """Confirmed by a first code from the app; returns the recovery codes, shown once."""
    now = now or utcnow()
    if user.has_two_step:
        raise Conflict("Two-step sign-in is on already.")
    if not _is_current_code(secret, code, now):
        raise Invalid("That code is not the one your app shows now. Check the app's clock and try again.", field="code")
    user.totp_secret, user.totp_enabled_at = secret, now
    user.totp_last_step = _matching_step(secret, code, now)
    codes = _new_recovery_codes(session, user)
    audit.record(session, user, "user.two_step_on", user)
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join(secrets.token_hex(3) for _ in range(2)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    session.flush()
    return codes


def check(session: Session, user: User, code: str, now: dt.datetime | None = None) -> bool:
    """A current code from the app, or an unused recovery code (used up by this)."""
    now = now or utcnow()
    if not user.has_two_step or not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return False  # seen already: a code overheard or replayed
        user.totp_last_step = step
        session.flush()
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)
        )
    )
    if recovery is None:
        return False
    recovery.used_at = now
    session.flush()
    audit.record(session, user, "user.recovery_code_used", user, f"{remaining_codes(session, user)} left")
    return True


def remaining_codes(session: Session, user: User) -> int:
    return len(session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all())


def turn_off(session: Session, user: User, code: str, *, required: bool) -> None:
    if required and user.is_editor:
        raise Conflict("Two-step sign-in is required for editors on this site, so it stays on.")
    if not check(session, user, code):
        raise Invalid("That code is not right. Use the code your app shows now, or a recovery code.", field="code")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    audit.record(session, user, "user.two_step_off", user)
