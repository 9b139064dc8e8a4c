"""Compiling a feature: the snapshot's data from the challenge and its quotes,
and the frozen outputs (page, fragment, Markdown) rendered from that data alone."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from typing import TypedDict

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from curation.models import (
    Answer,
    AuditEntry,
    Challenge,
    Credit,
    ExcerptConsent,
    Publication,
    User,
)
from curation.publishing.markdown import feature_markdown
from curation.review.services import QUEUE_STATES
from curation.security import clean_text
from curation.site import services as site_settings


class ConsentRecord(TypedDict):
    author_id: int
    author_name: str
    consented_at: str  # ISO 8601, UTC
    excerpt_accepted: bool
    text: str
    credit_line: str


class QuoteData(TypedDict):
    number: int  # 1-based, published order
    text: str
    credit_line: str
    is_anonymous: bool
    answer_id: int  # kept in the stored data, never in public output
    consent: ConsentRecord


class Booking(TypedDict):
    text: str
    label: str
    url: str


class FeatureData(TypedDict):
    """What a publication froze, stored as JSON in `Publication.data`."""

    slug: str
    version: int
    published_at: str  # ISO 8601, UTC
    title: str
    intro_html: str
    topic: str
    challengers: str
    results: str
    question: str
    quotes: list[QuoteData]
    outro_html: str
    practice_name: str
    booking: Booking


def feature_data(publication: Publication) -> FeatureData:
    """The data a publication was frozen from."""
    data: FeatureData = json.loads(publication.data)
    return data


class SnapshotOutputs(TypedDict):
    html: str
    fragment: str
    markdown: str
    etag: str


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
) -> FeatureData:
    """Everything a published feature shows, as plain data; `quotes` are the
    approved answers in the editor's order."""
    settings = site_settings.load(session)
    answered = session.scalar(
        select(func.count(Answer.id)).where(Answer.challenge_id == challenge.id, Answer.state.in_(QUEUE_STATES))
    ) or 0
    accepted_at = excerpt_acceptance_times(session, [a.id for a in quotes if a.excerpt])
    quoted: list[QuoteData] = []
    for number, answer in enumerate(quotes, start=1):
        line = credit_line(answer.author, answer.credit, settings["anonymous_credit"])
        quoted.append(
            {
                "number": number,
                # forms strip control characters on input; older text may still hold some
                "text": clean_text(answer.quote_text),
                "credit_line": line,
                "is_anonymous": answer.credit == Credit.ANONYMOUS,
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


def render_snapshot(data: FeatureData, *, preview: bool = False) -> SnapshotOutputs:
    """The frozen outputs of one publication, from its data alone; a preview's
    date is not known yet (None: the page says "the date you publish")."""
    published_at = None if preview else dt.datetime.fromisoformat(data["published_at"])
    context = {"feature": data, "published_at": published_at}
    html = render_template("snapshots/feature.html", **context)
    fragment = render_template("snapshots/fragment.html", **context)
    return {
        "html": html,
        "fragment": fragment,
        "markdown": feature_markdown(data),
        "etag": hashlib.sha256(html.encode()).hexdigest()[:32],
    }
