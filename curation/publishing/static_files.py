"""The public site as plain files, for a web server to serve without the app
(CURATION_STATIC_DIR, or `export-static DIR`):

    <dir>/index.html                       the archive
    <dir>/feed.atom                        the feed
    <dir>/features/<slug>/index.html       each public feature's page
    <dir>/features/<slug>/fragment.html    its paste-ready fragment
    <dir>/features/<slug>.md               its Markdown
    <dir>/features/<slug>/quotes/<n>.png   its cards
    <dir>/features/<slug>/share.png        its link preview

with a .gz copy beside each text file (nginx's gzip_static). Every file is
written to a temporary name and renamed into place, so the web server never
serves half a page. The publishing job calls `sync_challenge` after each
publish, correction and unpublish.
"""
from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from pathlib import Path

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from curation.models import Challenge, Publication, QuoteCard
from curation.publishing import cards, feed, jobs
from curation.publishing import public as public_reads


def write_file(path: Path, body: bytes, *, with_gzip: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, body)
    if with_gzip:
        # mtime=0: the same page gives the same bytes, so rewriting it changes nothing.
        _replace(path.with_name(path.name + ".gz"), gzip.compress(body, compresslevel=9, mtime=0))


def _replace(path: Path, body: bytes) -> None:
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(partial, 0o644)  # mkstemp's 0600 would hide it from the web server's user
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _remove(path: Path) -> None:
    for each in (path, path.with_name(path.name + ".gz")):
        if each.is_dir():
            shutil.rmtree(each)
        elif each.exists():
            each.unlink()


def write_feature(session: Session, publication: Publication, directory: Path) -> None:
    jobs.draw_missing_cards(session, publication)
    features = directory / "features"
    page = features / publication.slug
    write_file(page / "index.html", publication.html.encode(), with_gzip=True)
    write_file(page / "fragment.html", publication.fragment.encode(), with_gzip=True)
    write_file(features / f"{publication.slug}.md", publication.markdown.encode(), with_gzip=True)
    numbers = set()
    for card in session.scalars(select(QuoteCard).where(QuoteCard.publication_id == publication.id)):
        if card.number == cards.SHARE_IMAGE_NUMBER:
            write_file(page / "share.png", card.png)  # the link preview, where the page's og:image points
            continue
        write_file(page / "quotes" / f"{card.number}.png", card.png)
        numbers.add(card.number)
    # A correction with fewer quotes leaves no card of the old version behind.
    quotes = page / "quotes"
    for stale in quotes.glob("*.png"):
        if stale.stem.isdigit() and int(stale.stem) not in numbers:
            stale.unlink()


def remove_feature(slug: str, directory: Path) -> None:
    _remove(directory / "features" / slug)
    _remove(directory / "features" / f"{slug}.md")


def write_site_pages(session: Session, directory: Path) -> None:
    archive = render_template("public/archive.html", features=public_reads.archive(session))
    write_file(directory / "index.html", archive.encode(), with_gzip=True)
    write_file(directory / "feed.atom", feed.render_feed(session).encode(), with_gzip=True)


def sync_challenge(session: Session, challenge_id: int, directory: str | Path) -> None:
    """The challenge's files as it is public now (written, or removed), then the archive and feed."""
    from curation.publishing.services import current_publication_of

    directory = Path(directory)
    challenge = session.get(Challenge, challenge_id)
    if challenge is not None and challenge.slug:
        current = current_publication_of(session, challenge)
        if current is not None:
            write_feature(session, current, directory)
        else:
            remove_feature(challenge.slug, directory)
    write_site_pages(session, directory)


def export_all(session: Session, directory: str | Path) -> int:
    """Every public feature, the archive and the feed; the number of features written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    publications = list(session.scalars(select(Publication).where(Publication.is_public).order_by(Publication.id)))
    for publication in publications:
        write_feature(session, publication, directory)
    write_site_pages(session, directory)
    return len(publications)
