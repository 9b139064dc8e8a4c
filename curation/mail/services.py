"""The outbox: mails are written in the transaction of their event and sent after commit."""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation.answers import quote_changes
from curation.answers.lifecycle import NOT_SUBMITTED
from curation.db import utcnow
from curation.excerpts import Cut, excerpt_spans
from curation.models import (
    AccountToken,
    Answer,
    AnswerState,
    Challenge,
    ChallengeState,
    ExcerptConsent,
    Invitation,
    OutboxMail,
    Publication,
    QuoteChange,
    Role,
    Suggestion,
    User,
)
from curation.practice import services as practice_settings
from curation.publishing import corrections
from curation.publishing.compiling import FeatureData, QuoteData, feature_data
from curation.templating import local_time
from curation.urls import external_url


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
        # each new link of the invitation is a mail of its own; the same link, once
        dedupe_key=f"invitation:{invitation.id}:{invitation.token_hash[:16]}",
        invitation=invitation,
        inviter=invitation.invited_by,
        practice_name=practice_settings.load(session)["practice_name"],
        url=url,
    )


def queue_password_reset(session: Session, token: AccountToken, url: str) -> OutboxMail | None:
    return queue(
        session,
        kind="password_reset",
        recipient=token.user.email,
        subject="Choose a new password for Therapists Being Human",
        template="password_reset",
        token=token,
        user=token.user,
        url=url,
    )


def queue_email_confirmation(session: Session, token: AccountToken, url: str) -> OutboxMail | None:
    """To the new address, which becomes the login once the link is used; the old
    address hears of it at the same moment."""
    confirmation = queue(
        session,
        kind="email_confirmation",
        recipient=token.new_email or "",
        subject="Confirm your new address for Therapists Being Human",
        template="email_confirmation",
        token=token,
        user=token.user,
        url=url,
    )
    queue(
        session,
        kind="email_change_notice",
        recipient=token.user.email,
        subject="A new e-mail address was asked for your account",
        template="email_change_notice",
        token=token,
        user=token.user,
    )
    return confirmation


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


def _spans(answer: Answer, words: str | None, checked: Sequence[Cut | None]) -> list[tuple[str, bool]]:
    """What `words` cut from the answer: from the check that accepted them, if given."""
    known = next((c for c in checked if c is not None and c.text == words), None)
    return known.spans if known is not None else excerpt_spans(answer.body, words)


def queue_answer_reviewed(
    session: Session, answer: Answer, checked: Sequence[Cut | None] = ()
) -> OutboxMail | None:
    """One mail per review: an approval that waits for the author's consent to an
    excerpt asks for it (with the note); any other decision tells it, with the note.

    `checked`: excerpts the review has just checked against this answer, whose
    cuts the mail shows without matching them again."""
    author = answer.author
    if not _wants_mail(author):
        return None
    excerpt_waits = answer.excerpt and answer.excerpt_consent == ExcerptConsent.PENDING
    card_waits = answer.card_excerpt and answer.card_excerpt_consent == ExcerptConsent.PENDING
    if answer.state == AnswerState.APPROVED and (excerpt_waits or card_waits):
        return queue(
            session,
            kind="excerpt_awaiting_consent",
            recipient=author.email,
            subject=f"Your words for “{answer.challenge.topic}”: please check the excerpt",
            template="excerpt_awaiting_consent",
            answer=answer,
            author=author,
            challenge=answer.challenge,
            spans=_spans(answer, answer.excerpt, checked) if excerpt_waits else None,
            card_spans=_spans(answer, answer.card_excerpt, checked) if card_waits else None,
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


def queue_personal_reminder(
    session: Session, challenge: Challenge, therapist: User, *, dedupe_key: str, has_draft: bool
) -> OutboxMail | None:
    """The reminder an editor sends one therapist by hand; None when already sent."""
    return queue(
        session,
        kind="personal_reminder",
        recipient=therapist.email,
        subject=f"We would love your answer: “{challenge.topic}”",
        template="personal_reminder",
        dedupe_key=dedupe_key,
        challenge=challenge,
        therapist=therapist,
        has_draft=has_draft,
    )


def _reminder_days(session: Session) -> int:
    try:
        return max(1, int(practice_settings.load(session)["reminder_days"]))
    except ValueError:
        return int(practice_settings.DEFAULTS["reminder_days"])


@dataclasses.dataclass(frozen=True)
class Notice:
    """One quoted author's mail about a publication: that their words are out, or,
    after a correction, what changed in them."""

    author: User
    kind: str  # feature_published or feature_corrected
    quote: QuoteData | None  # their quote as it now stands; None when it was taken out
    change: corrections.QuoteChange | None

    @property
    def will_be_sent(self) -> bool:
        return _wants_mail(self.author)


def feature_notices(session: Session, data: FeatureData, previous: FeatureData | None) -> list[Notice]:
    """Who hears of publishing `data`: every quoted author the first time; after a
    correction of `previous`, only those whose words or credit changed."""
    now_quoted = {q["answer_id"]: q for q in data["quotes"]}
    wanted: list[tuple[int, QuoteData | None, corrections.QuoteChange | None]]
    if previous is None:
        wanted = [(q["consent"]["author_id"], q, None) for q in data["quotes"]]
    else:
        wanted = [(c.author_id, now_quoted.get(c.answer_id), c)
                  for c in corrections.quote_changes(previous["quotes"], data["quotes"]) if c.touches_author]
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
    told = queue_readers_told(session, publication)
    return told + _count_queued(
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


def queue_readers_told(session: Session, publication: Publication) -> int:
    """Readers whose suggested question this edition answers hear of it once;
    their address served only this and is erased as the mail is queued."""
    readers = session.scalars(
        select(Suggestion).where(
            Suggestion.challenge_id == publication.challenge_id,
            Suggestion.email != "",
            Suggestion.reader_told_at.is_(None),
        )
    ).all()
    for suggestion in readers:
        queue(
            session,
            kind="suggestion_published",
            recipient=suggestion.email,
            subject=f"Your question became an edition: {publication.title}",
            template="suggestion_published",
            dedupe_key=f"suggestion_published:{suggestion.id}",
            publication=publication,
            suggestion=suggestion,
        )
        suggestion.email = ""
        suggestion.reader_told_at = utcnow()
    session.flush()
    return len(readers)


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


def queue_excerpt_decided(session: Session, answer: Answer, kind: str = "excerpt") -> int:
    card = kind == "card"
    consent = answer.card_excerpt_consent if card else answer.excerpt_consent
    words = answer.card_excerpt if card else answer.excerpt
    author_note = answer.card_excerpt_author_note if card else answer.excerpt_author_note
    # The same decision on the same words sent twice (a double click) is one mail.
    decision = f"{kind}\n{consent}\n{words or ''}\n{author_note}"
    what = "the card excerpt" if card else "the excerpt"
    return _queue_to_editors(
        session,
        routine=True,
        kind="excerpt_decided",
        subject=f"{answer.author.name} {consent} {what} for “{answer.challenge.topic}”",
        template="excerpt_decided",
        key=f"excerpt_decided:{answer.id}:{hashlib.sha256(decision.encode()).hexdigest()[:24]}",
        answer=answer,
        what=what,
        consent=consent,
        author_note=author_note,
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


def queue_quote_change_for_author(session: Session, change: QuoteChange) -> OutboxMail | None:
    """New words for a published quote wait for its author: the editor's proposal,
    or the editor's excerpt of the author's own corrected wording."""
    answer = change.answer
    author = answer.author
    if not _wants_mail(author):
        return None
    return queue(
        session,
        kind="quote_change_awaiting_consent",
        recipient=author.email,
        subject=f"Your published words in “{answer.challenge.title}”: please check the new wording",
        template="quote_change_awaiting_consent",
        dedupe_key=f"quote_change_awaiting_consent:{change.id}:{change.state}",
        change=change,
        answer=answer,
        author=author,
        challenge=answer.challenge,
        spans=quote_changes.proposed_spans(change),
    )


def queue_correction_requested(session: Session, change: QuoteChange) -> int:
    answer = change.answer
    return _queue_to_editors(
        session,
        routine=True,
        kind="correction_requested",
        subject=f"{answer.author.name} asks to correct their quote in “{answer.challenge.title}”",
        template="correction_requested",
        key=f"correction_requested:{change.id}",
        change=change,
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


def queue_scheduled_publish_held(session: Session, challenge: Challenge, reason: str, scheduled_for: dt.datetime) -> int:
    """Every editor hears of it: a reader waiting for the edition sees nothing."""
    return _queue_to_editors(
        session,
        routine=False,
        kind="scheduled_publish_held",
        subject=f"“{challenge.title}” was not published as scheduled",
        template="scheduled_publish_held",
        key=f"scheduled_publish_held:{challenge.id}:{scheduled_for:%Y%m%d%H%M}",
        challenge=challenge,
        reason=reason,
    )
