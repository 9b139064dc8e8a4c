"""What visitors read: the current version of each published feature, its
cards, and the archive. "Public" means `Publication.is_public`, nothing else."""
from __future__ import annotations

import dataclasses

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, load_only

from curation.errors import NotFound
from curation.models import Challenge, Publication, QuoteCard, SiteSetting
from curation.site import services as site_settings


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
        Publication.is_public,
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
        .where(Publication.slug == slug, Publication.is_public)
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
            .where(Publication.is_public)
            .order_by(Publication.first_published_at.desc(), Publication.id.desc())
        )
    )




def challenge_of(session: Session, slug: str) -> Challenge:
    """The challenge behind a public page, for the editors' way back to it."""
    challenge = session.scalar(select(Challenge).where(Challenge.slug == slug))
    if challenge is None:
        raise NotFound("There is no published feature here.")
    return challenge
