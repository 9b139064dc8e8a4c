"""Work after a publish, correction or unpublish: the quote cards, the web
server's static files, the WordPress copy.

Shaped like the mail outbox (`curation.mail.delivery`): the publish writes a
job row in its own transaction, so the editor's request returns as soon as the
snapshot is frozen; after the commit the process's sender thread runs what is
due, and `run-jobs` (cron) runs what a crash or an outage left. Each job is
claimed in a commit of its own before it runs, so two runners never run the
same one, and a failure is retried later, with backoff. Every job brings the
outside world in line with what is public *now*, so running one twice, or an
old one after a newer publish, does no harm.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curation import db
from curation.db import rows_changed, utcnow
from curation.mail.delivery import retry_delay
from curation.models import (
    Challenge,
    JobKind,
    Publication,
    PublicationJob,
    QuoteCard,
    WordPressPost,
)
from curation.publishing import cards
from curation.publishing.compiling import FeatureData, feature_data

# Longer than the slowest job (200 cards on a loaded machine take about 40 s),
# so only a job whose runner died is run again by someone else.
LEASE = dt.timedelta(minutes=10)
BATCH = 50


def queue_after_publish(session: Session, challenge: Challenge, publication: Publication | None) -> None:
    """Jobs for what a publish (publication given) or an unpublish (None) changes outside the snapshot."""
    if publication is not None:
        total = len(card_numbers(feature_data(publication)))
        session.add(PublicationJob(kind=JobKind.CARDS, challenge_id=challenge.id, publication_id=publication.id, total=total))
    config = current_app.config
    if config.get("STATIC_DIR"):
        session.add(PublicationJob(kind=JobKind.STATIC_FILES, challenge_id=challenge.id, publication_id=_id(publication)))
    from curation.publishing import wordpress

    if wordpress.Settings.from_config(config) is not None:
        session.add(PublicationJob(kind=JobKind.WORDPRESS, challenge_id=challenge.id, publication_id=_id(publication)))
    session.flush()
    # Read after the request by the sender thread's wake-up (curation.mail.background).
    session.info["jobs_queued"] = True


def _id(publication: Publication | None) -> int | None:
    return publication.id if publication is not None else None


# Cards -----------------------------------------------------------------------

def card_numbers(data: FeatureData) -> list[int]:
    """The images a publication has: the link preview (number 0), then the card
    of each quote that fits one; a quote too long for a card has none."""
    return [cards.SHARE_IMAGE_NUMBER] + [
        q["number"] for q in data["quotes"] if q.get("card_problem") is None
    ]


def draw_card(data: FeatureData, number: int) -> bytes:
    """The one place the card renderer is called, for the job and for a reader who came first."""
    series, practice = data.get("series_name", ""), data.get("practice_name", "")
    if number == cards.SHARE_IMAGE_NUMBER:
        return cards.render_share_image(data["title"], series, practice).png
    quote = next(q for q in data["quotes"] if q["number"] == number)
    # card_text: the card excerpt the author accepted, else the quote's own words
    text = quote.get("card_text") or quote["text"]
    return cards.render_quote_card(text, quote["credit_line"], data["title"], series, practice).png


def store_card(session: Session, publication_id: int, data: FeatureData, number: int, png: bytes) -> QuoteCard:
    """Store one drawn card; when another runner stored it meanwhile, theirs stands."""
    answer_id = next((q["answer_id"] for q in data["quotes"] if q["number"] == number), None)
    card = QuoteCard(
        publication_id=publication_id,
        number=number,
        answer_id=answer_id,
        png=png,
        etag=hashlib.sha256(png).hexdigest()[:32],
    )
    try:
        with session.begin_nested():
            session.add(card)
            session.flush()
    except IntegrityError:
        stored = session.scalar(
            select(QuoteCard).where(QuoteCard.publication_id == publication_id, QuoteCard.number == number)
        )
        assert stored is not None
        return stored
    return card


def drawn_numbers(session: Session, publication_id: int) -> set[int]:
    return set(session.scalars(select(QuoteCard.number).where(QuoteCard.publication_id == publication_id)))


def draw_missing_cards(session: Session, publication: Publication, job_id: int | None = None) -> None:
    """Every card of the publication, each committed as it is drawn so readers
    and the publish page see the progress."""
    data = feature_data(publication)
    drawn = drawn_numbers(session, publication.id)
    session.commit()  # no lock held while drawing
    for number in card_numbers(data):
        if number in drawn:
            continue
        store_card(session, publication.id, data, number, draw_card(data, number))
        drawn.add(number)
        if job_id is not None:
            _set_progress(session, job_id, len(drawn))
        session.commit()
    if job_id is not None:
        _set_progress(session, job_id, len(drawn))


def _set_progress(session: Session, job_id: int, done: int) -> None:
    session.execute(
        update(PublicationJob).where(PublicationJob.id == job_id).values(progress=done)
        .execution_options(synchronize_session=False)
    )


def _run_cards(session: Session, job: PublicationJob) -> None:
    publication = session.get(Publication, job.publication_id)
    if publication is not None:
        draw_missing_cards(session, publication, job.id)


def _run_static_files(session: Session, job: PublicationJob) -> None:
    from curation.publishing import static_files

    static_files.sync_challenge(session, job.challenge_id, current_app.config["STATIC_DIR"])


def _run_wordpress(session: Session, job: PublicationJob) -> None:
    from curation.publishing import wordpress

    settings = wordpress.Settings.from_config(current_app.config)
    if settings is not None:
        wordpress.sync_challenge(session, job.challenge_id, settings)


HANDLERS: dict[JobKind, Callable[[Session, PublicationJob], None]] = {
    JobKind.CARDS: _run_cards,
    JobKind.STATIC_FILES: _run_static_files,
    JobKind.WORDPRESS: _run_wordpress,
}


# The queue -------------------------------------------------------------------

@dataclasses.dataclass
class Report:
    done: int = 0
    failed: int = 0
    taken_by_another_run: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)


def due(session: Session, now: dt.datetime, limit: int = BATCH) -> list[PublicationJob]:
    return list(
        session.scalars(
            select(PublicationJob)
            .where(PublicationJob.done_at.is_(None), PublicationJob.next_attempt_at <= now)
            .order_by(PublicationJob.id)
            .limit(limit)
        )
    )


def claim(session: Session, job: PublicationJob, now: dt.datetime) -> bool:
    """Take this job for this run, in its own commit; False when another run has it."""
    claimed = rows_changed(session.execute(
        update(PublicationJob)
        .where(
            PublicationJob.id == job.id,
            PublicationJob.done_at.is_(None),
            PublicationJob.attempts == job.attempts,
            PublicationJob.next_attempt_at <= now,
        )
        .values(attempts=PublicationJob.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    ))
    session.commit()
    return claimed == 1


def _finish(session: Session, job_id: int, **values) -> None:
    session.execute(
        update(PublicationJob).where(PublicationJob.id == job_id).values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def describe(problem: Exception) -> str:
    return (str(problem).strip() or type(problem).__name__)[:500]


def run_due(session: Session, *, now: dt.datetime | None = None, limit: int = BATCH) -> Report:
    """Run every job that is due; a failure waits for a later run, with backoff."""
    now = now or utcnow()
    waiting = due(session, now, limit)
    session.commit()
    report = Report()
    for job in waiting:
        if not claim(session, job, now):
            report.taken_by_another_run += 1
            continue
        attempts = job.attempts + 1
        try:
            HANDLERS[job.kind](session, job)
            session.commit()
        except Exception as problem:  # noqa: BLE001 - any failure of remote or drawing work is retried later
            session.rollback()
            current_app.logger.warning("Job %s (%s) failed: %s", job.id, job.kind, describe(problem))
            _finish(session, job.id, next_attempt_at=max(now, utcnow()) + retry_delay(attempts),
                    last_error=describe(problem))
            report.failed += 1
            report.problems.append(f"{job.kind} for challenge {job.challenge_id}: {describe(problem)}")
            continue
        _finish(session, job.id, done_at=utcnow(), last_error="")
        report.done += 1
    session.expire_all()
    return report


def run_pending(app: Flask) -> Report:
    """What the sender thread and `run-jobs` call: one session for the run.

    Static pages and the WordPress copy hold absolute links, built from the
    site's address (curation.urls) without a request.
    """
    with app.app_context(), db.new_session(writes=True) as session:
        return run_due(session)


def retry_now(session: Session, challenge: Challenge, kind: JobKind) -> bool:
    """Bring the newest unfinished job of this kind forward; False when none waits."""
    job = latest_job(session, challenge, kind)
    if job is None or job.done_at is not None:
        return False
    job.next_attempt_at = utcnow()
    session.flush()
    return True


def latest_job(session: Session, challenge: Challenge, kind: JobKind) -> PublicationJob | None:
    return session.scalar(
        select(PublicationJob)
        .where(PublicationJob.challenge_id == challenge.id, PublicationJob.kind == kind)
        .order_by(PublicationJob.id.desc())
        .limit(1)
    )


def has_work(session: Session) -> bool:
    return session.scalar(select(PublicationJob.id).where(PublicationJob.done_at.is_(None)).limit(1)) is not None


# What the publish page shows ---------------------------------------------------

def job_state(job: PublicationJob | None) -> dict | None:
    """"sent" (done), "waiting" (not yet run, or running) or "failed" with the reason (retried later)."""
    if job is None:
        return None
    if job.done_at is not None:
        return {"state": "sent", "reason": "", "next_attempt_at": None}
    if job.last_error:
        return {"state": "failed", "reason": job.last_error, "next_attempt_at": job.next_attempt_at.isoformat()}
    return {"state": "waiting", "reason": "", "next_attempt_at": None}


def after_publish_state(session: Session, challenge: Challenge) -> dict:
    """The work after the last publish or unpublish, as plain data (page and JSON alike)."""
    from curation.publishing.services import current_publication_of

    current = current_publication_of(session, challenge)
    cards_state = None
    if current is not None:
        total = len(card_numbers(feature_data(current)))
        drawn = len(drawn_numbers(session, current.id))
        cards_state = {"drawn": drawn, "total": total, "done": drawn >= total}
    wordpress = job_state(latest_job(session, challenge, JobKind.WORDPRESS))
    if wordpress is not None:
        post = session.get(WordPressPost, challenge.id)
        wordpress["link"] = post.link if post is not None else ""
    return {
        "cards": cards_state,
        "static_files": job_state(latest_job(session, challenge, JobKind.STATIC_FILES)),
        "wordpress": wordpress,
    }
