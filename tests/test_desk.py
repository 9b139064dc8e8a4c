"""The writing desk tells the truth before the therapist types: closed
challenges, the deadline in the practice's time, errors on the right field,
states and credits in words a person would say."""
from __future__ import annotations

import datetime as dt

import pytest

from curation.review import services as review
from tests.conftest import now


def _over(make, **fields):
    return make.challenge(closes_at=now() - dt.timedelta(hours=1), **fields)


def test_a_challenge_past_its_deadline_says_it_is_closed_on_the_list(make, auth, client):
    closed = _over(make, topic="Closed one")
    make.challenge(topic="Still open", closes_at=now() + dt.timedelta(days=2))
    auth.login(make.therapist())
    page = client.get("/challenges/").get_data(as_text=True)
    closed_card = page.split("Closed one", 1)[1].split("</li>", 1)[0]
    open_card = page.split("Still open", 1)[1].split("</li>", 1)[0]
    assert "Closed for new answers" in closed_card and "Write your answer" not in closed_card
    assert "Read the question" in closed_card
    assert "Closed for new answers" not in open_card and "Write your answer" in open_card
    assert f'href="/challenges/{closed.id}/answer"' in page


def test_the_desk_says_closed_before_anything_is_typed(make, auth, client):
    challenge = _over(make)
    auth.login(make.therapist())
    page = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "closed for new answers" in page and "cannot be submitted" in page


def test_a_changes_requested_answer_can_still_be_revised_after_the_deadline(make, auth, client, session):
    editor = make.editor()
    challenge = make.challenge(editor, closes_at=now() + dt.timedelta(seconds=2))
    answer = make.answer(challenge)
    review.review(session, answer, editor, decision="request_changes", note="One concrete moment, please.")
    challenge.closes_at = now() - dt.timedelta(hours=1)
    session.commit()
    auth.login(answer.author)
    listing = client.get("/challenges/").get_data(as_text=True)
    assert "Revise your answer" in listing
    desk = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "closed for new answers" not in desk and "Resubmit answer" in desk


def test_the_deadline_is_shown_in_the_practices_zone_with_a_machine_readable_time(make, auth, client, app):
    app.config["TIMEZONE"] = "America/Toronto"
    closes = dt.datetime(2031, 1, 15, 17, 0, tzinfo=dt.UTC)
    challenge = make.challenge(closes_at=closes)
    auth.login(make.therapist())
    for url in ("/challenges/", f"/challenges/{challenge.id}/answer"):
        page = client.get(url).get_data(as_text=True)
        assert "15 January 2031, 12:00 (America/Toronto time)" in page
        assert f'<time datetime="{closes.isoformat()}" data-practice-zone="America/Toronto">' in page
        assert "js/local-time.js" in page


@pytest.mark.parametrize("url", ["/challenges/", "/challenges/{id}/answer", "/my/answers"])
def test_desk_pages_are_never_kept_by_the_browser(make, auth, client, url):
    challenge = make.challenge()
    auth.login(make.therapist())
    response = client.get(url.format(id=challenge.id))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
