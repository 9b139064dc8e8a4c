"""Nothing a therapist types is lost: whatever went wrong, the text comes back
(in the form, or saved as a draft) with plain words about what happened."""
import datetime as dt
import time
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from curation.models import Answer, AnswerState, AuditEntry
from tests.conftest import PASSWORD, csrf, fresh
from tests.security.hostile_markup import parse

WORDS = "Rest is not a reward for finishing.\n\nIt is part of the work & <the> care we give."


def the_form(page: str, button_text: str):
    """The form holding the given button, as a browser would send it."""
    for form in parse(page).iter("form"):
        buttons = [b for b in form.iter("button")]
        if any(button_text in "".join(b.itertext()) for b in buttons):
            data = {i.get("name"): i.get("value", "") for i in form.iter("input") if i.get("name")}
            data.update({t.get("name"): "".join(t.itertext()) for t in form.iter("textarea") if t.get("name")})
            return form.get("action"), data
    raise AssertionError(f"no form with a “{button_text}” button")


def textareas(page: str) -> list[str]:
    return ["".join(t.itertext()) for t in parse(page).iter("textarea")]


@pytest.fixture
def writing(app, make, client, auth):
    therapist = make.therapist()
    challenge = make.challenge()
    auth.login(therapist)
    return therapist, challenge, f"/challenges/{challenge.id}/answer"


def _answer(session, therapist):
    return fresh(session).scalar(select(Answer).where(Answer.author_id == therapist.id))


def _token_from_two_hours_ago(app, client):
    """What the page held when the therapist opened it two hours ago (tokens last one)."""
    with client.session_transaction() as cookie:
        raw = cookie["csrf_token"]
    two_hours_ago = time.time() - 2 * 3600
    with mock.patch("itsdangerous.timed.time.time", return_value=two_hours_ago):
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def _submission(token=None):
    data = {"body": WORDS, "credit": "first", "consent": "y", "submit": "Submit answer"}
    if token is not None:
        data["csrf_token"] = token
    return data


@pytest.mark.parametrize("token", ["expired", "missing", "wrong"])
def test_a_refused_token_gives_the_text_back_to_send_again(app, session, client, writing, token):
    therapist, _, desk = writing
    csrf(client, desk)
    sent = {"expired": _token_from_two_hours_ago(app, client), "missing": None, "wrong": "not-a-token"}[token]
    response = client.post(desk, data=_submission(sent))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert WORDS in textareas(page)
    assert "it was not sent" in page and "Nothing is lost" in page
    assert _answer(session, therapist) is None
    action, data = the_form(page, "Send again")
    assert action == desk and data["credit"] == "first" and data["consent"] == "y"
    assert client.post(action, data=data).status_code == 302
    answer = _answer(session, therapist)
    assert (answer.body, answer.state, answer.credit) == (WORDS, AnswerState.SUBMITTED, "first")


def test_a_session_that_ran_out_keeps_the_text_through_a_new_login(app, session, writing):
    therapist, _, desk = writing
    stranger_to_the_app = app.test_client()  # the cookie is gone: no login, no CSRF secret
    response = stranger_to_the_app.post(desk, data=_submission("token of a session that is gone"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your session ended" in page and "Nothing is lost" in page
    action, data = the_form(page, "Log in")
    assert data["carry-body"] == WORDS
    response = stranger_to_the_app.post(action, data={**data, "email": therapist.email, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert "You are logged in again. Nothing you wrote was lost." in page and WORDS in textareas(page)
    action, data = the_form(page, "Send again")
    assert stranger_to_the_app.post(action, data=data).status_code == 302
    assert _answer(session, therapist).body == WORDS


def test_a_login_that_ended_elsewhere_keeps_the_text_too(app, session, client, writing, make):
    therapist, _, desk = writing
    token = csrf(client, desk)
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": therapist.email, "password": PASSWORD, "csrf_token": csrf(other_device)})
    new = "another long passphrase"
    other_device.post("/account", data={"current_password": PASSWORD, "password": new, "password_confirm": new,
                                        "csrf_token": csrf(other_device, "/account")})
    response = client.post(desk, data=_submission(token))
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "Your session ended" in page
    action, data = the_form(page, "Log in")
    page = client.post(action, data={**data, "email": therapist.email, "password": new}).get_data(as_text=True)
    action, data = the_form(page, "Send again")
    assert client.post(action, data=data).status_code == 302
    assert _answer(session, therapist).body == WORDS


def test_past_the_deadline_the_answer_is_kept_as_a_draft_and_the_page_says_so(app, session, client, make, auth):
    therapist = make.therapist()
    challenge = make.challenge(closes_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))
    auth.login(therapist)
    desk = f"/challenges/{challenge.id}/answer"
    response = client.post(desk, data=_submission(csrf(client, desk)), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "stopped taking answers before you submitted" in page and "saved as a draft" in page
    assert WORDS in textareas(page)
    answer = _answer(session, therapist)
    assert (answer.body, answer.state) == (WORDS, AnswerState.DRAFT)


def test_over_the_word_limit_the_text_comes_back_with_the_count(app, session, client, make, auth):
    therapist = make.therapist()
    challenge = make.challenge(word_limit=10)
    auth.login(therapist)
    desk = f"/challenges/{challenge.id}/answer"
    response = client.post(desk, data=_submission(csrf(client, desk)))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert WORDS in textareas(page)
    assert "Your answer has 18 words; this challenge asks for at most 10" in page
    assert "save it as a draft" in page


def test_over_the_length_limit_the_text_comes_back(app, client, writing):
    _, _, desk = writing
    long_text = "word " * 5000
    response = client.post(desk, data={**_submission(csrf(client, desk)), "body": long_text})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "at most 20,000 characters" in page
    assert long_text.replace("\r\n", "\n") in textareas(page)


def test_a_double_click_makes_one_answer(app, session, client, writing):
    therapist, _, desk = writing
    token = csrf(client, desk)
    first, second = client.post(desk, data=_submission(token)), client.post(desk, data=_submission(token))
    assert first.status_code == second.status_code == 302
    fresh(session)
    assert session.scalar(select(func.count(Answer.id)).where(Answer.author_id == therapist.id)) == 1
    assert session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "answer.submitted")) == 1
    assert _answer(session, therapist).body == WORDS


def test_text_sent_to_an_answer_approved_meanwhile_comes_back(app, session, client, make, auth):
    therapist, editor = make.therapist(), make.editor()
    challenge = make.challenge(editor)
    desk = f"/challenges/{challenge.id}/answer"
    auth.login(therapist)
    token = csrf(client, desk)
    client.post(desk, data={**_submission(token), "body": "First version."})
    from curation.review import services as review

    review.review(fresh(session), _answer(session, therapist), editor, decision="approve")
    session.commit()
    response = client.post(desk, data=_submission(token))  # the page was still open
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "has been approved, so it can no longer be changed" in page
    assert WORDS in textareas(page)
    assert _answer(session, therapist).body == "First version."


@pytest.mark.parametrize("size, why", [(3 * 1024 * 1024, "whole request over MAX_CONTENT_LENGTH"),
                                       (int(1.5 * 1024 * 1024), "one field over MAX_FORM_MEMORY_SIZE")])
def test_a_form_too_large_gets_a_page_that_says_so(app, session, client, writing, size, why):
    therapist, _, desk = writing
    response = client.post(desk, data={**_submission(csrf(client, desk)), "body": "x" * size})
    page = response.get_data(as_text=True)
    assert response.status_code == 413, why
    assert "too large to receive, so it was not saved" in page
    assert _answer(session, therapist) is None


def test_a_field_too_large_is_refused_even_when_its_form_had_been_open_too_long(app, session, client, writing):
    # The size comes first: a page offering to send it again would carry the whole field back.
    therapist, _, desk = writing
    csrf(client, desk)
    response = client.post(desk, data={**_submission(_token_from_two_hours_ago(app, client)),
                                       "body": "x" * int(1.5 * 1024 * 1024)})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "too large to receive, so it was not saved" in page and "Send again" not in page
    assert _answer(session, therapist) is None
