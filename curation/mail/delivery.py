"""Sending what waits in the outbox, after the events that wrote it committed.

Requests never send: they only add outbox rows to their own transaction, so a
slow or unreachable mail server can neither fail nor slow one. `send-mail`
(cron) sends. Each mail is claimed in a commit of its own before it goes out,
so two runs at once never send the same mail, and marked sent in another
commit right after the server accepted it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from curation.db import rows_changed, utcnow
from curation.models import OutboxMail

# Longer than any one SMTP conversation may take (see timeout), so a mail
# claimed by a run that crashed goes out again after this, and only then.
LEASE = dt.timedelta(minutes=10)
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=12)
BATCH = 200

# The server refused this one mail (a bad address, say): the others can still go.
_REFUSED_THIS_MAIL = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
# Anything else (smtplib's errors are OSErrors too: refused connection, timeout,
# hang-up, bad login) means the server is unreachable or hung; the rest of the
# batch would fail the same way, so they keep their turn for the next run.
_SERVER_PROBLEMS = (OSError,)


@dataclasses.dataclass(frozen=True)
class SmtpSettings:
    server: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """None when no mail server is set: mail then stays in the outbox."""
        if not config.get("MAIL_SERVER"):
            return None
        return cls(
            server=config["MAIL_SERVER"],
            port=int(config.get("MAIL_PORT") or 25),
            sender=config.get("MAIL_DEFAULT_SENDER") or "curation@localhost",
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=_is_on(config.get("MAIL_USE_TLS")),
            use_ssl=_is_on(config.get("MAIL_USE_SSL")),
            timeout=float(config.get("MAIL_TIMEOUT") or 30),
        )


def _is_on(value: Any) -> bool:
    # from_prefixed_env turns "true" into True, but instance/config.py may say "yes"
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclasses.dataclass
class Report:
    sent: int = 0
    failed: int = 0
    taken_by_another_run: int = 0
    server_problem: str = ""


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after each failed try, at most 12 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    # Stable across retries: if a crash made us send twice, mail clients see one mail.
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    message["Message-ID"] = f"<outbox-{mail.id}-{mail.created_at:%Y%m%d%H%M%S}@{domain}>"
    message.set_content(mail.text_body)
    if mail.html_body:
        message.add_alternative(mail.html_body, subtype="html")
    return message


class Postman:
    """One SMTP connection for a run, opened when the first mail needs it."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Postman:
        return self

    def __exit__(self, *_exc) -> None:
        self.hang_up()

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except _REFUSED_THIS_MAIL:
            raise
        except _SERVER_PROBLEMS:
            self.hang_up()
            raise

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.server, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
        try:
            if s.use_tls:
                connection.starttls(context=ssl.create_default_context())
            if s.username:
                connection.login(s.username, s.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def hang_up(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            self.connection.close()
        self.connection = None


def due(session: Session, now: dt.datetime, limit: int = BATCH) -> list[OutboxMail]:
    return list(
        session.scalars(
            select(OutboxMail)
            .where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at <= now)
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(limit)
        )
    )


def claim(session: Session, mail: OutboxMail, now: dt.datetime) -> bool:
    """Take this mail for this run, in its own commit; False when another run has it.

    The UPDATE only matches the row as it was read (same attempts, still due,
    unsent), so of two runs racing for it exactly one wins.
    """
    claimed = rows_changed(session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail.id,
            OutboxMail.sent_at.is_(None),
            OutboxMail.attempts == mail.attempts,
            OutboxMail.next_attempt_at <= now,
        )
        .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ))
    session.commit()
    return claimed == 1


def _mark_sent(session: Session, mail_id: int, at: dt.datetime) -> None:
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(sent_at=at, last_error="")
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _mark_failed(session: Session, mail_id: int, attempts: int, problem: Exception, at: dt.datetime) -> None:
    session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(next_attempt_at=at + retry_delay(attempts), last_error=_describe(problem)[:500])
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _describe(problem: Exception) -> str:
    return f"{type(problem).__name__}: {problem}".strip()


def send_due(session: Session, settings: SmtpSettings, *, now: dt.datetime | None = None, limit: int = BATCH) -> Report:
    """Send every mail that is due; failures wait for a later run, with backoff."""
    now = now or utcnow()
    waiting = due(session, now, limit)
    session.commit()
    report = Report()
    with Postman(settings) as postman:
        for mail in waiting:
            if not claim(session, mail, now):
                report.taken_by_another_run += 1
                continue
            attempts = mail.attempts + 1
            try:
                postman.send(build_message(mail, settings.sender))
            except _REFUSED_THIS_MAIL as problem:
                _mark_failed(session, mail.id, attempts, problem, max(now, utcnow()))
                report.failed += 1
                continue
            except _SERVER_PROBLEMS as problem:
                _mark_failed(session, mail.id, attempts, problem, max(now, utcnow()))
                report.failed += 1
                report.server_problem = _describe(problem)
                break
            _mark_sent(session, mail.id, utcnow())
            report.sent += 1
    session.expire_all()
    return report
