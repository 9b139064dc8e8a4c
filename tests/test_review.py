"""Review: the queue, decisions, excerpts made only of the author's words, the order."""
import re

import pytest

from curation.errors import Conflict, Invalid
from curation.models import Answer, AnswerState, ExcerptConsent
from curation.review import services as review
from tests.conftest import fresh

BODY = "Empathy is listening without hurrying. It means staying, even when it is hard, and saying so."


@pytest.mark.parametrize(
    "excerpt",
    [
        "Empathy is listening without hurrying.",
        "Empathy is listening … staying, even when it is hard",
        "It means staying … saying so.",
        "Empathy is listening ... and saying so.",
        BODY,
    ],
)
def test_an_excerpt_of_the_authors_own_words_in_order_is_accepted(excerpt):
    assert review.check_excerpt(BODY, excerpt)


@pytest.mark.parametrize(
    "excerpt, why",
    [
        ("Empathy is listening with hurrying.", "a changed word"),
        ("Empathy is always listening without hurrying.", "an added word"),
        ("It means staying. Empathy is listening.", "reordered"),
        ("Empathy is listening without saying so.", "a cut without …"),
        ("Empathy is listening!", "invented punctuation"),
        ("…", "no words at all"),
        ("Sympathy is listening without hurrying.", "a foreign word"),
        ("empathy is listening", "a changed capital"),
    ],
)
def test_an_excerpt_that_puts_words_in_the_authors_mouth_is_refused(excerpt, why):
    with pytest.raises(Invalid):
        review.check_excerpt(BODY, excerpt)


def test_approving_with_an_excerpt_asks_the_author(make, session):
    challenge = make.challenge()
    editor = make.editor()
    answer = make.answer(challenge, body=BODY)
    review.review(session, answer, editor, decision="approve", excerpt="Empathy is listening without hurrying.")
    assert answer.state == AnswerState.APPROVED
    assert answer.excerpt_consent == ExcerptConsent.PENDING
    assert answer.position == 1


def test_requesting_changes_needs_a_note(make, session):
    challenge = make.challenge()
    answer = make.answer(challenge)
    with pytest.raises(Invalid, match="note"):
        review.review(session, answer, make.editor(), decision="request_changes", note="  ")


def test_drafts_never_reach_the_queue(make, session):
    challenge = make.challenge()
    make.answer(challenge, submit=False, body="Only mine")
    make.answer(challenge, body="Submitted")
    page = review.queue(session, challenge)
    assert [a.body for a in page.answers] == ["Submitted"]


def test_the_queue_filters_by_state_and_pages(make, session):
    challenge = make.challenge()
    editor = make.editor()
    for _ in range(review.PER_PAGE + 3):
        make.answer(challenge)
    make.approved(challenge, editor)
    assert review.queue(session, challenge).total == review.PER_PAGE + 4
    assert review.queue(session, challenge, state=AnswerState.APPROVED).total == 1
    second = review.queue(session, challenge, page=2)
    assert second.page == 2 and len(second.answers) == 4


def test_the_order_is_saved_with_the_current_version(make, session):
    challenge = make.challenge()
    editor = make.editor()
    first, second = make.approved(challenge, editor), make.approved(challenge, editor)
    version = challenge.order_version
    review.save_order(session, challenge, editor, answer_ids=[second.id, first.id], version=version)
    assert [a.id for a in review.approved_in_order(session, challenge)] == [second.id, first.id]
    assert challenge.order_version == version + 1


def test_a_stale_order_version_is_refused(make, session):
    challenge = make.challenge()
    editor = make.editor()
    first, second = make.approved(challenge, editor), make.approved(challenge, editor)
    version = challenge.order_version
    review.save_order(session, challenge, editor, answer_ids=[second.id, first.id], version=version)
    session.commit()
    with pytest.raises(Conflict):
        review.save_order(session, challenge, editor, answer_ids=[first.id, second.id], version=version)


def test_an_order_must_list_exactly_the_approved_quotes(make, session):
    challenge = make.challenge()
    editor = make.editor()
    first = make.approved(challenge, editor)
    stranger = make.answer(make.challenge(editor))
    with pytest.raises(Invalid):
        review.save_order(session, challenge, editor, answer_ids=[first.id, stranger.id], version=challenge.order_version)


# Through the pages


def test_the_review_page_keeps_the_editors_words_on_a_bad_excerpt(make, auth, client, post):
    challenge = make.challenge()
    answer = make.answer(challenge, body=BODY)
    auth.login(make.editor())
    response = post(f"/editor/answers/{answer.id}/review", {"decision": "approve", "note": "Kind note", "excerpt": "Empathy is shouting."})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "own words" in page and "Empathy is shouting." in page and "Kind note" in page


def test_a_decision_returns_to_the_place_in_the_queue(make, auth, client, post):
    challenge = make.challenge()
    answer = make.answer(challenge)
    auth.login(make.editor())
    back = f"/editor/challenges/{challenge.id}?state=submitted#answer-{answer.id}"
    response = post(f"/editor/answers/{answer.id}/review", {"decision": "reject", "next": back})
    assert response.headers["Location"].endswith(back)


def test_a_stale_order_is_refused_with_409_and_a_clear_message(make, auth, client, post, session):
    challenge = make.challenge()
    editor = make.editor()
    first, second = make.approved(challenge, editor), make.approved(challenge, editor)
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/order").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert post(f"/editor/challenges/{challenge.id}/order", {"order": f"{second.id},{first.id}", "version": version}).status_code == 302
    response = post(f"/editor/challenges/{challenge.id}/order", {"order": f"{first.id},{second.id}", "version": version})
    assert response.status_code == 409
    assert "Someone else changed the quotes" in response.get_data(as_text=True)
    fresh(session)
    assert [a.id for a in review.approved_in_order(session, challenge)] == [second.id, first.id]


def test_the_order_board_shows_quotes_with_their_credit_lines(make, auth, client):
    challenge = make.challenge()
    editor = make.editor()
    make.approved(challenge, editor, make.therapist(name="Ana Lopez", credentials="RP"), credit="first")
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/order").get_data(as_text=True)
    assert "— Ana, RP" in page


def test_reviewing_a_draft_is_404(make, auth, post, session):
    challenge = make.challenge()
    answer = make.answer(challenge, submit=False)
    auth.login(make.editor())
    assert post(f"/editor/answers/{answer.id}/review", {"decision": "approve"}).status_code == 404
    fresh(session)
    assert session.get(Answer, answer.id).state == AnswerState.DRAFT
