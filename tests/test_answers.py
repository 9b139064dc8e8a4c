"""The therapist's own answers: drafts, submission, deadlines, withdrawal, privacy."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from curation.answers import services as answers
from curation.errors import Invalid, NotAllowed, NotFound
from curation.models import Answer, AnswerState
from curation.review import services as review
from tests.conftest import fresh, now


def test_a_draft_is_saved_without_consent_and_stays_a_draft(make, session):
    challenge = make.challenge()
    author = make.therapist()
    answer, outcome = answers.save(session, challenge, author, body="Half a thought", credit="full", consent=False, submit=False)
    assert outcome == answers.Outcome.SAVED
    assert answer.state == AnswerState.DRAFT


def test_submitting_needs_consent_and_words(make, session):
    challenge = make.challenge()
    author = make.therapist()
    with pytest.raises(Invalid, match="agree to publication"):
        answers.save(session, challenge, author, body="Words", credit="full", consent=False, submit=True)
    with pytest.raises(Invalid, match="write your answer"):
        answers.save(session, challenge, author, body="   ", credit="full", consent=True, submit=True)


def test_the_word_limit_is_enforced_on_submit_but_not_on_drafts(make, session):
    challenge = make.challenge(word_limit=10)
    author = make.therapist()
    long_text = "word " * 11
    answer, outcome = answers.save(session, challenge, author, body=long_text, credit="full", consent=True, submit=False)
    assert outcome == answers.Outcome.SAVED
    with pytest.raises(Invalid, match="11 words"):
        answers.save(session, challenge, author, body=long_text, credit="full", consent=True, submit=True)


def test_after_the_deadline_a_submission_is_kept_as_a_draft(make, session):
    challenge = make.challenge(closes_at=now() - dt.timedelta(minutes=1))
    author = make.therapist()
    answer, outcome = answers.save(session, challenge, author, body="Late but true", credit="full", consent=True, submit=True)
    assert outcome == answers.Outcome.KEPT_AS_DRAFT
    assert answer.state == AnswerState.DRAFT and answer.body == "Late but true"


def test_a_submitted_answer_can_be_edited_until_reviewed(make, session):
    challenge = make.challenge()
    editor = make.editor()
    answer = make.answer(challenge)
    submitted_first = answer.submitted_at
    answers.save(session, challenge, answer.author, body="Better words", credit="first", consent=True, submit=False)
    assert answer.state == AnswerState.SUBMITTED and answer.body == "Better words"
    assert answer.submitted_at > submitted_first  # consent now covers the new words
    review.review(session, answer, editor, decision="reject")
    with pytest.raises(NotAllowed, match="reviewed"):
        answers.save(session, challenge, answer.author, body="Too late", credit="full", consent=True, submit=True)


def test_changes_requested_can_be_resubmitted_after_the_deadline(make, session):
    challenge = make.challenge()
    editor = make.editor()
    answer = make.answer(challenge)
    review.review(session, answer, editor, decision="request_changes", note="Shorter, please")
    challenge.closes_at = now() - dt.timedelta(hours=1)
    _, outcome = answers.save(session, challenge, answer.author, body="Short", credit="full", consent=True, submit=True)
    assert outcome == answers.Outcome.SUBMITTED and answer.state == AnswerState.SUBMITTED


def test_a_closed_challenge_takes_no_new_submission(make, session):
    challenge = make.challenge(state="closed")
    answer, outcome = answers.save(session, challenge, make.therapist(), body="x", credit="full", consent=True, submit=True)
    assert outcome == answers.Outcome.KEPT_AS_DRAFT


def test_a_draft_challenge_is_invisible_to_therapists(make, session):
    challenge = make.challenge(state="draft")
    with pytest.raises(NotFound):
        answers.save(session, challenge, make.therapist(), body="x", credit="full", consent=True, submit=False)


def test_withdrawing_takes_an_approved_answer_out_of_the_order(make, session):
    challenge = make.challenge()
    editor = make.editor()
    answer = make.approved(challenge, editor)
    version = challenge.order_version
    answers.withdraw(session, answer, answer.author)
    assert answer.state == AnswerState.WITHDRAWN and answer.position is None
    assert challenge.order_version == version + 1


def test_a_published_answer_cannot_simply_be_withdrawn(make, session):
    challenge = make.challenge()
    answer = make.answer(challenge)
    answer.published_at = now()
    with pytest.raises(NotAllowed, match="consent"):
        answers.withdraw(session, answer, answer.author)


def test_nobody_withdraws_someone_elses_answer(make, session):
    challenge = make.challenge()
    answer = make.answer(challenge)
    with pytest.raises(NotFound):
        answers.withdraw(session, answer, make.therapist())


def test_a_double_submit_stores_one_answer(make, session):
    challenge = make.challenge()
    author = make.therapist()
    for _ in range(2):
        answers.save(session, challenge, author, body="Once", credit="full", consent=True, submit=True)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Answer).filter_by(author_id=author.id)) == 1


# Through the pages


def test_the_desk_shows_the_question_and_a_word_count(make, auth, client):
    challenge = make.challenge(word_limit=50)
    therapist = make.therapist()
    auth.login(therapist)
    page = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "In your own words, what is rest?" in page and "0 words of 50" in page


def test_over_the_limit_the_text_comes_back_with_a_message(make, auth, client, post):
    challenge = make.challenge(word_limit=10)
    auth.login(make.therapist())
    text = "precious " * 12
    response = post(f"/challenges/{challenge.id}/answer", {"body": text, "credit": "full", "consent": "y", "submit": "Submit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "12 words" in page and text.strip() in page


def test_past_the_deadline_the_page_says_the_text_is_kept(make, auth, client, post, session):
    challenge = make.challenge(closes_at=now() - dt.timedelta(minutes=5))
    therapist = make.therapist()
    auth.login(therapist)
    response = post(f"/challenges/{challenge.id}/answer", {"body": "Typed while time ran out", "credit": "full", "consent": "y", "submit": "Submit"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not submitted" in page and "saved as a draft" in page
    assert "Typed while time ran out" in page


def test_approved_meanwhile_the_typed_text_comes_back(make, auth, client, post, session):
    challenge = make.challenge()
    editor = make.editor()
    therapist = make.therapist()
    make.approved(challenge, editor, therapist)
    auth.login(therapist)
    response = post(f"/challenges/{challenge.id}/answer", {"body": "An edit made too late", "credit": "full", "consent": "y", "save": "Save"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "An edit made too late" in page and "approved" in page


def test_open_challenges_show_the_state_of_my_answer(make, auth, client):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist)
    auth.login(therapist)
    page = client.get("/challenges/").get_data(as_text=True)
    assert challenge.topic in page and "submitted" in page


def test_my_answers_show_the_editors_note_and_excerpt(make, auth, client, session):
    challenge = make.challenge()
    editor = make.editor()
    therapist = make.therapist()
    answer = make.answer(challenge, therapist, body="One two three. Four five six.")
    review.review(session, answer, editor, decision="approve", note="Thank you!", excerpt="One two three.")
    session.commit()
    auth.login(therapist)
    page = client.get("/my/answers").get_data(as_text=True)
    assert "Thank you!" in page and "One two three." in page and "approved" in page


def test_autosave_keeps_a_draft_and_answers_json(make, auth, client, post, session):
    challenge = make.challenge()
    therapist = make.therapist()
    auth.login(therapist)
    response = post(f"/challenges/{challenge.id}/answer/autosave", {"body": "Typing…", "credit": "full"},
                    headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["state"] == "draft"
    fresh(session)
    assert session.scalars(select(Answer)).one().body == "Typing…"


def test_autosave_leaves_a_submitted_answer_alone(make, auth, client, post, session):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist, body="Submitted words")
    auth.login(therapist)
    response = post(f"/challenges/{challenge.id}/answer/autosave", {"body": "Stray", "credit": "full"},
                    headers={"Accept": "application/json"})
    assert response.status_code == 409
    fresh(session)
    assert session.scalars(select(Answer)).one().body == "Submitted words"


def test_withdraw_through_the_page(make, auth, client, post, session):
    challenge = make.challenge()
    therapist = make.therapist()
    make.answer(challenge, therapist)
    auth.login(therapist)
    response = post(f"/challenges/{challenge.id}/answer/withdraw")
    assert response.status_code == 302
    fresh(session)
    assert session.scalars(select(Answer)).one().state == AnswerState.WITHDRAWN


def test_withdraw_without_an_answer_is_404(make, auth, post):
    challenge = make.challenge()
    auth.login(make.therapist())
    assert post(f"/challenges/{challenge.id}/answer/withdraw").status_code == 404


def test_a_therapist_never_sees_another_therapists_answer(make, auth, client):
    challenge = make.challenge()
    make.answer(challenge, make.therapist(), body="Private words of someone else")
    auth.login(make.therapist())
    page = client.get(f"/challenges/{challenge.id}/answer").get_data(as_text=True)
    assert "Private words of someone else" not in page
    assert "Private words of someone else" not in client.get("/my/answers").get_data(as_text=True)


def test_editors_do_not_use_the_writing_desk(make, auth, client):
    challenge = make.challenge()
    auth.login(make.editor())
    assert client.get(f"/challenges/{challenge.id}/answer").status_code == 403
    assert client.get("/challenges/").status_code == 403


def test_changes_to_a_submitted_answer_need_consent_again(make, session):
    challenge = make.challenge()
    answer = make.answer(challenge)
    with pytest.raises(Invalid, match="agree to publication"):
        answers.save(session, challenge, answer.author, body="New words", credit="full", consent=False, submit=False)
