"""The editor's publishing actions: preview, publish (a new version, frozen),
unpublish, the versions of a feature and the corrections owed.

Compiling the snapshot lives in `compiling`, what visitors read in `public`,
the feed in `feed`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation import audit, privacy
from curation.answers import quote_changes
from curation.challenges import services as challenges
from curation.db import utcnow
from curation.errors import Conflict, Invalid, NotFound
from curation.models import (
    Answer,
    Challenge,
    ChallengeState,
    Publication,
    QuoteCard,
    User,
)
from curation.practice import services as practice_settings
from curation.publishing import cards, compressed, jobs
from curation.publishing.compiling import (
    FeatureData,
    QuoteData,
    SnapshotOutputs,
    compile_feature,
    credit_line,
    feature_data,
    pending_consent,
    render_snapshot,
    slugify,
)
from curation.publishing.corrections import Differences, content_hash, differences
from curation.review.services import approved_in_order


def _unique_slug(session: Session, challenge: Challenge) -> str:
    base = slugify(challenge.title)
    slug, n = base, 2
    while session.scalar(select(Challenge.id).where(Challenge.slug == slug, Challenge.id != challenge.id)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def preview_outputs(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> SnapshotOutputs:
    """The page, fragment and Markdown exactly as publishing now would freeze them,
    from one compile; the date reads as the date of publishing, not yet known."""
    return render_snapshot(_fresh_data(session, challenge, now), preview=True)


def preview_exports(session: Session, challenge: Challenge) -> SnapshotOutputs | None:
    """The preview's Markdown and fragment to copy before publishing; only once
    publishing could happen, since a copy pasted elsewhere is published too (and
    must not carry words their authors have not agreed to, nor the placeholders)."""
    try:
        publishable_quotes(session, challenge)
    except (Conflict, Invalid):
        return None
    return preview_outputs(session, challenge)


def preview(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> str:
    return preview_outputs(session, challenge, now)["html"]


def _fresh_data(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> FeatureData:
    return compile_feature(
        session,
        challenge,
        approved_in_order(session, challenge),
        version=_next_version(session, challenge),
        published_at=now or utcnow(),
        slug=challenge.slug or slugify(challenge.title),
    )


def _next_version(session: Session, challenge: Challenge) -> int:
    latest = session.scalar(select(func.max(Publication.version)).where(Publication.challenge_id == challenge.id))
    return (latest or 0) + 1


def publishable_quotes(session: Session, challenge: Challenge) -> list[Answer]:
    """The quotes publishing would freeze, or the reason it cannot happen now."""
    if challenge.state not in (ChallengeState.CLOSED, ChallengeState.PUBLISHED):
        raise Conflict("Close the challenge before publishing it, so no new answers arrive meanwhile.")
    placeholders = practice_settings.placeholders_left(practice_settings.load(session))
    if placeholders:
        raise Invalid(
            "Set your practice's own " + " and ".join(placeholders) + " in Settings before publishing: "
            "the feature would otherwise go live with the examples the tool ships with."
        )
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
    return quotes


@dataclasses.dataclass(frozen=True)
class Plan:
    """What publishing now would do, for the editor to confirm."""

    data: FeatureData
    previous: Publication | None
    differences: Differences | None  # against the public version, when there is one


def plan(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> Plan:
    quotes = publishable_quotes(session, challenge)
    data = compile_feature(
        session, challenge, quotes, version=_next_version(session, challenge), published_at=now or utcnow(),
        slug=challenge.slug or slugify(challenge.title),
    )
    previous = current_publication_of(session, challenge)
    return Plan(data, previous, differences(feature_data(previous), data) if previous else None)


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
    quotes = publishable_quotes(session, challenge)
    version = _next_version(session, challenge)
    if version_seen is not None and version_seen != version - 1:
        raise Conflict("Someone published this feature while you were looking at it; see the current version.")
    previous = current_publication_of(session, challenge)
    if challenge.slug is None:
        challenge.slug = _unique_slug(session, challenge)
    first_published_at = _first_published_at(session, challenge) or now
    data = compile_feature(session, challenge, quotes, version=version, published_at=now, slug=challenge.slug,
                           first_published_at=first_published_at)
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
        html_gzip=compressed.gzip_bytes(outputs["html"]),
        html_brotli=compressed.brotli_bytes(outputs["html"]),
        data=json.dumps(data),
        content_hash=content_hash(data),
        published_at=now,
        published_by_id=editor.id,
        first_published_at=first_published_at,
    )
    try:
        with session.begin_nested():
            session.add(publication)
            session.flush()
    except IntegrityError:
        raise Conflict("Another editor published this feature at the same moment; see the published page.") from None
    if previous is not None:
        previous.superseded_at = now
    # Publishing now replaces a scheduled publish: publish-due must not make another version.
    challenge.publish_at = None
    challenge.needs_correction = False
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
    # Cards, static files and the WordPress copy are drawn and sent after the commit.
    jobs.queue_after_publish(session, challenge, publication)
    return publication


def card_problems(session: Session, challenge: Challenge) -> list[QuoteData]:
    """The quotes publishing now would give no card, each with the reason."""
    data = compile_feature(
        session, challenge, approved_in_order(session, challenge),
        version=_next_version(session, challenge), published_at=utcnow(), slug=challenge.slug or "",
    )
    return [quote for quote in data["quotes"] if quote["card_problem"] is not None]


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
    challenge.needs_correction = False
    _mark_published_answers(session, challenge, [], now)
    challenges.move(session, challenge, ChallengeState.CLOSED, editor)
    audit.record(session, editor, "publication.unpublished", current, f"{challenge.title} v{current.version}")
    jobs.queue_after_publish(session, challenge, None)


def current_publication_of(session: Session, challenge: Challenge) -> Publication | None:
    return session.scalar(
        select(Publication)
        .where(Publication.challenge_id == challenge.id, Publication.is_public)
        .order_by(Publication.version.desc())
        .limit(1)
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
    return list(
        session.scalars(
            select(QuoteCard.number)
            .where(QuoteCard.publication_id == publication.id, QuoteCard.number != cards.SHARE_IMAGE_NUMBER)
            .order_by(QuoteCard.number)
        )
    )


@dataclasses.dataclass(frozen=True)
class Correction:
    """Why the public page no longer shows what the challenge holds."""

    publication: Publication  # the version readers see
    differences: Differences
    withdrawn: list[str]  # authors who withdrew consent for a quote still shown


def correction_owed(session: Session, challenge: Challenge, now: dt.datetime | None = None) -> Correction | None:
    """Compares a fresh compile with the public version: costs a compile, so only
    the challenge's own pages and flagged challenges ask."""
    if challenge.state != ChallengeState.PUBLISHED:
        return None
    current = current_publication_of(session, challenge)
    if current is None:
        return None
    withdrawn = list(
        session.scalars(
            select(User.name)
            .join(Answer, Answer.author_id == User.id)
            .where(
                Answer.challenge_id == challenge.id,
                Answer.published_at.is_not(None),
                Answer.consent_withdrawn_at.is_not(None),
            )
            .order_by(User.name)
        )
    )
    fresh = _fresh_data(session, challenge, now)
    published = feature_data(current)
    if (current.content_hash or content_hash(published)) == content_hash(fresh) and not withdrawn:
        return None
    return Correction(current, differences(published, fresh), withdrawn)


def corrections_owed(session: Session) -> list[Challenge]:
    """Published features whose page no longer matches the challenge: a quote whose
    author withdrew consent, or a change since publication (flagged cheaply when
    saved, confirmed here against a fresh compile)."""
    # ...or words that both sides have since agreed to change
    withdrawn = select(Answer.challenge_id).where(
        Answer.published_at.is_not(None),
        Answer.consent_withdrawn_at.is_not(None) | Answer.id.in_(quote_changes.answers_with_unpublished_changes()),
    )
    candidates = session.scalars(
        select(Challenge)
        .where(
            Challenge.state == ChallengeState.PUBLISHED,
            or_(Challenge.needs_correction.is_(True), Challenge.id.in_(withdrawn)),
        )
        .order_by(Challenge.id)
    )
    return [c for c in candidates if correction_owed(session, c) is not None]


def credit_lines(session: Session, answers: list[Answer]) -> dict[int, str]:
    anonymous = practice_settings.load(session)["anonymous_credit"]
    return {a.id: credit_line(a.author, a.credit, anonymous) for a in answers}


