"""The writing desk tells the truth before the therapist types: closed
challenges, the deadline in the practice's time, errors on the right field,
states and credits in words a person would say."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from curation import excerpts
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
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"].split(", ")


def test_submitting_without_consent_marks_the_consent_box_and_keeps_the_text(make, auth, post):
    challenge = make.challenge()
    auth.login(make.therapist())
    response = post(f"/challenges/{challenge.id}/answer", {"body": "Rest is a door I forget to open.", "credit": "full",
                                                          "submit": "Submit answer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Rest is a door I forget to open." in page
    consent_field = page.split('id="consent"', 1)[1].split("</div>", 1)[0]
    assert "tick the box to agree to publication" in consent_field
    consent_input = re.search(r'<input[^>]*id="consent"[^>]*>', page).group()
    assert 'aria-invalid="true"' in consent_input
    body_field = page.split('name="body"', 1)[1].split("</div>", 1)[0]
    assert "tick the box" not in body_field


def test_credits_read_as_they_will_be_printed(make, auth, client, session):
    from curation.practice import services as practice_settings

    editor = make.editor()
    challenge = make.challenge(editor)
    samuel = make.therapist(name="Samuel Ortiz", credentials="RP (Qualifying)")
    noor = make.therapist(name="Noor Haddad")
    make.answer(challenge, samuel, credit="first")
    make.answer(challenge, noor, credit="anonymous")
    practice_settings.save(session, {"anonymous_credit": "One of our therapists"}, editor)
    session.commit()
    auth.login(samuel)
    mine = client.get("/my/answers").get_data(as_text=True)
    assert "Credited as: Samuel, RP (Qualifying)" in mine and "credit: first" not in mine
    auth.logout()
    auth.login(editor)
    queue = client.get(f"/editor/challenges/{challenge.id}").get_data(as_text=True)
    assert "Credited as: One of our therapists" in queue and "credit: anonymous" not in queue
    auth.logout()
    auth.login(noor)
    desk = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "Anonymously (“One of our therapists”)" in desk


def test_states_read_as_sentences_on_the_desk_and_in_the_editors_flash(make, auth, client, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    answer = make.answer(challenge)
    auth.login(editor)
    response = post(f"/editor/answers/{answer.id}/review", {"decision": "request_changes", "note": "A moment, please."},
                    follow_redirects=True)
    assert f"{answer.author.name} is asked for changes" in response.get_data(as_text=True)
    auth.logout()
    auth.login(answer.author)
    desk = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "An editor asked for changes." in desk and "is changes requested" not in desk


def test_the_excerpt_view_marks_exactly_the_published_words():
    body = "Rest? Yes. It is good, truly."
    excerpt = excerpts.check_excerpt(body, "Rest … Yes. It is good … truly.")
    spans = excerpts.excerpt_spans(body, excerpt)
    kept = "".join(text for text, is_kept in spans if is_kept)
    assert [t.text for t in excerpts.tokens(kept)] == [t.text for t in excerpts.tokens(excerpt.replace("…", ""))]
    assert ("?", False) in spans and (",", False) in spans
