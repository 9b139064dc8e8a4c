"""Compile, preview, publish and unpublish a feature.

A publication is frozen when made: its HTML page, fragment, Markdown, quote
cards and the data they came from are stored, and public pages serve only
what was stored.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import unicodedata
from typing import Any

from flask import render_template
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, load_only

from curation import audit, privacy
from curation.challenges import services as challenges
from curation.db import utcnow
from curation.errors import Conflict, Invalid, NotFound
from curation.models import (
    Answer,
    AuditEntry,
    Challenge,
    ChallengeState,
    Credit,
    ExcerptConsent,
    Publication,
    QuoteCard,
    SiteSetting,
    User,
)
from curation.publishing import cards
from curation.publishing.markdown import feature_markdown
from curation.review.services import QUEUE_STATES, approved_in_order
from curation.security import clean_text
from curation.site import services as site_settings
from curation.templating import external_url
from curation.therapists import services as therapists


def credit_line(author: User, credit: Credit, anonymous_credit: str) -> str:
    """How a quote is credited, as its author chose. Anonymous says nothing of who."""
    if credit == Credit.ANONYMOUS:
        return anonymous_credit
    name = author.name.strip() if credit == Credit.FULL else author.first_name
    return f"{name}, {author.credentials}" if author.credentials.strip() else name


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-") or "feature"


def _unique_slug(session: Session, challenge: Challenge) -> str:
    base = slugify(challenge.title)
    slug, n = base, 2
    while session.scalar(select(Challenge.id).where(Challenge.slug == slug, Challenge.id != challenge.id)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def pending_consent(quotes: list[Answer]) -> list[Answer]:
    """Approved quotes whose exact words the author has not agreed to."""
    return [
        a
        for a in quotes
        if not a.has_consent
        or a.consent_withdrawn_at is not None
        or (a.excerpt and a.excerpt_consent != ExcerptConsent.ACCEPTED)
    ]


def excerpt_acceptance_times(session: Session, answer_ids: list[int]) -> dict[int, dt.datetime]:
    """When each author last accepted their excerpt, from the audit log; an
    excerpt changed since must be accepted again, so the last is the one in force."""
    if not answer_ids:
        return {}
    rows = session.execute(
        select(AuditEntry.subject_id, func.max(AuditEntry.at))
        .where(
            AuditEntry.action == "answer.excerpt_accepted",
            AuditEntry.subject_type == "answer",
            AuditEntry.subject_id.in_(answer_ids),
        )
        .group_by(AuditEntry.subject_id)
    )
    return {answer_id: at for answer_id, at in rows}


def compile_feature(
    session: Session,
    challenge: Challenge,
    quotes: list[Answer],
    *,
    version: int,
    published_at: dt.datetime,
    slug: str,
) -> dict[str, Any]:
    """Everything a published feature shows, as plain data; `quotes` are the
    approved answers in the editor's order."""
    settings = site_settings.load(session)
    answered = session.scalar(
        select(func.count(Answer.id)).where(Answer.challenge_id == challenge.id, Answer.state.in_(QUEUE_STATES))
    ) or 0
    accepted_at = excerpt_acceptance_times(session, [a.id for a in quotes if a.excerpt])
    quoted = []
    for number, answer in enumerate(quotes, start=1):
        line = credit_line(answer.author, answer.credit, settings["anonymous_credit"])
        quoted.append(
            {
                "number": number,
                # forms strip control characters on input; older text may still hold some
                "text": clean_text(answer.quote_text),
                "credit_line": line,
                "is_anonymous": answer.credit == Credit.ANONYMOUS,
                "credit_url": therapists.credit_url(answer.author, answer.credit),
                # kept in the stored data, never in public output
                "answer_id": answer.id,
                "consent": {
                    "author_id": answer.author_id,
                    "author_name": answer.author.name,
                    # to an excerpt: when its author accepted it; to a whole answer: when it was submitted
                    "consented_at": (
                        (accepted_at.get(answer.id) if answer.excerpt else None) or answer.submitted_at or published_at
                    ).isoformat(),
                    "excerpt_accepted": answer.excerpt_consent == ExcerptConsent.ACCEPTED,
                    "text": answer.quote_text,
                    "credit_line": line,
                },
            }
        )
    return {
        "slug": slug,
        "version": version,
        "published_at": published_at.isoformat(),
        "title": challenge.title,
        "intro_html": challenge.intro_html,
        "topic": challenge.topic,
        "challengers": challenge.challengers,
        "results": _results_line(answered, len(quoted)),
        "question": challenge.question,
        "quotes": quoted,
        "outro_html": challenge.outro_html,
        "crisis_resources": privacy.crisis_line(session, challenge),
        "practice_name": settings["practice_name"],
        "booking": {
            "text": settings["booking_text"],
            "label": settings["booking_label"],
            "url": settings["booking_url"],
        },
    }


def _results_line(answered: int, quoted: int) -> str:
    people = "therapist" if answered == 1 else "therapists"
    answers = "answer" if quoted == 1 else "answers"
    return f"{answered} {people} took the challenge. Here are {quoted} of their {answers}, in their own words."


def render_snapshot(data: dict[str, Any]) -> dict[str, str]:
    """The frozen outputs of one publication, from its data alone."""
    published_at = dt.datetime.fromisoformat(data["published_at"])
    context = {"feature": data, "published_at": published_at}
    html = render_template("snapshots/feature.html", **context)
    fragment = render_template("snapshots/fragment.html", **context)
    return {
        "html": html,
        "fragment": fragment,
        "markdown": feature_markdown(data),
        "etag": hashlib.sha256(html.encode()).hexdigest()[:32],
    }


def preview(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> str:
    """The page exactly as publishing now would freeze it."""
    now = now or utcnow()
    data = compile_feature(
        session,
        challenge,
        approved_in_order(session, challenge),
        version=_next_version(session, challenge),
        published_at=now,
        slug=challenge.slug or slugify(challenge.title),
    )
    return render_snapshot(data)["html"]


def _next_version(session: Session, challenge: Challenge) -> int:
    latest = session.scalar(select(func.max(Publication.version)).where(Publication.challenge_id == challenge.id))
    return (latest or 0) + 1


def publish(
    session: Session,
    challenge: Challenge,
    editor: User,
    *,
    version_seen: int | None = None,
    now: dt.datetime | None = None,
) -> Publication:
    """Freeze the feature as a new version; all of it or, on any failure, none.

    `version_seen` is the latest version the editor had in front of them: when
    someone published since, this publish is refused rather than made twice.
    """
    now = now or utcnow()
    if challenge.state not in (ChallengeState.CLOSED, ChallengeState.PUBLISHED):
        raise Conflict("Close the challenge before publishing it, so no new answers arrive meanwhile.")
    quotes = approved_in_order(session, challenge)
    if not quotes:
        raise Invalid("There are no approved answers to publish yet.")
    waiting = pending_consent(quotes)
    if waiting:
        names = ", ".join(sorted({a.author.name for a in waiting}))
        raise Conflict(
            "Publishing waits for these authors to agree to the exact words of their quote: " + names + "."
        )

    if privacy.unacknowledged_flags(session, challenge):
        raise Conflict("The privacy check flagged passages in the quotes that no editor has decided on yet: "
                       "acknowledge each one on the publish page, or set an excerpt that leaves it out.")
    version = _next_version(session, challenge)
    if version_seen is not None and version_seen != version - 1:
        raise Conflict("Someone published this feature while you were looking at it; see the current version.")
    previous = current_publication_of(session, challenge)
    if challenge.slug is None:
        challenge.slug = _unique_slug(session, challenge)
    data = compile_feature(session, challenge, quotes, version=version, published_at=now, slug=challenge.slug)
    outputs = render_snapshot(data)
    publication = Publication(
        challenge_id=challenge.id,
        version=version,
        slug=challenge.slug,
        title=data["title"],
        summary=challenge.question,
        html=outputs["html"],
        fragment=outputs["fragment"],
        markdown=outputs["markdown"],
        etag=outputs["etag"],
        data=json.dumps(data),
        published_at=now,
        published_by_id=editor.id,
        first_published_at=_first_published_at(session, challenge) or now,
    )
    try:
        with session.begin_nested():
            session.add(publication)
            session.flush()
    except IntegrityError:
        raise Conflict("Another editor published this feature at the same moment; see the published page.") from None
    for quote in data["quotes"]:
        png = cards.render_quote_card(quote["text"], quote["credit_line"], data["title"])
        session.add(
            QuoteCard(
                publication_id=publication.id,
                number=quote["number"],
                answer_id=quote["answer_id"],
                png=png,
                etag=hashlib.sha256(png).hexdigest()[:32],
            )
        )
    if previous is not None:
        previous.superseded_at = now
    _mark_published_answers(session, challenge, [q["answer_id"] for q in data["quotes"]], now)
    if challenge.state != ChallengeState.PUBLISHED:
        challenges.move(session, challenge, ChallengeState.PUBLISHED, editor)
    session.flush()
    audit.record(
        session,
        editor,
        "publication.published",
        publication,
        f"{challenge.title} v{version}, {len(data['quotes'])} quotes; consent: "
        + "; ".join(
            f"#{q['number']} {q['consent']['author_name']} agreed on {q['consent']['consented_at'][:16]} UTC"
            f" to “{q['consent']['text']}” credited as {q['credit_line']}"
            for q in data["quotes"]
        ),
    )
    return publication


def _first_published_at(session: Session, challenge: Challenge) -> dt.datetime | None:
    return session.scalar(
        select(func.min(Publication.published_at)).where(Publication.challenge_id == challenge.id)
    )


def _mark_published_answers(session: Session, challenge: Challenge, answer_ids: list[int], now: dt.datetime) -> None:
    session.execute(
        update(Answer)
        .where(Answer.challenge_id == challenge.id)
        .values(published_at=None)
        .execution_options(synchronize_session="fetch")
    )
    if answer_ids:
        session.execute(
            update(Answer)
            .where(Answer.id.in_(answer_ids))
            .values(published_at=now)
            .execution_options(synchronize_session="fetch")
        )


def unpublish(session: Session, challenge: Challenge, editor: User, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    current = current_publication_of(session, challenge)
    if current is None or challenge.state != ChallengeState.PUBLISHED:
        raise Conflict("This feature is not published.")
    current.unpublished_at = now
    _mark_published_answers(session, challenge, [], now)
    challenges.move(session, challenge, ChallengeState.CLOSED, editor)
    audit.record(session, editor, "publication.unpublished", current, f"{challenge.title} v{current.version}")


def current_publication_of(session: Session, challenge: Challenge) -> Publication | None:
    return session.scalar(
        select(Publication)
        .where(
            Publication.challenge_id == challenge.id,
            Publication.superseded_at.is_(None),
            Publication.unpublished_at.is_(None),
        )
        .order_by(Publication.version.desc())
        .limit(1)
    )


@dataclasses.dataclass(frozen=True)
class PublicPage:
    html: str
    etag: str
    frame_ancestors: str


# Built once: on the site's hottest path, building and hashing a statement per
# request costs more than running it.
_PUBLIC_PAGE = (
    select(
        Publication.html,
        Publication.etag,
        select(SiteSetting.value).where(SiteSetting.key == "frame_ancestors").scalar_subquery(),
    )
    .where(
        Publication.slug == bindparam("slug"),
        Publication.superseded_at.is_(None),
        Publication.unpublished_at.is_(None),
    )
    .order_by(Publication.version.desc())
    .limit(1)
)


def public_page(session: Session, slug: str) -> PublicPage:
    """The stored page and the framing setting in one indexed query, nothing else."""
    row = session.connection().execute(_PUBLIC_PAGE, {"slug": slug}).one_or_none()
    if row is None:
        raise NotFound("There is no published feature here.")
    html, etag, allowed = row
    return PublicPage(html, etag, site_settings.DEFAULTS["frame_ancestors"] if allowed is None else allowed)


def public_publication(session: Session, slug: str) -> Publication:
    publication = session.scalar(
        select(Publication)
        .where(Publication.slug == slug, Publication.superseded_at.is_(None), Publication.unpublished_at.is_(None))
        .order_by(Publication.version.desc())
        .limit(1)
    )
    if publication is None:
        raise NotFound("There is no published feature here.")
    return publication


def public_card(session: Session, slug: str, number: int) -> QuoteCard:
    publication = public_publication(session, slug)
    card = session.scalar(
        select(QuoteCard).where(QuoteCard.publication_id == publication.id, QuoteCard.number == number)
    )
    if card is None:
        raise NotFound("There is no such quote card.")
    return card


def archive(session: Session) -> list[Publication]:
    """Public features, newest first (without their large stored bodies)."""
    return list(
        session.scalars(
            select(Publication)
            .options(load_only(Publication.slug, Publication.title, Publication.summary, Publication.published_at,
                               Publication.first_published_at, Publication.version))
            .where(Publication.superseded_at.is_(None), Publication.unpublished_at.is_(None))
            .order_by(Publication.first_published_at.desc(), Publication.id.desc())
        )
    )


def versions_of(session: Session, challenge: Challenge) -> list[Publication]:
    return list(
        session.scalars(
            select(Publication)
            .where(Publication.challenge_id == challenge.id)
            .order_by(Publication.version.desc())
        )
    )


def get_version(session: Session, challenge: Challenge, version: int) -> Publication:
    publication = session.scalar(
        select(Publication).where(Publication.challenge_id == challenge.id, Publication.version == version)
    )
    if publication is None:
        raise NotFound("There is no such version.")
    return publication


def card_numbers(session: Session, publication: Publication) -> list[int]:
    return list(session.scalars(select(QuoteCard.number).where(QuoteCard.publication_id == publication.id).order_by(QuoteCard.number)))


def corrections_owed(session: Session) -> list[Challenge]:
    """Published features still showing a quote whose author withdrew consent."""
    return list(
        session.scalars(
            select(Challenge)
            .where(
                Challenge.state == ChallengeState.PUBLISHED,
                Challenge.id.in_(
                    select(Answer.challenge_id).where(
                        Answer.published_at.is_not(None), Answer.consent_withdrawn_at.is_not(None)
                    )
                ),
            )
            .order_by(Challenge.id)
        )
    )


def credit_lines(session: Session, answers: list[Answer]) -> dict[int, str]:
    anonymous = site_settings.load(session)["anonymous_credit"]
    return {a.id: credit_line(a.author, a.credit, anonymous) for a in answers}


def feed_entries(session: Session, limit: int = 30) -> list[dict[str, Any]]:
    """Public features for the Atom feed, newest first, as text XML can carry.

    Control characters are stripped again here: one stored snapshot holding a
    NUL must not make the whole feed unreadable.
    """
    publications = session.scalars(
        select(Publication)
        .options(load_only(Publication.slug, Publication.title, Publication.summary, Publication.fragment,
                           Publication.published_at, Publication.first_published_at, Publication.version))
        .where(Publication.superseded_at.is_(None), Publication.unpublished_at.is_(None))
        .order_by(Publication.first_published_at.desc(), Publication.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": external_url("public.feature", slug=p.slug),
            "url": external_url("public.feature", slug=p.slug),
            "title": clean_text(p.title),
            "summary": clean_text(p.summary),
            "content": clean_text(p.fragment),
            "published": p.first_published_at,
            "updated": p.published_at,
        }
        for p in publications
    ]
