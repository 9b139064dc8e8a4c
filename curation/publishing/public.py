"""What visitors read: the current version of each published feature, its
cards, and the archive. "Public" means `Publication.is_public`, nothing else."""
from __future__ import annotations

import dataclasses

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, load_only

from curation import db
from curation.errors import NotFound
from curation.models import Challenge, Publication, QuoteCard, SiteSetting
from curation.practice import services as practice_settings
from curation.publishing import jobs
from curation.publishing.cards import SHARE_IMAGE_NUMBER
from curation.publishing.compiling import feature_data


@dataclasses.dataclass(frozen=True)
class PublicPage:
    body: str | bytes
    etag: str
    frame_ancestors: str
    encoding: str  # "br", "gzip" or "" for the plain page


def _public_page_statement(body_column):
    return (
        select(
            body_column,
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


# Built once: on the site's hottest path, building and hashing a statement per
# request costs more than running it. One per encoding, so only the copy that
# is sent is read.
_PUBLIC_PAGE = {
    "": _public_page_statement(Publication.html),
    "gzip": _public_page_statement(Publication.html_gzip),
    "br": _public_page_statement(Publication.html_brotli),
}
# A distinct ETag per encoding: caches must not hand gzip bytes to a client that asked for identity.
ETAG_SUFFIX = {"": "", "gzip": "-gz", "br": "-br"}


def public_page(session: Session, slug: str, encoding: str = "") -> PublicPage:
    """The stored page (in the encoding asked for) and the framing setting in
    one indexed query, nothing else. A page published before compressed copies
    were stored is sent plain."""
    row = session.connection().execute(_PUBLIC_PAGE[encoding], {"slug": slug}).one_or_none()
    if row is None:
        raise NotFound("There is no published feature here.")
    body, etag, allowed = row
    if body is None:
        return public_page(session, slug)
    return PublicPage(
        body,
        etag + ETAG_SUFFIX[encoding],
        practice_settings.DEFAULTS["frame_ancestors"] if allowed is None else allowed,
        encoding,
    )


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
    """A quote's square card (1-based) or, as number 0, the link preview. One
    not drawn yet (the job after the publish is still at work) is drawn now and
    stored, so no reader sees a broken image."""
    publication = public_publication(session, slug)
    card = session.scalar(
        select(QuoteCard).where(QuoteCard.publication_id == publication.id, QuoteCard.number == number)
    )
    if card is not None:
        return card
    data = feature_data(publication)
    if number not in jobs.card_numbers(data):
        raise NotFound("There is no such quote card.")
    publication_id = publication.id
    png = jobs.draw_card(data, number)
    # Stored in a unit of work of its own that says it writes: the reader's
    # request only reads, and on SQLite a write from its snapshot could fail at
    # once if the card job committed another card meanwhile.
    with db.new_session(writes=True) as own:
        card = jobs.store_card(own, publication_id, data, number, png)
        own.commit()
        return card


def public_quote_card(session: Session, slug: str, number: int) -> QuoteCard:
    if number < 1:
        raise NotFound("There is no such quote card.")
    return public_card(session, slug, number)


def public_share_image(session: Session, slug: str) -> QuoteCard:
    return public_card(session, slug, SHARE_IMAGE_NUMBER)


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
