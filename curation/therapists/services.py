"""A therapist's opt-in public page: who they are and the quotes they
published under their name, read from the publications as frozen."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from curation import audit
from curation.errors import NotFound
from curation.models import Answer, Credit, Publication, Role, User
from curation.urls import external_url


def _unique_slug(session: Session, user: User) -> str:
    # imported here: publishing asks this module for credit links as it compiles
    from curation.publishing.services import slugify

    base = slugify(user.name) if user.name.strip() else "therapist"
    slug, n = base, 2
    while session.scalar(select(User.id).where(User.public_slug == slug, User.id != user.id)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_public_page(session: Session, user: User, *, wanted: bool, bio: str, profile_url: str) -> None:
    """The person's own choice. The address stays theirs when they opt out, so
    links in features published meanwhile work again if they opt back in."""
    was = user.has_public_page
    user.has_public_page = wanted
    user.bio = bio.strip()
    user.profile_url = profile_url.strip()
    if wanted and user.public_slug is None:
        user.public_slug = _unique_slug(session, user)
    session.flush()
    if was != wanted:
        audit.record(session, user, "therapist.public_page_" + ("opened" if wanted else "closed"), user)


def remove_public_page(session: Session, user: User) -> None:
    """For erasing a person who left: the page, its address and the bio go."""
    user.has_public_page = False
    user.public_slug = None
    user.bio = ""
    session.flush()


def credit_url(author: User, credit: Credit) -> str:
    """Where a published credit line links: the author's page, when there is one
    and the quote carries their name. An anonymous quote never links anywhere."""
    if credit == Credit.ANONYMOUS or not author.has_public_page or not author.public_slug:
        return ""
    return external_url("therapists.page", slug=author.public_slug)


@dataclasses.dataclass(frozen=True)
class PublishedQuote:
    text: str
    credit_line: str
    feature_title: str
    feature_slug: str
    published_at: dt.datetime


def get_public(session: Session, slug: str) -> User:
    user = session.scalar(select(User).where(User.public_slug == slug))
    if user is None or not user.has_public_page or user.is_deactivated or user.role != Role.THERAPIST:
        raise NotFound("There is no such page.")
    return user


def published_quotes(session: Session, user: User) -> list[PublishedQuote]:
    """Every quote of theirs in a public publication, credited by name, newest
    first, as the snapshot froze it. Anonymous quotes are never among them."""
    publications = session.scalars(
        select(Publication)
        .options(load_only(Publication.slug, Publication.title, Publication.data, Publication.first_published_at))
        .where(Publication.superseded_at.is_(None), Publication.unpublished_at.is_(None))
        .order_by(Publication.first_published_at.desc(), Publication.id.desc())
    )
    found: list[tuple[int | None, PublishedQuote]] = []
    for publication in publications:
        for quote in json.loads(publication.data)["quotes"]:
            if quote["consent"]["author_id"] != user.id or quote.get("is_anonymous", True):
                continue
            found.append((quote.get("answer_id"), PublishedQuote(
                quote["text"], quote["credit_line"], publication.title, publication.slug, publication.first_published_at
            )))
    # a quote whose author withdrew consent waits for its correction elsewhere, not here
    withdrawn = set(session.scalars(
        select(Answer.id).where(Answer.id.in_([i for i, _ in found if i]), Answer.consent_withdrawn_at.is_not(None))
    )) if found else set()
    return [quote for answer_id, quote in found if answer_id not in withdrawn]
