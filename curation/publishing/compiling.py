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

from curation import privacy
from curation.answers.lifecycle import QUEUE_STATES
from curation.answers.services import consents_in_force
from curation.editor_markdown import markdown_source
from curation.models import (
    Answer,
    AuditEntry,
    Challenge,
    Credit,
    ExcerptConsent,
    Publication,
    User,
)
from curation.practice import services as practice_settings
from curation.practice.services import Link
from curation.publishing import cards
from curation.publishing.markdown import feature_markdown
from curation.security import clean_text
from curation.therapists import services as therapists
from curation.urls import external_url


class QuoteConsent(TypedDict):
    author_id: int
    author_name: str
    consented_at: str  # ISO 8601, UTC
    excerpt_accepted: bool
    text: str
    credit_line: str
    # the exact statement the author agreed to, and when (None for answers
    # submitted before consent records were kept)
    statement: str | None
    recorded_at: str | None


class QuoteData(TypedDict):
    number: int  # 1-based, published order
    text: str
    # the card's words: the card excerpt its author accepted, else `text`; the
    # card is made from these exactly, or not at all (card_problem says why)
    card_text: str
    card_problem: str | None
    credit_line: str
    is_anonymous: bool
    credit_url: str  # the author's public page for named credits, else ""
    answer_id: int  # kept in the stored data, never in public output
    consent: QuoteConsent


class Booking(TypedDict):
    text: str  # Markdown, as the editor wrote it
    text_html: str
    label: str
    url: str


class Closing(TypedDict):
    """The block after the booking call-to-action; no links, no block."""

    title: str
    text_md: str
    text_html: str
    links: list[Link]


class FeatureData(TypedDict):
    """What a publication froze, stored as JSON in `Publication.data`."""

    slug: str
    version: int
    published_at: str  # ISO 8601, UTC
    first_published_at: str  # ISO 8601, UTC: when version 1 went out
    title: str
    # Markdown fields: `_html` rendered and cleaned when saved, `_md` the editor's
    # Markdown as written ("" for text saved as HTML before Markdown), for the export
    intro_html: str
    intro_md: str
    topic: str
    challengers: str
    results: str
    challenge_text_html: str
    challenge_text_md: str
    challengers_text_html: str
    challengers_text_md: str
    results_title: str
    question: str
    quotes: list[QuoteData]
    cards_between_quotes: bool
    outro_html: str
    crisis_resources: str  # the crisis-resources line, when the editor added it
    outro_md: str
    practice_name: str
    series_name: str
    booking: Booking
    closing: Closing


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
        or (a.card_excerpt and a.card_excerpt_consent != ExcerptConsent.ACCEPTED)
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
    return {answer_id: at for answer_id, at in rows if answer_id is not None}


def compile_feature(
    session: Session,
    challenge: Challenge,
    quotes: list[Answer],
    *,
    version: int,
    published_at: dt.datetime,
    slug: str,
    first_published_at: dt.datetime | None = None,
) -> FeatureData:
    """Everything a published feature shows, as plain data; `quotes` are the
    approved answers in the editor's order."""
    settings = practice_settings.load(session)
    answered = session.scalar(
        select(func.count(Answer.id)).where(Answer.challenge_id == challenge.id, Answer.state.in_(QUEUE_STATES))
    ) or 0
    accepted_at = excerpt_acceptance_times(session, [a.id for a in quotes if a.excerpt])
    in_force = consents_in_force(session, quotes)
    quoted: list[QuoteData] = []
    for number, answer in enumerate(quotes, start=1):
        line = credit_line(answer.author, answer.credit, settings["anonymous_credit"])
        text = clean_text(answer.quote_text)  # forms strip control characters on input; older text may still hold some
        card_words = card_text(answer)
        quoted.append(
            {
                "number": number,
                "text": text,
                "card_text": card_words,
                "card_problem": cards.card_problem(
                    card_words, line, challenge.title, settings["series_name"], settings["practice_name"]
                ),
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
                    "statement": in_force[answer.id].statement if answer.id in in_force else None,
                    "recorded_at": in_force[answer.id].at.isoformat() if answer.id in in_force else None,
                },
            }
        )
    return {
        "slug": slug,
        "version": version,
        "published_at": published_at.isoformat(),
        "first_published_at": (first_published_at or published_at).isoformat(),
        "title": challenge.title,
        "intro_html": challenge.intro_html,
        "intro_md": markdown_source(challenge.intro),
        "topic": challenge.topic,
        "challengers": challenge.challengers,
        "results": _results_line(answered, len(quoted)),
        "challenge_text_html": challenge.challenge_text_html,
        "challenge_text_md": markdown_source(challenge.challenge_text),
        "challengers_text_html": challenge.challengers_text_html,
        "challengers_text_md": markdown_source(challenge.challengers_text),
        "results_title": challenge.results_title,
        "question": challenge.question,
        "quotes": quoted,
        "cards_between_quotes": settings["cards_between_quotes"] == "True",
        "outro_html": challenge.outro_html,
        "crisis_resources": privacy.crisis_line(session, challenge),
        "outro_md": markdown_source(challenge.outro),
        "practice_name": settings["practice_name"],
        "series_name": settings["series_name"],
        "booking": {
            "text": markdown_source(settings["booking_text"], legacy_html=False),
            "text_html": settings["booking_text_html"],
            "label": settings["booking_label"],
            "url": settings["booking_url"],
        },
        "closing": {
            "title": settings["closing_title"],
            "text_md": markdown_source(settings["closing_text"], legacy_html=False),
            "text_html": settings["closing_text_html"],
            "links": practice_settings.parse_links(settings["closing_links"]),
        },
    }


def card_text(answer: Answer) -> str:
    """The words of a quote's card: its card excerpt once the author accepted it, else the quote itself."""
    if answer.card_excerpt and answer.card_excerpt_consent == ExcerptConsent.ACCEPTED:
        return clean_text(answer.card_excerpt)
    return clean_text(answer.quote_text)


def _results_line(answered: int, quoted: int) -> str:
    people = "therapist" if answered == 1 else "therapists"
    answers = "answer" if quoted == 1 else "answers"
    return f"{answered} {people} took the challenge. Here are {quoted} of their {answers}, in their own words."


def publication_dates(data: FeatureData) -> dict[str, str]:
    """The days (UTC) the feature first went out and this version did, as ISO 8601 dates.

    Days, like the date the page shows: the preview then stays exactly the page
    that publishing a moment later freezes.
    """
    return {
        "published": data.get("first_published_at", data["published_at"])[:10],
        "modified": data["published_at"][:10],
    }


def structured_data(data: FeatureData) -> str:
    """The feature as a schema.org Article (JSON-LD) for search engines and link previews.

    The practice is the publisher and the author: a feature gathers many
    therapists, some anonymous, and no name may travel that a quote does not show.
    """
    practice = {"@type": "Organization", "name": data["practice_name"]}
    article = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": data["title"],
        "description": data["question"],
        "datePublished": publication_dates(data)["published"],
        "image": external_url("public.share_image", slug=data["slug"]),
        "url": external_url("public.feature", slug=data["slug"]),
        "isPartOf": {"@type": "CreativeWorkSeries", "name": data["series_name"]},
        "publisher": practice,
        "author": practice,
    }
    if data["version"] > 1:
        article["dateModified"] = publication_dates(data)["modified"]
    # Inside <script> only "</" could end the block; escaping <, > and & keeps any title inert.
    text = json.dumps(article, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_snapshot(data: FeatureData, *, preview: bool = False) -> SnapshotOutputs:
    """The frozen outputs of one publication, from its data alone; a preview's
    date is not known yet (None: the page says "the date you publish")."""
    published_at = None if preview else dt.datetime.fromisoformat(data["published_at"])
    context = {
        "feature": data,
        "published_at": published_at,
        "dates": publication_dates(data),
        "structured_data": structured_data(data),
    }
    html = render_template("snapshots/feature.html", **context)
    fragment = render_template("snapshots/fragment.html", **context)
    return {
        "html": html,
        "fragment": fragment,
        "markdown": feature_markdown(data),
        "etag": hashlib.sha256(html.encode()).hexdigest()[:32],
    }
