"""The Atom feed's entries: public features, newest first."""
from __future__ import annotations

import datetime as dt
from typing import TypedDict

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from curation.models import Publication
from curation.text import printable
from curation.urls import external_url


class FeedEntry(TypedDict):
    id: str
    url: str
    title: str
    summary: str
    content: str
    published: dt.datetime
    updated: dt.datetime


def feed_entries(session: Session, limit: int = 30) -> list[FeedEntry]:
    """Public features for the Atom feed, newest first, as text XML can carry.

    Text is made printable again here: one stored snapshot holding a NUL or a
    U+FFFE must not make the whole feed unreadable.
    """
    publications = session.scalars(
        select(Publication)
        .options(load_only(Publication.slug, Publication.title, Publication.summary, Publication.fragment,
                           Publication.published_at, Publication.first_published_at, Publication.version))
        .where(Publication.is_public)
        .order_by(Publication.first_published_at.desc(), Publication.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": external_url("public.feature", slug=p.slug),
            "url": external_url("public.feature", slug=p.slug),
            "title": printable(p.title, single_line=True),
            "summary": printable(p.summary),
            "content": printable(p.fragment),
            "published": p.first_published_at,
            "updated": p.published_at,
        }
        for p in publications
    ]


def render_feed(session: Session) -> str:
    """The whole feed document, for the route and for the static files alike."""
    entries = feed_entries(session)
    body = render_template(
        "public/feed.xml",
        entries=entries,
        updated=max((e["updated"] for e in entries), default=None),
        feed_url=external_url("public.feed"),
        archive_url=external_url("public.archive"),
    )
    # the last guard: whatever slipped into the data, the document stays XML
    return printable(body)
