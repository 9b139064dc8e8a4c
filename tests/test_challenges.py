"""Challenges: create, edit, open, close; the dashboard's counts."""
import pytest
from sqlalchemy import select

from curation.challenges import services as challenges
from curation.errors import Conflict
from curation.models import Challenge, ChallengeState
from tests.conftest import fresh

FIELDS = {
    "title": "What Do Therapists Really Think About Hope?", "topic": "Hope",
    "question": "What is hope?", "intro": "Intro <em>kept</em><script>alert(1)</script>",
    "challengers": "Psychotherapists", "outro": "Bye", "closes_at": "2099-05-01T17:30", "word_limit": "200",
}


def test_an_editor_creates_a_draft_challenge(make, auth, post, session):
    auth.login(make.editor())
    response = post("/editor/challenges/new", FIELDS)
    assert response.status_code == 302
    fresh(session)
    challenge = session.scalars(select(Challenge)).one()
    assert response.headers["Location"].endswith(f"/editor/challenges/{challenge.id}")
    assert challenge.state == ChallengeState.DRAFT and challenge.word_limit == 200
    assert challenge.closes_at.isoformat() == "2099-05-01T17:30:00+00:00"
    assert challenge.intro_html == "Intro <em>kept</em>alert(1)"


def test_a_missing_question_is_refused_and_the_rest_kept(make, auth, post):
    auth.login(make.editor())
    response = post("/editor/challenges/new", {**FIELDS, "question": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "What Do Therapists Really Think About Hope?" in page


def test_editing_changes_the_fields(make, auth, post, session):
    editor = make.editor()
    challenge = make.challenge(editor)
    auth.login(editor)
    assert post(f"/editor/challenges/{challenge.id}/edit", {**FIELDS, "topic": "Courage"}).status_code == 302
    fresh(session)
    assert session.get(Challenge, challenge.id).topic == "Courage"


def test_the_edit_form_shows_the_current_values(make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor, word_limit=150)
    auth.login(editor)
    page = client.get(f"/editor/challenges/{challenge.id}/edit").get_data(as_text=True)
    assert challenge.title in page and 'value="150"' in page


def test_open_and_close_follow_the_life_of_a_challenge(make, session):
    editor = make.editor()
    challenge = make.challenge(editor, state="draft")
    with pytest.raises(Conflict):
        challenges.close_challenge(session, challenge, editor)
    challenges.open_challenge(session, challenge, editor)
    challenges.close_challenge(session, challenge, editor)
    assert challenge.state == ChallengeState.CLOSED
    with pytest.raises(Conflict):
        challenges.move(session, challenge, ChallengeState.DRAFT, editor)


def test_opening_twice_is_a_clear_conflict(make, auth, post):
    editor = make.editor()
    challenge = make.challenge(editor)
    auth.login(editor)
    response = post(f"/editor/challenges/{challenge.id}/open")
    assert response.status_code == 409 and "cannot be made open" in response.get_data(as_text=True)


def test_the_dashboard_counts_answers_by_state(make, auth, client):
    editor = make.editor()
    challenge = make.challenge(editor)
    make.answer(challenge)
    make.answer(challenge)
    make.approved(challenge, editor)
    make.answer(challenge, submit=False)
    auth.login(editor)
    page = client.get("/editor/").get_data(as_text=True)
    assert '<td class="count" data-state="submitted">2</td>' in page
    assert '<td class="count" data-state="approved">1</td>' in page
    assert '<td class="count" data-state="draft">1</td>' in page


def test_therapists_cannot_reach_editor_pages(make, auth, client, post):
    challenge = make.challenge()
    auth.login(make.therapist())
    assert client.get("/editor/").status_code == 403
    assert post(f"/editor/challenges/{challenge.id}/close").status_code == 403
    assert post("/editor/challenges/new", FIELDS).status_code == 403


def test_an_unknown_challenge_is_404(make, auth, client):
    auth.login(make.editor())
    assert client.get("/editor/challenges/999").status_code == 404


def test_one_line_fields_stay_on_one_line(make, auth, post, session):
    auth.login(make.editor())
    post("/editor/challenges/new", {**FIELDS, "title": "Two\nlines", "topic": "Hope\r\nX-Header: injected"})
    challenge = fresh(session).scalars(select(Challenge)).one()
    assert (challenge.title, challenge.topic) == ("Two lines", "Hope X-Header: injected")
