"""Work after the publish commit: the editor's request freezes the snapshot and
returns; the cards are drawn after it, each stored once; a reader who comes
first gets the card drawn then; failures are retried later; the publish page
follows the work. And the compressed copies of the page."""
from __future__ import annotations

import datetime as dt
import gzip

import brotli
import pytest
from sqlalchemy import func, select

from curation.models import Challenge, JobKind, PublicationJob, QuoteCard
from curation.publishing import cards, jobs
from tests.conftest import Auth, csrf, fresh, run_jobs


@pytest.fixture
def ready(make, session):
    return make.ready_to_publish("Rest is a kindness.", "Rest is a door left open.", "Rest is saying no.")


def _publish(client, challenge_id: int):
    page = f"/editor/challenges/{challenge_id}/publish"
    return client.post(page, data={"csrf_token": csrf(client, page), "version_seen": 0})


def _cards(session) -> int:
    return fresh(session).scalar(select(func.count(QuoteCard.id)))


def test_publishing_returns_before_the_cards_are_drawn_and_the_job_draws_them_all(app, client, session, ready, monkeypatch):
    editor, challenge = ready
    Auth(client).login(editor)
    drawn = []
    real = cards.render_quote_card
    monkeypatch.setattr(cards, "render_quote_card", lambda *a: drawn.append(a) or real(*a))

    assert _publish(client, challenge.id).status_code == 302
    assert drawn == [] and _cards(session) == 0
    [job] = fresh(session).scalars(select(PublicationJob)).all()
    # three quote cards and the link preview
    assert (job.kind, job.total, job.done_at) == (JobKind.CARDS, 4, None)

    report = run_jobs(app)
    assert (report.done, report.failed) == (1, 0)
    assert len(drawn) == 3 and _cards(session) == 4
    job = fresh(session).get(PublicationJob, job.id)
    assert job.done_at is not None and job.progress == 4

    # Safe to run again: nothing is drawn twice.
    assert run_jobs(app).done == 0 and len(drawn) == 3


def test_a_reader_before_the_job_gets_the_card_drawn_then_and_it_is_stored_once(app, client, session, ready):
    editor, challenge = ready
    Auth(client).login(editor)
    _publish(client, challenge.id)
    slug = fresh(session).get(Challenge, challenge.id).slug
    reader = app.test_client()

    first = reader.get(f"/features/{slug}/quotes/2.png")
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert _cards(session) == 1
    assert reader.get(f"/features/{slug}/quotes/2.png").data == first.data
    assert reader.get(f"/features/{slug}/quotes/4.png").status_code == 404

    run_jobs(app)
    stored = fresh(session).scalars(select(QuoteCard).order_by(QuoteCard.number)).all()
    assert [c.number for c in stored] == [0, 1, 2, 3]  # 0: the link preview
    assert stored[2].png == first.data


def test_a_card_that_fails_to_draw_keeps_the_publish_and_is_tried_again_later(app, client, session, ready, monkeypatch):
    editor, challenge = ready
    Auth(client).login(editor)
    real = cards.render_quote_card

    def broken(*args):
        raise RuntimeError("the font file is unreadable")

    monkeypatch.setattr(cards, "render_quote_card", broken)
    assert _publish(client, challenge.id).status_code == 302
    slug = fresh(session).get(Challenge, challenge.id).slug
    assert app.test_client().get(f"/features/{slug}").status_code == 200

    report = run_jobs(app)
    assert report.failed == 1 and "the font file is unreadable" in report.problems[0]
    job = fresh(session).scalars(select(PublicationJob)).one()
    assert job.done_at is None and job.last_error == "the font file is unreadable"
    assert job.next_attempt_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=30)
    assert run_jobs(app).failed == 0  # not due again yet: backoff

    monkeypatch.setattr(cards, "render_quote_card", real)
    job.next_attempt_at = dt.datetime.now(dt.timezone.utc)
    session.commit()
    assert run_jobs(app).done == 1 and _cards(session) == 4  # the link preview and three cards


def test_a_job_claimed_by_another_runner_is_left_to_it(app, session, client, ready):
    editor, challenge = ready
    Auth(client).login(editor)
    _publish(client, challenge.id)
    with app.app_context():
        job = fresh(session).scalars(select(PublicationJob)).one()
        assert jobs.claim(session, job, dt.datetime.now(dt.timezone.utc))
    report = run_jobs(app)
    assert (report.done, report.taken_by_another_run) == (0, 0)  # its lease has not run out
    assert _cards(session) == 0


def test_the_publish_page_shows_the_cards_being_drawn_with_and_without_script(app, client, session, ready):
    editor, challenge = ready
    Auth(client).login(editor)
    _publish(client, challenge.id)
    page = client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)
    assert "Quote cards and the link preview: <span data-progress=\"cards\">0 of 4 drawn" in page
    assert "js/publish-progress.js" in page
    progress = client.get(f"/editor/challenges/{challenge.id}/publish/progress.json")
    assert progress.json["cards"] == {"drawn": 0, "total": 4, "done": False}
    assert "no-store" in progress.headers["Cache-Control"].split(", ")

    run_jobs(app)
    assert client.get(f"/editor/challenges/{challenge.id}/publish/progress.json").json["cards"]["done"] is True
    assert "4 of 4 drawn — all ready" in client.get(f"/editor/challenges/{challenge.id}/publish").get_data(as_text=True)


def test_another_editors_challenge_progress_is_refused_to_a_therapist(client, make, ready):
    _, challenge = ready
    Auth(client).login(make.therapist())
    assert client.get(f"/editor/challenges/{challenge.id}/publish/progress.json").status_code == 403


# Compressed snapshots ----------------------------------------------------------

@pytest.fixture
def published(app, client, session, ready):
    editor, challenge = ready
    Auth(client).login(editor)
    _publish(client, challenge.id)
    slug = fresh(session).get(Challenge, challenge.id).slug
    return app.test_client(), f"/features/{slug}"


def test_a_shared_cache_keeps_the_readers_copy_apart_from_the_editors(published, client):
    reader, path = published
    readers = reader.get(path)
    assert readers.headers["Cache-Control"] == "public, max-age=60" and "editor-bar" not in readers.get_data(as_text=True)
    assert "Cookie" in readers.headers["Vary"]  # a cache keys its copy by the cookie, so an editor never gets this one
    editors = client.get(path)  # the editor who published is logged in on `client`
    assert "editor-bar" in editors.get_data(as_text=True) and editors.headers["Cache-Control"] == "private, no-store"


def test_the_page_comes_in_the_best_encoding_the_reader_accepts(published):
    reader, path = published
    plain = reader.get(path)
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    html = plain.data

    br = reader.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == html
    assert "Accept-Encoding" in br.headers["Vary"]

    gz = reader.get(path, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == html
    assert len(br.data) < len(gz.data) < len(html) / 2

    refused = reader.get(path, headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers and refused.data == html


def test_each_encoding_has_its_own_etag_and_revalidates_by_it(published):
    reader, path = published
    tags = {
        coding: reader.get(path, headers={"Accept-Encoding": coding}).headers["ETag"]
        for coding in ("identity", "gzip", "br")
    }
    assert len(set(tags.values())) == 3
    assert tags["gzip"].endswith('-gz"') and tags["br"].endswith('-br"')
    assert reader.get(path, headers={"Accept-Encoding": "br", "If-None-Match": tags["br"]}).status_code == 304
    # a gzip tag does not validate the brotli copy
    stale = reader.get(path, headers={"Accept-Encoding": "br", "If-None-Match": tags["gzip"]})
    assert stale.status_code == 200 and stale.headers["Content-Encoding"] == "br"
